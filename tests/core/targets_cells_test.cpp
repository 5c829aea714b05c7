// gru and lstm: exact in paper mode on hand-built and random PathModels,
// close in standard mode, within the paper's layer count, torch-shaped
// state_dicts.
#include <gtest/gtest.h>

#include <random>

#include "targets/architectures.hpp"
#include "targets_common_test.hpp"

namespace lsrl {
namespace {

using namespace target_tests;
using Lowering = std::unique_ptr<TargetModel> (*)(const PathModel&, const TargetOptions&);

struct CellCase {
  const char* name;
  Lowering lower;
  int gates;
};

class TargetsCells : public ::testing::TestWithParam<CellCase> {};

TargetOptions with(Activations a) {
  TargetOptions o;
  o.activations = a;
  return o;
}

// The GRU's paper-mode products assume known bounds on their factors (as the
// paper does); these tests calibrate them on the prompt they run
// (TargetOptions::calibration_tokens), since random paths with nested
// products reach magnitudes no fixed probe predicts.
TargetOptions calibrated(Activations a, const std::vector<std::vector<double>>& tokens) {
  TargetOptions o = with(a);
  o.calibration_tokens = tokens;
  return o;
}

TEST_P(TargetsCells, PaperModeReproducesHandBuiltPaths) {
  std::mt19937 rng(5);
  for (const PathModel& path : {more_ones_path(), gated_path()}) {
    const auto tokens = random_tokens(rng, 20, path.input_dim, -2, 2);
    const auto model = GetParam().lower(path, calibrated(Activations::Paper, tokens));
    EXPECT_LE(max_relative_deviation(model->run(tokens, Precision::F64, nullptr), reference_outputs(path, tokens)), 1e-9);
  }
}

TEST_P(TargetsCells, PaperModeReproducesRandomPaths) {
  std::mt19937 rng(77);
  RandomPathOptions o;
  double worst = 0;
  for (int trial = 0; trial < 80; ++trial) {
    const PathModel path = random_path(rng, o);
    const auto tokens = random_tokens(rng, 16, path.input_dim);
    const auto model = GetParam().lower(path, calibrated(Activations::Paper, tokens));
    const double dev = max_relative_deviation(model->run(tokens, Precision::F64, nullptr), reference_outputs(path, tokens));
    worst = std::max(worst, dev);
    EXPECT_LE(dev, 1e-6) << GetParam().name << " trial " << trial;
    expect_within_layer_bound(*model, path, calibrated(Activations::Paper, tokens));
    // The paper's own layer count, with every Linear chain fused.
    TargetOptions fused = calibrated(Activations::Paper, tokens);
    fused.linear_chains = LinearChains::Fuse;
    const auto fused_model = GetParam().lower(path, fused);
    EXPECT_LE(max_relative_deviation(fused_model->run(tokens, Precision::F64, nullptr), reference_outputs(path, tokens)),
              1e-6)
        << GetParam().name << " trial " << trial;
    expect_within_layer_bound(*fused_model, path, fused);
  }
  std::printf("[ %s paper mode, 80 random paths: worst relative deviation %.3g ]\n", GetParam().name, worst);
}

TEST_P(TargetsCells, StandardModeIsCloseOnRandomPaths) {
  std::mt19937 rng(78);
  RandomPathOptions o;
  double worst = 0;
  for (int trial = 0; trial < 80; ++trial) {
    const PathModel path = random_path(rng, o);
    const auto tokens = random_tokens(rng, 16, path.input_dim);
    const auto model = GetParam().lower(path, calibrated(Activations::Standard, tokens));
    const double dev = max_relative_deviation(model->run(tokens, Precision::F64, nullptr), reference_outputs(path, tokens));
    worst = std::max(worst, dev);
    EXPECT_LE(dev, 1e-4) << GetParam().name << " trial " << trial;
  }
  std::printf("[ %s standard mode, 80 random paths: worst relative deviation %.3g ]\n", GetParam().name, worst);
}

TEST_P(TargetsCells, StateDictIsTorchShaped) {
  for (Activations act : {Activations::Paper, Activations::Standard}) {
    const auto model = GetParam().lower(gated_path(), with(act));
    const auto meta = model->metadata();
    const long long H = meta["hidden_size"];
    const long long G = GetParam().gates;
    const auto sd = model->state_dict();
    EXPECT_EQ(sd[0].name, "rnn.weight_ih_l0");
    EXPECT_EQ(sd[0].shape, (std::vector<long long>{G * H, 1}));
    EXPECT_EQ(sd[5].name, "rnn.weight_hh_l1");
    EXPECT_EQ(sd[5].shape, (std::vector<long long>{G * H, H}));
    bool has_c0 = false;
    for (const auto& t : sd) {
      long long count = 1;
      for (long long d : t.shape) count *= d;
      EXPECT_EQ(static_cast<long long>(t.data.size()), count) << t.name;
      has_c0 = has_c0 || t.name == "c0";
    }
    EXPECT_EQ(has_c0, G == 4);
    EXPECT_EQ(meta["activations"], act == Activations::Paper ? "paper" : "standard");
  }
}

TEST_P(TargetsCells, LowerPrecisionsRun) {
  const PathModel path = more_ones_path();
  const auto model = GetParam().lower(path, with(Activations::Paper));
  const std::vector<std::vector<double>> tokens = {{1}, {1}, {0}, {1}};
  const auto want = reference_outputs(path, tokens);
  EXPECT_LE(max_relative_deviation(model->run(tokens, Precision::F32, nullptr), want), 1e-5);
  EXPECT_LE(max_relative_deviation(model->run(tokens, Precision::F16, nullptr), want), 1e-2);
}

INSTANTIATE_TEST_SUITE_P(Cells, TargetsCells,
                         ::testing::Values(CellCase{"gru", lower_to_gru, 3}, CellCase{"lstm", lower_to_lstm, 4}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace lsrl
