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

struct StreamCase {
  const char* name;
  Lowering lower;
};

class TargetsStream : public ::testing::TestWithParam<StreamCase> {};

TargetOptions options_for(Activations a, int horizon = 64) {
  TargetOptions o;
  o.activations = a;
  o.max_sequence_length = horizon;
  return o;
}

TEST_P(TargetsStream, PaperModeReproducesHandBuiltPaths) {
  expect_hand_built_paths_reproduced(GetParam().lower, options_for(Activations::Paper));
}

TEST_P(TargetsStream, PaperModeReproducesRandomPaths) {
  expect_random_paths_reproduced(GetParam().name, GetParam().lower, options_for(Activations::Paper), 91, 60, 1e-9);
}

// Standard mode: the products and ReLUs are exact identities (docs/targets.md
// section 9: exact to rounding; measured per entry at most 2.8e-15 here).
TEST_P(TargetsStream, StandardModeIsCloseOnRandomPaths) {
  expect_random_paths_reproduced(GetParam().name, GetParam().lower, options_for(Activations::Standard), 92, 60, 1e-9);
}

TEST_P(TargetsStream, LongerInputThanTheConvolutionHorizonIsAnError) {
  // A counter (eigenvalue 1) next to a rotation (complex eigenvalues): at
  // least the rotation needs a convolution over the whole sequence.
  const PathModel m = state_path({{1, 0, 0}, {0, 0, -1}, {0, 1, 0}}, {{1}, {0}, {0}}, {0, 0, 0}, {0, 1, 0});
  std::vector<std::vector<double>> tokens(10, std::vector<double>{1.0});
  const auto model = GetParam().lower(m, with_input_box(options_for(Activations::Paper, 8), tokens));
  EXPECT_THROW(model->run(tokens, Precision::F64, nullptr), LsrlError);
  tokens.resize(8);
  EXPECT_LE(f64_deviation(*model, m, tokens), 1e-12);
}

TEST_P(TargetsStream, StateDictShapesMatchTheirData) {
  const PathModel path = gated_path();
  for (Activations a : {Activations::Paper, Activations::Standard}) {
    const auto model = GetParam().lower(path, with_input_box(options_for(a), {{1}, {2}}));
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
  const PathModel m = state_path({{0.5, 0.25}, {0, 0.25}}, {{1}, {-1}}, {0.5, 0}, {1, 2});
  const auto model = lower_to_hawk(m, TargetOptions{});
  const auto meta = model->metadata();
  EXPECT_LE(meta["blocks"][0]["conv1d_temporal_width"].get<int>(), 2);
  EXPECT_FALSE(meta.contains("exact_up_to_tokens"));
  std::mt19937 rng(3);
  const auto tokens = random_tokens(rng, 40, 1);
  EXPECT_LE(f64_deviation(*model, m, tokens), 1e-12);
}

TEST(TargetsMamba, CountersLiveInTheScanAndShiftRegistersInAShortConvolution) {
  // A counter (eigenvalue 1) and a 3-step shift register (nilpotent).
  const PathModel m = state_path({{1, 0, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}, {0, 0, 0, 0}}, {{1}, {0}, {0}, {1}},
                                 {0, 0, 0, 0}, {3, 0, 0, 0});
  const auto model = lower_to_mamba(m, TargetOptions{});
  const auto meta = model->metadata();
  EXPECT_EQ(meta["layers"][0]["d_conv"].get<int>(), 3);
  EXPECT_FALSE(meta.contains("exact_up_to_tokens"));
  std::mt19937 rng(4);
  const auto tokens = random_tokens(rng, 200, 1);
  EXPECT_LE(f64_deviation(*model, m, tokens), 1e-12);
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
  PathModel m = state_path({{2}}, {{1}}, {0}, {0});
  m.layers.back().ops.push_back(relu_op(1));
  m.layers.back().ops.back().origin = SourceSpan{3, 1, 4};
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
  EXPECT_LE(f64_deviation(*model, m, tokens), 1e-12);
}

}  // namespace
}  // namespace lsrl
