// Conditional assignment, the paper's Sec. 5: the original ReLU form (Eq. 7),
// its optimized variant, the step-sharpened form (Eq. 9) and the
// multiplicative forms (Eq. 10). cond is 1 where t is wanted, 0 where f is.
#include <vector>

#include "sugar/sugar.hpp"

namespace lsrl::sugar {

namespace {

using Branch = std::optional<Operand>;

void require_some_branch(const Branch& t, const Branch& f, const char* function, SourceSpan span) {
  if (!t && !f) {
    throw LsrlError(span,
                    std::string(function) + " needs at least one of t and f; both are None (the result would be 0)");
  }
}

void require_branch_width(const Program& program, const char* function, const char* which, NodeId cond,
                          const Branch& branch, SourceSpan span) {
  if (!branch) return;
  if (branch->is_node()) {
    if (program.node(branch->node).dim != program.node(cond).dim) {
      throw LsrlError(span, std::string(function) + ": the condition is " + describe_node(program, cond) + " but " +
                                which + " is " + describe_node(program, branch->node) +
                                "; they must have the same width (broadcast a 1-wide condition with "
                                "Linear(cond, ones(" +
                                std::to_string(program.node(branch->node).dim) + ", 1)))");
    }
  } else if (branch->values.size() != 1 && branch->values.size() != program.node(cond).dim) {
    throw LsrlError(span, std::string(function) + ": " + which + " has " + std::to_string(branch->values.size()) +
                              " numbers but the condition is " + describe_node(program, cond) +
                              "; give one number or one per unit");
  }
}

// The branch's value is 0 whatever the input: an absent branch, zero
// constants, or a Linear that multiplies by 0 and adds 0 (as `x * 0`).
bool is_zero(const Program& program, const Branch& branch) {
  if (!branch) return true;
  if (!branch->is_node()) {
    for (Eigen::Index i = 0; i < branch->values.size(); ++i)
      if (!branch->values(i).is_zero()) return false;
    return true;
  }
  const Node& n = program.node(branch->node);
  if (n.kind != NodeKind::Linear || n.A.nonZeros() != 0) return false;
  for (Eigen::Index i = 0; i < n.b.size(); ++i)
    if (!n.b(i).is_zero()) return false;
  return true;
}

bool is_non_negative(const Program& program, const Operand& branch) {
  if (branch.is_node()) return program.node(branch.node).always_positive;
  for (Eigen::Index i = 0; i < branch.values.size(); ++i)
    if (branch.values(i).sign() < 0) return false;
  return true;
}

// ReLU(gate + value) or ReLU(gate - value), where gate is -lambda c (or
// -lambda (1 - c)): the value passes where the gate is 0 and is cut off
// where the gate is -lambda.
NodeId gated_relu(Program& program, NodeId gate, const Operand& value, bool negate, SourceSpan span) {
  NodeId inner =
      negate ? subtract(program, Operand::of(gate), value, span) : add(program, Operand::of(gate), value, span);
  return program.add_relu(inner, span);
}

NodeId constant_like(Program& program, NodeId cond, const Operand& value, SourceSpan span) {
  const int dim = program.node(cond).dim;
  NumVector v = value.values.size() == 1 ? NumVector::Constant(dim, value.values(0)) : value.values;
  return f_constant(program, cond, v, span);
}

}  // namespace

NodeId f_ifelse(Program& program, NodeId cond, const Branch& t, const Branch& f, Num large_constant, SourceSpan span) {
  require_some_branch(t, f, "f_ifelse", span);
  require_branch_width(program, "f_ifelse", "t", cond, t, span);
  require_branch_width(program, "f_ifelse", "f", cond, f, span);
  const Num minus_lambda = -large_constant;
  // Each term builds its own gate, as the reference's expression does.
  auto false_gate = [&]() { return scale(program, cond, minus_lambda, span); };
  auto true_gate = [&]() { return scale(program, f_not(program, cond, span), minus_lambda, span); };
  if (!t) {
    NodeId keep = gated_relu(program, false_gate(), *f, false, span);
    return subtract(program, keep, gated_relu(program, false_gate(), *f, true, span), span);
  }
  if (!f) {
    NodeId keep = gated_relu(program, true_gate(), *t, false, span);
    return subtract(program, keep, gated_relu(program, true_gate(), *t, true, span), span);
  }
  NodeId f_positive = gated_relu(program, false_gate(), *f, false, span);
  NodeId t_positive = gated_relu(program, true_gate(), *t, false, span);
  NodeId sum = add(program, f_positive, t_positive, span);
  sum = subtract(program, sum, gated_relu(program, false_gate(), *f, true, span), span);
  return subtract(program, sum, gated_relu(program, true_gate(), *t, true, span), span);
}

NodeId f_ifelse_opt(Program& program, NodeId cond, const Branch& t, const Branch& f, Num large_constant,
                    SourceSpan span) {
  require_some_branch(t, f, "f_ifelse_opt", span);
  require_branch_width(program, "f_ifelse_opt", "t", cond, t, span);
  require_branch_width(program, "f_ifelse_opt", "f", cond, f, span);
  const bool use_t = !is_zero(program, t);
  const bool use_f = !is_zero(program, f);
  if (!use_t && !use_f) return f_constant(program, cond, zero_vector(program.node(cond).dim), span);
  const Num minus_lambda = -large_constant;
  // The optimized form shares one gate per branch between its two terms.
  NodeId false_gate = use_f ? scale(program, cond, minus_lambda, span) : kNoNode;
  NodeId true_gate = use_t ? scale(program, f_not(program, cond, span), minus_lambda, span) : kNoNode;

  std::vector<NodeId> positive_terms;
  std::vector<NodeId> negative_terms;
  if (use_f) positive_terms.push_back(gated_relu(program, false_gate, *f, false, span));
  if (use_t) positive_terms.push_back(gated_relu(program, true_gate, *t, false, span));
  // ReLU(-lambda c - f) is 0 everywhere when f >= 0 (c is 0 or 1).
  if (use_f && !is_non_negative(program, *f)) negative_terms.push_back(gated_relu(program, false_gate, *f, true, span));
  if (use_t && !is_non_negative(program, *t)) negative_terms.push_back(gated_relu(program, true_gate, *t, true, span));

  NodeId result = positive_terms.front();
  for (std::size_t i = 1; i < positive_terms.size(); ++i) result = add(program, result, positive_terms[i], span);
  for (NodeId term : negative_terms) result = subtract(program, result, term, span);
  // A sum of ReLUs is never negative.
  if (negative_terms.empty()) program.node(result).always_positive = true;
  return result;
}

NodeId f_ifelse_step(Program& program, NodeId cond, const Branch& t, const Branch& f, Num large_constant, Num mu,
                     SourceSpan span) {
  require_some_branch(t, f, "f_ifelse_step", span);
  require_branch_width(program, "f_ifelse_step", "t", cond, t, span);
  require_branch_width(program, "f_ifelse_step", "f", cond, f, span);
  const Num half = Num::rational(1, 2);
  const NumVector minus_lambda = NumVector::Constant(1, -large_constant);
  // -lambda + lambda * f_step(+-(c - 1/2)): 0 where the branch is taken,
  // -lambda where it is not. Each term builds its own, as in the reference.
  auto false_gate = [&]() {
    NodeId is_false = f_step(program, constant_minus(program, NumVector::Constant(1, half), cond, span), mu, span);
    return add_constant(program, scale(program, is_false, large_constant, span), minus_lambda, span);
  };
  auto true_gate = [&]() {
    NodeId is_true = f_step(program, add_constant(program, cond, NumVector::Constant(1, -half), span), mu, span);
    return add_constant(program, scale(program, is_true, large_constant, span), minus_lambda, span);
  };
  auto branch_pair = [&](auto gate, const Operand& value) {
    NodeId keep = gated_relu(program, gate(), value, false, span);
    return subtract(program, keep, gated_relu(program, gate(), value, true, span), span);
  };
  if (!t) return branch_pair(false_gate, *f);
  if (!f) return branch_pair(true_gate, *t);
  NodeId result = gated_relu(program, false_gate(), *f, false, span);
  result = subtract(program, result, gated_relu(program, false_gate(), *f, true, span), span);
  result = add(program, result, gated_relu(program, true_gate(), *t, false, span), span);
  return subtract(program, result, gated_relu(program, true_gate(), *t, true, span), span);
}

NodeId f_ifelse_mul(Program& program, NodeId cond, const Branch& t, const Branch& f, SourceSpan span) {
  require_some_branch(t, f, "f_ifelse_mul", span);
  require_branch_width(program, "f_ifelse_mul", "t", cond, t, span);
  require_branch_width(program, "f_ifelse_mul", "f", cond, f, span);
  // Multi needs graph variables on both halves: numbers become constants.
  auto as_node = [&](const Operand& value) {
    return value.is_node() ? value.node : constant_like(program, cond, value, span);
  };
  if (!t) {
    NodeId not_cond = f_not(program, cond, span);
    return program.add_multi(program.add_concat({not_cond, as_node(*f)}, span), span);
  }
  if (!f) return program.add_multi(program.add_concat({cond, as_node(*t)}, span), span);
  NodeId not_cond = f_not(program, cond, span);
  NodeId t_node = as_node(*t);
  NodeId f_node = as_node(*f);
  NodeId products = program.add_multi(program.add_concat({cond, not_cond, t_node, f_node}, span), span);
  const int dim = program.node(cond).dim;
  NumSparse sum_halves(dim, 2 * dim);
  sum_halves.reserve(Eigen::VectorXi::Constant(dim, 2));
  for (int i = 0; i < dim; ++i) {
    sum_halves.insert(i, i) = Num(1);
    sum_halves.insert(i, dim + i) = Num(1);
  }
  sum_halves.makeCompressed();
  return program.add_linear(products, std::move(sum_halves), zero_vector(dim), span);
}

NodeId f_ifeq(Program& program, const Operand& x, const Operand& y, const Branch& t, const Branch& f, Num mu,
              Num large_constant, SourceSpan span) {
  return f_ifelse(program, f_eq(program, x, y, mu, span), t, f, large_constant, span);
}

}  // namespace lsrl::sugar
