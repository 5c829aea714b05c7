// Preparation fusion: ReLU(ReLU(x)) = ReLU(x), so a ReLU reading a ReLU is
// replaced by the inner one.
#include "compile/passes.hpp"

namespace lsrl {

bool fuse_relu_relu(WorkGraph& g, WorkId at, RuleCounter& counts) {
  const WorkNode& n = g.node(at);
  if (!n.alive || n.kind != NodeKind::ReLU) return false;
  const WorkId inner = n.inputs[0];
  if (g.node(inner).kind != NodeKind::ReLU) return false;
  WorkGraph::merge_names(g.node(inner).names, n.names);
  g.replace_uses(at, inner);
  counts.count("fuse_relu_relu");
  return true;
}

}  // namespace lsrl
