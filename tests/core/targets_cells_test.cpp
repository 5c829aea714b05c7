// gru and lstm: exact in paper mode on hand-built and random PathModels,
// close in standard mode, within the paper's layer count, torch-shaped
// state_dicts.
#include <gtest/gtest.h>

#include "targets/architectures.hpp"
#include "targets_common_test.hpp"

namespace lsrl {
namespace {

using namespace target_tests;

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
// paper does); the shared checks calibrate them on the prompt they run.
TEST_P(TargetsCells, PaperModeReproducesHandBuiltPaths) {
  expect_hand_built_paths_reproduced(GetParam().lower, with(Activations::Paper));
}

TEST_P(TargetsCells, PaperModeReproducesRandomPaths) {
  expect_random_paths_reproduced(GetParam().name, GetParam().lower, with(Activations::Paper), 77, 80, 1e-9);
}

// Standard mode: ReLUs and states exact to the bit, products within their
// linear-region error (measured per entry, |m - p| / max(1, |p|): 2.7e-7 GRU,
// 1.9e-7 LSTM on these 80 paths).
TEST_P(TargetsCells, StandardModeIsCloseOnRandomPaths) {
  expect_random_paths_reproduced(GetParam().name, GetParam().lower, with(Activations::Standard), 78, 80, 1e-6);
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

// GRU's paper-mode products are exact within the bounds they were built for
// (App. C's assumption: here the static bounds of the input box the model is
// built for); an input beyond them is refused with the way out rather than
// answered wrongly (api::run refuses it earlier, from the domain), and a
// model built for the larger box runs it.
TEST(TargetsGru, ProductsOutsideTheirBoundsAreRefusedNotWrong) {
  const PathModel path = gated_path();
  const std::vector<std::vector<double>> small = {{0.5}, {-0.25}, {1}, {0}};
  const std::vector<std::vector<double>> large = {{0.5}, {-400}, {900}, {-1000}};
  const auto model = lower_to_gru(path, built_for(TargetOptions{}, small));
  EXPECT_LE(max_relative_deviation(model->run(small, Precision::F64, nullptr), reference_outputs(path, small)), 1e-9);
  try {
    model->run(large, Precision::F64, nullptr);
    FAIL() << "a GRU ran products beyond its bounds";
  } catch (const LsrlError& e) {
    EXPECT_NE(e.message().find("at token "), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("bounds=[lo, hi]"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("lstm"), std::string::npos) << e.message();
  }
  const auto rebuilt = lower_to_gru(path, built_for(TargetOptions{}, large));
  EXPECT_LE(max_relative_deviation(rebuilt->run(large, Precision::F64, nullptr), reference_outputs(path, large)), 1e-9);
}

INSTANTIATE_TEST_SUITE_P(Cells, TargetsCells,
                         ::testing::Values(CellCase{"gru", lower_to_gru, 3}, CellCase{"lstm", lower_to_lstm, 4}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace lsrl
