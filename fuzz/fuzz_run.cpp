// Fuzz target: a fixed model + arbitrary prompt text -> run. The examples are
// compiled once per (example, target) on first use; the fuzzer's bytes pick
// the model, the precision, whether to trace, and how to read the prompt
// (--input tokens, CSV, or text through the vocabulary).
#include <array>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "api/api.hpp"
#include "fuzz_support.hpp"

namespace {
constexpr std::array<const char*, 5> kExamples = {"more_ones", "discrete_ua", "counter", "modulo", "gated_sum"};
constexpr std::array<const char*, 5> kTargets = {"dag", "gated-linear-rnn", "gru", "hawk", "mamba"};

std::string read_example(const std::string& name) {
  std::ifstream file(std::string(LSRL_SOURCE_DIR) + "/examples/" + name + ".lsrl");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Compiled models, built once per process: the cache is the harness's, not
// the library's (the core keeps no global state).
std::shared_ptr<const lsrl::api::CompiledModel> model_for(std::size_t example, std::size_t target) {
  static std::map<std::pair<std::size_t, std::size_t>, std::shared_ptr<const lsrl::api::CompiledModel>> cache;
  const auto key = std::make_pair(example, target);
  auto found = cache.find(key);
  if (found != cache.end()) return found->second;
  lsrl::api::CompileOptions options;
  options.filename = std::string(kExamples[example]) + ".lsrl";
  options.target = kTargets[target];
  const auto compiled = lsrl::api::compile(read_example(kExamples[example]), options);
  std::shared_ptr<const lsrl::api::CompiledModel> model = compiled.ok ? compiled.model : nullptr;
  cache.emplace(key, model);
  return model;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = lsrl::fuzz::split_input(data, size, 3);
  const auto model = model_for(in.selectors[0] % kExamples.size(), in.selectors[1] % kTargets.size());
  if (!model) return 0;
  lsrl::api::TokensResult tokens;
  switch (in.selectors[2] % 3) {
    case 0: tokens = lsrl::api::parse_tokens(in.text, model->info.input_dim); break;
    case 1: tokens = lsrl::api::parse_csv(in.text, model->info.input_dim); break;
    default: tokens = lsrl::api::encode_text(in.text, model->info); break;
  }
  lsrl::fuzz::require_explained(tokens, "tokens");
  if (!tokens.ok) return 0;
  lsrl::api::RunOptions options;
  options.precision = static_cast<lsrl::Precision>((in.selectors[2] / 3) % 3);
  options.trace = (in.selectors[2] / 9) % 2 != 0;
  const auto ran = lsrl::api::run(*model, tokens.tokens, options);
  lsrl::fuzz::require_explained(ran, "run");
  return 0;
}
