// The preparation driver: applies the local fusions at every node a rewrite
// touched, until none applies anywhere.
#include "compile/passes.hpp"

namespace lsrl {

void run_fusions(WorkGraph& g, RuleCounter& counts) {
  using Rule = bool (*)(WorkGraph&, WorkId, RuleCounter&);
  static constexpr Rule kRules[] = {fold_constants, fuse_linear_linear, fuse_relu_relu,     fold_linear_into_state,
                                    concat_flatten, concat_dedupe,      concat_to_duplicate};
  for (;;) {
    std::vector<WorkId> dirty = g.take_dirty();
    if (dirty.empty()) return;
    for (WorkId id : dirty) {
      if (!g.node(id).alive) continue;
      // A node's own rules, then its reader's if it has only one (a reader
      // may have become fusable because this node lost its other readers;
      // every rule a reader runs against its input needs it to be the only
      // one, and a reader whose input changed is marked itself).
      std::vector<WorkId> around{id};
      if (g.node(id).users.size() == 1) around.push_back(g.node(id).users.front());
      for (WorkId at : around) {
        g.charge_work(at);
        bool fired = true;
        while (fired && g.node(at).alive) {
          fired = false;
          for (Rule rule : kRules) {
            if (g.node(at).alive && rule(g, at, counts)) {
              fired = true;
              break;
            }
          }
        }
      }
    }
  }
}

}  // namespace lsrl
