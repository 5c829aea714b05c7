// The static range analysis (targets/range_analysis.hpp) is sound: on random
// programs and on the examples, every value the logical stage chain takes on
// random prompts inside the input domain (and every pre-activation) lies
// within the bounds, NaN-aware. It is also tight where the constructions
// need it (f_larger's step stays in [0, 1], not in [-mu X, mu X]), and the
// test prints how tight it is on the examples' companion prompts.
#include "targets/range_analysis.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <string>

#include "compile/compiler.hpp"
#include "example_support.hpp"
#include "output_comparison.hpp"
#include "random_program_corpus.hpp"

namespace lsrl {
namespace {

// The logical stage chain of `source` compiled for gated-rnn (paper mode,
// Linear chains kept): the chain the analysis bounds. An empty chain, and a
// test failure, if the program does not compile.
LogicalModel logical_model_of(const std::string& source) {
  api::CompileOptions options;
  options.target = "gated-rnn";
  const api::CompileResult compiled = api::compile(source, options);
  EXPECT_TRUE(compiled.ok) << example_support::first_message(compiled.diagnostics);
  return compiled.ok ? logical_model_from_path(*compiled.model->path, true) : LogicalModel{};
}

struct Soundness {
  long long values = 0;
  long long outside = 0;
  std::string first_outside;
};

// Checks every stage output and pre-activation of `tokens` against `bounds`;
// `largest[kind]` collects (bound, value seen) for the tightness report.
void check_within(const LogicalModel& model, const StageMagnitudes& bounds,
                  const std::vector<std::vector<double>>& tokens, Soundness& s,
                  std::map<std::string, std::pair<double, double>>* largest = nullptr) {
  std::vector<std::vector<Eigen::VectorXd>> per_stage;
  evaluate_logical(model, tokens, &per_stage);
  const auto check = [&](double v, double lo, double hi, std::size_t k, const char* what, std::size_t t,
                         Eigen::Index i) {
    ++s.values;
    if (v >= lo && v <= hi) return;  // false for NaN
    if (++s.outside == 1) {
      s.first_outside = std::string(what) + " of stage " + std::to_string(k) + " unit " + std::to_string(i) +
                        " at step " + std::to_string(t + 1) + ": " + std::to_string(v) + " not in [" +
                        std::to_string(lo) + ", " + std::to_string(hi) + "]";
    }
  };
  const char* kind_names[] = {"State", "ReLU", "Product"};
  for (std::size_t k = 0; k < model.stages.size(); ++k) {
    const LogicalStage& stage = model.stages[k];
    for (std::size_t t = 0; t < tokens.size(); ++t) {
      const Eigen::VectorXd& y = per_stage[k][t];
      for (Eigen::Index i = 0; i < y.size(); ++i) {
        check(y[i], bounds.output_lo[k][i], bounds.output_hi[k][i], k, "output", t, i);
        if (largest) {
          auto& [bound, seen] = (*largest)[kind_names[static_cast<int>(stage.kind)]];
          if (std::fabs(y[i]) > 0.0 && std::fabs(y[i]) >= seen) {
            seen = std::fabs(y[i]);
            bound = std::max(bound, bounds.output[k][i]);
          }
        }
      }
      if (stage.kind == LogicalStageKind::State) continue;
      Eigen::VectorXd x;
      if (k == 0)
        x = Eigen::Map<const Eigen::VectorXd>(tokens[t].data(), static_cast<Eigen::Index>(tokens[t].size()));
      else
        x = per_stage[k - 1][t];
      const Eigen::VectorXd pre = stage.M * x + stage.c;
      for (Eigen::Index i = 0; i < pre.size(); ++i)
        check(pre[i], bounds.pre_lo[k][i], bounds.pre_hi[k][i], k, "pre", t, i);
    }
  }
}

TEST(RangeAnalysis, BoundsHoldOnRandomProgramsAndPrompts) {
  corpus::Generator gen(4242);
  Soundness s;
  int programs = 0;
  for (int index = 0; index < 120; ++index) {
    const corpus::RandomProgram rp = gen.program(4, 24, index % 3 != 0);
    PathModel path;
    ASSERT_NO_THROW(path = compile_to_path(rp.program, CompilerOptions{}, nullptr)) << "program " << index;
    for (bool keep : {true, false}) {
      const LogicalModel model = logical_model_from_path(path, keep);
      // The generator's tokens are in [-1, 1]; a tighter box per program
      // now and then, and T from 1 to 64.
      RangeDomain domain;
      const double half = index % 4 == 0 ? 0.25 : 1.0;
      domain.lower.assign(static_cast<std::size_t>(model.input_dim), -half);
      domain.upper.assign(static_cast<std::size_t>(model.input_dim), half);
      domain.max_length = 1 + index % 64;
      const StageMagnitudes bounds = analyze_ranges(model, domain);
      for (int prompt = 0; prompt < 4; ++prompt) {
        auto tokens = gen.tokens(domain.max_length, model.input_dim);
        for (auto& token : tokens) {
          for (double& v : token) {
            v *= half;
            if (prompt == 3) v = gen.chance(0.5) ? half : -half;  // the corners
          }
        }
        check_within(model, bounds, tokens, s);
      }
    }
    ++programs;
  }
  std::printf("[ %d random programs: %lld values checked, %lld outside their bounds ]\n", programs, s.values,
              s.outside);
  EXPECT_EQ(s.outside, 0) << s.first_outside;
  EXPECT_GT(s.values, 10000);
}

TEST(RangeAnalysis, BoundsHoldOnTheExamplesAndReportTheirTightness) {
  using namespace example_support;
  std::mt19937 rng(77);
  for (const std::string& name : example_names()) {
    SCOPED_TRACE(name);
    const nlohmann::json companion = example_companion(name);
    api::CompileOptions options;
    options.params = companion_params(companion);
    options.target = "gated-rnn";  // any target: the path is what the analysis reads
    const api::CompileResult compiled = api::compile(example_source(name), options);
    ASSERT_TRUE(compiled.ok) << first_message(compiled.diagnostics);
    const api::CompiledModel& m = *compiled.model;
    const PromptTokens prompt = companion_tokens(companion.at("prompt"), m.info);
    ASSERT_TRUE(prompt.ok) << prompt.error;
    const LogicalModel model = logical_model_from_path(*m.path, true);
    // The domain the model is built for (vocabulary or default bounds).
    RangeDomain domain{m.domain.lower, m.domain.upper, m.max_length};
    const StageMagnitudes bounds = analyze_ranges(model, domain);
    Soundness s;
    std::map<std::string, std::pair<double, double>> largest;
    check_within(model, bounds, prompt.tokens, s, &largest);
    // And random prompts inside the domain's box as narrowed to the
    // companion's range (the default box is 1e6 wide).
    for (int trial = 0; trial < 3; ++trial) {
      std::vector<std::vector<double>> tokens = prompt.tokens;
      for (auto& token : tokens) {
        for (std::size_t i = 0; i < token.size(); ++i) {
          const double lo = std::max(domain.lower[i], -2.0), hi = std::min(domain.upper[i], 2.0 + 25.0);
          token[i] = m.info.vocab ? std::floor(std::uniform_real_distribution<double>(lo, hi + 1)(rng))
                                  : std::uniform_real_distribution<double>(lo, hi)(rng);
          token[i] = std::min(token[i], domain.upper[i]);
        }
      }
      check_within(model, bounds, tokens, s);
    }
    EXPECT_EQ(s.outside, 0) << s.first_outside;
    std::string report;
    for (const auto& [kind, pair] : largest) {
      char buf[96];
      std::snprintf(buf, sizeof buf, " %s %.3g / %.3g;", kind.c_str(), pair.first, pair.second);
      report += buf;
    }
    std::printf("[ %-14s T = %d, bounds %s: largest value seen on the companion prompt's unit, its bound:%s ]\n",
                name.c_str(), domain.max_length, m.domain.bounds_source.c_str(), report.c_str());
  }
}

// A step read by a later stage stays in [0, 1]: the 1-D piecewise-linear
// range of relu(mu (x - c)) - relu(mu (x - c) - 1), not the interval
// difference [-mu X, mu X].
TEST(RangeAnalysis, StepsStayWithinZeroAndOne) {
  // Two counters of steps over T = 10 tokens: each within [0, 10], where
  // plain intervals would give [-1e10, 1e10] (mu X, X = 1e6) per step.
  const std::string source =
      "x = Input(dim=1)\n"
      "up = f_larger(x, 0.5, mu=1000)\n"
      "both = f_and(up, f_smaller(x, 3.5, mu=1000), mu=1000)\n"
      "return LinState(Concat([up, both]), A=[[1, 0], [0, 1]], B=[[1, 0], [0, 1]], init_state=[[0], [0]])\n";
  const LogicalModel model = logical_model_of(source);
  ASSERT_FALSE(model.stages.empty());
  RangeDomain domain{{-1e6}, {1e6}, 10};
  const StageMagnitudes bounds = analyze_ranges(model, domain);
  std::size_t last = model.stages.size();
  for (std::size_t k = 0; k < model.stages.size(); ++k) {
    if (model.stages[k].kind == LogicalStageKind::State && model.stages[k].out_dim == 2) last = k;
  }
  ASSERT_LT(last, model.stages.size());
  // Within a rounding allowance (terms of size mu X = 1e9 round at 1e-7
  // each; f_and's 2-D input is bounded as a sum, 5% loose).
  for (Eigen::Index i = 0; i < 2; ++i) {
    EXPECT_GE(bounds.output_lo[last][i], -1e-2) << i;
    EXPECT_LE(bounds.output_lo[last][i], 0.0) << i;
    EXPECT_GE(bounds.output_hi[last][i], 10.0) << i;
    EXPECT_LE(bounds.output_hi[last][i], 10.5) << i;
  }
}

// A step the compiler carries past a Multi and a LinState (as a product with
// the constant 1 and as a state unit whose row of A is zero) is still a step
// of one scalar where a later Multi reads it: its factor bound stays [0, 1],
// not the [-mu X, mu X] of its two ReLUs carried apart. GRU's paper-mode
// products are sized from these bounds (and discrete_ua's conditions are
// built this way).
TEST(RangeAnalysis, StepsCarriedPastMultisAndStatesStayWithinZeroAndOne) {
  const std::string source =
      "x = Input(dim=2)\n"
      "up = f_larger(x[0], 0.5, mu=1000)\n"
      "count = LinState(f_ifelse_mul(up, x[1], None), A=[[1]], B=[[1]], init_state=[[0]])\n"
      "return f_ifelse_mul(up, count, None)\n";
  const LogicalModel model = logical_model_of(source);
  ASSERT_FALSE(model.stages.empty());
  const StageMagnitudes bounds = analyze_ranges(model, RangeDomain{{-1e6, -1e6}, {1e6, 1e6}, 100});
  std::size_t last_product = model.stages.size();
  for (std::size_t k = 0; k < model.stages.size(); ++k) {
    if (model.stages[k].kind == LogicalStageKind::Product) last_product = k;
  }
  ASSERT_LT(last_product, model.stages.size());
  const int n = model.stages[last_product].out_dim;
  // The condition's factor row: the smaller of each unit's two factor bounds.
  double condition_bound = std::numeric_limits<double>::infinity();
  for (int i = 0; i < n; ++i) {
    condition_bound = std::min(condition_bound, bounds.pre[last_product][i]);
    condition_bound = std::min(condition_bound, bounds.pre[last_product][n + i]);
  }
  EXPECT_LE(condition_bound, 1.0 + 1e-3);
  EXPECT_GE(condition_bound, 1.0);
  // And sound on prompts (every value inside its bound).
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> value(-1e6, 1e6), flag(0.0, 1.0);
  Soundness s;
  for (int prompt = 0; prompt < 20; ++prompt) {
    std::vector<std::vector<double>> tokens;
    for (int t = 0; t < 100; ++t) tokens.push_back({flag(rng), value(rng)});
    check_within(model, bounds, tokens, s);
  }
  EXPECT_EQ(s.outside, 0) << s.first_outside;
}

// Counters grow linearly with T, contractions stay bounded, nilpotent shifts
// stop, rotations of a constant stay on their circle.
TEST(RangeAnalysis, StatesFollowTheirTransition) {
  const auto state_bounds = [](const std::string& body, int T) {
    const LogicalModel model = logical_model_of("x = Input(dim=1)\n" + body);
    // Not compiled (already a failure): NaN bounds, which fail every check below.
    const Eigen::VectorXd none = Eigen::VectorXd::Constant(3, std::numeric_limits<double>::quiet_NaN());
    if (model.stages.empty()) return std::make_pair(none, none);
    RangeDomain domain{{0.0}, {1.0}, T};
    const StageMagnitudes bounds = analyze_ranges(model, domain);
    return std::make_pair(bounds.output_lo.back(), bounds.output_hi.back());
  };
  {
    const auto [lo, hi] = state_bounds("return LinState(x, A=[[1]], B=[[1]], init_state=[[0]])\n", 1000);
    EXPECT_NEAR(lo[0], 0.0, 1e-6);
    EXPECT_NEAR(hi[0], 1000.0, 1e-6);
  }
  {
    const auto [lo, hi] = state_bounds("return LinState(x, A=[[0.5]], B=[[1]], init_state=[[0]])\n", 4096);
    EXPECT_NEAR(lo[0], 0.0, 1e-6);
    EXPECT_NEAR(hi[0], 2.0, 1e-6);
  }
  {
    const auto [lo, hi] = state_bounds(
        "return LinState(x, A=[[0, 1, 0], [0, 0, 1], [0, 0, 0]], B=[[0], [0], [1]], init_state=[[0], [0], [0]])\n",
        4096);
    for (Eigen::Index i = 0; i < 3; ++i) {
      EXPECT_NEAR(lo[i], 0.0, 1e-9);
      EXPECT_NEAR(hi[i], 1.0, 1e-9);
    }
  }
  {
    // The rotation of f_modulo_counter (B = 0) stays on its unit circle.
    const LogicalModel model = logical_model_of("x = Input(dim=1)\nreturn f_modulo_counter(x, 5)\n");
    ASSERT_FALSE(model.stages.empty());
    const StageMagnitudes bounds = analyze_ranges(model, RangeDomain{{-1e6}, {1e6}, 4096});
    int states = 0;
    for (std::size_t k = 0; k < model.stages.size(); ++k) {
      if (model.stages[k].kind != LogicalStageKind::State) continue;
      ++states;
      EXPECT_LE(bounds.output[k].maxCoeff(), 1.0 + 1e-6) << "stage " << k;
    }
    EXPECT_GE(states, 1);
  }
}

// A model is built for every prompt of its declared domain, the longest
// included: a counter that reaches -T at token T, squared (GRU offsets its
// product's factors by their static lower bounds; LSTM's
// standard mode scales values by their static magnitudes), runs all T tokens
// at the bottom of the box on every target, in both activation modes, and
// gives the program's outputs. Bounds that covered fewer tokens than
// declared would make GRU refuse the last ones, or a target compute them
// wrongly. T = 48, not a power of two: GRU rounds its offsets up to one, so
// bounds for T/2 = 24 tokens give offsets for 32, too few for 48 (for T = 64
// the halved bound's offset would still be 64).
TEST(RangeAnalysis, ModelsRunTheLongestPromptOfTheirDomain) {
  const int T = 48;
  const std::string source = "x = Input(dim=1, bounds=[-1, 1], max_length=" + std::to_string(T) +
                             ")\n"
                             "count = LinState(x, A=[[1]], B=[[1]], init_state=[[0]])\n"
                             "return Concat([count, Multi(Concat([count, count]))])\n";
  const std::vector<std::vector<double>> tokens(static_cast<std::size_t>(T), std::vector<double>{-1.0});
  api::CompileOptions dag_options;
  dag_options.target = "dag";
  const api::CompileResult program = api::compile(source, dag_options);
  ASSERT_TRUE(program.ok) << example_support::first_message(program.diagnostics);
  const api::RunResult want = api::run(*program.model, tokens, api::RunOptions{});
  ASSERT_TRUE(want.ok);
  ASSERT_EQ(want.outputs.back()[0], -T);
  for (const std::string target : {"gated-rnn", "gru", "lstm", "hawk", "griffin", "mamba"}) {
    for (Activations activations : {Activations::Paper, Activations::Standard}) {
      SCOPED_TRACE(target + (activations == Activations::Paper ? " paper" : " standard"));
      api::CompileOptions options;
      options.target = target;
      options.activations = activations;
      const api::CompileResult compiled = api::compile(source, options);
      ASSERT_TRUE(compiled.ok) << example_support::first_message(compiled.diagnostics);
      const api::RunResult got = api::run(*compiled.model, tokens, api::RunOptions{});
      ASSERT_TRUE(got.ok) << example_support::first_message(got.diagnostics);
      EXPECT_EQ(output_comparison::first_difference(want.outputs, got.outputs, 1e-9), "");
    }
  }
}

}  // namespace
}  // namespace lsrl
