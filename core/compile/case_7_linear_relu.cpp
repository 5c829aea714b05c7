// Debranching case 7: the readers are Linears and ReLUs.
// 7A: every Linear is read only by a ReLU. The ReLUs get an identity Linear
//     in front; then all readers are Linears (5B stacks them), then all
//     ReLUs behind slices (5A swaps them), then one ReLU (3).
// 7B: otherwise, the Linears not followed only by a ReLU are carried through
//     a ReLU with f_relu_identity, which turns this into 7A. Each such Linear
//     gets its own [A; -A] rows when they are together narrower than the
//     branch node; else one f_relu_identity of the branch node serves all.
//     (A constant Linear needs no carrying: it reads the ReLU instead.)
#include <vector>

#include "compile/passes.hpp"

namespace lsrl {

namespace {
bool only_linears_and_relus(const WorkGraph& g, const std::vector<WorkId>& users, bool& any_linear, bool& any_relu) {
  any_linear = any_relu = false;
  for (WorkId u : users) {
    const WorkNode& w = g.node(u);
    if (WorkGraph::is_affine(w))
      any_linear = true;
    else if (w.kind == NodeKind::ReLU)
      any_relu = true;
    else
      return false;
  }
  return any_linear && any_relu;
}
}  // namespace

bool case_7a_bypass_relus(WorkGraph& g, WorkId bn, RuleCounter& counts) {
  const std::vector<WorkId> users = g.users(bn);
  bool any_linear = false;
  bool any_relu = false;
  if (!only_linears_and_relus(g, users, any_linear, any_relu)) return false;
  for (WorkId u : users)
    if (WorkGraph::is_affine(g.node(u)) && !followed_only_by_relu(g, u)) return false;
  const WorkId identity = add_identity_linear(g, bn, WorkGraph::bypass_provenance(g.node(bn)));
  for (WorkId u : users)
    if (g.node(u).kind == NodeKind::ReLU) g.redirect_input(u, bn, identity);
  counts.count("case_7a_bypass_relus");
  return true;
}

bool case_7b_bypass_linears(WorkGraph& g, WorkId bn, RuleCounter& counts) {
  const std::vector<WorkId> users = g.users(bn);
  bool any_linear = false;
  bool any_relu = false;
  if (!only_linears_and_relus(g, users, any_linear, any_relu)) return false;
  bool any_to_carry = false;
  for (WorkId u : users)
    any_to_carry = any_to_carry || (WorkGraph::is_affine(g.node(u)) && !followed_only_by_relu(g, u));
  if (!any_to_carry) return false;
  std::vector<WorkId> to_carry;
  int carried_width = 0;
  WorkId some_relu = -1;
  for (WorkId u : users)
    if (g.node(u).kind == NodeKind::ReLU) some_relu = u;
  for (WorkId u : users) {
    if (!WorkGraph::is_affine(g.node(u)) || followed_only_by_relu(g, u)) continue;
    if (is_constant_node(g.node(u))) {
      // A constant ignores its input: it can as well read the ReLU.
      relink_constant(g, u, some_relu);
      continue;
    }
    to_carry.push_back(u);
    carried_width += g.node(u).dim;
  }
  if (to_carry.empty()) {
    counts.count("case_7b_bypass_linears");
    return true;
  }
  if (carried_width <= g.node(bn).dim) {
    for (WorkId u : to_carry) add_relu_identity_of_affine(g, u);
  } else {
    const WorkId carried = add_relu_identity(g, bn, WorkGraph::bypass_provenance(g.node(bn)));
    for (WorkId u : to_carry) g.redirect_input(u, bn, carried);
  }
  counts.count("case_7b_bypass_linears");
  return true;
}

}  // namespace lsrl
