// Fuzz target: source text -> compiled model on every target (the first byte
// picks the target, the second the activations and Linear-chain options), then
// a short run, so the compiler's passes and every lowering see programs nobody
// wrote. A program the compiler loops on shows up as a timeout.
#include <array>

#include "api/api.hpp"
#include "fuzz_support.hpp"

namespace {
constexpr std::array<const char*, 10> kTargets = {"dag", "linear-rnn", "gated-linear-rnn", "rnn", "gated-rnn",
                                                  "gru", "lstm", "hawk", "griffin", "mamba"};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = lsrl::fuzz::split_input(data, size, 2);
  lsrl::api::CompileOptions options;
  options.filename = "fuzz.lsrl";
  options.target = kTargets[in.selectors[0] % kTargets.size()];
  options.activations = (in.selectors[1] & 1) ? lsrl::Activations::Standard : lsrl::Activations::Paper;
  options.linear_chains = (in.selectors[1] & 2) ? lsrl::LinearChains::Fuse : lsrl::LinearChains::Keep;
  const auto compiled = lsrl::api::compile(in.text, options);
  lsrl::fuzz::require_explained(compiled, "compile");
  if (!compiled.ok) return 0;
  const int width = compiled.model->info.input_dim;
  std::vector<std::vector<double>> tokens;
  for (int t = 0; t < 4; ++t) tokens.emplace_back(static_cast<std::size_t>(width), t % 2 ? 1.0 : 0.5 * t);
  lsrl::api::RunOptions run_options;
  run_options.trace = (in.selectors[1] & 4) != 0;
  const auto ran = lsrl::api::run(*compiled.model, tokens, run_options);
  lsrl::fuzz::require_explained(ran, "run");
  return 0;
}
