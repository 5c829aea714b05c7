// Debranching case 2: every reader of the branch node is a LinState. They
// become one LinState with block-diagonal A (stacked B, bias, init); each
// former state is a Slice of it.
#include <vector>

#include "compile/num_ops.hpp"
#include "compile/passes.hpp"

namespace lsrl {

bool case_2_fuse_states(WorkGraph& g, WorkId bn, RuleCounter& counts) {
  const std::vector<WorkId> users = g.users(bn);
  for (WorkId u : users)
    if (g.node(u).kind != NodeKind::LinState) return false;
  std::vector<const NumSparse*> As, Bs;
  std::vector<const NumVector*> biases, inits;
  WorkNode prov;
  for (WorkId u : users) {
    const WorkNode& s = g.node(u);
    As.push_back(&s.A);
    Bs.push_back(&s.B);
    biases.push_back(&s.b);
    inits.push_back(&s.init);
    WorkGraph::merge_names(prov.names, s.names);
    if (!prov.origin.known()) prov.origin = s.origin;
  }
  const WorkId fused =
      g.add_linstate(bn, block_diagonal(As), vstack(Bs), stack_vectors(biases), stack_vectors(inits), prov);
  int offset = 0;
  for (WorkId u : users) {
    const int dim = g.node(u).dim;
    const WorkId part = g.add_slice(fused, offset, offset + dim, WorkGraph::provenance({&g.node(u)}));
    offset += dim;
    g.replace_uses(u, part);
  }
  counts.count("case_2_fuse_states");
  return true;
}

}  // namespace lsrl
