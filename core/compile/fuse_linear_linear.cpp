// Preparation fusion: a Linear (or Slice) whose only reader is a Linear (or
// Slice) is folded into it: A2 (A1 x + b1) + b2 = (A2 A1) x + (A2 b1 + b2),
// when that rounds as the two steps do (composition_rounds_alike: one of
// them only selects); other chains stay two ops. Two Slices make one Slice,
// so case 5A still sees slices as slices.
#include "compile/num_ops.hpp"
#include "compile/passes.hpp"

namespace lsrl {

bool fuse_linear_linear(WorkGraph& g, WorkId at, RuleCounter& counts) {
  WorkNode& n = g.node(at);
  if (!n.alive || !WorkGraph::is_affine(n)) return false;
  const WorkId prev_id = n.inputs[0];
  const WorkNode& prev = g.node(prev_id);
  if (!WorkGraph::is_affine(prev) || prev.users.size() != 1 || prev_id == g.output()) return false;
  const WorkId source = prev.inputs[0];
  if (n.kind == NodeKind::Slice && prev.kind == NodeKind::Slice) {
    n.slice_begin += prev.slice_begin;
    n.slice_end += prev.slice_begin;
  } else {
    const NumSparse A2 = g.affine_matrix(at);
    const NumVector b2 = g.affine_bias(at);
    const NumSparse A1 = g.affine_matrix(prev_id);
    const NumVector b1 = g.affine_bias(prev_id);
    if (!composition_rounds_alike(A2, b2, A1, b1)) return false;
    n.A = multiply(A2, A1);
    n.b = add(multiply(A2, b1), b2);
    g.set_kind(at, NodeKind::Linear);
  }
  WorkGraph::merge_names(n.names, prev.names);
  g.set_inputs(at, {source});
  g.touch(at);
  counts.count("fuse_linear_linear");
  return true;
}

}  // namespace lsrl
