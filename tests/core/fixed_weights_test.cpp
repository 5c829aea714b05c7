// The paper's promise: ONE model with FIXED weights that prompts turn into
// different functions. The weights are a function of the program and the
// compile options only (there is no way left to give a prompt to compile):
//  - for every target and both activations, discrete_ua (n = 3) and
//    continuous_ua serialise to the same safetensors bytes across separate
//    compiles, and the models run alike, bit for bit;
//  - a prompt outside the input domain or longer than T is refused before
//    running, with the documented message;
//  - one model per target, compiled without any prompt, answers 100
//    different dictionaries (discrete_ua, paper activations: every answer
//    token right and the model's text equal to the program's, for the default
//    form; fewer prompts for the other forms) and 100 different functions and
//    query points (continuous_ua: within 1e-6 of the program), run by our
//    executors.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <string>

#include "example_support.hpp"
#include "export/export.hpp"
#include "targets/registry.hpp"
#include "test_scale.hpp"

namespace lsrl {
namespace {

using namespace example_support;

const std::vector<std::string> kForms = {"multiplicative", "original", "optimized", "step", "multiplicative_optimized"};

api::CompileResult compile_example(const std::string& name, const std::string& target, Activations activations,
                                   std::map<std::string, std::string> params) {
  api::CompileOptions options;
  options.filename = name + ".lsrl";
  options.target = target;
  options.activations = activations;
  options.params = std::move(params);
  return api::compile(example_source(name), options);
}

std::vector<std::string> all_targets() {
  std::vector<std::string> names;
  for (const TargetInfo& t : list_targets()) {
    if (t.available && t.has_model) names.push_back(t.name);
  }
  return names;
}

bool refused_for_multi(const api::CompileResult& r) {
  return !r.ok && !r.diagnostics.empty() && r.diagnostics.front().message.find("Multi") != std::string::npos;
}

// A random dictionary of `pairs` distinct 3-letter keys with random values
// and a query that is one of them (or, with chance 1/10, none of them).
struct Dictionary {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::string query;
  std::string answer;  // "" when the query is not a key
};

Dictionary random_dictionary(std::mt19937& rng, int pairs) {
  std::uniform_int_distribution<int> letter('A', 'Z');
  const auto word = [&] {
    return std::string{static_cast<char>(letter(rng)), static_cast<char>(letter(rng)), static_cast<char>(letter(rng))};
  };
  Dictionary d;
  std::set<std::string> keys;
  while (static_cast<int>(d.pairs.size()) < pairs) {
    std::string key = word();
    if (!keys.insert(key).second) continue;
    d.pairs.emplace_back(key, word());
  }
  if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) {
    do d.query = word();
    while (keys.count(d.query));
  } else {
    const auto& pick = d.pairs[static_cast<std::size_t>(std::uniform_int_distribution<int>(0, pairs - 1)(rng))];
    d.query = pick.first;
    d.answer = pick.second;
  }
  return d;
}

TEST(FixedWeights, TheWeightsAreTheSameWhateverHappensBetweenCompiles) {
  const std::vector<std::vector<double>> dictionary_prompt = [] {
    const auto pairs = country_capitals();
    return build_dictionary_prompt("CAN", pairs, "?ABCDEFGHIJKLMNOPQRSTUVWXYZ").tokens;
  }();
  int compared = 0;
  for (const std::string& target : all_targets()) {
    for (Activations activations : {Activations::Paper, Activations::Standard}) {
      for (const std::string& name : {std::string("discrete_ua"), std::string("continuous_ua")}) {
        SCOPED_TRACE(target + (activations == Activations::Paper ? " paper " : " standard ") + name);
        const nlohmann::json companion = example_companion(name);
        std::map<std::string, std::string> params = companion_params(companion);
        if (name == "discrete_ua") params["n"] = "3";
        if (target == "linear-rnn" || target == "rnn") params["form"] = "step";  // a form without Multi
        const api::CompileResult first = compile_example(name, target, activations, params);
        ASSERT_TRUE(first.ok) << first_message(first.diagnostics);
        // Another program compiled in between: nothing carries over.
        ASSERT_TRUE(compile_example("counter", target, activations, {}).ok);
        const api::CompileResult second = compile_example(name, target, activations, params);
        ASSERT_TRUE(second.ok) << first_message(second.diagnostics);
        const std::string bytes = export_safetensors(*first.model->model);
        EXPECT_GT(bytes.size(), 100u);
        EXPECT_EQ(bytes, export_safetensors(*second.model->model));
        // What run runs is that model: the same outputs, bit for bit.
        const std::vector<std::vector<double>> tokens =
            name == "discrete_ua" ? dictionary_prompt
                                  : companion_tokens(companion.at("prompt"), first.model->info).tokens;
        api::RunOptions run_only;
        run_only.compare_with_program = false;
        const api::RunResult a = api::run(*first.model, tokens, run_only);
        const api::RunResult b = api::run(*second.model, tokens, run_only);
        ASSERT_TRUE(a.ok) << first_message(a.diagnostics);
        ASSERT_TRUE(b.ok) << first_message(b.diagnostics);
        EXPECT_EQ(a.outputs, b.outputs);
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, static_cast<int>(all_targets().size()) * 4);
}

TEST(FixedWeights, PromptsOutsideTheDomainOrLongerThanTAreRefusedBeforeRunning) {
  for (const std::string& target : {std::string("dag"), std::string("lstm"), std::string("mamba")}) {
    SCOPED_TRACE(target);
    const api::CompileResult compiled = compile_example("discrete_ua", target, Activations::Paper, {});
    ASSERT_TRUE(compiled.ok) << first_message(compiled.diagnostics);
    const api::CompiledModel& m = *compiled.model;
    EXPECT_EQ(m.domain.bounds_source, "vocabulary");
    EXPECT_EQ(m.max_length, 4096);
    const api::RunResult outside = api::run(m, {{1}, {2}, {27}}, api::RunOptions{});
    ASSERT_FALSE(outside.ok);
    const std::string message = outside.diagnostics.front().message;
    for (const char* part : {"token 3, component 1", "27", "[0, 26]", "vocabulary", "bounds=[lo, hi]"}) {
      EXPECT_NE(message.find(part), std::string::npos) << part << " in: " << message;
    }
    EXPECT_GT(outside.diagnostics.front().span.line, 0) << "the message points at Input(...)";
    const api::RunResult nan = api::run(m, {{1}, {std::nan("")}}, api::RunOptions{});
    ASSERT_FALSE(nan.ok);
    EXPECT_NE(nan.diagnostics.front().message.find("token 2"), std::string::npos);
    EXPECT_TRUE(api::run(m, {{0}, {26}}, api::RunOptions{}).ok);
  }
  api::CompileOptions options;
  options.target = "lstm";
  options.max_sequence_length = 5;
  const api::CompileResult short_model = api::compile(example_source("discrete_ua"), options);
  ASSERT_TRUE(short_model.ok);
  EXPECT_EQ(short_model.model->max_length_source, "option");
  EXPECT_TRUE(api::run(*short_model.model, std::vector<std::vector<double>>(5, {1}), api::RunOptions{}).ok);
  const api::RunResult longer =
      api::run(*short_model.model, std::vector<std::vector<double>>(6, {1}), api::RunOptions{});
  ASSERT_FALSE(longer.ok);
  const std::string message = longer.diagnostics.front().message;
  for (const char* part : {"6 tokens", "at most 5", "--max-length", "max_length=6", "--max-length 6"}) {
    EXPECT_NE(message.find(part), std::string::npos) << part << " in: " << message;
  }
}

// One model per target and form answers many dictionaries: 100 for the
// default form, 12 for each other form the target represents (a fifth of
// them under the sanitizers, LSRL_TEST_SCALE: this is the suite's longest
// test, 75 s in Release; every tenth prompt is still a long one).
TEST(FixedWeights, OneModelPerTargetAnswersOneHundredDictionaries) {
  const auto start = std::chrono::steady_clock::now();
  const std::string vocab = "?ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (const std::string& target : all_targets()) {
    for (const std::string& form : kForms) {
      SCOPED_TRACE(target + " " + form);
      const int prompts = testing_support::scaled_count(form == "multiplicative" ? 100 : 12);
      const api::CompileResult compiled =
          compile_example("discrete_ua", target, Activations::Paper, {{"n", "3"}, {"form", form}});
      if (refused_for_multi(compiled) && (target == "linear-rnn" || target == "rnn")) continue;
      ASSERT_TRUE(compiled.ok) << first_message(compiled.diagnostics);
      std::mt19937 rng(1000 + static_cast<unsigned>(prompts));
      int right = 0;
      for (int p = 0; p < prompts; ++p) {
        // Mostly short dictionaries; every tenth about 390 pairs (~2,350 tokens).
        const int pairs = p % 10 == 9 ? 390 : std::uniform_int_distribution<int>(2, 40)(rng);
        const Dictionary d = random_dictionary(rng, pairs);
        const PromptResult prompt = build_dictionary_prompt(d.query, d.pairs, vocab);
        ASSERT_TRUE(prompt.ok);
        const api::RunResult r = api::run(*compiled.model, prompt.tokens, api::RunOptions{});
        ASSERT_TRUE(r.ok) << first_message(r.diagnostics);
        ASSERT_TRUE(r.text && r.fidelity && r.fidelity->wrong_tokens);
        const std::string answer = r.text->substr(r.text->size() - 3);
        const bool ok = *r.fidelity->wrong_tokens == 0 && (d.answer.empty() || answer == d.answer);
        EXPECT_TRUE(ok) << "prompt " << p << " (" << pairs << " pairs, query " << d.query << "): answered " << answer
                        << ", want " << (d.answer.empty() ? "the program's" : d.answer) << "; "
                        << *r.fidelity->wrong_tokens << " tokens differ from the program";
        right += ok;
      }
      std::printf("[ %-16s %-24s %3d / %3d prompts right ]\n", target.c_str(), form.c_str(), right, prompts);
    }
  }
  std::printf("[ %.1f s ]\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

// One model per target answers 100 functions and query points within 1e-6
// of the program.
TEST(FixedWeights, OneModelPerTargetApproximatesOneHundredFunctions) {
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& target : all_targets()) {
    SCOPED_TRACE(target);
    std::map<std::string, std::string> params = {{"d_in", "2"}, {"d_out", "1"}};
    if (target == "linear-rnn" || target == "rnn") params["form"] = "step";
    const api::CompileResult compiled = compile_example("continuous_ua", target, Activations::Paper, params);
    ASSERT_TRUE(compiled.ok) << first_message(compiled.diagnostics);
    std::mt19937 rng(4321);
    std::uniform_real_distribution<double> unit(0.0, 1.0), coefficient(-1.0, 1.0);
    double worst = 0;
    for (int p = 0; p < 100; ++p) {
      char text[160];
      std::snprintf(text, sizeof text, "%.3f*sin(%.3f*x1 + %.3f)*x2 + %.3f*x1*x1", 0.5 * coefficient(rng),
                    6 * coefficient(rng), 3 * coefficient(rng), 0.5 * coefficient(rng));
      TargetFunction f;
      Diagnostic error;
      ASSERT_TRUE(TargetFunction::parse(text, 2, f, error)) << text;
      const int cells = std::uniform_int_distribution<int>(2, 7)(rng);
      const PromptResult prompt = build_continuous_prompt(f, cells, {unit(rng), unit(rng)});
      ASSERT_TRUE(prompt.ok);
      const api::RunResult r = api::run(*compiled.model, prompt.tokens, api::RunOptions{});
      ASSERT_TRUE(r.ok) << first_message(r.diagnostics);
      ASSERT_TRUE(r.fidelity);
      EXPECT_LE(r.fidelity->max_deviation, 1e-6) << "prompt " << p << ": " << text;
      worst = std::max(worst, r.fidelity->max_deviation);
    }
    std::printf("[ %-16s 100 functions: worst deviation from the program %.3g ]\n", target.c_str(), worst);
  }
  std::printf("[ %.1f s ]\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace
}  // namespace lsrl
