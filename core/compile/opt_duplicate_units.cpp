// Optimisation: duplicate units. A forward pass gives every unit a class such
// that units of one class have equal values at every step, in the program's
// floating-point evaluation too (so the same sums of the same products in
// the same order):
// - Linear rows with the same bias and the same weights on the same classes
//   of the previous stage, term by term in column order;
// - ReLUs of one class; Multis of the same pair of classes (in any order);
// - state units: the coarsest partition in which units of a class have the
//   same init and bias, the same input terms, and the same A terms into the
//   same classes (then, by induction over the steps, they stay equal).
// The reader of a stage then reads one unit per class (a column moved onto
// the first unit's, where the reader's sums keep their terms and order), and
// remove_dead_units drops the others.
#include <algorithm>
#include <map>
#include <vector>

#include "compile/num_ops.hpp"
#include "compile/optimize.hpp"

namespace lsrl {

namespace {

using Signature = std::vector<std::pair<int, NumKey>>;

struct SignatureLess {
  bool operator()(const Signature& a, const Signature& b) const {
    if (a.size() != b.size()) return a.size() < b.size();
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (a[i].first != b[i].first) return a[i].first < b[i].first;
      if (!(a[i].second == b[i].second)) return a[i].second < b[i].second;
    }
    return false;
  }
};

// Row i of M as its terms in column order: (class of the input, weight).
Signature row_signature(const NumSparse& M, int i, const std::vector<int>& cls) {
  Signature sig;
  for (NumSparse::InnerIterator it(M, i); it; ++it)
    if (!it.value().is_zero()) sig.emplace_back(cls[static_cast<std::size_t>(it.col())], NumKey(it.value()));
  return sig;
}

std::vector<int> classes_from(const std::vector<Signature>& sigs) {
  std::map<Signature, int, SignatureLess> ids;
  std::vector<int> cls(sigs.size());
  for (std::size_t i = 0; i < sigs.size(); ++i) {
    auto [pos, fresh] = ids.emplace(sigs[i], static_cast<int>(ids.size()));
    cls[i] = pos->second;
  }
  return cls;
}

int count_classes(const std::vector<int>& cls) {
  int m = 0;
  for (int c : cls) m = std::max(m, c + 1);
  return m;
}

std::vector<int> state_classes(const Stage& s, const std::vector<int>& in_cls) {
  const int n = s.out_dim;
  std::vector<Signature> sigs(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    Signature sig = row_signature(s.B, i, in_cls);
    sig.emplace_back(-1, NumKey(s.b[i]));
    sig.emplace_back(-2, NumKey(s.init[i]));
    sigs[static_cast<std::size_t>(i)] = std::move(sig);
  }
  std::vector<int> cls = classes_from(sigs);
  for (;;) {
    for (int i = 0; i < n; ++i) {
      Signature sig = row_signature(s.A, i, cls);
      sig.emplace_back(-3, NumKey(Num(static_cast<long long>(cls[static_cast<std::size_t>(i)]))));
      sigs[static_cast<std::size_t>(i)] = std::move(sig);
    }
    std::vector<int> refined = classes_from(sigs);
    if (count_classes(refined) == count_classes(cls)) return cls;
    cls = std::move(refined);
  }
}

// Moves the columns of M of each class of `cls` onto the class's first unit,
// where that leaves every row's arithmetic as it was: a row reads at most
// one unit of the class, and moving its term does not carry it past another
// term of the row (so the sum adds the same products in the same order).
int merge_columns(NumSparse& M, const std::vector<int>& cls) {
  std::vector<int> first(cls.size(), -1);
  std::vector<int> representative(cls.size());
  bool any = false;
  for (std::size_t j = 0; j < cls.size(); ++j) {
    auto& f = first[static_cast<std::size_t>(cls[j])];
    if (f < 0) f = static_cast<int>(j);
    representative[j] = f;
    any = any || f != static_cast<int>(j);
  }
  if (!any) return 0;
  // A column may move only if every row that reads it allows it.
  std::vector<char> movable(cls.size(), 1);
  std::vector<int> seen_class_count(cls.size(), 0);
  for (int i = 0; i < M.outerSize(); ++i) {
    std::vector<int> cols;
    for (NumSparse::InnerIterator it(M, i); it; ++it)
      if (!it.value().is_zero()) cols.push_back(static_cast<int>(it.col()));
    for (int c : cols) ++seen_class_count[static_cast<std::size_t>(cls[static_cast<std::size_t>(c)])];
    for (int c : cols) {
      const int r = representative[static_cast<std::size_t>(c)];
      if (r == c) continue;
      bool ok = seen_class_count[static_cast<std::size_t>(cls[static_cast<std::size_t>(c)])] == 1;
      for (int other : cols) ok = ok && !(other != c && other >= std::min(r, c) && other <= std::max(r, c));
      if (!ok) movable[static_cast<std::size_t>(c)] = 0;
    }
    for (int c : cols) seen_class_count[static_cast<std::size_t>(cls[static_cast<std::size_t>(c)])] = 0;
  }
  int moved = 0;
  SparseAssembler out(static_cast<int>(M.rows()), static_cast<int>(M.cols()));
  for (int i = 0; i < M.outerSize(); ++i)
    for (NumSparse::InnerIterator it(M, i); it; ++it) {
      const int c = static_cast<int>(it.col());
      const int r = movable[static_cast<std::size_t>(c)] ? representative[static_cast<std::size_t>(c)] : c;
      if (r != c) ++moved;
      out.add(i, r, it.value());
    }
  M = out.finish();
  return moved;
}

}  // namespace

int merge_duplicate_units(StagedModel& model) {
  auto& st = model.stages;
  std::vector<int> prev;  // classes of the previous stage's units
  for (int i = 0; i < model.input_dim; ++i) prev.push_back(i);
  int merged = 0;
  for (std::size_t k = 0; k < st.size(); ++k) {
    Stage& s = st[k];
    std::vector<int> cls;
    switch (s.kind) {
      case StageKind::State:
        merged += merge_columns(s.B, prev);
        cls = state_classes(s, prev);
        merged += merge_columns(s.A, cls);
        break;
      case StageKind::Linear: {
        merged += merge_columns(s.A, prev);
        std::vector<Signature> sigs(static_cast<std::size_t>(s.out_dim));
        for (int i = 0; i < s.out_dim; ++i) {
          Signature sig = row_signature(s.A, i, prev);
          sig.emplace_back(-1, NumKey(s.b[i]));
          sigs[static_cast<std::size_t>(i)] = std::move(sig);
        }
        cls = classes_from(sigs);
        break;
      }
      case StageKind::ReLU:
        cls = prev;
        break;
      case StageKind::Multi: {
        std::vector<Signature> sigs(static_cast<std::size_t>(s.out_dim));
        for (int i = 0; i < s.out_dim; ++i) {
          int a = prev[static_cast<std::size_t>(i)];
          int b = prev[static_cast<std::size_t>(i + s.out_dim)];
          if (a > b) std::swap(a, b);
          sigs[static_cast<std::size_t>(i)] = {{a, NumKey(Num(0))}, {b, NumKey(Num(0))}};
        }
        cls = classes_from(sigs);
        break;
      }
    }
    prev = std::move(cls);
  }
  return merged;
}

}  // namespace lsrl
