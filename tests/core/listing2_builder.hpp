// Test helper (header-only): the paper's Listing 2 (dictionary lookup, token
// maps V^n -> V^n) built directly with the Program builders, following the
// structure of the reference implementation's tests/test_ua_tok2tok.py, so
// the compiler can be measured on it without the language front end. The
// small sugar below (f_step, f_and, f_ifelse forms, f_modulo_counter) builds
// the same primitives the reference library's sugar builds.
#pragma once

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "graph/program.hpp"

namespace lsrl::listing2 {

enum class IfElseForm { Original, Optimized, Step, Multiplicative, MultiplicativeOptimized };

inline const char* form_name(IfElseForm f) {
  switch (f) {
    case IfElseForm::Original:
      return "original";
    case IfElseForm::Optimized:
      return "optimized";
    case IfElseForm::Step:
      return "step";
    case IfElseForm::Multiplicative:
      return "multiplicative";
    case IfElseForm::MultiplicativeOptimized:
      return "multiplicative_optimized";
  }
  return "?";
}

class Sugar {
 public:
  explicit Sugar(Program& p) : p_(p) {}
  SourceSpan at() { return SourceSpan{++line_, 1, 1}; }

  static NumSparse dense(int rows, int cols, const std::vector<Num>& rowmajor) {
    NumDense d(rows, cols);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) d(r, c) = rowmajor[static_cast<std::size_t>(r * cols + c)];
    return sparse_from_dense(d);
  }
  static NumSparse scaled_eye(int n, const Num& s) {
    NumDense d = NumDense::Constant(n, n, Num(0));
    for (int i = 0; i < n; ++i) d(i, i) = s;
    return sparse_from_dense(d);
  }
  static NumVector filled(int n, const Num& v) { return NumVector::Constant(n, v); }
  int dim(NodeId x) const { return p_.node(x).dim; }

  NodeId input(int d) { return p_.add_input(d, at()); }
  NodeId named(NodeId x, const std::string& name) {
    p_.name_node(x, name);
    return x;
  }
  NodeId positive(NodeId x) {
    p_.node(x).always_positive = true;
    return x;
  }
  // x * s + c
  NodeId affine(NodeId x, const Num& s, const Num& c) {
    return p_.add_linear(x, scaled_eye(dim(x), s), filled(dim(x), c), at());
  }
  NodeId scale(NodeId x, const Num& s) { return affine(x, s, Num(0)); }
  NodeId plus(NodeId x, const Num& c) { return affine(x, Num(1), c); }
  NodeId relu(NodeId x) { return p_.add_relu(x, at()); }
  NodeId concat(const std::vector<NodeId>& xs) { return p_.add_concat(xs, at()); }
  NodeId multi(NodeId x) { return p_.add_multi(x, at()); }
  NodeId slice(NodeId x, int i) { return p_.add_slice(x, i, i + 1, at()); }
  // x + y and x - y: Concat + Linear [I, +-I], as the reference does.
  NodeId combine(NodeId x, NodeId y, const Num& sign) {
    const int n = dim(x);
    NumDense d = NumDense::Constant(n, 2 * n, Num(0));
    for (int i = 0; i < n; ++i) {
      d(i, i) = Num(1);
      d(i, n + i) = sign;
    }
    return p_.add_linear(concat({x, y}), sparse_from_dense(d), filled(n, Num(0)), at());
  }
  NodeId add(NodeId x, NodeId y) { return combine(x, y, Num(1)); }
  NodeId sub(NodeId x, NodeId y) { return combine(x, y, Num(-1)); }
  NodeId constant(NodeId x, const Num& v) {
    return positive(p_.add_linear(x, NumSparse(1, dim(x)), filled(1, v), at()));
  }

  // f_step(x, mu) = ReLU(mu x) - mu ReLU(x - 1/mu)
  NodeId step(NodeId x, const Num& mu) {
    return positive(sub(relu(scale(x, mu)), scale(relu(plus(x, -(Num(1) / mu))), mu)));
  }
  NodeId larger(NodeId x, const Num& c, const Num& mu) { return step(plus(x, -c), mu); }
  NodeId larger(NodeId x, NodeId y, const Num& mu) { return step(sub(x, y), mu); }
  NodeId smaller(NodeId x, const Num& c, const Num& mu) { return step(affine(x, Num(-1), c), mu); }
  NodeId smaller(NodeId x, NodeId y, const Num& mu) { return step(sub(y, x), mu); }
  NodeId f_not(NodeId x) { return positive(affine(x, Num(-1), Num(1))); }
  NodeId f_and(NodeId x, NodeId y, const Num& mu) {
    return positive(relu(plus(add(step(x, mu), step(y, mu)), Num(-1))));
  }
  NodeId f_or(NodeId x, NodeId y, const Num& mu) { return positive(step(add(x, y), mu)); }

  // f_ifelse (Eq. 7): f == -1 means "None" (zero).
  NodeId ifelse(NodeId c, NodeId t, NodeId f, const Num& lambda) {
    const Num neg = -lambda;
    if (f < 0) {
      NodeId nc = scale(f_not(c), neg);
      return sub(relu(add(nc, t)), relu(sub(nc, t)));
    }
    NodeId cc = scale(c, neg);
    NodeId nc = scale(f_not(c), neg);
    return sub(sub(add(relu(add(cc, f)), relu(add(nc, t))), relu(sub(cc, f))), relu(sub(nc, t)));
  }
  // f_ifelse_step (Eq. 9) with f = None.
  NodeId ifelse_step(NodeId c, NodeId t, const Num& lambda, const Num& mu) {
    NodeId gate = affine(step(plus(c, Num::rational(-1, 2)), mu), lambda, -lambda);
    return sub(relu(add(gate, t)), relu(sub(gate, t)));
  }
  // f_ifelse_mul (Eq. 10); f == -1 means "None".
  NodeId ifelse_mul(NodeId c, NodeId t, NodeId f) {
    if (f < 0) return multi(concat({c, t}));
    NodeId m = multi(concat({c, f_not(c), t, f}));
    const int n = dim(m) / 2;
    NumDense d = NumDense::Constant(n, 2 * n, Num(0));
    for (int i = 0; i < n; ++i) d(i, i) = d(i, n + i) = Num(1);
    return p_.add_linear(m, sparse_from_dense(d), filled(n, Num(0)), at());
  }

  NodeId modulo_counter(NodeId x, int n) {
    const double angle = 2.0 * M_PI / n;
    const double c = std::cos(angle), s = std::sin(angle);
    NumSparse R = dense(2, 2, {Num(c), Num(-s), Num(s), Num(c)});
    NumVector init(2);
    init[0] = Num(c);  // R^-1 e1 = (cos, -sin)
    init[1] = Num(-s);
    NodeId cycler = p_.add_linstate(x, R, NumSparse(2, dim(x)), init, std::nullopt, at());
    std::vector<Num> rows;
    for (int i = 0; i < n; ++i) {
      rows.push_back(Num(std::cos(angle * i)));
      rows.push_back(Num(std::sin(angle * i)));
    }
    NodeId indicator = p_.add_linear(cycler, dense(n, 2, rows), filled(n, Num(0)), at());
    NodeId one_hot = step(plus(indicator, -Num(std::cos(angle / 2))), Num(1000));
    std::vector<Num> weights;
    for (int i = 0; i < n; ++i) weights.push_back(Num(i));
    return positive(p_.add_linear(one_hot, dense(1, n, weights), filled(1, Num(0)), at()));
  }

 private:
  Program& p_;
  int line_ = 0;
};

// Listing 2 with key length n and the given f_ifelse form.
inline Program build(int n, IfElseForm form) {
  Program p;
  Sugar s(p);
  const Num mu(1000);
  const Num lambda(10000000000LL);
  const Num half = Num::rational(1, 2);
  NodeId input = s.positive(s.named(s.input(1), "input"));
  NodeId one = s.constant(input, Num(1));
  NodeId counter = s.positive(s.named(p.add_linstate(one, Sugar::scaled_eye(1, Num(1)), Sugar::scaled_eye(1, Num(1)),
                                                     Sugar::filled(1, Num(-1)), std::nullopt, s.at()),
                                      "global_counter"));
  NodeId mod_n = s.named(s.modulo_counter(input, n), "mod_n");
  NodeId mod_2n = s.named(s.modulo_counter(input, 2 * n), "mod_2n");
  NodeId is_prompt = s.named(s.larger(counter, Num(n) - half, mu), "is_prompt");
  NodeId is_compare = s.named(s.larger(mod_2n, Num(n) - half, mu), "is_compare_mode");
  NodeId is_copy = s.named(s.f_and(is_prompt, s.f_not(is_compare), mu), "is_copy_mode");
  NodeId first_copy = s.named(s.f_and(is_copy, s.smaller(mod_n, half, mu), mu), "is_first_token_for_copy");

  auto position_is = [&](int i) {
    return s.f_and(s.larger(mod_n, Num(i) - half, mu), s.smaller(mod_n, Num(i) + half, mu), mu);
  };
  auto zero_of = [&](NodeId x) { return s.scale(x, Num(0)); };
  // The reference test's five ways of writing "t if cond else 0".
  auto gated = [&](NodeId cond, NodeId t, bool cond_is_negated_form) -> NodeId {
    switch (form) {
      case IfElseForm::Original:
        return s.ifelse(cond, t, zero_of(t), lambda);
      case IfElseForm::Step:
        return s.ifelse_step(cond, t, lambda, mu);
      case IfElseForm::Multiplicative:
        return s.ifelse_mul(cond, t, zero_of(t));
      case IfElseForm::MultiplicativeOptimized:
        return s.ifelse_mul(cond, t, -1);
      case IfElseForm::Optimized:
        // ReLU(-lambda * not(cond) + t), for t known to be non-negative.
        return s.relu(s.add(s.scale(cond_is_negated_form ? cond : s.f_not(cond), -lambda), t));
    }
    return t;
  };

  NodeId query_update_single = gated(s.smaller(is_prompt, half, mu), input, false);
  std::vector<NodeId> query_updates;
  for (int i = 0; i < n; ++i) query_updates.push_back(gated(position_is(i), query_update_single, false));
  NodeId query = s.named(p.add_linstate(s.concat(query_updates), Sugar::scaled_eye(n, Num(1)),
                                        Sugar::scaled_eye(n, Num(1)), Sugar::filled(n, Num(0)), std::nullopt, s.at()),
                         "query");

  std::vector<NodeId> corresponding;
  for (int i = 0; i < n; ++i) corresponding.push_back(gated(position_is(i), s.slice(query, i), false));
  NodeId element =
      p.add_linear(s.concat(corresponding), Sugar::dense(1, n, std::vector<Num>(static_cast<std::size_t>(n), Num(1))),
                   Sugar::filled(1, Num(0)), s.at());
  NodeId matching = s.named(
      s.f_and(s.f_and(s.larger(input, s.plus(element, -half), mu), s.smaller(input, s.plus(element, half), mu), mu),
              is_compare, mu),
      "matching");
  NumDense shift = NumDense::Constant(n + 1, n + 1, Num(0));
  for (int i = 0; i < n; ++i) shift(i, i + 1) = Num(1);
  NumDense into_last = NumDense::Constant(n + 1, 1, Num(0));
  into_last(n, 0) = Num(1);
  NodeId buffer = s.named(p.add_linstate(matching, sparse_from_dense(shift), sparse_from_dense(into_last),
                                         Sugar::filled(n + 1, Num(0)), std::nullopt, s.at()),
                          "buffer");
  std::vector<Num> sum_first(static_cast<std::size_t>(n + 1), Num(1));
  sum_first.back() = Num(0);
  NodeId buffer_sum = p.add_linear(buffer, Sugar::dense(1, n + 1, sum_first), Sugar::filled(1, Num(0)), s.at());
  NodeId all_matching = s.named(s.larger(buffer_sum, Num(n) - half, mu), "all_matching");
  NodeId match_first = s.named(s.f_and(all_matching, first_copy, mu), "matching_and_first_for_copy");
  NodeId started_update = gated(match_first, counter, false);
  NodeId started_on = s.named(p.add_linstate(started_update, Sugar::scaled_eye(1, Num(1)), Sugar::scaled_eye(1, Num(1)),
                                             Sugar::filled(1, Num(0)), std::nullopt, s.at()),
                              "started_on");
  NodeId copying_on = s.smaller(counter, s.plus(started_on, Num(n)), mu);
  NodeId copy_and_on = s.named(s.f_and(is_copy, copying_on, mu), "copy_and_on");
  std::vector<NodeId> registers;
  std::vector<NodeId> positions;
  for (int i = 0; i < n; ++i) {
    positions.push_back(position_is(i));
    NodeId should = s.f_and(copy_and_on, positions.back(), mu);
    NodeId update = gated(s.larger(should, half, mu), input, false);
    registers.push_back(s.named(p.add_linstate(update, Sugar::scaled_eye(1, Num(1)), Sugar::scaled_eye(1, Num(1)),
                                               Sugar::filled(1, Num(0)), std::nullopt, s.at()),
                                "register[" + std::to_string(i) + "]"));
  }
  std::vector<NodeId> outs;
  for (int i = 0; i < n; ++i)
    outs.push_back(gated(s.larger(positions[static_cast<std::size_t>(i)], half, mu),
                         registers[static_cast<std::size_t>(i)], false));
  NodeId output =
      p.add_linear(s.concat(outs), Sugar::dense(1, n, std::vector<Num>(static_cast<std::size_t>(n), Num(1))),
                   Sugar::filled(1, Num(0)), s.at());
  p.name_node(output, "output");
  p.set_output(output, s.at());
  return p;
}

// The 25 country -> capital pairs of the paper's example.
inline std::vector<std::pair<std::string, std::string>> country_capitals(const std::string& csv_path) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::ifstream in(csv_path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    if (comma == std::string::npos) continue;
    std::string value = line.substr(comma + 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    pairs.emplace_back(line.substr(0, comma), value);
  }
  return pairs;
}

inline const std::string kVocab = "?ABCDEFGHIJKLMNOPQRSTUVWXYZ";

// The query's tokens, then every key followed by its value.
inline std::vector<std::vector<double>> prompt(const std::string& query,
                                               const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<std::vector<double>> tokens;
  auto put = [&](const std::string& word) {
    for (char ch : word) tokens.push_back({static_cast<double>(kVocab.find(ch))});
  };
  put(query);
  for (const auto& [k, v] : pairs) {
    put(k);
    put(v);
  }
  return tokens;
}

inline std::string decode_last(const std::vector<std::vector<double>>& outputs, int n) {
  std::string text;
  for (std::size_t t = outputs.size() - static_cast<std::size_t>(n); t < outputs.size(); ++t) {
    const long id = std::lround(outputs[t][0]);
    text += (id >= 0 && id < static_cast<long>(kVocab.size())) ? kVocab[static_cast<std::size_t>(id)] : '#';
  }
  return text;
}

}  // namespace lsrl::listing2
