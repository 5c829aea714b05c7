// Preparation fusion: Concat(x, x, ..., x) where nothing else reads x is the
// Linear [I; I; ...; I] of x. (When x also has other readers it is a branch,
// and case 4 handles it.)
#include "compile/num_ops.hpp"
#include "compile/passes.hpp"

namespace lsrl {

bool concat_to_duplicate(WorkGraph& g, WorkId at, RuleCounter& counts) {
  WorkNode& n = g.node(at);
  if (!n.alive || n.kind != NodeKind::Concat || n.inputs.size() < 2) return false;
  const WorkId x = n.inputs[0];
  for (WorkId in : n.inputs)
    if (in != x) return false;
  if (g.node(x).users.size() != 1) return false;
  const NumSparse eye = sparse_identity(g.node(x).dim);
  std::vector<const NumSparse*> blocks(n.inputs.size(), &eye);
  n.A = vstack(blocks);
  n.b = zero_vector(n.dim);
  g.set_kind(at, NodeKind::Linear);
  g.set_inputs(at, {x});
  g.touch(at);
  counts.count("concat_to_duplicate");
  return true;
}

}  // namespace lsrl
