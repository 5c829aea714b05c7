// The debranching driver (paper App. A): while the graph is not a path, take
// the first branching node in topological order and apply the first case
// (in the paper's order) whose condition holds, then the fusions again.
//
// Why it terminates (docs/compiler.md, "Why the compiler terminates"):
// - The fusions run in WorkGraph::Phase::Debranching, where none gives a
//   node more readers (fold_constants folds a constant only into its only
//   reader; the others fold a node into its only reader, or delete a node
//   whose input takes its place). So the path from the Input to the first
//   branching node `bn` is never broken again: no rule undoes a case. (Case
//   5B stacking two constant readers and fold_constants splitting the stack
//   into two constants of the Input again looped that way.)
// - At one `bn`, 1A, 1B, 2, 3 and 5B leave `bn` one reader (the path grows);
//   4, 6, 7A, 7B, 8, 9, 10 lead to one of those within at most three steps;
//   5A pushes every Slice of `bn` one node further down, which decreases the
//   number of nodes below the Slices of `bn`.
// - Each closed `bn` leaves fewer non-Slice program nodes below the path
//   (readers become one path node and Slices of it; bypasses are absorbed).
// The step bound below stays as a safety net only.
#include <cassert>
#include <string>

#include "compile/passes.hpp"

namespace lsrl {

void debranch(WorkGraph& g, RuleCounter& counts) {
  using Case = bool (*)(WorkGraph&, WorkId, RuleCounter&);
  static constexpr Case kCases[] = {
      case_1a_merge_multis, case_1b_multi_bypass,  case_2_fuse_states,  case_3_merge_relus,   case_4_concats,
      case_5a_push_slices,  case_5b_stack_linears, case_6_state_bypass, case_7a_bypass_relus, case_7b_bypass_linears,
      case_8_linear_concat, case_9_relu_concat,    case_10_mixed};
  g.set_phase(WorkGraph::Phase::Debranching);
  run_fusions(g, counts);
  // A safety net, far above any program's step count (the generated-program
  // runs print the most rewrites one compilation took): a compiler bug
  // becomes an error message instead of a hang.
  const std::size_t max_steps = 200000 + 50 * g.capacity();
  // The path walked so far, from the Input: nothing on it branches again
  // (the first point above), so the next branching node is found by walking
  // on from the last node of it that is still alive (a rewrite at `bn` often
  // fuses `bn` away, never the path above it) instead of from the Input (a
  // walk from the Input at every step made long programs quadratic). Each
  // node enters the trail once per walk past it and leaves it once, when it
  // is dead. Before declaring the graph a path, one full walk from the Input
  // checks it.
  std::vector<WorkId> trail{g.input()};
  const auto next_branching_node = [&]() -> WorkId {
    while (trail.size() > 1 && !g.node(trail.back()).alive) trail.pop_back();
    for (WorkId at = trail.back();;) {
      const std::vector<WorkId>& users = g.users(at);
      if (users.size() > 1) return at;
      if (users.empty() || trail.size() > g.capacity()) return -1;
      at = users.front();
      trail.push_back(at);
    }
  };
  for (std::size_t step = 0;; ++step) {
    WorkId bn = next_branching_node();
    if (bn < 0) bn = g.first_branching_node();
    if (bn < 0) {
      assert(g.reader_lists_consistent());
      return;
    }
    g.charge_work(bn);
    bool applied = false;
    for (Case c : kCases) {
      if (c(g, bn, counts)) {
        applied = true;
        break;
      }
    }
    if (!applied || step > max_steps) {
      std::string kinds;
      for (WorkId u : g.users(bn)) kinds += std::string(kinds.empty() ? "" : ", ") + node_kind_name(g.node(u).kind);
      throw LsrlError(g.node(bn).origin, std::string("internal compiler error: debranching ") +
                                             (applied ? "did not converge" : "found no case") + " at a " +
                                             node_kind_name(g.node(bn).kind) + " read by " + kinds +
                                             "; please report this program");
    }
    run_fusions(g, counts);
  }
}

}  // namespace lsrl
