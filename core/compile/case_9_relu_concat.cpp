// Debranching case 9: the readers are ReLUs and Concats. The Concats read the
// branch node through f_relu_identity, so all readers are ReLUs or Linears
// followed by a ReLU (case 7A).
#include <vector>

#include "compile/passes.hpp"

namespace lsrl {

bool case_9_relu_concat(WorkGraph& g, WorkId bn, RuleCounter& counts) {
  const std::vector<WorkId> users = g.users(bn);
  bool any_relu = false;
  bool any_concat = false;
  for (WorkId u : users) {
    const WorkNode& w = g.node(u);
    if (w.kind == NodeKind::ReLU)
      any_relu = true;
    else if (w.kind == NodeKind::Concat)
      any_concat = true;
    else
      return false;
  }
  if (!any_relu || !any_concat) return false;
  const WorkId carried = add_relu_identity(g, bn, WorkGraph::bypass_provenance(g.node(bn)));
  for (WorkId u : users)
    if (g.node(u).kind == NodeKind::Concat) g.redirect_input(u, bn, carried);
  counts.count("case_9_relu_concat");
  return true;
}

}  // namespace lsrl
