// What each libFuzzer target does with one input, as functions, so that the
// fuzz targets (fuzz/fuzz_*.cpp) and the GoogleTest that replays the kept
// regression inputs (tests/core/fuzz_regressions_test.cpp) run the same code.
// Each aborts (a finding) if an entry point fails without a diagnostic.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "api/api.hpp"
#include "fuzz_support.hpp"

namespace lsrl::fuzz {

// Source text -> Program (lexer, parser, evaluator, builtins), through the
// API's check(), the first thing the page and `lsrlc check` do with a
// stranger's text.
inline void check_source(const std::uint8_t* data, std::size_t size) {
  const std::string source(reinterpret_cast<const char*>(data), size);
  api::CompileOptions options;
  options.filename = "fuzz.lsrl";
  const auto result = api::check(source, options);
  require_explained(result, "check");
}

// Source text -> compiled model on every target (the first byte picks the
// target, the second the activations and Linear-chain options), then a short
// run, so the compiler's passes and every lowering see programs nobody wrote.
inline void compile_and_run(const std::uint8_t* data, std::size_t size) {
  static constexpr std::array<const char*, 10> kTargets = {
      "dag", "linear-rnn", "gated-linear-rnn", "rnn", "gated-rnn", "gru", "lstm", "hawk", "griffin", "mamba"};
  const auto in = split_input(data, size, 2);
  api::CompileOptions options;
  options.filename = "fuzz.lsrl";
  options.target = kTargets[in.selectors[0] % kTargets.size()];
  options.activations = (in.selectors[1] & 1) ? Activations::Standard : Activations::Paper;
  options.linear_chains = (in.selectors[1] & 2) ? LinearChains::Fuse : LinearChains::Keep;
  const auto compiled = api::compile(in.text, options);
  require_explained(compiled, "compile");
  if (!compiled.ok) return;
  const int width = compiled.model->info.input_dim;
  std::vector<std::vector<double>> tokens;
  for (int t = 0; t < 4; ++t) tokens.emplace_back(static_cast<std::size_t>(width), t % 2 ? 1.0 : 0.5 * t);
  api::RunOptions run_options;
  run_options.trace = (in.selectors[1] & 4) != 0;
  const auto ran = api::run(*compiled.model, tokens, run_options);
  require_explained(ran, "run");
}

// A fixed model + arbitrary prompt text -> run. The examples are compiled
// once per (example, target) on first use (the cache is the harness's; the
// core keeps no global state); the bytes pick the model, the precision,
// whether to trace, and how to read the prompt (tokens, CSV, or text).
inline void run_prompt(const std::uint8_t* data, std::size_t size, const std::string& source_dir) {
  static constexpr std::array<const char*, 5> kExamples = {"more_ones", "discrete_ua", "counter", "modulo",
                                                           "gated_sum"};
  static constexpr std::array<const char*, 5> kTargets = {"dag", "gated-linear-rnn", "gru", "hawk", "mamba"};
  static std::map<std::pair<std::size_t, std::size_t>, std::shared_ptr<const api::CompiledModel>> cache;
  const auto in = split_input(data, size, 3);
  const auto key = std::make_pair(in.selectors[0] % kExamples.size(), in.selectors[1] % kTargets.size());
  auto found = cache.find(key);
  if (found == cache.end()) {
    std::ifstream file(source_dir + "/examples/" + kExamples[key.first] + ".lsrl");
    std::stringstream text;
    text << file.rdbuf();
    api::CompileOptions options;
    options.filename = std::string(kExamples[key.first]) + ".lsrl";
    options.target = kTargets[key.second];
    const auto compiled = api::compile(text.str(), options);
    found = cache.emplace(key, compiled.ok ? compiled.model : nullptr).first;
  }
  const auto& model = found->second;
  if (!model) return;
  api::TokensResult tokens;
  switch (in.selectors[2] % 3) {
    case 0:
      tokens = api::parse_tokens(in.text, model->info.input_dim);
      break;
    case 1:
      tokens = api::parse_csv(in.text, model->info.input_dim);
      break;
    default:
      tokens = api::encode_text(in.text, model->info);
      break;
  }
  require_explained(tokens, "tokens");
  if (!tokens.ok) return;
  api::RunOptions options;
  options.precision = static_cast<Precision>((in.selectors[2] / 3) % 3);
  options.trace = (in.selectors[2] / 9) % 2 != 0;
  const auto ran = api::run(*model, tokens.tokens, options);
  require_explained(ran, "run");
}

// Exercise file text (a teacher's set, or one from a link) -> parsed
// exercise, then each of its first checks graded against a small program on
// the target the file names: a file that parses must grade to pass, fail or
// an explained error, never crash.
inline void check_exercise(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto parsed = api::parse_exercise(text, "fuzz.json");
  require_explained(parsed, "parse_exercise");
  if (!parsed.ok) return;
  static const std::string kProgram = "x = Input(dim=1)\nreturn LinState(x, A=[[1]], B=[[1]], init_state=[[0]])\n";
  std::size_t graded = 0;
  for (const auto& check : parsed.exercise.checks) {
    if (graded++ == 4) break;
    if (check.input.size() > 256) continue;  // bounded work per input
    const auto outcome = api::grade_check(kProgram, "fuzz.lsrl", parsed.exercise, check);
    const bool known = outcome.status == "pass" || outcome.status == "fail" || outcome.status == "error";
    if (!known || (outcome.status != "pass" && outcome.message.empty())) {
      std::fprintf(stderr, "grade_check gave status '%s' without a message\n", outcome.status.c_str());
      std::abort();
    }
  }
}

}  // namespace lsrl::fuzz
