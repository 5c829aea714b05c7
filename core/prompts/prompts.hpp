// Prompt builders for the paper's two universal approximation programs, used
// by `lsrlc` (--prompt-fn/--cells/--query, --dict) and by the page.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/diagnostics.hpp"

namespace lsrl {

// A target function f: [0,1]^d_in -> R^d_out written as expressions in
// x1..xd ("sin(3*x1)*x2"; components separated by ';' for d_out > 1).
// Supports + - * / ** (and ^), unary -, parentheses, numbers, pi, e, and
// sin cos tan exp log sqrt abs tanh min max pow floor.
class TargetFunction {
 public:
  // Parses `text`; on error returns false and fills `error` (span = column in
  // `text`, line 1).
  static bool parse(const std::string& text, int input_dims, TargetFunction& out, Diagnostic& error);
  int input_dims() const { return input_dims_; }
  int output_dims() const { return static_cast<int>(components_.size()); }
  std::vector<double> operator()(const std::vector<double>& x) const;

 private:
  struct Expr;  // defined in prompts.cpp
  int input_dims_ = 0;
  std::vector<std::shared_ptr<const Expr>> components_;
};

struct PromptResult {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;
  std::vector<std::vector<double>> tokens;
};

// Listing 1 / Eq. 8: the query token first ([q_1..q_d_in, 0...], width
// 1 + d_in + d_out), then one token per cell of an N^d_in grid
// ([1/N, lower corner l_1..l_d_in, f(cell centre)]).
PromptResult build_continuous_prompt(const TargetFunction& f, int cells_per_axis, const std::vector<double>& query);

// Listing 2: the query's n tokens, then each key followed by its value, each
// character encoded by its index in `vocab`.
PromptResult build_dictionary_prompt(const std::string& query,
                                     const std::vector<std::pair<std::string, std::string>>& pairs,
                                     const std::string& vocab);

}  // namespace lsrl
