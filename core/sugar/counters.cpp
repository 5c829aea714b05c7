// Constants, the modulo counter and the ReLU identity.
#include <cmath>

#include "sugar/sugar.hpp"

namespace lsrl::sugar {

// The inexact entries of the rotation are computed here in double-double
// arithmetic from + - * / alone, so native builds and WebAssembly get the
// same bits: std::cos differs between glibc and musl in the last bit for some
// arguments, and long double is 80-bit on x86 but 64-bit in wasm. The
// argument is reduced with integers (no rounding), the series is summed to
// about 100 bits, and the double nearest the sum is returned: the correctly
// rounded cos(pi p / q) except in cases far rarer than any q used here.
// The bits assume no multiply-add is fused (contracted) in this file: the
// CMake build passes -ffp-contract=off to every compiler, and the pragma keeps
// clang from contracting even where a build forgets it; the bit-pinning test
// in tests/core/sugar_test.cpp fails if a build gets other bits.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

namespace {

// p mod m in [0, m).
std::int64_t positive_mod(std::int64_t p, std::int64_t m) {
  std::int64_t r = p % m;
  return r < 0 ? r + m : r;
}

// hi + lo with |lo| <= ulp(hi) / 2: about 106 bits.
struct DoubleDouble {
  double hi = 0;
  double lo = 0;
};

DoubleDouble two_sum(double a, double b) {
  const double s = a + b;
  const double v = s - a;
  const double e = (a - (s - v)) + (b - v);
  return {s, e};
}

DoubleDouble fast_two_sum(double a, double b) {  // |a| >= |b|
  const double s = a + b;
  return {s, b - (s - a)};
}

// a = high + low with 26-bit halves, so their products are exact.
void split(double a, double& high, double& low) {
  const double t = 134217729.0 * a;  // 2^27 + 1
  high = t - (t - a);
  low = a - high;
}

DoubleDouble two_product(double a, double b) {
  const double p = a * b;
  double ah = 0, al = 0, bh = 0, bl = 0;
  split(a, ah, al);
  split(b, bh, bl);
  const double e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return {p, e};
}

DoubleDouble add(DoubleDouble a, DoubleDouble b) {
  DoubleDouble s = two_sum(a.hi, b.hi);
  const DoubleDouble t = two_sum(a.lo, b.lo);
  s.lo += t.hi;
  s = fast_two_sum(s.hi, s.lo);
  s.lo += t.lo;
  return fast_two_sum(s.hi, s.lo);
}

DoubleDouble multiply(DoubleDouble a, DoubleDouble b) {
  DoubleDouble p = two_product(a.hi, b.hi);
  p.lo += a.hi * b.lo + a.lo * b.hi;
  return fast_two_sum(p.hi, p.lo);
}

// a / d for an integer d, exactly representable (|d| < 2^53).
DoubleDouble divide(DoubleDouble a, double d) {
  const double q1 = a.hi / d;
  const DoubleDouble p = two_product(q1, d);
  const DoubleDouble r = two_sum(a.hi, -p.hi);
  const double q2 = (r.hi + (r.lo - p.lo + a.lo)) / d;
  return fast_two_sum(q1, q2);
}

// pi to about 107 bits: the double nearest pi and the double nearest the rest.
constexpr DoubleDouble kPi{3.141592653589793116e+00, 1.2246467991473532072e-16};

// The Taylor series of cos (odd = false) or sin (odd = true) at pi * num / den,
// for 0 <= num / den <= 1/4 (|x| <= pi / 4: the terms fall fast, no cancellation).
double series_at_pi_fraction(std::int64_t num, std::int64_t den, bool odd) {
  const DoubleDouble x = divide(multiply(kPi, {static_cast<double>(num), 0.0}), static_cast<double>(den));
  const DoubleDouble x2 = multiply(x, x);
  DoubleDouble term = odd ? x : DoubleDouble{1.0, 0.0};
  DoubleDouble sum = term;
  for (int k = odd ? 1 : 0; k < 60; k += 1) {
    // The next term: times -x^2 / ((m + 1)(m + 2)), m the current power.
    const int m = odd ? 2 * k - 1 : 2 * k;
    term = divide(multiply(term, x2), -static_cast<double>((m + 1) * (m + 2)));
    if (term.hi == 0.0 || std::fabs(term.hi) < 1e-40) break;
    sum = add(sum, term);
  }
  return sum.hi + sum.lo;
}

}  // namespace

Num cos_pi_fraction(std::int64_t p, std::int64_t q) {
  if (q < 0) {
    p = -p;
    q = -q;
  }
  // cos has period 2 pi: the angle is pi r / q with r in [0, 2q).
  std::int64_t r = positive_mod(p, 2 * q);
  if (r == 0) return Num(1);
  if (r == q) return Num(-1);
  if (2 * r == q || 2 * r == 3 * q) return Num(0);
  if (3 * r == q || 3 * r == 5 * q) return Num::rational(1, 2);
  if (3 * r == 2 * q || 3 * r == 4 * q) return Num::rational(-1, 2);
  // Reduce with integers to an angle in [0, pi / 4]; each step is exact.
  if (r > q) r = 2 * q - r;  // cos(2 pi - a) = cos(a); now r / q in (0, 1)
  double sign = 1.0;
  if (2 * r > q) {  // cos(pi - a) = -cos(a); now r / q in (0, 1/2)
    r = q - r;
    sign = -1.0;
  }
  double value = 0.0;
  if (4 * r > q) {
    value = series_at_pi_fraction(q - 2 * r, 2 * q, true);  // cos(a) = sin(pi / 2 - a)
  } else {
    value = series_at_pi_fraction(r, q, false);
  }
  return Num::inexact(sign * value);
}

Num sin_pi_fraction(std::int64_t p, std::int64_t q) {
  // sin(pi p / q) = cos(pi (2p - q) / (2q)).
  return cos_pi_fraction(2 * p - q, 2 * q);
}

NodeId f_constant(Program& program, NodeId x, const NumVector& value, SourceSpan span) {
  if (value.size() < 1) throw LsrlError(span, "f_constant needs at least one value");
  bool non_negative = true;
  for (Eigen::Index i = 0; i < value.size(); ++i) non_negative = non_negative && value(i).sign() >= 0;
  NodeId c = program.add_linear(x, sparse_zero(static_cast<int>(value.size()), program.node(x).dim), value, span);
  program.node(c).always_positive = non_negative;
  return c;
}

NodeId f_modulo_counter(Program& program, NodeId x, int n, SourceSpan span) {
  if (n < 1) throw LsrlError(span, "f_modulo_counter needs a divisor n >= 1, got " + std::to_string(n));
  // One step turns the unit vector by 2 pi / n.
  const Num c = cos_pi_fraction(2, n);
  const Num s = sin_pi_fraction(2, n);
  NumDense rotation(2, 2);
  rotation(0, 0) = c;
  rotation(0, 1) = -s;
  rotation(1, 0) = s;
  rotation(1, 1) = c;
  // The state is rotated before it is output, so it starts one turn back:
  // R^-1 e1 = (cos, -sin), and the first output is position 0.
  NumVector init(2);
  init(0) = c;
  init(1) = -s;
  NodeId cycler = program.add_linstate(x, sparse_from_dense(rotation), sparse_zero(2, program.node(x).dim),
                                       std::move(init), std::nullopt, span);
  // Row i is the position R^i e1 = (cos(2 pi i / n), sin(2 pi i / n)); its
  // dot product with the state is 1 at position i, at most cos(2 pi / n) elsewhere.
  NumDense positions(n, 2);
  for (int i = 0; i < n; ++i) {
    positions(i, 0) = cos_pi_fraction(2 * static_cast<std::int64_t>(i), n);
    positions(i, 1) = sin_pi_fraction(2 * static_cast<std::int64_t>(i), n);
  }
  NodeId indicator = program.add_linear(cycler, sparse_from_dense(positions), zero_vector(n), span);
  // Halfway between the two: cos(pi / n).
  NodeId one_hot = f_larger(program, Operand::of(indicator), Operand::scalar(cos_pi_fraction(1, n)), Num(1000), span);
  NumDense weights(1, n);
  for (int i = 0; i < n; ++i) weights(0, i) = Num(i);
  NodeId value = program.add_linear(one_hot, sparse_from_dense(weights), zero_vector(1), span);
  program.node(value).always_positive = true;
  return value;
}

NodeId f_relu_identity(Program& program, NodeId x, SourceSpan span) {
  const int dim = program.node(x).dim;
  NodeId positive_part = program.add_relu(x, span);
  NodeId flipped = program.add_linear(x, NumSparse(-sparse_identity(dim)), zero_vector(dim), span);
  NodeId negative_part = program.add_relu(flipped, span);
  return subtract(program, positive_part, negative_part, span);
}

}  // namespace lsrl::sugar
