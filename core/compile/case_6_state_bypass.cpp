// Debranching case 6: LinStates among other readers. Every other reader gets
// a pass-through LinState (A = 0, B = I: its state is the current input), so
// that next all readers are LinStates and case 2 fuses them. A Linear reader
// becomes such a LinState itself (A = 0, B = its A, bias = its b), which is
// the same values at every step and carries only its own rows.
#include <vector>

#include "compile/num_ops.hpp"
#include "compile/passes.hpp"

namespace lsrl {

bool case_6_state_bypass(WorkGraph& g, WorkId bn, RuleCounter& counts) {
  const std::vector<WorkId> users = g.users(bn);
  bool any_state = false;
  bool any_other = false;
  for (WorkId u : users) (g.node(u).kind == NodeKind::LinState ? any_state : any_other) = true;
  if (!any_state || !any_other) return false;
  const int width = g.node(bn).dim;
  WorkId pass = -1;
  for (WorkId u : users) {
    WorkNode& w = g.node(u);
    if (w.kind == NodeKind::LinState) continue;
    if (WorkGraph::is_affine(w)) {
      w.B = g.affine_matrix(u);
      w.b = g.affine_bias(u);
      w.A = NumSparse(w.dim, w.dim);
      w.init = zero_vector(w.dim);
      g.set_kind(u, NodeKind::LinState);
      g.touch(u);
      continue;
    }
    if (pass < 0) {
      pass = g.add_linstate(bn, NumSparse(width, width), sparse_identity(width), zero_vector(width), zero_vector(width),
                            WorkGraph::bypass_provenance(g.node(bn)));
    }
    g.redirect_input(u, bn, pass);
  }
  counts.count("case_6_state_bypass");
  return true;
}

}  // namespace lsrl
