// Preparation fusion: Concat(x, y, x) is Linear(Concat(x, y)) with a Linear
// that copies x's rows twice. The Concat then carries each input once, which
// keeps the widths that debranching has to carry small.
#include <algorithm>

#include "compile/num_ops.hpp"
#include "compile/passes.hpp"

namespace lsrl {

bool concat_dedupe(WorkGraph& g, WorkId at, RuleCounter& counts) {
  const WorkNode& n = g.node(at);
  if (!n.alive || n.kind != NodeKind::Concat || n.inputs.size() < 3) return false;
  {
    // Quick test first (sorted copy): most Concats name each input once.
    std::vector<WorkId> sorted = n.inputs;
    std::sort(sorted.begin(), sorted.end());
    const auto distinct = std::unique(sorted.begin(), sorted.end()) - sorted.begin();
    if (distinct < 2 || distinct == static_cast<long>(n.inputs.size())) return false;
  }
  std::vector<WorkId> unique;
  for (WorkId in : n.inputs)
    if (std::find(unique.begin(), unique.end(), in) == unique.end()) unique.push_back(in);
  if (unique.size() < 2 || unique.size() == n.inputs.size()) return false;
  // Offsets of each unique input inside the deduplicated Concat.
  std::vector<int> offset(unique.size(), 0);
  for (std::size_t k = 1; k < unique.size(); ++k) offset[k] = offset[k - 1] + g.node(unique[k - 1]).dim;
  const int width = offset.back() + g.node(unique.back()).dim;
  SparseAssembler select(n.dim, width);
  int row = 0;
  for (WorkId in : n.inputs) {
    const auto k = static_cast<std::size_t>(std::find(unique.begin(), unique.end(), in) - unique.begin());
    for (int i = 0; i < g.node(in).dim; ++i) select.add(row++, offset[k] + i, Num(1));
  }
  const WorkId inner = g.add_concat(unique, WorkGraph::provenance({&n}));
  WorkNode& m = g.node(at);
  g.set_kind(at, NodeKind::Linear);
  m.A = select.finish();
  m.b = zero_vector(m.dim);
  g.set_inputs(at, {inner});
  g.touch(at);
  counts.count("concat_dedupe");
  return true;
}

}  // namespace lsrl
