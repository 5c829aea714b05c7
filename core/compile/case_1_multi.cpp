// Debranching case 1: the branch node feeds Multi nodes.
// 1A: every reader is a Multi of the branch node: they all compute the same
//     product, so one is kept.
// 1B: Multis among other readers: one Linear arranges [first half; x; second
//     half; ones] so a single Multi computes both the product and x * 1 = x
//     (exact); the Multis read the product's slice, the others x's slice.
#include <vector>

#include "compile/num_ops.hpp"
#include "compile/passes.hpp"

namespace lsrl {

bool case_1a_merge_multis(WorkGraph& g, WorkId bn, RuleCounter& counts) {
  const std::vector<WorkId> users = g.users(bn);
  for (WorkId u : users)
    if (g.node(u).kind != NodeKind::Multi) return false;
  const WorkId keep = users.front();
  for (std::size_t k = 1; k < users.size(); ++k) {
    WorkGraph::merge_names(g.node(keep).names, g.node(users[k]).names);
    g.replace_uses(users[k], keep);
  }
  counts.count("case_1a_merge_multis");
  return true;
}

bool case_1b_multi_bypass(WorkGraph& g, WorkId bn, RuleCounter& counts) {
  const std::vector<WorkId> users = g.users(bn);
  std::vector<WorkId> multis;
  std::vector<WorkId> others;
  for (WorkId u : users) (g.node(u).kind == NodeKind::Multi ? multis : others).push_back(u);
  if (multis.empty() || others.empty()) return false;

  const int d = g.node(bn).dim;
  const int h = d / 2;
  SparseAssembler arrange(2 * (h + d), d);
  NumVector bias = zero_vector(2 * (h + d));
  for (int i = 0; i < h; ++i) arrange.add(i, i, Num(1));              // first factors
  for (int j = 0; j < d; ++j) arrange.add(h + j, j, Num(1));          // x ...
  for (int i = 0; i < h; ++i) arrange.add(h + d + i, h + i, Num(1));  // second factors
  for (int j = 0; j < d; ++j) bias[2 * h + d + j] = Num(1);           // ... times one
  const WorkNode& first_multi = g.node(multis.front());
  const WorkNode prov = WorkGraph::provenance({&first_multi});
  const WorkId arranged = g.add_linear(bn, arrange.finish(), std::move(bias), prov);
  const WorkId product = g.add_multi(arranged, prov);
  const WorkId product_part = g.add_slice(product, 0, h, prov);
  const WorkId carried = g.add_slice(product, h, h + d, WorkGraph::bypass_provenance(g.node(bn)));
  for (WorkId m : multis) {
    WorkGraph::merge_names(g.node(product_part).names, g.node(m).names);
    g.replace_uses(m, product_part);
  }
  for (WorkId u : others) g.redirect_input(u, bn, carried);
  counts.count("case_1b_multi_bypass");
  return true;
}

}  // namespace lsrl
