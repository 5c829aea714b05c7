// Exact arithmetic helpers for compile-time numbers and matrices: what the
// language's math functions and matrix operations compute, kept exact
// wherever the result is rational (sqrt(4) = 2, [[2, 0], [0, 4]].inv()).
#pragma once

#include <optional>
#include <vector>

#include "num/num.hpp"

namespace lsrl::lang {

Num num_floor(const Num& x);
Num num_ceil(const Num& x);
// Rounds half to even, as Python's round().
Num num_round(const Num& x);
// x truncated toward zero (Python's int()).
Num num_trunc(const Num& x);
// Exact when x is the square of a rational; nullopt for negative x.
std::optional<Num> num_sqrt(const Num& x);
// base ** exponent; exact for rational bases and integer exponents (and for
// exact roots); nullopt when undefined (0 ** -1, (-8) ** 0.5).
std::optional<Num> num_pow(const Num& base, const Num& exponent);
// cos, sin, exp: exact only at 0.
Num num_cos(const Num& x);
Num num_sin(const Num& x);
Num num_exp(const Num& x);

NumDense matmul(const NumDense& a, const NumDense& b);
// Gauss-Jordan elimination in exact arithmetic (pivoting on the first
// non-zero entry, or the largest for inexact entries); nullopt if singular.
std::optional<NumDense> inverse(const NumDense& m);
NumDense identity(std::int64_t n);

}  // namespace lsrl::lang
