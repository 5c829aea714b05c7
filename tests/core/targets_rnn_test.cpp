// The rnn and gated-rnn targets reproduce PathModels exactly (up to rounding)
// with their own layer equations, refuse Multi on rnn at the node, and keep
// within the layer budget.
#include <gtest/gtest.h>

#include <random>

#include "targets/architectures.hpp"
#include "targets_common_test.hpp"

namespace lsrl {
namespace {

using namespace target_tests;

TEST(TargetsRnn, MoreOnesMatchesThePath) {
  const PathModel path = more_ones_path();
  const auto model = lower_to_rnn(path, TargetOptions{});
  const std::vector<std::vector<double>> tokens = {{1}, {0}, {1}, {1}, {0}, {0}, {0}, {1}, {1}};
  const auto want = reference_outputs(path, tokens);
  const auto got = model->run(tokens, Precision::F64, nullptr);
  EXPECT_LE(max_relative_deviation(got, want), 1e-12);
  EXPECT_EQ(model->target(), "rnn");
}

TEST(TargetsRnn, RandomPathsWithoutMultiMatch) {
  std::mt19937 rng(1234);
  RandomPathOptions o;
  o.allow_multi = false;
  for (int trial = 0; trial < 60; ++trial) {
    const PathModel path = random_path(rng, o);
    const auto tokens = random_tokens(rng, 12, path.input_dim);
    const auto want = reference_outputs(path, tokens);
    for (Activations act : {Activations::Paper, Activations::Standard}) {
      TargetOptions options;
      options.activations = act;
      const auto model = lower_to_rnn(path, options);
      EXPECT_LE(max_relative_deviation(model->run(tokens, Precision::F64, nullptr), want), 1e-9) << "trial " << trial;
      expect_within_layer_bound(*model, path, options);
    }
    // The paper's own layer count, with every Linear chain fused.
    TargetOptions fused;
    fused.linear_chains = LinearChains::Fuse;
    const auto model = lower_to_rnn(path, fused);
    EXPECT_LE(max_relative_deviation(model->run(tokens, Precision::F64, nullptr), want), 1e-9) << "trial " << trial;
    expect_within_layer_bound(*model, path, fused);
  }
}

TEST(TargetsRnn, MultiIsRefusedAtTheNode) {
  const PathModel path = gated_path();
  try {
    lower_to_rnn(path, TargetOptions{});
    FAIL() << "rnn accepted a Multi";
  } catch (const LsrlError& e) {
    EXPECT_EQ(e.span().line, 7);
    EXPECT_EQ(e.span().col, 5);
    EXPECT_NE(e.message().find("'rnn'"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("'product'"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("gated-rnn"), std::string::npos) << e.message();
  }
}

TEST(TargetsRnn, StateDictHasTorchNamesAndPaddedShapes) {
  const auto model = lower_to_rnn(more_ones_path(), TargetOptions{});
  const auto sd = model->state_dict();
  const auto meta = model->metadata();
  const int H = meta["hidden_size"];
  const int L = meta["num_layers"];
  ASSERT_EQ(static_cast<int>(sd.size()), 4 * L + 3);
  EXPECT_EQ(sd[0].name, "rnn.weight_ih_l0");
  EXPECT_EQ(sd[0].shape, (std::vector<long long>{H, 1}));
  EXPECT_EQ(sd[1].name, "rnn.weight_hh_l0");
  EXPECT_EQ(sd[4 * L].name, "head.weight");
  EXPECT_EQ(sd[4 * L + 2].name, "h0");
  EXPECT_EQ(sd[4 * L + 2].shape, (std::vector<long long>{L, H}));
  for (const auto& t : sd) {
    long long n = 1;
    for (long long d : t.shape) n *= d;
    EXPECT_EQ(static_cast<long long>(t.data.size()), n) << t.name;
  }
  EXPECT_EQ(meta["architecture"], "rnn");
}

TEST(TargetsRnn, TraceRecordsEveryLayer) {
  const auto model = lower_to_rnn(more_ones_path(), TargetOptions{});
  Trace trace;
  const std::vector<std::vector<double>> tokens = {{1}, {0}, {1}};
  model->run(tokens, Precision::F64, &trace);
  EXPECT_EQ(trace.steps, 3);
  int states = 0;
  for (const auto& s : trace.series) {
    EXPECT_EQ(static_cast<int>(s.values.size()), 3 * s.dim) << s.label;
    states += s.kind == "state";
  }
  EXPECT_EQ(states, static_cast<int>(model->layers().size()) - 1);
}

TEST(TargetsRnn, WrongTokenWidthIsAnError) {
  const auto model = lower_to_rnn(more_ones_path(), TargetOptions{});
  EXPECT_THROW(model->run({{1, 2}}, Precision::F64, nullptr), LsrlError);
}

TEST(TargetsGatedRnn, HandBuiltAndRandomPathsMatch) {
  const PathModel path = gated_path();
  const auto model = lower_to_gated_rnn(path, TargetOptions{});
  std::mt19937 rng(99);
  const auto tokens = random_tokens(rng, 15, 1, -2, 2);
  EXPECT_LE(f64_deviation(*model, path, tokens), 1e-12);
  RandomPathOptions o;
  for (int trial = 0; trial < 60; ++trial) {
    const PathModel p = random_path(rng, o);
    const auto t = random_tokens(rng, 12, p.input_dim);
    const auto m = lower_to_gated_rnn(p, TargetOptions{});
    EXPECT_LE(f64_deviation(*m, p, t), 1e-9) << trial;
    expect_within_layer_bound(*m, p, TargetOptions{});
  }
}

}  // namespace
}  // namespace lsrl
