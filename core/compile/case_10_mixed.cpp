// Debranching case 10: Linears, ReLUs and Concats. The Concats, and the
// Linears not read only by a ReLU, read the branch node through one
// f_relu_identity; what remains is case 7A.
#include <vector>

#include "compile/passes.hpp"

namespace lsrl {

bool case_10_mixed(WorkGraph& g, WorkId bn, RuleCounter& counts) {
  const std::vector<WorkId> users = g.users(bn);
  bool any_linear = false;
  bool any_relu = false;
  bool any_concat = false;
  for (WorkId u : users) {
    const WorkNode& w = g.node(u);
    if (WorkGraph::is_affine(w))
      any_linear = true;
    else if (w.kind == NodeKind::ReLU)
      any_relu = true;
    else if (w.kind == NodeKind::Concat)
      any_concat = true;
    else
      return false;
  }
  if (!any_linear || !any_relu || !any_concat) return false;
  WorkId some_relu = -1;
  for (WorkId u : users)
    if (g.node(u).kind == NodeKind::ReLU) some_relu = u;
  const WorkId carried = add_relu_identity(g, bn, WorkGraph::bypass_provenance(g.node(bn)));
  for (WorkId u : users) {
    const WorkNode& w = g.node(u);
    if (WorkGraph::is_affine(w) && !followed_only_by_relu(g, u) && is_constant_node(w)) {
      relink_constant(g, u, some_relu);  // a constant ignores its input
    } else if (w.kind == NodeKind::Concat || (WorkGraph::is_affine(w) && !followed_only_by_relu(g, u))) {
      g.redirect_input(u, bn, carried);
    }
  }
  counts.count("case_10_mixed");
  return true;
}

}  // namespace lsrl
