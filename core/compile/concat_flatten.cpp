// Preparation fusion: a Concat of one input is that input, and a Concat read
// only by another Concat is spliced into it. Fewer Concats mean fewer
// branches to debranch.
#include "compile/passes.hpp"

namespace lsrl {

bool concat_flatten(WorkGraph& g, WorkId at, RuleCounter& counts) {
  const WorkNode& n = g.node(at);
  if (!n.alive || n.kind != NodeKind::Concat) return false;
  if (n.inputs.size() == 1) {
    const WorkId only = n.inputs[0];
    WorkGraph::merge_names(g.node(only).names, n.names);
    g.replace_uses(at, only);
    counts.count("concat_flatten");
    return true;
  }
  std::vector<WorkId> spliced;
  bool changed = false;
  for (WorkId in : n.inputs) {
    const WorkNode& m = g.node(in);
    if (m.kind == NodeKind::Concat && m.users.size() == 1 && in != g.output()) {
      spliced.insert(spliced.end(), m.inputs.begin(), m.inputs.end());
      changed = true;
    } else {
      spliced.push_back(in);
    }
  }
  if (!changed) return false;
  g.set_inputs(at, std::move(spliced));
  counts.count("concat_flatten");
  return true;
}

}  // namespace lsrl
