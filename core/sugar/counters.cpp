// Constants, the modulo counter and the ReLU identity.
#include <cmath>
#include <numbers>

#include "sugar/sugar.hpp"

namespace lsrl::sugar {

namespace {

// p mod m in [0, m).
std::int64_t positive_mod(std::int64_t p, std::int64_t m) {
  std::int64_t r = p % m;
  return r < 0 ? r + m : r;
}

}  // namespace

Num cos_pi_fraction(std::int64_t p, std::int64_t q) {
  if (q < 0) {
    p = -p;
    q = -q;
  }
  // cos has period 2 pi: the angle is pi r / q with r in [0, 2q).
  const std::int64_t r = positive_mod(p, 2 * q);
  if (r == 0) return Num(1);
  if (r == q) return Num(-1);
  if (2 * r == q || 2 * r == 3 * q) return Num(0);
  if (3 * r == q || 3 * r == 5 * q) return Num::rational(1, 2);
  if (3 * r == 2 * q || 3 * r == 4 * q) return Num::rational(-1, 2);
  const long double angle = std::numbers::pi_v<long double> * static_cast<long double>(r) / static_cast<long double>(q);
  return Num::inexact(static_cast<double>(std::cos(angle)));
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
  NodeId cycler = program.add_linstate(x, sparse_from_dense(rotation), sparse_zero(2, program.node(x).dim), std::move(init),
                                       std::nullopt, span);
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
