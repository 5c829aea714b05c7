// Optimisation: dead units. Working back from the output (all of whose units
// are live), a unit is live if a live unit of the next stage reads it (or, in
// a state, a live unit of the same state reads its previous value). Dead
// units are removed with their rows and columns. Every stage keeps at least
// one unit, so no layer of a target model is ever empty.
#include "compile/optimize.hpp"

namespace lsrl {

int remove_dead_units(StagedModel& model) {
  auto& st = model.stages;
  const std::size_t n = st.size();
  if (n == 0) return 0;
  std::vector<std::vector<char>> live(n);
  for (std::size_t k = 0; k < n; ++k) live[k].assign(static_cast<std::size_t>(st[k].out_dim), 0);
  live[n - 1].assign(static_cast<std::size_t>(st[n - 1].out_dim), 1);

  auto set = [](std::vector<char>& mask, int i, bool& changed) {
    if (!mask[static_cast<std::size_t>(i)]) {
      mask[static_cast<std::size_t>(i)] = 1;
      changed = true;
    }
  };
  bool changed = true;
  while (changed) {
    changed = false;
    for (std::size_t k = n; k-- > 0;) {
      Stage& s = st[k];
      auto& mine = live[k];
      bool any = false;
      for (char c : mine) any = any || c;
      if (!any && !mine.empty()) set(mine, 0, changed);
      if (s.kind == StageKind::State) {
        std::vector<int> work;
        for (int i = 0; i < s.out_dim; ++i)
          if (mine[static_cast<std::size_t>(i)]) work.push_back(i);
        while (!work.empty()) {
          const int i = work.back();
          work.pop_back();
          for (NumSparse::InnerIterator it(s.A, i); it; ++it) {
            const int j = static_cast<int>(it.col());
            if (!mine[static_cast<std::size_t>(j)] && !it.value().is_zero()) {
              set(mine, j, changed);
              work.push_back(j);
            }
          }
        }
      }
      if (k == 0) break;
      auto& prev = live[k - 1];
      switch (s.kind) {
        case StageKind::State:
        case StageKind::Linear: {
          const NumSparse& M = s.kind == StageKind::State ? s.B : s.A;
          for (int i = 0; i < s.out_dim; ++i) {
            if (!mine[static_cast<std::size_t>(i)]) continue;
            for (NumSparse::InnerIterator it(M, i); it; ++it)
              if (!it.value().is_zero()) set(prev, static_cast<int>(it.col()), changed);
          }
          break;
        }
        case StageKind::ReLU:
          for (int i = 0; i < s.out_dim; ++i)
            if (mine[static_cast<std::size_t>(i)]) set(prev, i, changed);
          break;
        case StageKind::Multi:
          for (int i = 0; i < s.out_dim; ++i)
            if (mine[static_cast<std::size_t>(i)]) {
              set(prev, i, changed);
              set(prev, i + s.out_dim, changed);
            }
          break;
      }
    }
    // Element-wise stages keep exactly what their input keeps.
    for (std::size_t k = 1; k < n; ++k) {
      const Stage& s = st[k];
      auto& mine = live[k];
      auto& prev = live[k - 1];
      if (s.kind == StageKind::ReLU) {
        for (int i = 0; i < s.out_dim; ++i)
          if (prev[static_cast<std::size_t>(i)] || mine[static_cast<std::size_t>(i)]) {
            set(prev, i, changed);
            set(mine, i, changed);
          }
      } else if (s.kind == StageKind::Multi) {
        for (int i = 0; i < s.out_dim; ++i)
          if (mine[static_cast<std::size_t>(i)] || prev[static_cast<std::size_t>(i)] ||
              prev[static_cast<std::size_t>(i + s.out_dim)]) {
            set(mine, i, changed);
            set(prev, i, changed);
            set(prev, i + s.out_dim, changed);
          }
      }
    }
  }
  int removed = 0;
  for (std::size_t k = 0; k < n; ++k)
    for (char c : live[k]) removed += c ? 0 : 1;
  if (removed > 0) keep_units(model, live);
  return removed;
}

}  // namespace lsrl
