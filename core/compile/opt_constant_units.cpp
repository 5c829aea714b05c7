// Optimisation: constant units. A forward analysis finds, for every unit,
// whether its value is the same at every step (and which), or at least
// never negative / never positive:
// - a Linear row is constant if it reads only constants; its sign follows
//   from the signs of its terms, and also from f_step's shape
//   a ReLU(u) - b ReLU(v) with a u - b v a non-negative constant (then
//   a ReLU(u) >= b ReLU(v) everywhere), which is how the compiler knows
//   that step outputs and the like are never negative;
// - a ReLU of a constant is a constant, a ReLU of a never-positive value is 0;
// - a Multi of constants is a constant, and so is a product with a zero;
// - a state unit is constant from step 1 on if it reads only constants and
//   its value at step 2 equals its value at step 1 (exactly).
// Each constant is then folded into the bias of the Linear or state that
// reads it (a state's own constant units only if they also start at that
// value), after which nothing reads it and remove_dead_units drops it.
#include <map>
#include <optional>
#include <vector>

#include "compile/num_ops.hpp"
#include "compile/optimize.hpp"

namespace lsrl {

namespace {

struct Fact {
  std::optional<Num> value;  // constant from step 1 on
  bool nonneg = false;
  bool nonpos = false;
};

Fact constant_fact(const Num& v) {
  Fact f;
  f.value = v;
  f.nonneg = v.sign() >= 0;
  f.nonpos = v.sign() <= 0;
  return f;
}

// Sign of sum(coeff * x) + bias over non-constant inputs (constant inputs
// already folded into `bias`).
void sign_of_sum(const std::vector<std::pair<Num, const Fact*>>& terms, const Num& bias, bool& nonneg, bool& nonpos) {
  nonneg = bias.sign() >= 0;
  nonpos = bias.sign() <= 0;
  for (const auto& [c, f] : terms) {
    const int s = c.sign();
    nonneg = nonneg && ((s > 0 && f->nonneg) || (s < 0 && f->nonpos));
    nonpos = nonpos && ((s > 0 && f->nonpos) || (s < 0 && f->nonneg));
  }
}

// The f_step pattern: terms over ReLU units whose pre-activations are rows of
// the Linear `pre`. Pairs each negative term -b ReLU(v) with an unused
// positive term a ReLU(u) such that a*row(u) == b*row(v) and a*bias(u) >=
// b*bias(v); the row is then >= its bias.
bool dominated_pairs(const std::vector<std::pair<int, Num>>& terms, const Stage& pre) {
  std::vector<char> used(terms.size(), 0);
  for (std::size_t q = 0; q < terms.size(); ++q) {
    if (terms[q].second.sign() >= 0) continue;
    const Num beta = -terms[q].second;
    bool matched = false;
    for (std::size_t p = 0; p < terms.size() && !matched; ++p) {
      if (used[p] || terms[p].second.sign() <= 0) continue;
      const Num alpha = terms[p].second;
      const int u = terms[p].first;
      const int v = terms[q].first;
      if ((alpha * pre.b[u]) < (beta * pre.b[v])) continue;
      NumSparse::InnerIterator x(pre.A, u);
      NumSparse::InnerIterator y(pre.A, v);
      bool equal = true;
      for (; x && y && equal; ++x, ++y)
        equal = x.col() == y.col() && NumKey(alpha * x.value()) == NumKey(beta * y.value());
      if (!equal || x || y) continue;
      used[p] = 1;
      used[q] = 1;
      matched = true;
    }
    if (!matched) return false;
  }
  return true;
}

std::vector<Fact> analyse_state(const Stage& s, const std::vector<Fact>& in) {
  const int n = s.out_dim;
  std::vector<Fact> out(static_cast<std::size_t>(n));
  // Constants: B reads only constant inputs, A reads only candidate units,
  // and the value repeats from step 1 to step 2.
  std::vector<char> cand(static_cast<std::size_t>(n), 1);
  NumVector input_part = s.b;  // B x + b over constant inputs
  for (int i = 0; i < n; ++i) {
    for (NumSparse::InnerIterator it(s.B, i); it; ++it) {
      const Fact& f = in[static_cast<std::size_t>(it.col())];
      if (!f.value) cand[static_cast<std::size_t>(i)] = 0;
      else input_part[i] += it.value() * *f.value;
    }
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (int i = 0; i < n; ++i) {
      if (!cand[static_cast<std::size_t>(i)]) continue;
      bool ok = true;
      for (NumSparse::InnerIterator it(s.A, i); it && ok; ++it) ok = cand[static_cast<std::size_t>(it.col())];
      if (!ok) {
        cand[static_cast<std::size_t>(i)] = 0;
        changed = true;
      }
    }
    if (changed) continue;
    NumVector s1 = input_part;
    for (int i = 0; i < n; ++i) {
      if (!cand[static_cast<std::size_t>(i)]) continue;
      for (NumSparse::InnerIterator it(s.A, i); it; ++it) s1[i] += it.value() * s.init[it.col()];
    }
    for (int i = 0; i < n; ++i) {
      if (!cand[static_cast<std::size_t>(i)]) continue;
      Num s2 = input_part[i];
      for (NumSparse::InnerIterator it(s.A, i); it; ++it) s2 += it.value() * s1[it.col()];
      if (!s1[i].is_exact() || !s2.is_exact() || !(s1[i] == s2)) {
        cand[static_cast<std::size_t>(i)] = 0;
        changed = true;
      }
    }
    if (!changed) {
      for (int i = 0; i < n; ++i)
        if (cand[static_cast<std::size_t>(i)]) out[static_cast<std::size_t>(i)] = constant_fact(s1[i]);
    }
  }
  // Never negative: the greatest set P of units with init >= 0 whose every
  // term is non-negative given P.
  std::vector<char> pos(static_cast<std::size_t>(n), 0);
  for (int i = 0; i < n; ++i) pos[static_cast<std::size_t>(i)] = !out[static_cast<std::size_t>(i)].value && s.init[i].sign() >= 0;
  for (bool changed = true; changed;) {
    changed = false;
    for (int i = 0; i < n; ++i) {
      if (!pos[static_cast<std::size_t>(i)]) continue;
      bool ok = true;
      Num bias = s.b[i];
      for (NumSparse::InnerIterator it(s.B, i); it && ok; ++it) {
        const Fact& f = in[static_cast<std::size_t>(it.col())];
        if (f.value) bias += it.value() * *f.value;
        else ok = (it.value().sign() > 0 && f.nonneg) || (it.value().sign() < 0 && f.nonpos);
      }
      for (NumSparse::InnerIterator it(s.A, i); it && ok; ++it) {
        const auto j = static_cast<std::size_t>(it.col());
        const bool j_nonneg = pos[j] || (out[j].value && out[j].value->sign() >= 0 && s.init[it.col()].sign() >= 0);
        ok = it.value().sign() > 0 && j_nonneg;
      }
      ok = ok && bias.sign() >= 0;
      if (!ok) {
        pos[static_cast<std::size_t>(i)] = 0;
        changed = true;
      }
    }
  }
  for (int i = 0; i < n; ++i)
    if (pos[static_cast<std::size_t>(i)]) out[static_cast<std::size_t>(i)].nonneg = true;
  return out;
}

std::vector<Fact> analyse_linear(const Stage& s, const std::vector<Fact>& in, const Stage* relu_input) {
  std::vector<Fact> out(static_cast<std::size_t>(s.out_dim));
  for (int i = 0; i < s.out_dim; ++i) {
    Num bias = s.b[i];
    std::vector<std::pair<Num, const Fact*>> terms;
    std::vector<std::pair<int, Num>> unit_terms;
    for (NumSparse::InnerIterator it(s.A, i); it; ++it) {
      if (it.value().is_zero()) continue;
      const Fact& f = in[static_cast<std::size_t>(it.col())];
      if (f.value) {
        bias += it.value() * *f.value;
      } else {
        terms.emplace_back(it.value(), &f);
        unit_terms.emplace_back(static_cast<int>(it.col()), it.value());
      }
    }
    Fact& f = out[static_cast<std::size_t>(i)];
    if (terms.empty()) {
      f = constant_fact(bias);
      continue;
    }
    sign_of_sum(terms, bias, f.nonneg, f.nonpos);
    if (relu_input && !f.nonneg && bias.sign() >= 0 && dominated_pairs(unit_terms, *relu_input)) f.nonneg = true;
    if (relu_input && !f.nonpos && bias.sign() <= 0) {
      std::vector<std::pair<int, Num>> negated = unit_terms;
      for (auto& t : negated) t.second = -t.second;
      if (dominated_pairs(negated, *relu_input)) f.nonpos = true;
    }
  }
  return out;
}

}  // namespace

int fold_constant_units(StagedModel& model) {
  auto& st = model.stages;
  std::vector<std::vector<Fact>> facts(st.size());
  std::vector<Fact> input(static_cast<std::size_t>(model.input_dim));
  for (std::size_t k = 0; k < st.size(); ++k) {
    const Stage& s = st[k];
    const std::vector<Fact>& in = k == 0 ? input : facts[k - 1];
    switch (s.kind) {
      case StageKind::State: facts[k] = analyse_state(s, in); break;
      case StageKind::Linear: {
        const Stage* relu_input = nullptr;
        if (k >= 2 && st[k - 1].kind == StageKind::ReLU && st[k - 2].kind == StageKind::Linear) relu_input = &st[k - 2];
        facts[k] = analyse_linear(s, in, relu_input);
        break;
      }
      case StageKind::ReLU: {
        facts[k].resize(in.size());
        for (std::size_t i = 0; i < in.size(); ++i) {
          if (in[i].value) facts[k][i] = constant_fact(in[i].value->sign() > 0 ? *in[i].value : Num(0));
          else if (in[i].nonpos) facts[k][i] = constant_fact(Num(0));
          else facts[k][i].nonneg = true;
        }
        break;
      }
      case StageKind::Multi: {
        const std::size_t h = static_cast<std::size_t>(s.out_dim);
        facts[k].resize(h);
        for (std::size_t i = 0; i < h; ++i) {
          const Fact& a = in[i];
          const Fact& b = in[i + h];
          Fact& f = facts[k][i];
          if (a.value && b.value) f = constant_fact(*a.value * *b.value);
          else if ((a.value && a.value->is_zero()) || (b.value && b.value->is_zero())) f = constant_fact(Num(0));
          else {
            f.nonneg = (a.nonneg && b.nonneg) || (a.nonpos && b.nonpos);
            f.nonpos = (a.nonneg && b.nonpos) || (a.nonpos && b.nonneg);
          }
        }
        break;
      }
    }
  }

  // Fold constants into the readers' biases, where that rounds as the
  // program's own order (bias, then the terms by column; for a state, bias,
  // A s, B x) does: a zero constant adds nothing anywhere; other constants
  // only while they come before every varying term and every partial sum is
  // exact in floating point (so the folded bias is the very number the
  // program's running sum reaches).
  int folded = 0;
  struct Term {
    NumSparse* matrix;
    int col;
    const Fact* fact;
    bool own;  // a state's own unit, read through A
  };
  for (std::size_t k = 0; k < st.size(); ++k) {
    Stage& s = st[k];
    if (s.kind != StageKind::Linear && s.kind != StageKind::State) continue;
    const std::vector<Fact>& in = k == 0 ? input : facts[k - 1];
    NumSparse& M = s.kind == StageKind::State ? s.B : s.A;
    for (int i = 0; i < s.out_dim; ++i) {
      std::vector<Term> terms;
      if (s.kind == StageKind::State)
        for (NumSparse::InnerIterator it(s.A, i); it; ++it)
          if (!it.value().is_zero()) terms.push_back({&s.A, static_cast<int>(it.col()), &facts[k][static_cast<std::size_t>(it.col())], true});
      for (NumSparse::InnerIterator it(M, i); it; ++it)
        if (!it.value().is_zero()) terms.push_back({&M, static_cast<int>(it.col()), &in[static_cast<std::size_t>(it.col())], false});
      Num sum = s.b[i];
      bool prefix = is_double_exact(sum);
      for (const Term& t : terms) {
        // A state's own constant is read at step 1 as init, later as the
        // constant: both must agree.
        const bool constant = t.fact->value && (!t.own || (t.fact->value->is_exact() && *t.fact->value == s.init[t.col]));
        if (!constant) {
          prefix = false;
          continue;
        }
        Num& weight = t.matrix->coeffRef(i, t.col);
        const Num contribution = weight * *t.fact->value;
        if (contribution.is_zero()) {
          weight = Num(0);
          ++folded;
          continue;
        }
        if (!prefix || !is_double_exact(contribution) || !is_double_exact(sum + contribution)) {
          prefix = false;
          continue;
        }
        sum += contribution;
        weight = Num(0);
        ++folded;
      }
      s.b[i] = sum;
    }
    if (s.kind == StageKind::State) prune_exact_zeros(s.A);
    prune_exact_zeros(M);
  }
  return folded;
}

}  // namespace lsrl
