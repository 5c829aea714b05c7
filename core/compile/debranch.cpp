// The debranching driver (paper App. A): while the graph is not a path, take
// the first branching node in topological order and apply the first case
// (in the paper's order) whose condition holds, then the fusions again.
#include <string>

#include "compile/passes.hpp"

namespace lsrl {

void debranch(WorkGraph& g, RuleCounter& counts) {
  using Case = bool (*)(WorkGraph&, WorkId, RuleCounter&);
  static constexpr Case kCases[] = {case_1a_merge_multis,  case_1b_multi_bypass,   case_2_fuse_states,
                                    case_3_merge_relus,    case_4_concats,         case_5a_push_slices,
                                    case_5b_stack_linears, case_6_state_bypass,    case_7a_bypass_relus,
                                    case_7b_bypass_linears, case_8_linear_concat,  case_9_relu_concat,
                                    case_10_mixed};
  run_fusions(g, counts);
  // Every case moves the first branch forward or removes readers; a bound
  // far above any real program's step count turns a compiler bug into an
  // error instead of a hang.
  const std::size_t max_steps = 200000 + 50 * g.capacity();
  for (std::size_t step = 0;; ++step) {
    const WorkId bn = g.first_branching_node();
    if (bn < 0) return;
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
