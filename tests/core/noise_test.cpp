// The paper's weight-noise experiment (Sec. 5, Fig. 4): the sampler
// (compile/path_noise.hpp), add_weight_noise on a compiled PathModel,
// api::with_weight_noise, and `lsrlc noise` end to end (the built binary,
// LSRL_LSRLC, on the shipped examples).
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "api/api.hpp"
#include "compile/path_noise.hpp"
#include "lsrlc_process.hpp"

namespace lsrl {
namespace {

namespace fs = std::filesystem;
const std::string kSourceDir = LSRL_SOURCE_DIR;

using cli_process::read_file;

std::shared_ptr<const api::CompiledModel> compile_example(const std::string& name, const std::string& target,
                                                          const std::string& form) {
  api::CompileOptions options;
  options.filename = name + ".lsrl";
  options.target = target;
  options.params["form"] = form;
  api::CompileResult r = api::compile(read_file(kSourceDir + "/examples/" + name + ".lsrl"), options);
  EXPECT_TRUE(r.ok) << render_all(r.diagnostics);
  return r.model;
}

// Every weight entry add_weight_noise visits, zeros included, in its order,
// as (value, was it zero); and the initial states, which it must not touch.
struct Entries {
  std::vector<double> values;
  std::vector<double> init;
};
Entries entries_of(const PathModel& path) {
  Entries e;
  auto sparse = [&](const NumSparse& m) {
    for (int r = 0; r < m.rows(); ++r)
      for (int c = 0; c < m.cols(); ++c) e.values.push_back(m.coeff(r, c).to_double());
  };
  auto dense = [&](const NumVector& v, std::vector<double>& out) {
    for (Eigen::Index i = 0; i < v.size(); ++i) out.push_back(v[i].to_double());
  };
  for (const auto& layer : path.layers) {
    sparse(layer.A);
    sparse(layer.B);
    dense(layer.bias, e.values);
    dense(layer.init, e.init);
    for (const auto& op : layer.ops) {
      if (op.kind != PathOpKind::Linear) continue;
      sparse(op.A);
      dense(op.b, e.values);
    }
  }
  return e;
}

TEST(WeightNoise, SamplerIsStandardNormalAndDeterministic) {
  StandardNormalSampler a(7), b(7), c(8);
  const int n = 200000;
  double sum = 0, sum_sq = 0, beyond_two = 0;
  bool c_differs = false;
  for (int i = 0; i < n; ++i) {
    const double z = a.next();
    ASSERT_TRUE(std::isfinite(z));
    ASSERT_EQ(std::bit_cast<std::uint64_t>(z), std::bit_cast<std::uint64_t>(b.next()));
    c_differs = c_differs || c.next() != z;
    sum += z;
    sum_sq += z * z;
    beyond_two += std::fabs(z) > 2 ? 1 : 0;
  }
  const double mean = sum / n;
  const double variance = sum_sq / n - mean * mean;
  // Standard errors: 1/sqrt(n) = 0.0022 for the mean, sqrt(2/n) = 0.0032 for
  // the variance; 5 of them each. P(|z| > 2) = 0.0455.
  EXPECT_LT(std::fabs(mean), 0.011);
  EXPECT_LT(std::fabs(variance - 1), 0.016);
  EXPECT_NEAR(beyond_two / n, 0.0455, 0.003);
  EXPECT_TRUE(c_differs);
}

TEST(WeightNoise, SigmaZeroGivesTheModelBackBitForBit) {
  auto model = compile_example("discrete_ua", "gated-linear-rnn", "original");
  ASSERT_TRUE(model && model->path);
  const PathModel noisy = add_weight_noise(*model->path, 0, 1);
  const Entries before = entries_of(*model->path), after = entries_of(noisy);
  ASSERT_EQ(before.values.size(), after.values.size());
  for (std::size_t i = 0; i < before.values.size(); ++i)
    ASSERT_EQ(std::bit_cast<std::uint64_t>(before.values[i]), std::bit_cast<std::uint64_t>(after.values[i])) << i;

  api::CompileResult same = api::with_weight_noise(*model, 0, 1);
  ASSERT_TRUE(same.ok) << render_all(same.diagnostics);
  const std::vector<std::vector<double>> tokens{{3}, {1}, {14}, {3}, {1}, {14}, {15}, {20}, {20}};
  api::RunOptions options;
  options.compare_with_program = false;
  const api::RunResult clean = api::run(*model, tokens, options);
  const api::RunResult again = api::run(*same.model, tokens, options);
  ASSERT_TRUE(clean.ok && again.ok);
  EXPECT_EQ(clean.outputs, again.outputs);
}

TEST(WeightNoise, TouchesOnlyNonZerosIsZeroMeanAndScalesWithSigma) {
  auto model = compile_example("discrete_ua", "gated-linear-rnn", "original");
  ASSERT_TRUE(model && model->path);
  const Entries clean = entries_of(*model->path);
  const Entries small = entries_of(add_weight_noise(*model->path, 1e-3, 42));
  const Entries large = entries_of(add_weight_noise(*model->path, 1e-1, 42));
  ASSERT_EQ(clean.values.size(), small.values.size());
  EXPECT_EQ(clean.init, small.init);  // initial states are not weights
  long long nonzeros = 0;
  double sum = 0, sum_sq = 0;
  for (std::size_t i = 0; i < clean.values.size(); ++i) {
    if (clean.values[i] == 0) {
      ASSERT_EQ(small.values[i], 0) << "a zero weight was perturbed at entry " << i;
      continue;
    }
    ++nonzeros;
    // Weights as large as lambda = 1e10 lose the noise to rounding; the rest
    // carry it.
    if (std::fabs(clean.values[i]) > 1e6) continue;
    const double z = (small.values[i] - clean.values[i]) / 1e-3;
    ASSERT_NE(small.values[i], clean.values[i]) << "a non-zero weight was left alone at entry " << i;
    // The same seed draws the same directions for every sigma.
    EXPECT_NEAR((large.values[i] - clean.values[i]) / 1e-1, z, 1e-6 * (1 + std::fabs(clean.values[i])));
    sum += z;
    sum_sq += z * z;
  }
  EXPECT_EQ(nonzeros, noisy_entry_count(*model->path));
  ASSERT_GT(nonzeros, 200);
  const double mean = sum / static_cast<double>(nonzeros);
  EXPECT_LT(std::fabs(mean), 5 / std::sqrt(static_cast<double>(nonzeros)));
  EXPECT_NEAR(sum_sq / static_cast<double>(nonzeros), 1, 0.35);

  const Entries same_seed = entries_of(add_weight_noise(*model->path, 1e-3, 42));
  const Entries other_seed = entries_of(add_weight_noise(*model->path, 1e-3, 43));
  EXPECT_EQ(small.values, same_seed.values);
  EXPECT_NE(small.values, other_seed.values);
}

TEST(WeightNoise, ApiRefusesOtherTargetsAndBadSigmas) {
  api::CompileOptions options;
  options.target = "dag";
  api::CompileResult dag = api::compile(read_file(kSourceDir + "/examples/more_ones.lsrl"), options);
  ASSERT_TRUE(dag.ok);
  api::CompileResult r = api::with_weight_noise(*dag.model, 1e-3, 0);
  EXPECT_FALSE(r.ok);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_NE(r.diagnostics[0].message.find("linear-rnn"), std::string::npos);

  options.target = "gru";
  api::CompileResult gru = api::compile(read_file(kSourceDir + "/examples/more_ones.lsrl"), options);
  ASSERT_TRUE(gru.ok) << render_all(gru.diagnostics);
  r = api::with_weight_noise(*gru.model, 1e-3, 0);
  EXPECT_FALSE(r.ok);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_NE(r.diagnostics[0].message.find("not for gru"), std::string::npos);

  options.target = "linear-rnn";
  api::CompileResult linear = api::compile(read_file(kSourceDir + "/examples/more_ones.lsrl"), options);
  ASSERT_TRUE(linear.ok) << render_all(linear.diagnostics);
  for (double sigma : {-1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    r = api::with_weight_noise(*linear.model, sigma, 0);
    EXPECT_FALSE(r.ok) << sigma;
    EXPECT_FALSE(r.diagnostics.empty());
  }
  r = api::with_weight_noise(*linear.model, 1e-2, 0);
  ASSERT_TRUE(r.ok) << render_all(r.diagnostics);
  EXPECT_EQ(r.model->target, "linear-rnn");
}

// ---------------------------------------------------------------------------
// lsrlc noise
// ---------------------------------------------------------------------------

using cli_process::lsrlc;
using cli_process::Outcome;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream s(text);
  std::string line;
  while (std::getline(s, line)) lines.push_back(line);
  return lines;
}

TEST(NoiseCli, DictionaryTableHasOneLinePerFormSigmaAndTrial) {
  const Outcome o =
      lsrlc({"noise", kSourceDir + "/examples/discrete_ua.lsrl", "--sigmas", "0,1e-2", "--trials", "2", "--seed", "3"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 2u + 5 * 2 * 2) << o.out;  // comment, header, 5 forms x 2 sigmas x 2 trials
  EXPECT_NE(lines[0].find("wrong tokens of 75 (25 queries x 3 tokens)"), std::string::npos) << lines[0];
  std::istringstream header(lines[1]);
  std::string a, b, c, d;
  header >> a >> b >> c >> d;
  EXPECT_EQ(a + " " + b + " " + c + " " + d, "form sigma trial wrong_tokens");
  int saw_noisy_errors = 0;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    std::istringstream row(lines[i]);
    std::string form;
    double sigma = -1, wrong = -1;
    int trial = -1;
    row >> form >> sigma >> trial >> wrong;
    ASSERT_FALSE(row.fail()) << lines[i];
    EXPECT_TRUE(trial == 0 || trial == 1);
    EXPECT_GE(wrong, 0);
    EXPECT_LE(wrong, 75);
    if (sigma == 0) {
      EXPECT_EQ(wrong, 0) << "the noise-free model must answer every query: " << lines[i];
    }
    if (sigma > 0 && wrong > 0) ++saw_noisy_errors;
  }
  // sigma = 1e-2 breaks at least the original form (lambda = 1e10 times noise).
  EXPECT_GT(saw_noisy_errors, 0) << o.out;
}

TEST(NoiseCli, ContinuousJsonIsDeterministicAndZeroWithoutNoise) {
  const std::vector<std::string> args = {"noise",    kSourceDir + "/examples/continuous_ua.lsrl",
                                         "--param",  "form=multiplicative",
                                         "--sigmas", "0,1e-4",
                                         "--trials", "2",
                                         "--seed",   "9",
                                         "--json"};
  const Outcome first = lsrlc(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const Outcome second = lsrlc(args);
  EXPECT_EQ(first.out, second.out);
  const nlohmann::json j = nlohmann::json::parse(first.out);
  EXPECT_EQ(j["measure"], "max_error");
  EXPECT_EQ(j["queries"], 17);  // 4 x 4 grid centres and the example's query
  ASSERT_EQ(j["rows"].size(), 4u);
  for (const auto& row : j["rows"]) {
    EXPECT_EQ(row["form"], "multiplicative");
    ASSERT_TRUE(row["value"].is_number()) << row.dump();
    if (row["sigma"].get<double>() == 0) {
      EXPECT_EQ(row["value"].get<double>(), 0);
    } else {
      EXPECT_GT(row["value"].get<double>(), 0);
    }
  }
}

TEST(NoiseCli, LinearRnnSweepLeavesOutTheFormsItCannotHold) {
  const Outcome o = lsrlc(
      {"noise", kSourceDir + "/examples/discrete_ua.lsrl", "--target", "linear-rnn", "--sigmas", "0", "--trials", "1"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const auto lines = lines_of(o.out);
  ASSERT_EQ(lines.size(), 2u + 3) << o.out;  // original, optimized, step
  for (std::size_t i = 2; i < lines.size(); ++i)
    EXPECT_EQ(lines[i].find("multiplicative"), std::string::npos) << lines[i];
  EXPECT_NE(o.err.find("form multiplicative does not compile for linear-rnn"), std::string::npos) << o.err;
}

TEST(NoiseCli, ErrorsSayWhatToDo) {
  const std::string program = kSourceDir + "/examples/discrete_ua.lsrl";
  Outcome o = lsrlc({"noise", program, "--sigmas", "1e-3,-1"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("--sigmas: '-1'"), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty());

  o = lsrlc({"noise", program, "--target", "gru"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("use linear-rnn or gated-linear-rnn"), std::string::npos) << o.err;

  o = lsrlc({"noise", program, "--trials", "0"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("--trials '0'"), std::string::npos) << o.err;

  o = lsrlc({"noise", program, "--bogus"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("unknown option '--bogus'"), std::string::npos) << o.err;

  const fs::path lonely = fs::temp_directory_path() / ("lonely_" + std::to_string(::getpid()) + ".lsrl");
  std::ofstream(lonely) << read_file(kSourceDir + "/examples/more_ones.lsrl");
  o = lsrlc({"noise", lonely.string()});
  fs::remove(lonely);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("example file"), std::string::npos) << o.err;
}

// The sweep the CLI and the page share (api::noise_sweep): sigma 0 answers
// every key on every form, noise of 1e-3 breaks the ReLU-based forms, a form
// the target cannot hold is left out with the compiler's refusal, and bad
// options are diagnostics, not exceptions.
TEST(NoiseSweep, MeasuresWrongTokensPerFormAndLeavesOutWhatTheTargetCannotHold) {
  api::NoiseSweepOptions sweep;
  sweep.compile.filename = "discrete_ua.lsrl";
  sweep.compile.target = "linear-rnn";
  sweep.sigmas = {0, 1e-3};
  sweep.trials = 1;
  sweep.kind = "dictionary";
  sweep.pairs = {{"AUS", "VIE"}, {"CAN", "OTT"}, {"FRA", "PAR"}};
  const std::string source = read_file(kSourceDir + "/examples/discrete_ua.lsrl");
  const api::NoiseSweepResult r = api::noise_sweep(source, sweep);
  ASSERT_TRUE(r.ok) << render_all(r.diagnostics);
  EXPECT_EQ(r.measure, "wrong_tokens");
  EXPECT_EQ(r.queries, 3);
  EXPECT_EQ(r.out_of, 9);
  ASSERT_EQ(r.left_out.size(), 2u);  // the multiplicative forms need a gated target
  for (const auto& left : r.left_out) {
    EXPECT_EQ(left.form.rfind("multiplicative", 0), 0u) << left.form;
    ASSERT_FALSE(left.why.empty());
    EXPECT_NE(left.why.front().message.find("Multi"), std::string::npos);
  }
  ASSERT_EQ(r.rows.size(), 3u * 2u);  // original, optimized, step x two sigmas
  for (const auto& row : r.rows) {
    if (row.sigma == 0)
      EXPECT_EQ(row.value, 0) << row.form;
    else
      EXPECT_GT(row.value, 0) << row.form;
  }
  const nlohmann::json j = api::noise_sweep_json(r);
  EXPECT_EQ(j["rows"].size(), 6u);
  EXPECT_EQ(j["left_out"].size(), 2u);

  api::NoiseSweepOptions bad = sweep;
  bad.sigmas = {-1};
  EXPECT_FALSE(api::noise_sweep(source, bad).ok);
  bad = sweep;
  bad.trials = 0;
  EXPECT_FALSE(api::noise_sweep(source, bad).ok);
  bad = sweep;
  bad.kind = "text";
  EXPECT_FALSE(api::noise_sweep(source, bad).ok);
  bad = sweep;
  bad.compile.target = "lstm";
  const api::NoiseSweepResult refused = api::noise_sweep(source, bad);
  ASSERT_FALSE(refused.ok);
  EXPECT_NE(refused.diagnostics.front().message.find("gated-linear-rnn"), std::string::npos);
  bad = sweep;
  bad.forms = {"multiplicative"};  // named, so it must compile: an error, not a note
  EXPECT_FALSE(api::noise_sweep(source, bad).ok);
}

TEST(NoiseSweep, ContinuousErrorIsZeroWithoutNoise) {
  api::NoiseSweepOptions sweep;
  sweep.compile.filename = "continuous_ua.lsrl";
  sweep.compile.target = "gated-linear-rnn";
  sweep.forms = {"multiplicative"};
  sweep.sigmas = {0, 1e-5};
  sweep.trials = 2;
  sweep.kind = "continuous";
  sweep.function = "sin(3*x1)*x2";
  sweep.cells = 4;
  sweep.query = {0.3, 0.7};
  const api::NoiseSweepResult r = api::noise_sweep(read_file(kSourceDir + "/examples/continuous_ua.lsrl"), sweep);
  ASSERT_TRUE(r.ok) << render_all(r.diagnostics);
  EXPECT_EQ(r.measure, "max_error");
  EXPECT_EQ(r.queries, 17);  // the 4 x 4 centres and the query
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[0].value, 0);
  EXPECT_EQ(r.rows[1].value, 0);
  EXPECT_GT(r.rows[2].value, 0);
  EXPECT_LT(r.rows[2].value, 1);
}

}  // namespace
}  // namespace lsrl
