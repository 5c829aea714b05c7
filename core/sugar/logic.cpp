// Steps, bumps, comparisons and boolean logic: everything built on f_step.
#include "sugar/sugar.hpp"

namespace lsrl::sugar {

namespace {

void require_positive_mu(Num mu, const char* function, SourceSpan span) {
  if (mu.sign() <= 0) {
    throw LsrlError(span, std::string(function) + ": mu (the step's slope, keyword scale= too) must be positive, got " +
                              mu.to_string());
  }
}

NodeId mark_positive(Program& program, NodeId id) {
  program.node(id).always_positive = true;
  return id;
}

// The width that constants on either side broadcast to, and a check that two
// graph variables agree.
void require_compatible(const Program& program, const char* function, const Operand& x, const Operand& y,
                        SourceSpan span) {
  if (!x.is_node() && !y.is_node()) {
    throw LsrlError(span, std::string(function) + " needs at least one graph variable among x and y; both are numbers");
  }
  if (x.is_node() && y.is_node() && program.node(x.node).dim != program.node(y.node).dim) {
    throw LsrlError(span, std::string(function) + ": x is " + describe_node(program, x.node) + " but y is " +
                              describe_node(program, y.node) + "; they must have the same width");
  }
}

}  // namespace

NodeId f_step(Program& program, NodeId x, Num mu, SourceSpan span) {
  require_positive_mu(mu, "f_step", span);
  const int dim = program.node(x).dim;
  NodeId rising = program.add_relu(scale(program, x, mu, span), span);
  NodeId shifted = add_constant(program, x, NumVector::Constant(dim, -(Num(1) / mu)), span);
  NodeId capped = scale(program, program.add_relu(shifted, span), mu, span);
  return mark_positive(program, subtract(program, rising, capped, span));
}

NodeId f_bump(Program& program, NodeId x, const Operand& lb, const Operand& ub, Num mu, SourceSpan span) {
  require_positive_mu(mu, "f_bump", span);
  if (lb.is_node()) require_compatible(program, "f_bump (x and lb)", Operand::of(x), lb, span);
  if (ub.is_node()) require_compatible(program, "f_bump (x and ub)", Operand::of(x), ub, span);
  NodeId above_lower = f_step(program, subtract(program, Operand::of(x), lb, span), mu, span);
  NodeId above_upper = f_step(program, subtract(program, Operand::of(x), ub, span), mu, span);
  return mark_positive(program, subtract(program, above_lower, above_upper, span));
}

NodeId f_not(Program& program, NodeId x, SourceSpan span) {
  return mark_positive(program, constant_minus(program, NumVector::Constant(1, Num(1)), x, span));
}

NodeId f_and(Program& program, NodeId x, NodeId y, Num mu, SourceSpan span) {
  require_compatible(program, "f_and", Operand::of(x), Operand::of(y), span);
  NodeId both = add(program, f_step(program, x, mu, span), f_step(program, y, mu, span), span);
  NodeId shifted = add_constant(program, both, NumVector::Constant(1, Num(-1)), span);
  return mark_positive(program, program.add_relu(shifted, span));
}

NodeId f_or(Program& program, NodeId x, NodeId y, Num mu, SourceSpan span) {
  require_compatible(program, "f_or", Operand::of(x), Operand::of(y), span);
  return mark_positive(program, f_step(program, add(program, x, y, span), mu, span));
}

NodeId f_larger(Program& program, const Operand& x, const Operand& y, Num mu, SourceSpan span) {
  require_compatible(program, "f_larger", x, y, span);
  require_positive_mu(mu, "f_larger", span);
  return mark_positive(program, f_step(program, subtract(program, x, y, span), mu, span));
}

NodeId f_smaller(Program& program, const Operand& x, const Operand& y, Num mu, SourceSpan span) {
  require_compatible(program, "f_smaller", x, y, span);
  require_positive_mu(mu, "f_smaller", span);
  return mark_positive(program, f_step(program, subtract(program, y, x, span), mu, span));
}

NodeId f_eq(Program& program, const Operand& x, const Operand& y, Num mu, SourceSpan span) {
  require_compatible(program, "f_eq", x, y, span);
  require_positive_mu(mu, "f_eq", span);
  NodeId x_above = f_step(program, subtract(program, x, y, span), mu, span);
  NodeId y_above = f_step(program, subtract(program, y, x, span), mu, span);
  NodeId differ = add_constant(program, add(program, x_above, y_above, span), NumVector::Constant(1, Num(-1)), span);
  return mark_positive(program, f_step(program, scale(program, differ, Num(-1), span), mu, span));
}

NodeId f_neq(Program& program, const Operand& x, const Operand& y, Num mu, SourceSpan span) {
  require_compatible(program, "f_neq", x, y, span);
  require_positive_mu(mu, "f_neq", span);
  NodeId x_above = f_step(program, subtract(program, x, y, span), mu, span);
  NodeId y_above = f_step(program, subtract(program, y, x, span), mu, span);
  return mark_positive(program, f_step(program, add(program, x_above, y_above, span), mu, span));
}

}  // namespace lsrl::sugar
