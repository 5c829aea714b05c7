// Optimisation: constant units. A forward analysis finds, for every unit,
// whether the program's floating-point evaluation gives it the same value at
// every step (and which), or at least a value that is never negative / never
// positive:
// - a Linear row is constant if it reads only constants and every product
//   and partial sum is exact in floating point (so the rational value the
//   compiler knows is the very double the program computes); its sign
//   follows from the signs of its terms (a rounded product or sum keeps the
//   sign of the exact one);
// - a ReLU of a constant is a constant, a ReLU of a never-positive value is 0
//   (the f_relu_identity bypass of a value already known to be non-negative
//   is half zeros);
// - a Multi of constants is a constant (if exact), and so is a product with 0;
// - a state unit is constant from step 1 on if it reads only constants and
//   its value at step 2 equals its value at step 1, all exactly.
// Each constant is then folded into the bias of the Linear or state that
// reads it where that rounds as the program does (see below), after which
// nothing reads it and remove_dead_units drops it.
#include <optional>
#include <vector>

#include "compile/num_ops.hpp"
#include "compile/optimize.hpp"

namespace lsrl {

namespace {

struct Fact {
  std::optional<Num> value;  // constant from step 1 on, exactly this double
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
// already added to `bias`, exactly).
void sign_of_sum(const std::vector<std::pair<Num, const Fact*>>& terms, const Num& bias, bool& nonneg, bool& nonpos) {
  nonneg = bias.sign() >= 0;
  nonpos = bias.sign() <= 0;
  for (const auto& [c, f] : terms) {
    const int s = c.sign();
    nonneg = nonneg && ((s > 0 && f->nonneg) || (s < 0 && f->nonpos));
    nonpos = nonpos && ((s > 0 && f->nonpos) || (s < 0 && f->nonneg));
  }
}

std::vector<Fact> analyse_state(const Stage& s, const std::vector<Fact>& in) {
  const int n = s.out_dim;
  std::vector<Fact> out(static_cast<std::size_t>(n));
  // Constants: B reads only constant inputs, A reads only candidate units,
  // and the value repeats from step 1 to step 2, every sum exact.
  std::vector<char> cand(static_cast<std::size_t>(n), 1);
  std::vector<std::vector<Num>> input_terms(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    for (NumSparse::InnerIterator it(s.B, i); it; ++it) {
      const Fact& f = in[static_cast<std::size_t>(it.col())];
      if (!f.value)
        cand[static_cast<std::size_t>(i)] = 0;
      else
        input_terms[static_cast<std::size_t>(i)].push_back(it.value() * *f.value);
    }
  }
  // One step from `prev`: bias, then A prev, then B x (the program's order).
  auto step = [&](int i, const NumVector& prev, Num& value) {
    std::vector<Num> terms;
    for (NumSparse::InnerIterator it(s.A, i); it; ++it) terms.push_back(it.value() * prev[it.col()]);
    const auto& more = input_terms[static_cast<std::size_t>(i)];
    terms.insert(terms.end(), more.begin(), more.end());
    if (!sum_is_double_exact(s.b[i], terms)) return false;
    value = s.b[i];
    for (const Num& t : terms) value += t;
    return true;
  };
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
    NumVector s1 = s.init;
    for (int i = 0; i < n; ++i)
      if (cand[static_cast<std::size_t>(i)] && !step(i, s.init, s1[i])) {
        cand[static_cast<std::size_t>(i)] = 0;
        changed = true;
      }
    if (changed) continue;
    for (int i = 0; i < n; ++i) {
      if (!cand[static_cast<std::size_t>(i)]) continue;
      Num s2;
      if (!step(i, s1, s2) || !(NumKey(s1[i]) == NumKey(s2))) {
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
  for (int i = 0; i < n; ++i)
    pos[static_cast<std::size_t>(i)] = !out[static_cast<std::size_t>(i)].value && s.init[i].sign() >= 0;
  for (bool changed = true; changed;) {
    changed = false;
    for (int i = 0; i < n; ++i) {
      if (!pos[static_cast<std::size_t>(i)]) continue;
      bool ok = s.b[i].sign() >= 0;
      for (NumSparse::InnerIterator it(s.B, i); it && ok; ++it) {
        const Fact& f = in[static_cast<std::size_t>(it.col())];
        ok = (it.value().sign() > 0 && f.nonneg) || (it.value().sign() < 0 && f.nonpos);
      }
      for (NumSparse::InnerIterator it(s.A, i); it && ok; ++it) {
        const auto j = static_cast<std::size_t>(it.col());
        const bool j_nonneg = pos[j] || (out[j].value && out[j].value->sign() >= 0 && s.init[it.col()].sign() >= 0);
        ok = it.value().sign() > 0 && j_nonneg;
      }
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

std::vector<Fact> analyse_linear(const Stage& s, const std::vector<Fact>& in) {
  std::vector<Fact> out(static_cast<std::size_t>(s.out_dim));
  for (int i = 0; i < s.out_dim; ++i) {
    std::vector<std::pair<Num, const Fact*>> terms;
    std::vector<Num> constant_terms;
    for (NumSparse::InnerIterator it(s.A, i); it; ++it) {
      if (it.value().is_zero()) continue;
      const Fact& f = in[static_cast<std::size_t>(it.col())];
      if (f.value)
        constant_terms.push_back(it.value() * *f.value);
      else
        terms.emplace_back(it.value(), &f);
    }
    Fact& f = out[static_cast<std::size_t>(i)];
    if (terms.empty() && sum_is_double_exact(s.b[i], constant_terms)) {
      Num value = s.b[i];
      for (const Num& t : constant_terms) value += t;
      f = constant_fact(value);
      continue;
    }
    // Signs: the constants' values are doubles the program computes; their
    // products keep their signs, and so does any sum of same-signed terms.
    for (NumSparse::InnerIterator it(s.A, i); it; ++it) {
      const Fact& g = in[static_cast<std::size_t>(it.col())];
      if (!it.value().is_zero() && g.value) terms.emplace_back(it.value(), &g);
    }
    sign_of_sum(terms, s.b[i], f.nonneg, f.nonpos);
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
      case StageKind::State:
        facts[k] = analyse_state(s, in);
        break;
      case StageKind::Linear:
        facts[k] = analyse_linear(s, in);
        break;
      case StageKind::ReLU: {
        facts[k].resize(in.size());
        for (std::size_t i = 0; i < in.size(); ++i) {
          if (in[i].value)
            facts[k][i] = constant_fact(in[i].value->sign() > 0 ? *in[i].value : Num(0));
          else if (in[i].nonpos)
            facts[k][i] = constant_fact(Num(0));
          else
            facts[k][i].nonneg = true;
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
          if (a.value && b.value && is_double_exact(*a.value * *b.value))
            f = constant_fact(*a.value * *b.value);
          else if ((a.value && a.value->is_zero()) || (b.value && b.value->is_zero()))
            f = constant_fact(Num(0));
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
          if (!it.value().is_zero())
            terms.push_back({&s.A, static_cast<int>(it.col()), &facts[k][static_cast<std::size_t>(it.col())], true});
      for (NumSparse::InnerIterator it(M, i); it; ++it)
        if (!it.value().is_zero())
          terms.push_back({&M, static_cast<int>(it.col()), &in[static_cast<std::size_t>(it.col())], false});
      Num sum = s.b[i];
      bool prefix = is_double_exact(sum);
      for (const Term& t : terms) {
        // A state's own constant is read at step 1 as init, later as the
        // constant: both must agree.
        const bool constant =
            t.fact->value && (!t.own || (t.fact->value->is_exact() && *t.fact->value == s.init[t.col]));
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
