// hawk, griffin and mamba: exact in paper mode on hand-built and random
// PathModels, close in standard mode, states held by recurrences where the
// eigenvalues allow it, reference-implementation parameter names.
#include <gtest/gtest.h>

#include <random>

#include "targets/architectures.hpp"
#include "targets_common_test.hpp"

namespace lsrl {
namespace {

using namespace target_tests;
using Lowering = std::unique_ptr<TargetModel> (*)(const PathModel&, const TargetOptions&);

struct StreamCase {
  const char* name;
  Lowering lower;
};

class TargetsStream : public ::testing::TestWithParam<StreamCase> {};

TargetOptions options_for(Activations a, const std::vector<std::vector<double>>& tokens, int horizon = 64) {
  TargetOptions o;
  o.activations = a;
  o.calibration_tokens = tokens;
  o.max_sequence_length = horizon;
  return o;
}

TEST_P(TargetsStream, PaperModeReproducesHandBuiltPaths) {
  std::mt19937 rng(5);
  for (const PathModel& path : {more_ones_path(), gated_path()}) {
    const auto tokens = random_tokens(rng, 20, path.input_dim, -2, 2);
    const auto model = GetParam().lower(path, options_for(Activations::Paper, tokens));
    EXPECT_LE(max_relative_deviation(model->run(tokens, Precision::F64, nullptr), reference_outputs(path, tokens)), 1e-9);
  }
}

TEST_P(TargetsStream, PaperModeReproducesRandomPaths) {
  std::mt19937 rng(91);
  RandomPathOptions o;
  double worst = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const PathModel path = random_path(rng, o);
    const auto tokens = random_tokens(rng, 16, path.input_dim);
    const auto model = GetParam().lower(path, options_for(Activations::Paper, tokens));
    const double dev = max_relative_deviation(model->run(tokens, Precision::F64, nullptr), reference_outputs(path, tokens));
    worst = std::max(worst, dev);
    EXPECT_LE(dev, 1e-6) << GetParam().name << " trial " << trial;
    expect_within_layer_bound(*model, path, options_for(Activations::Paper, tokens));
    // The paper's own layer count, with every Linear chain fused.
    TargetOptions fused = options_for(Activations::Paper, tokens);
    fused.linear_chains = LinearChains::Fuse;
    const auto fused_model = GetParam().lower(path, fused);
    EXPECT_LE(max_relative_deviation(fused_model->run(tokens, Precision::F64, nullptr), reference_outputs(path, tokens)),
              1e-6)
        << GetParam().name << " trial " << trial;
    expect_within_layer_bound(*fused_model, path, fused);
  }
  std::printf("[ %s paper mode, 60 random paths: worst relative deviation %.3g ]\n", GetParam().name, worst);
}

TEST_P(TargetsStream, StandardModeIsCloseOnRandomPaths) {
  std::mt19937 rng(92);
  RandomPathOptions o;
  double worst = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const PathModel path = random_path(rng, o);
    const auto tokens = random_tokens(rng, 16, path.input_dim);
    const auto model = GetParam().lower(path, options_for(Activations::Standard, tokens));
    const double dev = max_relative_deviation(model->run(tokens, Precision::F64, nullptr), reference_outputs(path, tokens));
    worst = std::max(worst, dev);
    EXPECT_LE(dev, 1e-6) << GetParam().name << " trial " << trial;
  }
  std::printf("[ %s standard mode, 60 random paths: worst relative deviation %.3g ]\n", GetParam().name, worst);
}

TEST_P(TargetsStream, LongerInputThanTheConvolutionHorizonIsAnError) {
  // A counter (eigenvalue 1) next to a rotation (complex eigenvalues): at
  // least the rotation needs a convolution over the whole sequence.
  PathModel m;
  m.input_dim = 1;
  m.layers.push_back(state_layer({{1, 0, 0}, {0, 0, -1}, {0, 1, 0}}, {{1}, {0}, {0}}, {0, 0, 0}, {0, 1, 0}, 1));
  finish(m);
  std::vector<std::vector<double>> tokens(10, std::vector<double>{1.0});
  const auto model = GetParam().lower(m, options_for(Activations::Paper, tokens, 8));
  EXPECT_THROW(model->run(tokens, Precision::F64, nullptr), LsrlError);
  tokens.resize(8);
  EXPECT_LE(max_relative_deviation(model->run(tokens, Precision::F64, nullptr), reference_outputs(m, tokens)), 1e-12);
}

TEST_P(TargetsStream, StateDictShapesMatchTheirData) {
  const PathModel path = gated_path();
  for (Activations a : {Activations::Paper, Activations::Standard}) {
    const auto model = GetParam().lower(path, options_for(a, {{1}, {2}}));
    long long total = 0;
    for (const auto& t : model->state_dict()) {
      long long count = 1;
      for (long long d : t.shape) count *= d;
      EXPECT_EQ(static_cast<long long>(t.data.size()), count) << t.name;
      total += count;
    }
    EXPECT_EQ(total, model->parameter_count());
  }
}

INSTANTIATE_TEST_SUITE_P(Stream, TargetsStream,
                         ::testing::Values(StreamCase{"hawk", lower_to_hawk}, StreamCase{"griffin", lower_to_griffin},
                                           StreamCase{"mamba", lower_to_mamba}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(TargetsHawk, DecayingDiagonalStatesNeedNoLongConvolution) {
  // s = diag(0.5, 0.25) s + x: both eigenvalues in [0, 1): RG-LRU channels.
  PathModel m;
  m.input_dim = 1;
  m.layers.push_back(state_layer({{0.5, 0.25}, {0, 0.25}}, {{1}, {-1}}, {0.5, 0}, {1, 2}, 1));
  finish(m);
  const auto model = lower_to_hawk(m, TargetOptions{});
  const auto meta = model->metadata();
  EXPECT_LE(meta["blocks"][0]["conv1d_temporal_width"].get<int>(), 2);
  EXPECT_FALSE(meta.contains("exact_up_to_tokens"));
  std::mt19937 rng(3);
  const auto tokens = random_tokens(rng, 40, 1);
  EXPECT_LE(max_relative_deviation(model->run(tokens, Precision::F64, nullptr), reference_outputs(m, tokens)), 1e-12);
}

TEST(TargetsMamba, CountersLiveInTheScanAndShiftRegistersInAShortConvolution) {
  // A counter (eigenvalue 1) and a 3-step shift register (nilpotent).
  PathModel m;
  m.input_dim = 1;
  m.layers.push_back(state_layer({{1, 0, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}, {0, 0, 0, 0}},
                                 {{1}, {0}, {0}, {1}}, {0, 0, 0, 0}, {3, 0, 0, 0}, 1));
  finish(m);
  const auto model = lower_to_mamba(m, TargetOptions{});
  const auto meta = model->metadata();
  EXPECT_EQ(meta["layers"][0]["d_conv"].get<int>(), 3);
  EXPECT_FALSE(meta.contains("exact_up_to_tokens"));
  std::mt19937 rng(4);
  const auto tokens = random_tokens(rng, 200, 1);
  EXPECT_LE(max_relative_deviation(model->run(tokens, Precision::F64, nullptr), reference_outputs(m, tokens)), 1e-12);
  const auto hawk = lower_to_hawk(m, TargetOptions{});
  EXPECT_TRUE(hawk->metadata().contains("exact_up_to_tokens"));  // the counter needs the whole-sequence convolution
}

TEST(TargetsGriffin, EveryThirdBlockIsAttention) {
  std::mt19937 rng(8);
  RandomPathOptions o;
  o.max_layers = 4;
  o.max_ops = 5;
  for (int trial = 0; trial < 10; ++trial) {
    const PathModel path = random_path(rng, o);
    const auto model = lower_to_griffin(path, TargetOptions{});
    const auto blocks = model->metadata()["blocks"];
    for (std::size_t i = 0; i < blocks.size(); ++i)
      EXPECT_EQ(blocks[i]["temporal"], i % 3 == 2 ? "local_attention" : "recurrent");
  }
}

}  // namespace
}  // namespace lsrl

namespace lsrl {
namespace {

using namespace target_tests;

TEST(TargetsStreamErrors, AGrowingStateCannotBeAConvolutionOverTheWholeSequence) {
  // s_t = 2 s_{t-1} + x_t: the convolution kernel 2^k overflows long before
  // 4096 steps; lowering says so at the state instead of producing infinities.
  PathModel m;
  m.input_dim = 1;
  m.layers.push_back(state_layer({{2}}, {{1}}, {0}, {0}, 1));
  m.layers.back().ops.push_back(relu_op(1));
  m.layers.back().ops.back().origin = SourceSpan{3, 1, 4};
  finish(m);
  for (auto lower : {lower_to_hawk, lower_to_griffin, lower_to_mamba}) {
    try {
      lower(m, TargetOptions{});
      FAIL() << "a growing state was accepted";
    } catch (const LsrlError& e) {
      EXPECT_NE(e.message().find("grows without bound"), std::string::npos) << e.message();
    }
  }
  // With a short enough horizon the same state is exact.
  TargetOptions short_horizon;
  short_horizon.max_sequence_length = 40;
  const auto model = lower_to_mamba(m, short_horizon);
  std::vector<std::vector<double>> tokens(40, std::vector<double>{1.0});
  EXPECT_LE(max_relative_deviation(model->run(tokens, Precision::F64, nullptr), reference_outputs(m, tokens)), 1e-12);
}

}  // namespace
}  // namespace lsrl
