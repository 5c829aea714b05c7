// Debranching case 8: the readers are Linears and Concats. The Concats read
// the branch node through an identity Linear, so all readers are Linears and
// case 5 stacks them.
#include <vector>

#include "compile/passes.hpp"

namespace lsrl {

bool case_8_linear_concat(WorkGraph& g, WorkId bn, RuleCounter& counts) {
  const std::vector<WorkId> users = g.users(bn);
  bool any_linear = false;
  bool any_concat = false;
  for (WorkId u : users) {
    const WorkNode& w = g.node(u);
    if (WorkGraph::is_affine(w))
      any_linear = true;
    else if (w.kind == NodeKind::Concat)
      any_concat = true;
    else
      return false;
  }
  if (!any_linear || !any_concat) return false;
  const WorkId identity = add_identity_linear(g, bn, WorkGraph::bypass_provenance(g.node(bn)));
  std::vector<WorkId> concats;
  for (WorkId u : users)
    if (g.node(u).kind == NodeKind::Concat) concats.push_back(u);
  g.move_readers(bn, identity, concats);
  counts.count("case_8_linear_concat");
  return true;
}

}  // namespace lsrl
