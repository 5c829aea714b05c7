// Every example, compiled for every non-linear target in paper mode (ReLU in
// place of the architectures' other activations), computes what the program
// computes (the dag target) on the example's companion prompt to what
// docs/targets.md section 9 measures: bit for bit on every target except
// GRU's products and Hawk/Griffin's decaying counter, with the compiler's
// Linear chains kept (the default); with them fused, the layer count is the
// paper's own and the deviation stays within the fused table's; discrete_ua
// (n = 3) answers all 25 country/capital queries on every target, for each
// f_ifelse form the target can represent; layer counts stay within the
// paper's bound; rnn refuses exactly the programs whose path has a Multi, at
// the node, with the way out.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

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

// Paper mode, chains kept: docs/targets.md section 9's first table has 0 in
// every cell but GRU's products (at most 4.1e-10: they read differences of
// offset accumulators) and Hawk's and Griffin's decaying counter (2.7e-16).
double paper_mode_tolerance(const std::string& target) {
  if (target == "gru") return 1e-9;
  if (target == "hawk" || target == "griffin") return 1e-15;
  return 0.0;
}

// Paper mode, chains fused: section 9's second table. A fused chain is one
// stage whose row sums (A2 A1) x + (A2 b1 + b2), bias first, where the
// program sums A1 x + b1 first; programs that cancel large constants round
// differently: continuous_ua's lambda forms (constants of 1e10: 5.1e-1,
// 5.1e-1 and 4.1e-1 on every target, the multiplicative forms 2.6e-11),
// discrete_ua's step form (3.2e-2 on this prompt; every answer token still
// right, section 9), modulo (1.1e-13), threshold (4.4e-11, Hawk, Griffin and
// Mamba 2.5e-10) and more_ones (3.6e-15); every other example as with the
// chains kept.
double fused_tolerance(const std::string& example, const std::string& form, const std::string& target) {
  if (example == "modulo") return 1.2e-13;
  if (example == "threshold") return 2.5e-10;
  if (example == "more_ones") return 4e-15;
  if (example == "discrete_ua" && form == "step") return 3.2e-2;
  if (example != "continuous_ua") return paper_mode_tolerance(target);
  if (form == "original" || form == "optimized") return 0.512;
  if (form == "step") return 0.409;
  // GRU's products round at their offsets' scale whether the chains are fused
  // or kept (1.1e-10 measured on continuous_ua).
  return std::max(2.6e-11, paper_mode_tolerance(target));
}

struct Compiled {
  std::shared_ptr<const api::CompiledModel> model;
  std::vector<Diagnostic> diagnostics;
};

Compiled compile_for(const std::string& example, const std::string& target, std::map<std::string, std::string> params,
                     Activations activations = Activations::Paper, LinearChains chains = LinearChains::Keep,
                     double magnitude_overestimate = 1.0) {
  api::CompileOptions options;
  options.magnitude_overestimate = magnitude_overestimate;
  options.filename = example + ".lsrl";
  options.target = target;
  options.params = std::move(params);
  options.activations = activations;
  options.linear_chains = chains;
  api::CompileResult r = api::compile(example_source(example), options);
  return Compiled{r.ok ? r.model : nullptr, r.diagnostics};
}

// GRU's paper-mode products need static bounds on their factors (docs/targets.md,
// sections 1 and 3): an offset above them and the accumulator's drift over T
// steps, refused beyond 2^32. Of the examples only gated_sum reaches that
// (values declared in [-1e6, 1e6] over the default T = 4096); its refusal is
// accepted here, at the node and saying what to declare. Any other refusal is
// a failure: the range analysis bounds every other example's factors tightly.
bool gru_refused_for_bounds(const std::string& example, const std::string& target, const Compiled& compiled) {
  if (target != "gru" || compiled.model || compiled.diagnostics.empty() || example != "gated_sum") return false;
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
      if (target == "rnn") {
        // rnn refuses exactly the programs whose debranched path has a Multi
        // (the path the gated linear RNN runs), and the refusal names the
        // node and the way out.
        const Compiled gated = compile_for(example, "gated-linear-rnn", params);
        ASSERT_TRUE(gated.model && gated.model->path) << first_message(gated.diagnostics);
        const bool has_multi = gated.model->path->has_multi();
        EXPECT_EQ(!compiled.model, has_multi) << (compiled.model ? "accepted" : first_message(compiled.diagnostics));
        if (!compiled.model) {
          ASSERT_FALSE(compiled.diagnostics.empty());
          const std::string message = compiled.diagnostics.front().message;
          EXPECT_NE(message.find("'rnn'"), std::string::npos) << message;
          EXPECT_NE(message.find("Multi"), std::string::npos) << message;
          EXPECT_NE(message.find("gated-rnn"), std::string::npos) << message;
          EXPECT_GT(compiled.diagnostics.front().span.line, 0) << "the refusal points at the node";
          continue;
        }
      }
      if (gru_refused_for_bounds(example, target, compiled)) continue;
      ASSERT_TRUE(compiled.model) << first_message(compiled.diagnostics);
      const api::RunResult want = api::run(*program.model, prompt.tokens, api::RunOptions{});
      const api::RunResult got = api::run(*compiled.model, prompt.tokens, api::RunOptions{});
      ASSERT_TRUE(want.ok && got.ok) << first_message(got.diagnostics);
      // The target reproduces the program (its own step-by-step f64
      // semantics) as docs/targets.md section 9 measures it.
      EXPECT_EQ(output_comparison::first_difference(want.outputs, got.outputs, paper_mode_tolerance(target)), "");
      const double deviation = max_relative_difference(want.outputs, got.outputs);
      // The head is not a layer; every other entry is one.
      const int layers = static_cast<int>(compiled.model->model->layers().size()) - 1;
      const PathModel& path = *compiled.model->path;
      const nlohmann::json bound = compiled.model->model->metadata().at("layer_bound");
      EXPECT_LE(layers, bound.at("bound").get<int>());
      EXPECT_LE(bound.at("bound").get<int>(), layer_bound(path, LinearChains::Keep));

      // With the chains fused: the paper's own count; the outputs move only
      // where the program cancels large constants (continuous_ua's lambda).
      const Compiled fused = compile_for(example, target, params, Activations::Paper, LinearChains::Fuse);
      if (gru_refused_for_bounds(example, target, fused)) continue;
      ASSERT_TRUE(fused.model) << first_message(fused.diagnostics);
      const api::RunResult fused_run = api::run(*fused.model, prompt.tokens, api::RunOptions{});
      ASSERT_TRUE(fused_run.ok) << first_message(fused_run.diagnostics);
      const int fused_layers = static_cast<int>(fused.model->model->layers().size()) - 1;
      EXPECT_LE(fused_layers, layer_bound(path, LinearChains::Fuse));
      EXPECT_EQ(
          output_comparison::first_difference(want.outputs, fused_run.outputs, fused_tolerance(example, form, target)),
          "")
          << "chains fused";
      std::printf(
          "[ %s%s %s: keep %d layers (bound %d), deviation %.3g; fuse %d layers (paper bound %d), deviation %.3g ]\n",
          example.c_str(), form.empty() ? "" : (" " + form).c_str(), target.c_str(), layers,
          bound.at("bound").get<int>(), deviation, fused_layers, layer_bound(path, LinearChains::Fuse),
          max_relative_difference(want.outputs, fused_run.outputs));
    }
  }
}

// All 25 queries, all five forms (those the target can represent). The
// model is built once per form, without a prompt (weights fixed before any
// query); magnitude_overestimate: GRU's and LSTM's standard-mode lowerings
// are given value magnitudes that many times too large.
void expect_dictionary_answers(const std::string& target, Activations activations,
                               const std::vector<std::string>& forms, double magnitude_overestimate = 1.0) {
  const int n = 3;
  const auto pairs = country_capitals();
  ASSERT_EQ(pairs.size(), 25u);
  for (const std::string& form : forms) {
    if (target == "rnn" && uses_multi(form)) continue;  // refused; covered above
    SCOPED_TRACE("form=" + form + " target=" + target + " magnitudes x " + std::to_string(magnitude_overestimate));
    const Compiled compiled = compile_for("discrete_ua", target, {{"n", std::to_string(n)}, {"form", form}},
                                          activations, LinearChains::Keep, magnitude_overestimate);
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

// Standard activations, one model per form built from static bounds: rnn,
// gated-rnn, gru and lstm on all five forms (GRU's and LSTM's products read
// the sigmoid's linear region at the scale of their factors' static bounds,
// which the range analysis keeps within [0, 1] for the conditions by seeing
// the steps behind the values the compiler carries apart); hawk, griffin and
// mamba (exact identities, and 5 to 30 s per form here) on the multiplicative
// ones, and on all five by build/fidelity_table (docs/targets.md section 9).
TEST_P(TargetsOnExamples, DiscreteUaStandardActivationsAnswerAllQueries) {
  const std::string target = GetParam();
  const bool block_target = target == "hawk" || target == "griffin" || target == "mamba";
  expect_dictionary_answers(
      target, Activations::Standard,
      block_target ? std::vector<std::string>{"multiplicative", "multiplicative_optimized"} : kForms);
}

// Where a model answers wrongly, its run says so: every run of a compiled
// model measures its fidelity to the program (api::RunResult::fidelity), and
// the wrong tokens it reports are the ones that differ from the program's.
// The wrong models: GRU's and LSTM's standard-mode products built for
// magnitudes 1e6 times too large (0 of 25 queries right, docs/targets.md
// section 9, "Loose magnitudes").
TEST(TargetsOnExamplesReport, DiscreteUaStandardProductsReportTheirErrors) {
  const auto pairs = country_capitals();
  for (const std::string target : {"gru", "lstm"}) {
    for (const std::string form : {"multiplicative", "multiplicative_optimized"}) {
      SCOPED_TRACE(target + " " + form);
      const Compiled compiled = compile_for("discrete_ua", target, {{"n", "3"}, {"form", form}}, Activations::Standard,
                                            LinearChains::Keep, 1e6);
      ASSERT_TRUE(compiled.model) << first_message(compiled.diagnostics);
      const Compiled program = compile_for("discrete_ua", "dag", {{"n", "3"}, {"form", form}}, Activations::Standard);
      ASSERT_TRUE(program.model);
      int queries_right = 0;
      for (const auto& [key, value] : pairs) {
        PromptResult prompt = build_dictionary_prompt(key, pairs, *compiled.model->info.vocab);
        ASSERT_TRUE(prompt.ok);
        const api::RunResult run = api::run(*compiled.model, prompt.tokens, api::RunOptions{});
        const api::RunResult want = api::run(*program.model, prompt.tokens, api::RunOptions{});
        ASSERT_TRUE(run.ok && want.ok && run.text && want.text && run.fidelity && run.fidelity->wrong_tokens);
        ASSERT_EQ(run.outputs.size(), want.outputs.size());
        // Decoded tokens: the nearest id, all ids outside the 27 letters alike.
        const auto id = [](double x) { return std::isfinite(x) && x > -0.5 && x < 26.5 ? std::lround(x) : -1L; };
        int differing = 0;
        for (std::size_t t = 0; t < run.outputs.size(); ++t)
          differing += id(run.outputs[t][0]) != id(want.outputs[t][0]);
        EXPECT_EQ(*run.fidelity->wrong_tokens, differing) << key;
        if (differing > 0) {
          EXPECT_GT(run.fidelity->max_deviation, 0.0) << key;
        }
        queries_right += run.text->substr(run.text->size() - 3) == value;
      }
      EXPECT_LT(queries_right, 25) << "the deliberately loose model should answer wrongly";
      std::printf("[ %s standard %s, magnitudes x 1e6: %d of 25 queries right, each run's fidelity report checked ]\n",
                  target.c_str(), form.c_str(), queries_right);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, TargetsOnExamples, ::testing::ValuesIn(kTargets), [](const auto& info) {
  std::string name = info.param;
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
});

// GRU and LSTM in standard mode place values in the linear regions of tanh
// and sigmoid from the magnitudes they are given; a static range analysis
// gives loose upper bounds. The ReLUs and states are exact to the bit
// whatever the magnitudes, so the lambda forms reproduce the program exactly
// (deviation 0) with magnitudes 1, 1e3 and 1e6 times too large. The products
// of the multiplicative forms use the sigmoid's linear region, whose
// resolution is relative to the magnitude: their error grows with the
// overestimate (docs/targets.md section 9 measures it; at 1e6 they fail), so
// they are held to the measured deviations (times about 4) at 1 and 1e3.
class StandardCellsOnExamples : public ::testing::TestWithParam<std::string> {};

const std::vector<std::string> kLambdaForms = {"original", "optimized", "step"};

TEST_P(StandardCellsOnExamples, DiscreteUaAnswersAllQueriesWithLooseMagnitudes) {
  expect_dictionary_answers(GetParam(), Activations::Standard, kLambdaForms, 1e3);
  expect_dictionary_answers(GetParam(), Activations::Standard, kLambdaForms, 1e6);
}

TEST_P(StandardCellsOnExamples, ContinuousUaWithinItsStatedDeviation) {
  const std::string target = GetParam();
  const nlohmann::json companion = example_companion("continuous_ua");
  std::map<std::string, std::string> params = companion_params(companion);
  for (const std::string& form : kForms) {
    params["form"] = form;
    const Compiled program = compile_for("continuous_ua", "dag", params);
    ASSERT_TRUE(program.model) << first_message(program.diagnostics);
    const PromptTokens prompt = companion_tokens(companion.at("prompt"), program.model->info);
    ASSERT_TRUE(prompt.ok) << prompt.error;
    const api::RunResult want = api::run(*program.model, prompt.tokens, api::RunOptions{});
    ASSERT_TRUE(want.ok);
    for (double factor : {1.0, 1e3, 1e6}) {
      // Measured (build/fidelity_table --targets gru,lstm --overestimate F):
      // lambda forms 0 at every factor; multiplicative forms at most 1.2e-9
      // at 1 and 2.5e-6 at 1e3.
      double bound = 0.0;
      if (uses_multi(form)) {
        if (factor > 1e3) continue;
        bound = factor == 1.0 ? 5e-9 : 1e-5;
      }
      SCOPED_TRACE("form=" + form + " target=" + target + " magnitudes x " + std::to_string(factor));
      const Compiled compiled =
          compile_for("continuous_ua", target, params, Activations::Standard, LinearChains::Keep, factor);
      ASSERT_TRUE(compiled.model) << first_message(compiled.diagnostics);
      const api::RunResult got = api::run(*compiled.model, prompt.tokens, api::RunOptions{});
      ASSERT_TRUE(got.ok) << first_message(got.diagnostics);
      const double deviation = max_relative_difference(want.outputs, got.outputs);
      EXPECT_TRUE(deviation <= bound) << deviation;  // false for NaN
      std::printf("[ continuous_ua %s %s x%g: deviation %.3g ]\n", form.c_str(), target.c_str(), factor, deviation);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cells, StandardCellsOnExamples, ::testing::Values("gru", "lstm"));

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

// docs/targets.md section 9: lower precisions run the same weights, and paper
// mode runs in all three. On more_ones every target, in f32 and in f16, gives
// the program's own outputs in that precision bit for bit (the flags 0 and 1).
TEST(TargetsPrecisions, PaperModeRunsInEveryPrecision) {
  const Compiled program = compile_for("more_ones", "dag", {});
  ASSERT_TRUE(program.model) << first_message(program.diagnostics);
  const api::TokensResult prompt = api::parse_tokens("0 1 1 0 1 0 0 1 1 1", program.model->info.input_dim);
  ASSERT_TRUE(prompt.ok);
  for (Precision precision : {Precision::F32, Precision::F16}) {
    api::RunOptions options;
    options.precision = precision;
    const api::RunResult want = api::run(*program.model, prompt.tokens, options);
    ASSERT_TRUE(want.ok);
    for (const std::string& target : kTargets) {
      SCOPED_TRACE(target + " " + precision_name(precision));
      const Compiled compiled = compile_for("more_ones", target, {});
      ASSERT_TRUE(compiled.model) << first_message(compiled.diagnostics);
      const api::RunResult got = api::run(*compiled.model, prompt.tokens, options);
      ASSERT_TRUE(got.ok) << first_message(got.diagnostics);
      EXPECT_EQ(output_comparison::first_difference(want.outputs, got.outputs, 0.0), "");
    }
  }
}

}  // namespace
}  // namespace lsrl
