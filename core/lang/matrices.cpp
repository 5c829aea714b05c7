#include "lang/matrices.hpp"

#include <cmath>

namespace lsrl::lang {

namespace {

// floor(p / q) for q > 0, without overflow.
std::int64_t floor_div(std::int64_t p, std::int64_t q) {
  const WideInt wp = p;
  const WideInt wq = q;
  WideInt d = wp / wq;
  if ((wp % wq != 0) && (wp < 0)) d -= 1;
  return static_cast<std::int64_t>(d);
}

// The integer square root of a non-negative value, or -1 if it is not a square.
std::int64_t exact_isqrt(std::int64_t v) {
  if (v < 0) return -1;
  auto r = static_cast<std::int64_t>(std::sqrt(static_cast<long double>(v)));
  while (r > 0 && static_cast<WideInt>(r) * r > v) --r;
  while (static_cast<WideInt>(r + 1) * (r + 1) <= v) ++r;
  return static_cast<WideInt>(r) * r == v ? r : -1;
}

Num integer_power(Num base, std::int64_t n) {
  // n >= 0: square and multiply (exact until it no longer fits, then double).
  Num result(1);
  while (n > 0) {
    if (n & 1) result *= base;
    n >>= 1;
    if (n > 0) base *= base;
  }
  return result;
}

}  // namespace

Num num_floor(const Num& x) {
  if (x.is_exact()) return Num(static_cast<long long>(floor_div(x.numerator(), x.denominator())));
  return Num(std::floor(x.to_double()));
}

Num num_ceil(const Num& x) { return -num_floor(-x); }

Num num_trunc(const Num& x) { return x.sign() < 0 ? num_ceil(x) : num_floor(x); }

Num num_round(const Num& x) {
  if (!x.is_exact()) return Num(std::nearbyint(x.to_double()));
  if (x.denominator() == 2) {
    // A tie: to the even neighbour.
    const Num below = num_floor(x);
    const bool even = below.numerator() % 2 == 0;
    return even ? below : below + Num(1);
  }
  return num_floor(x + Num::rational(1, 2));
}

std::optional<Num> num_sqrt(const Num& x) {
  if (x.sign() < 0) return std::nullopt;
  if (x.is_exact()) {
    const std::int64_t p = exact_isqrt(x.numerator());
    const std::int64_t q = exact_isqrt(x.denominator());
    if (p >= 0 && q > 0) return Num::rational(p, q);
  }
  return Num::inexact(std::sqrt(x.to_double()));
}

std::optional<Num> num_pow(const Num& base, const Num& exponent) {
  if (exponent.is_exact() && exponent.denominator() == 1 && exponent.numerator() != INT64_MIN) {
    const std::int64_t n = exponent.numerator();
    if (n >= 0) return integer_power(base, n);
    if (base.is_zero()) return std::nullopt;
    return Num(1) / integer_power(base, -n);
  }
  if (base.is_zero()) {
    if (exponent.sign() > 0) return Num(0);
    return std::nullopt;
  }
  if (base.sign() < 0) return std::nullopt;
  if (base.is_exact() && exponent.is_exact() && exponent.denominator() <= 64 && exponent.numerator() >= -64 &&
      exponent.numerator() <= 64) {
    // A rational root that is itself rational stays exact: 4 ** 0.5 = 2.
    if (exponent.denominator() == 2) {
      if (auto root = num_sqrt(base); root && root->is_exact()) {
        return num_pow(*root, Num(static_cast<long long>(exponent.numerator())));
      }
    }
    const double approx = std::pow(base.to_double(), exponent.to_double());
    const Num candidate(approx);
    if (candidate.is_exact()) {
      auto lhs = integer_power(candidate, exponent.denominator());
      auto rhs = num_pow(base, Num(static_cast<long long>(exponent.numerator())));
      if (rhs && lhs.is_exact() && rhs->is_exact() && lhs == *rhs) return candidate;
    }
    return Num::inexact(approx);
  }
  return Num::inexact(std::pow(base.to_double(), exponent.to_double()));
}

Num num_cos(const Num& x) { return x.is_zero() ? Num(1) : Num::inexact(std::cos(x.to_double())); }
Num num_sin(const Num& x) { return x.is_zero() ? Num(0) : Num::inexact(std::sin(x.to_double())); }
Num num_exp(const Num& x) { return x.is_zero() ? Num(1) : Num::inexact(std::exp(x.to_double())); }

NumDense matmul(const NumDense& a, const NumDense& b) {
  NumDense out = NumDense::Constant(a.rows(), b.cols(), Num(0));
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    for (Eigen::Index k = 0; k < a.cols(); ++k) {
      const Num& aik = a(i, k);
      if (aik.is_zero()) continue;
      for (Eigen::Index j = 0; j < b.cols(); ++j) {
        if (!b(k, j).is_zero()) out(i, j) += aik * b(k, j);
      }
    }
  }
  return out;
}

NumDense identity(std::int64_t n) {
  NumDense out = NumDense::Constant(n, n, Num(0));
  for (std::int64_t i = 0; i < n; ++i) out(i, i) = Num(1);
  return out;
}

std::optional<NumDense> inverse(const NumDense& m) {
  const Eigen::Index n = m.rows();
  NumDense a = m;
  NumDense inv = identity(n);
  bool all_exact = true;
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) all_exact = all_exact && a(i, j).is_exact();
  for (Eigen::Index col = 0; col < n; ++col) {
    Eigen::Index pivot = -1;
    for (Eigen::Index r = col; r < n; ++r) {
      if (a(r, col).is_zero()) continue;
      if (pivot < 0) {
        pivot = r;
        if (all_exact) break;
      } else if (std::fabs(a(r, col).to_double()) > std::fabs(a(pivot, col).to_double())) {
        pivot = r;  // partial pivoting keeps inexact elimination stable
      }
    }
    if (pivot < 0) return std::nullopt;
    if (pivot != col) {
      a.row(pivot).swap(a.row(col));
      inv.row(pivot).swap(inv.row(col));
    }
    const Num scale = Num(1) / a(col, col);
    for (Eigen::Index j = 0; j < n; ++j) {
      a(col, j) *= scale;
      inv(col, j) *= scale;
    }
    for (Eigen::Index r = 0; r < n; ++r) {
      if (r == col || a(r, col).is_zero()) continue;
      const Num factor = a(r, col);
      for (Eigen::Index j = 0; j < n; ++j) {
        if (!a(col, j).is_zero()) a(r, j) -= factor * a(col, j);
        if (!inv(col, j).is_zero()) inv(r, j) -= factor * inv(col, j);
      }
    }
  }
  return inv;
}

}  // namespace lsrl::lang
