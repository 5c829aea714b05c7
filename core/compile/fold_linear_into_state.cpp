// Preparation fusion: a LinState reading a Linear (or Slice) that nothing
// else reads takes it into its input weights:
// A s + B (C x + c) + b = A s + (B C) x + (B c + b),
// when what B reads of C x + c only selects inputs (state_input_rounds_alike),
// so the state rounds as the program computes it.
#include "compile/num_ops.hpp"
#include "compile/passes.hpp"

namespace lsrl {

bool fold_linear_into_state(WorkGraph& g, WorkId at, RuleCounter& counts) {
  WorkNode& n = g.node(at);
  if (!n.alive || n.kind != NodeKind::LinState) return false;
  const WorkId prev_id = n.inputs[0];
  const WorkNode& prev = g.node(prev_id);
  if (!WorkGraph::is_affine(prev) || prev.users.size() != 1) return false;
  const WorkId source = prev.inputs[0];
  const NumSparse C = g.affine_matrix(prev_id);
  const NumVector c = g.affine_bias(prev_id);
  if (!state_input_rounds_alike(n.B, C, c)) return false;
  n.b = add(multiply(n.B, c), n.b);
  n.B = multiply(n.B, C);
  WorkGraph::merge_names(n.names, prev.names);
  g.set_inputs(at, {source});
  g.touch(at);
  counts.count("fold_linear_into_state");
  return true;
}

}  // namespace lsrl
