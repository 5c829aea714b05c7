// The examples: each has a companion with a default prompt; each computes
// what its header comment says (checked against a direct C++ computation of
// the same thing); and each gives the same outputs on the program's own
// semantics (dag) and after compilation (linear-rnn when Multi-free,
// gated-linear-rnn) bit for bit in f64: the compiler rewrites only where the
// rounding stays the program's, and the linear RNNs run the path's ops in the
// DAG's order.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <set>

#include "example_support.hpp"

namespace lsrl {
namespace {

using namespace example_support;

constexpr double kAgreement = 0.0;  // bit for bit (output_comparison.hpp)
const std::vector<std::string> kForms = {"original", "optimized", "step", "multiplicative", "multiplicative_optimized"};

std::shared_ptr<const api::CompiledModel> compile_or_fail(const std::string& name, const std::string& target,
                                                          const std::map<std::string, std::string>& params) {
  api::CompileOptions options;
  options.filename = name + ".lsrl";
  options.target = target;
  options.params = params;
  api::CompileResult result = api::compile(example_source(name), options);
  EXPECT_TRUE(result.ok) << name << " on " << target << ":\n" << first_message(result.diagnostics);
  return result.ok ? result.model : nullptr;
}

OutputRows run_or_fail(const api::CompiledModel& model, const std::vector<std::vector<double>>& tokens) {
  api::RunResult result = api::run(model, tokens, api::RunOptions{});
  EXPECT_TRUE(result.ok) << model.filename << " on " << model.target << ":\n" << first_message(result.diagnostics);
  return result.outputs;
}

// Runs `name` with `params` and its companion's prompt on dag, linear-rnn and
// gated-linear-rnn, and checks the agreement. Multi-carrying programs must be
// refused by linear-rnn with a message that points to the gated target.
void expect_targets_agree(const std::string& name, std::map<std::string, std::string> params) {
  SCOPED_TRACE(name);
  const nlohmann::json companion = example_companion(name);
  auto dag = compile_or_fail(name, "dag", params);
  ASSERT_TRUE(dag);
  PromptTokens prompt = companion_tokens(companion.at("prompt"), dag->info);
  ASSERT_TRUE(prompt.ok) << prompt.error;
  ASSERT_FALSE(prompt.tokens.empty());
  const OutputRows reference = run_or_fail(*dag, prompt.tokens);
  ASSERT_EQ(reference.size(), prompt.tokens.size());

  auto gated = compile_or_fail(name, "gated-linear-rnn", params);
  ASSERT_TRUE(gated);
  ASSERT_TRUE(gated->path.has_value());
  const OutputRows gated_outputs = run_or_fail(*gated, prompt.tokens);
  EXPECT_EQ(output_comparison::first_difference(reference, gated_outputs, kAgreement), "")
      << "gated-linear-rnn differs from dag";

  api::CompileOptions linear_options;
  linear_options.filename = name + ".lsrl";
  linear_options.target = "linear-rnn";
  linear_options.params = params;
  api::CompileResult linear = api::compile(example_source(name), linear_options);
  if (gated->path->has_multi()) {
    ASSERT_FALSE(linear.ok) << "linear-rnn accepted a program with Multi";
    EXPECT_NE(first_message(linear.diagnostics).find("gated-linear-rnn"), std::string::npos)
        << first_message(linear.diagnostics);
  } else {
    ASSERT_TRUE(linear.ok) << first_message(linear.diagnostics);
    const OutputRows linear_outputs = run_or_fail(*linear.model, prompt.tokens);
    EXPECT_EQ(output_comparison::first_difference(reference, linear_outputs, kAgreement), "")
        << "linear-rnn differs from dag";
  }
}

// ---------------------------------------------------------------------------

TEST(Examples, EachHasAHeaderCommentAndACompanion) {
  const std::vector<std::string> names = example_names();
  for (const char* required : {"more_ones", "continuous_ua", "discrete_ua", "counter", "modulo", "delay", "threshold"})
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required << ".lsrl is missing";

  for (const auto& name : names) {
    SCOPED_TRACE(name);
    const std::string source = example_source(name);
    ASSERT_FALSE(source.empty());
    EXPECT_EQ(source[0], '#') << "an example starts with a comment saying what it does and what to give it";

    nlohmann::json companion;
    ASSERT_NO_THROW(companion = example_companion(name)) << name << ".example.json is missing or not JSON";
    EXPECT_TRUE(companion.contains("title"));
    EXPECT_TRUE(companion.contains("description"));
    ASSERT_TRUE(companion.contains("prompt"));

    api::CompileOptions options;
    options.filename = name + ".lsrl";
    options.params = companion_params(companion);
    api::CheckResult checked = api::check(source, options);
    ASSERT_TRUE(checked.ok) << first_message(checked.diagnostics);
    std::set<std::string> declared;
    for (const auto& p : checked.info.params) declared.insert(p.name);
    for (const auto& [key, value] : options.params)
      EXPECT_TRUE(declared.count(key)) << "the companion sets '" << key << "', which the program does not declare";
  }
}

// The commands an example's header comment tells a reader to type
// ("lsrlc run examples/NAME.lsrl ...", with "\\" continuations), each with
// the outputs the comment promises ("(outputs 0 0 1 2)"), if it does.
struct DocumentedCommand {
  std::string arguments;  // everything after "lsrlc "
  std::vector<double> promised_outputs;
};

std::vector<DocumentedCommand> documented_commands(const std::string& source) {
  std::vector<std::string> comment;
  std::istringstream lines(source);
  for (std::string line; std::getline(lines, line) && !line.empty() && line[0] == '#';)
    comment.push_back(line.substr(1));
  std::vector<DocumentedCommand> commands;
  for (std::size_t i = 0; i < comment.size(); ++i) {
    const auto at = comment[i].find("lsrlc run ");
    if (at == std::string::npos) continue;
    DocumentedCommand command;
    command.arguments = comment[i].substr(at + 6);
    while (!command.arguments.empty() && command.arguments.back() == '\\' && i + 1 < comment.size())
      command.arguments = command.arguments.substr(0, command.arguments.size() - 1) + " " + comment[++i];
    for (std::size_t j = i + 1; j < comment.size() && comment[j].find("lsrlc") == std::string::npos; ++j) {
      const auto promised = comment[j].find("(outputs ");
      if (promised == std::string::npos) continue;
      std::istringstream numbers(comment[j].substr(promised + 9));
      for (double v; numbers >> v;) command.promised_outputs.push_back(v);
      break;
    }
    commands.push_back(command);
  }
  return commands;
}

TEST(Examples, TheCommandsInTheirCommentsWork) {
  int commands_run = 0;
  for (const auto& name : example_names()) {
    for (const auto& command : documented_commands(example_source(name))) {
      SCOPED_TRACE(name + ": lsrlc " + command.arguments);
      const std::string shell =
          "cd '" + std::string(LSRL_SOURCE_DIR) + "' && '" + LSRL_LSRLC + "' " + command.arguments + " 2>&1";
      FILE* pipe = popen(shell.c_str(), "r");
      ASSERT_NE(pipe, nullptr);
      std::string output;
      char buffer[4096];
      for (std::size_t got; (got = fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, got);
      const int status = pclose(pipe);
      ++commands_run;
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;

      std::vector<double> printed;
      std::string text_line;
      std::istringstream rows(output);
      for (std::string row; std::getline(rows, row);) {
        if (row.rfind("text: ", 0) == 0) {
          text_line = row.substr(6);
          continue;
        }
        std::istringstream numbers(row);
        for (double v; numbers >> v;) printed.push_back(v);
      }
      if (!command.promised_outputs.empty()) {
        ASSERT_EQ(printed.size(), command.promised_outputs.size()) << output;
        for (std::size_t k = 0; k < printed.size(); ++k) EXPECT_NEAR(printed[k], command.promised_outputs[k], 1e-9);
      }
      if (command.arguments.find("--query CAN") != std::string::npos) {
        ASSERT_GE(text_line.size(), 3u) << output;
        EXPECT_EQ(text_line.substr(text_line.size() - 3), "OTT");
      }
    }
  }
  EXPECT_GE(commands_run, 8);
}

class ExampleAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(ExampleAgreement, DagLinearAndGatedLinearRnnAgree) {
  expect_targets_agree(GetParam(), companion_params(example_companion(GetParam())));
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleAgreement, ::testing::ValuesIn(example_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

class UniversalApproximationForms : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(UniversalApproximationForms, EveryIfElseFormAgreesAcrossTargets) {
  const auto& [name, form] = GetParam();
  auto params = companion_params(example_companion(name));
  params["form"] = form;
  expect_targets_agree(name, params);
}

INSTANTIATE_TEST_SUITE_P(Examples, UniversalApproximationForms,
                         ::testing::Combine(::testing::Values("continuous_ua", "discrete_ua"),
                                            ::testing::ValuesIn(kForms)),
                         [](const ::testing::TestParamInfo<std::tuple<std::string, std::string>>& info) {
                           return std::get<0>(info.param) + "_" + std::get<1>(info.param);
                         });

// ---------------------------------------------------------------------------
// What each example computes, against the same thing computed directly.

struct ExampleRun {
  std::vector<std::vector<double>> tokens;
  OutputRows outputs;
  std::optional<std::string> text;
};

ExampleRun run_on_dag(const std::string& name, const std::map<std::string, std::string>& params,
                      const std::string& input_text = "") {
  ExampleRun out;
  auto model = compile_or_fail(name, "dag", params);
  if (!model) return out;
  if (input_text.empty()) {
    PromptTokens prompt = companion_tokens(example_companion(name).at("prompt"), model->info);
    EXPECT_TRUE(prompt.ok) << prompt.error;
    out.tokens = prompt.tokens;
  } else {
    api::TokensResult parsed = api::parse_tokens(input_text, model->info.input_dim);
    EXPECT_TRUE(parsed.ok) << first_message(parsed.diagnostics);
    out.tokens = parsed.tokens;
  }
  api::RunResult result = api::run(*model, out.tokens, api::RunOptions{});
  EXPECT_TRUE(result.ok) << first_message(result.diagnostics);
  out.outputs = result.outputs;
  out.text = result.text;
  return out;
}

TEST(ExampleBehaviour, MoreOnesComparesTheCounts) {
  ExampleRun r = run_on_dag("more_ones", {}, "1 0 1 1 0 0 0 1 1 1 0");
  ASSERT_EQ(r.outputs.size(), r.tokens.size());
  int ones = 0, zeros = 0;
  for (std::size_t t = 0; t < r.tokens.size(); ++t) {
    (r.tokens[t][0] == 1 ? ones : zeros) += 1;
    EXPECT_NEAR(r.outputs[t][0], ones > zeros ? 1.0 : 0.0, 1e-12) << "step " << t;
  }
}

TEST(ExampleBehaviour, CounterCountsSumsAndAverages) {
  for (double alpha : {0.5, 0.2}) {
    std::ostringstream a;
    a << alpha;
    ExampleRun r = run_on_dag("counter", {{"alpha", a.str()}}, "2 4 6 8 10 -3 1.5");
    ASSERT_EQ(r.outputs.size(), r.tokens.size());
    double total = 0, average = 0;
    for (std::size_t t = 0; t < r.tokens.size(); ++t) {
      const double x = r.tokens[t][0];
      total += x;
      average = (1 - alpha) * average + alpha * x;
      ASSERT_EQ(r.outputs[t].size(), 3u);
      EXPECT_NEAR(r.outputs[t][0], static_cast<double>(t + 1), 1e-12);
      EXPECT_NEAR(r.outputs[t][1], total, 1e-12);
      EXPECT_NEAR(r.outputs[t][2], average, 1e-12);
    }
  }
}

TEST(ExampleBehaviour, ModuloCountsModK) {
  for (int k : {2, 3, 5, 7}) {
    ExampleRun r = run_on_dag("modulo", {{"k", std::to_string(k)}}, "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0");
    ASSERT_EQ(r.outputs.size(), r.tokens.size());
    for (std::size_t t = 0; t < r.tokens.size(); ++t) {
      ASSERT_EQ(r.outputs[t].size(), 3u);
      EXPECT_NEAR(r.outputs[t][0], static_cast<double>(t), 1e-9) << "k=" << k;
      EXPECT_NEAR(r.outputs[t][1], static_cast<double>(t % static_cast<std::size_t>(k)), 1e-9)
          << "k=" << k << " t=" << t;
      EXPECT_NEAR(r.outputs[t][2], t % static_cast<std::size_t>(k) == 0 ? 1.0 : 0.0, 1e-9) << "k=" << k << " t=" << t;
    }
  }
}

TEST(ExampleBehaviour, DelayOutputsTheTokenFromKStepsAgo) {
  for (int k : {1, 2, 4}) {
    ExampleRun r = run_on_dag("delay", {{"k", std::to_string(k)}}, "1 2 3 4 5 6 -7 8.5");
    ASSERT_EQ(r.outputs.size(), r.tokens.size());
    for (std::size_t t = 0; t < r.tokens.size(); ++t) {
      const double expected = t >= static_cast<std::size_t>(k) ? r.tokens[t - static_cast<std::size_t>(k)][0] : 0.0;
      EXPECT_NEAR(r.outputs[t][0], expected, 1e-12) << "k=" << k << " t=" << t;
    }
  }
}

TEST(ExampleBehaviour, ThresholdFindsTheCrossing) {
  ExampleRun r = run_on_dag("threshold", {{"threshold", "5"}}, "1 2 0.5 3 1 2 4");
  ASSERT_EQ(r.outputs.size(), r.tokens.size());
  double total = 0;
  bool was_above = false;
  for (std::size_t t = 0; t < r.tokens.size(); ++t) {
    total += r.tokens[t][0];
    const bool above = total > 5;
    ASSERT_EQ(r.outputs[t].size(), 3u);
    EXPECT_NEAR(r.outputs[t][0], total, 1e-12);
    EXPECT_NEAR(r.outputs[t][1], above ? 1.0 : 0.0, 1e-9) << "t=" << t;
    EXPECT_NEAR(r.outputs[t][2], above && !was_above ? 1.0 : 0.0, 1e-9) << "t=" << t;
    was_above = above;
  }
}

TEST(ExampleBehaviour, GatedSumAddsFlaggedValues) {
  ExampleRun r = run_on_dag("gated_sum", {});
  ASSERT_EQ(r.outputs.size(), r.tokens.size());
  double total = 0;
  for (std::size_t t = 0; t < r.tokens.size(); ++t) {
    if (r.tokens[t][1] == 1) total += r.tokens[t][0];
    EXPECT_NEAR(r.outputs[t][0], total, 1e-12);
  }
}

TEST(ExampleBehaviour, DiscreteUaAnswersOttForCan) {
  ExampleRun r = run_on_dag("discrete_ua", {});
  ASSERT_TRUE(r.text.has_value());
  ASSERT_GE(r.text->size(), 3u);
  EXPECT_EQ(r.text->substr(r.text->size() - 3), "OTT");
}

TEST(ExampleBehaviour, ContinuousUaReturnsTheValueOfTheQuerysCell) {
  const nlohmann::json prompt = example_companion("continuous_ua").at("prompt");
  ExampleRun r = run_on_dag("continuous_ua", {});
  ASSERT_FALSE(r.outputs.empty());
  const auto query = prompt.at("query").get<std::vector<double>>();
  const double N = prompt.at("cells").get<double>();
  std::vector<double> centre;
  for (double q : query) centre.push_back((std::floor(q * N) + 0.5) / N);
  TargetFunction f;
  Diagnostic error;
  ASSERT_TRUE(
      TargetFunction::parse(prompt.at("function").get<std::string>(), static_cast<int>(query.size()), f, error));
  EXPECT_NEAR(r.outputs.back()[0], f(centre)[0], 1e-9);
}

}  // namespace
}  // namespace lsrl
