// Every example, compiled for every non-linear target in paper mode (ReLU in
// place of the architectures' other activations), computes what the program
// computes (the dag target) to 1e-6 on the example's companion prompt, with
// the compiler's Linear chains kept (the default); with them fused, the layer
// count is the paper's own; discrete_ua (n = 3) answers all 25
// country/capital queries on every target, for each f_ifelse form the
// target can represent; layer counts stay within the paper's bound; rnn
// refuses Multi at the node with the way out.
#include <gtest/gtest.h>

#include <cstdio>

#include <cmath>

#include "compile/path_model.hpp"
#include "example_support.hpp"
#include "targets_common_test.hpp"

namespace lsrl {
namespace {

using namespace example_support;
using target_tests::layer_bound;

const std::vector<std::string> kTargets = {"rnn", "gated-rnn", "gru", "lstm", "hawk", "griffin", "mamba"};
const std::vector<std::string> kForms = {"original", "optimized", "step", "multiplicative", "multiplicative_optimized"};

bool uses_multi(const std::string& form) { return form.rfind("multiplicative", 0) == 0; }

struct Compiled {
  std::shared_ptr<const api::CompiledModel> model;
  std::vector<Diagnostic> diagnostics;
};

Compiled compile_for(const std::string& example, const std::string& target, std::map<std::string, std::string> params,
                     Activations activations = Activations::Paper, LinearChains chains = LinearChains::Keep) {
  api::CompileOptions options;
  options.filename = example + ".lsrl";
  options.target = target;
  options.params = std::move(params);
  options.activations = activations;
  options.linear_chains = chains;
  api::CompileResult r = api::compile(example_source(example), options);
  return Compiled{r.ok ? r.model : nullptr, r.diagnostics};
}

// GRU's paper-mode products need static bounds on their factors (docs/targets.md,
// sections 1 and 3); with the examples' undeclared input domains (|x| <= 1e6, or
// discrete_ua's loose step chains) the offsets would exceed 2^32 and GRU refuses
// the program at compile time, at the node, saying what to declare. Accepted
// here for gru only, and printed.
bool gru_refused_for_bounds(const std::string& target, const Compiled& compiled) {
  if (target != "gru" || compiled.model || compiled.diagnostics.empty()) return false;
  const Diagnostic& d = compiled.diagnostics.front();
  const bool refused = d.message.find("declare tighter input bounds") != std::string::npos && d.span.line > 0;
  if (refused) std::printf("[ gru refused at compile time: %s ]\n", d.message.substr(0, 120).c_str());
  return refused;
}

class TargetsOnExamples : public ::testing::TestWithParam<std::string> {};

TEST_P(TargetsOnExamples, PaperModeMatchesTheProgramOnEveryExample) {
  const std::string target = GetParam();
  for (const std::string& example : example_names()) {
    const nlohmann::json companion = example_companion(example);
    std::map<std::string, std::string> params = companion_params(companion);
    const bool has_forms = example_source(example).find("form = param(") != std::string::npos;
    for (const std::string& form : has_forms ? kForms : std::vector<std::string>{""}) {
      SCOPED_TRACE(example + (form.empty() ? "" : " form=" + form) + " target=" + target);
      if (!form.empty()) params["form"] = form;
      const Compiled program = compile_for(example, "dag", params);
      ASSERT_TRUE(program.model) << first_message(program.diagnostics);
      const PromptTokens prompt = companion_tokens(companion.at("prompt"), program.model->info);
      ASSERT_TRUE(prompt.ok) << prompt.error;
      const Compiled compiled = compile_for(example, target, params);
      if (target == "rnn" && !compiled.model) {
        // Only a Multi may be refused, and the refusal names the way out.
        ASSERT_FALSE(compiled.diagnostics.empty());
        const std::string message = compiled.diagnostics.front().message;
        EXPECT_NE(message.find("'rnn'"), std::string::npos) << message;
        EXPECT_NE(message.find("gated-rnn"), std::string::npos) << message;
        EXPECT_GT(compiled.diagnostics.front().span.line, 0) << "the refusal points at the node";
        EXPECT_TRUE(uses_multi(form) || example_source(example).find("Multi") != std::string::npos ||
                    example_source(example).find("f_ifelse_mul") != std::string::npos)
            << message;
        continue;
      }
      if (gru_refused_for_bounds(target, compiled)) continue;
      ASSERT_TRUE(compiled.model) << first_message(compiled.diagnostics);
      const api::RunResult want = api::run(*program.model, prompt.tokens, api::RunOptions{});
      const api::RunResult got = api::run(*compiled.model, prompt.tokens, api::RunOptions{});
      ASSERT_TRUE(want.ok && got.ok) << first_message(got.diagnostics);
      // The measure: the target reproduces the program (its own
      // step-by-step f64 semantics) to 1e-6.
      const double deviation = max_relative_difference(want.outputs, got.outputs);
      EXPECT_LE(deviation, 1e-6);
      // The head is not a layer; every other entry is one.
      const int layers = static_cast<int>(compiled.model->model->layers().size()) - 1;
      const PathModel& path = *compiled.model->path;
      const nlohmann::json bound = compiled.model->model->metadata().at("layer_bound");
      EXPECT_LE(layers, bound.at("bound").get<int>());
      EXPECT_LE(bound.at("bound").get<int>(), layer_bound(path, LinearChains::Keep));

      // With the chains fused: the paper's own count; the outputs move only
      // where the program cancels large constants (continuous_ua's lambda).
      const Compiled fused = compile_for(example, target, params, Activations::Paper, LinearChains::Fuse);
      if (gru_refused_for_bounds(target, fused)) continue;
      ASSERT_TRUE(fused.model) << first_message(fused.diagnostics);
      const api::RunResult fused_run = api::run(*fused.model, prompt.tokens, api::RunOptions{});
      ASSERT_TRUE(fused_run.ok) << first_message(fused_run.diagnostics);
      const int fused_layers = static_cast<int>(fused.model->model->layers().size()) - 1;
      EXPECT_LE(fused_layers, layer_bound(path, LinearChains::Fuse));
      std::printf("[ %s%s %s: keep %d layers (bound %d), deviation %.3g; fuse %d layers (paper bound %d), deviation %.3g ]\n",
                  example.c_str(), form.empty() ? "" : (" " + form).c_str(), target.c_str(), layers,
                  bound.at("bound").get<int>(), deviation, fused_layers, layer_bound(path, LinearChains::Fuse),
                  max_relative_difference(want.outputs, fused_run.outputs));
    }
  }
}

// All 25 queries, all five forms (those the target can represent).
void expect_dictionary_answers(const std::string& target, Activations activations, const std::vector<std::string>& forms) {
  const int n = 3;
  const auto pairs = country_capitals();
  ASSERT_EQ(pairs.size(), 25u);
  for (const std::string& form : forms) {
    if (target == "rnn" && uses_multi(form)) continue;  // refused; covered above
    SCOPED_TRACE("form=" + form + " target=" + target);
    const Compiled compiled =
        compile_for("discrete_ua", target, {{"n", std::to_string(n)}, {"form", form}}, activations);
    if (gru_refused_for_bounds(target, compiled)) continue;
    ASSERT_TRUE(compiled.model) << first_message(compiled.diagnostics);
    const std::string vocab = *compiled.model->info.vocab;
    int correct = 0;
    for (const auto& [key, value] : pairs) {
      PromptResult prompt = build_dictionary_prompt(key, pairs, vocab);
      ASSERT_TRUE(prompt.ok);
      const api::RunResult run = api::run(*compiled.model, prompt.tokens, api::RunOptions{});
      ASSERT_TRUE(run.ok) << first_message(run.diagnostics);
      ASSERT_TRUE(run.text.has_value());
      const bool right = run.text->substr(run.text->size() - static_cast<std::size_t>(n)) == value;
      EXPECT_TRUE(right) << key << " -> " << value << ", got text " << *run.text;
      correct += right;
    }
    EXPECT_EQ(correct, 25);
  }
}

TEST_P(TargetsOnExamples, DiscreteUaAnswersAllTwentyFiveQueries) {
  expect_dictionary_answers(GetParam(), Activations::Paper, kForms);
}

// The standard-mode requirement: with the architectures' real
// activations, the multiplicative forms answer every query on gru, lstm,
// hawk and mamba (in fact every form does on every target; the fidelity
// table in docs/targets.md shows the deviations).
TEST_P(TargetsOnExamples, DiscreteUaStandardActivationsAnswerAllQueries) {
  const std::string target = GetParam();
  expect_dictionary_answers(target, Activations::Standard, {"multiplicative", "multiplicative_optimized"});
}

INSTANTIATE_TEST_SUITE_P(Targets, TargetsOnExamples, ::testing::ValuesIn(kTargets), [](const auto& info) {
  std::string name = info.param;
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
});

TEST(TargetsRefusals, MultiOnRnnNamesTheNodeAndTheWayOut) {
  const Compiled c = compile_for("discrete_ua", "rnn", {{"n", "3"}, {"form", "multiplicative"}});
  ASSERT_FALSE(c.model);
  ASSERT_FALSE(c.diagnostics.empty());
  const Diagnostic& d = c.diagnostics.front();
  EXPECT_GT(d.span.line, 0);
  EXPECT_NE(d.message.find("target 'rnn'"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("Multi"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("gated-rnn, gru, lstm"), std::string::npos) << d.message;
}

}  // namespace
}  // namespace lsrl
