// The executors' two paths give the same numbers.
//
// Without a trace, the cell stacks (rnn, gru, lstm) and the program's own
// evaluator (dag) run a chunk of steps layer by layer (node by node), with
// the input projections computed for the whole chunk at once; with a trace
// they run token by token. Both must give the same outputs bit for bit, over
// prompts that end inside a chunk and span several.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "api/api.hpp"
#include "example_support.hpp"

namespace lsrl::api {
namespace {

using Tokens = std::vector<std::vector<double>>;

// Bit for bit (== would call +0 and -0 equal), except that any NaN equals any
// NaN: IEEE 754 leaves which operand's NaN (and sign) an operation returns to
// the implementation, and compilers commute operands freely (standard-mode
// LSTMs overflow to NaN in f32, docs/targets.md).
bool same_bits(const OutputRows& a, const OutputRows& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t t = 0; t < a.size(); ++t) {
    if (a[t].size() != b[t].size()) return false;
    for (std::size_t i = 0; i < a[t].size(); ++i) {
      if (std::isnan(a[t][i]) && std::isnan(b[t][i])) continue;
      if (std::memcmp(&a[t][i], &b[t][i], sizeof(double)) != 0) return false;
    }
  }
  return true;
}

// Letters of discrete_ua's vocabulary (ids 1..26), the query first.
Tokens random_letters(std::size_t count, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> letter(1, 26);
  Tokens tokens;
  for (std::size_t i = 0; i < count; ++i) tokens.push_back({static_cast<double>(letter(random))});
  return tokens;
}

std::shared_ptr<const CompiledModel> compile_example(const std::string& name, const std::string& target,
                                                     Activations activations,
                                                     std::map<std::string, std::string> params = {}) {
  CompileOptions options;
  options.filename = name + ".lsrl";
  options.target = target;
  options.activations = activations;
  options.params = std::move(params);
  CompileResult compiled = compile(example_support::example_source(name), options);
  EXPECT_TRUE(compiled.ok) << name << " on " << target << ": " << render_all(compiled.diagnostics);
  return compiled.model;
}

struct PathCase {
  std::string target;
  Activations activations;
};

class ChunkedAndPerTokenPaths : public ::testing::TestWithParam<PathCase> {};

TEST_P(ChunkedAndPerTokenPaths, GiveTheSameOutputsBitForBit) {
  const PathCase& c = GetParam();
  // original: only ReLUs, so rnn and gated-rnn compile it too; multiplicative: products.
  for (const std::string form : {"original", "multiplicative"}) {
    if (c.target == "rnn" && form == "multiplicative") continue;  // rnn has no products
    const auto model = compile_example("discrete_ua", c.target, c.activations, {{"form", form}, {"n", "2"}});
    ASSERT_TRUE(model);
    // 1 step, a part of a chunk, exactly one chunk, several and a remainder.
    for (const std::size_t steps : {1u, 5u, 64u, 203u}) {
      const Tokens tokens = random_letters(steps, static_cast<unsigned>(steps));
      for (const Precision precision : {Precision::F64, Precision::F32, Precision::F16}) {
        RunOptions chunked;
        chunked.precision = precision;
        chunked.compare_with_program = false;
        RunOptions per_token = chunked;
        per_token.trace = true;
        const RunResult a = run(*model, tokens, chunked);
        const RunResult b = run(*model, tokens, per_token);
        ASSERT_EQ(a.ok, b.ok) << render_all(a.diagnostics) << render_all(b.diagnostics);
        if (!a.ok) {
          // Both refuse the prompt, with the same words.
          EXPECT_EQ(render_all(a.diagnostics), render_all(b.diagnostics));
          continue;
        }
        EXPECT_TRUE(same_bits(a.outputs, b.outputs))
            << c.target << " form " << form << ", " << steps << " steps, precision " << static_cast<int>(precision);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, ChunkedAndPerTokenPaths,
                         ::testing::Values(PathCase{"dag", Activations::Paper}, PathCase{"rnn", Activations::Paper},
                                           PathCase{"gru", Activations::Paper}, PathCase{"gru", Activations::Standard},
                                           PathCase{"lstm", Activations::Paper},
                                           PathCase{"lstm", Activations::Standard},
                                           PathCase{"gated-linear-rnn", Activations::Paper}),
                         [](const ::testing::TestParamInfo<PathCase>& info) {
                           std::string name = info.param.target +
                                              (info.param.activations == Activations::Paper ? "_paper" : "_standard");
                           for (char& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

TEST(ChunkedAndPerTokenPaths, ContinuousUaOnGruAndDagAgree) {
  // Real-valued tokens (two components), outputs that are not token ids.
  for (const std::string target : {"dag", "gru", "lstm"}) {
    const auto model = compile_example("continuous_ua", target, Activations::Paper);
    ASSERT_TRUE(model);
    const TokensResult prompt = continuous_prompt("sin(3*x1)*x2", 2, 6, {0.3, 0.7});
    ASSERT_TRUE(prompt.ok) << render_all(prompt.diagnostics);
    RunOptions chunked;
    chunked.compare_with_program = false;
    RunOptions per_token = chunked;
    per_token.trace = true;
    const RunResult a = run(*model, prompt.tokens, chunked);
    const RunResult b = run(*model, prompt.tokens, per_token);
    ASSERT_TRUE(a.ok && b.ok) << render_all(a.diagnostics) << render_all(b.diagnostics);
    EXPECT_TRUE(same_bits(a.outputs, b.outputs)) << target;
  }
}

}  // namespace
}  // namespace lsrl::api
