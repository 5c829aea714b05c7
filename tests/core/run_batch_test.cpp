// Batched runs (api::run_batch, api::parse_batch): each prompt of a batch
// gets exactly (bit for bit) what run gives it alone; a bad prompt or line is
// named and nothing runs.
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

// Bit for bit, any NaN equal to any NaN (run_paths_test.cpp says why).
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

Tokens random_letters(std::size_t count, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> letter(1, 26);
  Tokens tokens;
  for (std::size_t i = 0; i < count; ++i) tokens.push_back({static_cast<double>(letter(random))});
  return tokens;
}

std::shared_ptr<const CompiledModel> compile_example(const std::string& name, const std::string& target) {
  CompileOptions options;
  options.filename = name + ".lsrl";
  options.target = target;
  CompileResult compiled = compile(example_support::example_source(name), options);
  EXPECT_TRUE(compiled.ok) << name << " on " << target << ": " << render_all(compiled.diagnostics);
  return compiled.model;
}

// ---------------------------------------------------------------------------
// run_batch
// ---------------------------------------------------------------------------

TEST(RunBatch, EachPromptGetsWhatItGetsAlone) {
  for (const std::string target : {"dag", "gated-linear-rnn", "gru", "lstm"}) {
    const auto model = compile_example("discrete_ua", target);
    ASSERT_TRUE(model);
    std::vector<Tokens> prompts;
    for (const std::size_t steps : {9u, 1u, 130u, 64u, 27u})
      prompts.push_back(random_letters(steps, 7 * static_cast<unsigned>(steps)));
    const BatchRunResult batch = run_batch(*model, prompts, RunOptions{});
    ASSERT_TRUE(batch.ok) << render_all(batch.diagnostics);
    ASSERT_EQ(batch.results.size(), prompts.size());
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      const RunResult alone = run(*model, prompts[i], RunOptions{});
      ASSERT_TRUE(alone.ok);
      EXPECT_TRUE(same_bits(batch.results[i].outputs, alone.outputs)) << target << " prompt " << i + 1;
      EXPECT_EQ(batch.results[i].text, alone.text);
      ASSERT_EQ(batch.results[i].fidelity.has_value(), alone.fidelity.has_value());
      if (alone.fidelity) {
        EXPECT_EQ(batch.results[i].fidelity->max_deviation, alone.fidelity->max_deviation);
      }
    }
  }
}

TEST(RunBatch, ABadPromptIsNamedAndNothingRuns) {
  const auto model = compile_example("discrete_ua", "gru");
  ASSERT_TRUE(model);
  // Prompt 2 holds a token outside the vocabulary's ids.
  const std::vector<Tokens> prompts{random_letters(6, 1), {{1}, {99}}, random_letters(6, 2)};
  const BatchRunResult batch = run_batch(*model, prompts, RunOptions{});
  EXPECT_FALSE(batch.ok);
  EXPECT_TRUE(batch.results.empty());
  ASSERT_FALSE(batch.diagnostics.empty());
  EXPECT_EQ(batch.diagnostics.front().message.rfind("prompt 2: ", 0), 0u) << batch.diagnostics.front().message;

  const std::vector<Tokens> wide{random_letters(3, 3), {{1, 2}}};
  const BatchRunResult too_wide = run_batch(*model, wide, RunOptions{});
  EXPECT_FALSE(too_wide.ok);
  ASSERT_FALSE(too_wide.diagnostics.empty());
  EXPECT_EQ(too_wide.diagnostics.front().message.rfind("prompt 2: ", 0), 0u) << too_wide.diagnostics.front().message;
}

TEST(RunBatch, RefusesATrace) {
  const auto model = compile_example("more_ones", "dag");
  ASSERT_TRUE(model);
  RunOptions options;
  options.trace = true;
  const BatchRunResult batch = run_batch(*model, {{{1}, {0}}}, options);
  EXPECT_FALSE(batch.ok);
  ASSERT_FALSE(batch.diagnostics.empty());
  EXPECT_NE(batch.diagnostics.front().message.find("no trace"), std::string::npos);
}

// The batch limits (docs/reliability.md): the number of prompts, and the
// whole batch's work against one run's bound; each names the limit and what
// to do, and nothing runs.
TEST(RunBatch, MorePromptsOrMoreWorkThanTheLimitsAreRefusedBeforeRunning) {
  const auto model = compile_example("more_ones", "gated-linear-rnn");
  ASSERT_TRUE(model);
  RunOptions options;
  options.max_batch_size = 3;
  const std::vector<Tokens> four(4, Tokens{{1}, {0}});
  const BatchRunResult too_many = run_batch(*model, four, options);
  EXPECT_FALSE(too_many.ok);
  EXPECT_TRUE(too_many.results.empty());
  ASSERT_FALSE(too_many.diagnostics.empty());
  EXPECT_NE(too_many.diagnostics.front().message.find("4 prompts, more than the limit of 3"), std::string::npos)
      << too_many.diagnostics.front().message;
  EXPECT_TRUE(run_batch(*model, std::vector<Tokens>(3, Tokens{{1}, {0}}), options).ok);

  // Each prompt alone is within the work bound, the batch is not.
  RunOptions work;
  const double per_prompt = 2.0 * static_cast<double>(model->model->nonzero_count());
  work.max_run_work = 2.5 * per_prompt;
  EXPECT_TRUE(run(*model, four.front(), work).ok);
  const BatchRunResult too_much = run_batch(*model, four, work);
  EXPECT_FALSE(too_much.ok);
  ASSERT_FALSE(too_much.diagnostics.empty());
  EXPECT_NE(too_much.diagnostics.front().message.find("split it into smaller batches"), std::string::npos)
      << too_much.diagnostics.front().message;
}

TEST(ParseBatch, OnePromptPerLineSkippingBlankAndCommentLines) {
  const BatchTokensResult r = parse_batch("1 0 1\n\n# a comment\n0;0\r\n  1,2  \n", 1);
  // "1,2" is one 2-wide token: wrong for a 1-wide input, on line 5.
  EXPECT_FALSE(r.ok);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_EQ(r.diagnostics.front().message.rfind("line 5: ", 0), 0u) << r.diagnostics.front().message;

  const BatchTokensResult ok = parse_batch("1 0 1\n\n# a comment\n0;0\r\n", 1);
  ASSERT_TRUE(ok.ok) << render_all(ok.diagnostics);
  ASSERT_EQ(ok.prompts.size(), 2u);
  EXPECT_EQ(ok.prompts[0], (Tokens{{1}, {0}, {1}}));
  EXPECT_EQ(ok.prompts[1], (Tokens{{0}, {0}}));

  EXPECT_FALSE(parse_batch("\n# nothing\n", 1).ok);
}

}  // namespace
}  // namespace lsrl::api
