// Debranching case 4: every reader of the branch node is a Concat. Those whose
// inputs are only the branch node are duplicating Linears [I; I; ...]. (One
// always exists: the first of them in topological order cannot read any
// other node, since every other node descends from the branch node through
// one of these Concats.) The rest wait for later steps.
#include <vector>

#include "compile/num_ops.hpp"
#include "compile/passes.hpp"

namespace lsrl {

bool case_4_concats(WorkGraph& g, WorkId bn, RuleCounter& counts) {
  const std::vector<WorkId> users = g.users(bn);
  for (WorkId u : users)
    if (g.node(u).kind != NodeKind::Concat) return false;
  bool changed = false;
  const NumSparse eye = sparse_identity(g.node(bn).dim);
  for (WorkId u : users) {
    WorkNode& c = g.node(u);
    bool only_bn = true;
    for (WorkId in : c.inputs) only_bn = only_bn && in == bn;
    if (!only_bn) continue;
    std::vector<const NumSparse*> blocks(c.inputs.size(), &eye);
    c.A = vstack(blocks);
    c.b = zero_vector(c.dim);
    g.set_kind(u, NodeKind::Linear);
    g.set_inputs(u, {bn});
    g.touch(u);
    changed = true;
  }
  if (changed) counts.count("case_4_concats");
  return changed;
}

}  // namespace lsrl
