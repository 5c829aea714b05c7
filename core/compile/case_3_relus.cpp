// Debranching case 3: every reader of the branch node is a ReLU of it; they
// compute the same thing, so one is kept.
#include <vector>

#include "compile/passes.hpp"

namespace lsrl {

bool case_3_merge_relus(WorkGraph& g, WorkId bn, RuleCounter& counts) {
  const std::vector<WorkId> users = g.users(bn);
  for (WorkId u : users)
    if (g.node(u).kind != NodeKind::ReLU) return false;
  const WorkId keep = users.front();
  for (std::size_t k = 1; k < users.size(); ++k) {
    WorkGraph::merge_names(g.node(keep).names, g.node(users[k]).names);
    g.replace_uses(users[k], keep);
  }
  counts.count("case_3_merge_relus");
  return true;
}

}  // namespace lsrl
