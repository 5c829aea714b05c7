// The exact size optimisations after debranching, one at a time on small
// hand-built models: each removes what it should, keeps what it must, and
// leaves the model's outputs unchanged.
#include <gtest/gtest.h>

#include <random>

#include "compile/optimize.hpp"
#include "compile/stages.hpp"
#include "num_builders.hpp"
#include "targets/registry.hpp"

namespace lsrl {
namespace {

using test::matrix;
using test::vec;

Num q(long long p, long long d) { return Num::rational(p, d); }

Stage state(NumSparse A, NumSparse B, NumVector bias, NumVector init) {
  Stage s;
  s.kind = StageKind::State;
  s.out_dim = static_cast<int>(A.rows());
  s.in_dim = static_cast<int>(B.cols());
  s.A = std::move(A);
  s.B = std::move(B);
  s.b = std::move(bias);
  s.init = std::move(init);
  return s;
}

Stage linear(NumSparse A, NumVector b) {
  Stage s;
  s.kind = StageKind::Linear;
  s.out_dim = static_cast<int>(A.rows());
  s.in_dim = static_cast<int>(A.cols());
  s.A = std::move(A);
  s.b = std::move(b);
  return s;
}

Stage relu(int n) {
  Stage s;
  s.kind = StageKind::ReLU;
  s.in_dim = s.out_dim = n;
  return s;
}

Stage multi(int half) {
  Stage s;
  s.kind = StageKind::Multi;
  s.in_dim = 2 * half;
  s.out_dim = half;
  return s;
}

StagedModel model(int input_dim, std::vector<Stage> stages) {
  StagedModel m;
  m.input_dim = input_dim;
  m.stages = std::move(stages);
  return m;
}

OutputRows run(const StagedModel& m, const std::vector<std::vector<double>>& tokens) {
  return lower_to_target(path_from_stages(m), "gated-linear-rnn", TargetOptions{})
      ->run(tokens, Precision::F64, nullptr);
}

std::vector<std::vector<double>> tokens(int width) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> dist(-2.0, 2.0);
  std::vector<std::vector<double>> t(12, std::vector<double>(static_cast<std::size_t>(width)));
  for (auto& row : t)
    for (double& v : row) v = dist(rng);
  return t;
}

void expect_same_outputs(const OutputRows& a, const OutputRows& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t t = 0; t < a.size(); ++t) {
    ASSERT_EQ(a[t].size(), b[t].size());
    for (std::size_t i = 0; i < a[t].size(); ++i)
      EXPECT_NEAR(a[t][i], b[t][i], 1e-12 * std::max(1.0, std::abs(a[t][i])));
  }
}

TEST(OptimizeDropZeros, RemovesStoredExactZeros) {
  NumSparse A = matrix({{1, 2}});
  A.coeffRef(0, 1) = Num(0);  // stored, but zero
  StagedModel m =
      model(2, {state(NumSparse(2, 2), matrix({{1, 0}, {0, 1}}), vec({0, 0}), vec({0, 0})), linear(A, vec({0}))});
  EXPECT_EQ(drop_exact_zeros(m), 1);
  EXPECT_EQ(m.stages[1].A.nonZeros(), 1);
  EXPECT_EQ(drop_exact_zeros(m), 0);
}

TEST(OptimizeDeadUnits, RemovesUnitsThatNeverReachTheOutput) {
  // State: unit 0 counts inputs, unit 1 feeds unit 2, unit 2 is read by nobody
  // downstream, unit 3 feeds unit 0 through A. The Linear reads only unit 0.
  StagedModel m = model(
      1, {state(matrix({{q(1, 2), 0, 0, 1}, {0, q(1, 3), 0, 0}, {0, 1, q(1, 2), 0}, {0, 0, 0, q(1, 4)}}),
                matrix({{1}, {1}, {0}, {2}}), vec({0, 1, 0, 0}), vec({1, 2, 3, 4})),
          linear(matrix({{3, 0, 0, 0}, {1, 0, 0, 0}}), vec({0, 1})), relu(2), linear(matrix({{1, -1}}), vec({0}))});
  const auto t = tokens(1);
  const OutputRows before = run(m, t);
  EXPECT_EQ(remove_dead_units(m), 2);  // units 1 and 2 of the state
  EXPECT_EQ(m.stages[0].out_dim, 2);
  EXPECT_EQ(m.stages[1].in_dim, 2);
  expect_same_outputs(before, run(m, t));
  EXPECT_EQ(remove_dead_units(m), 0);
}

TEST(OptimizeDeadUnits, KeepsMultiPairsAndReluUnitsConsistent) {
  // Linear 1 -> 4, Multi of (0,2) and (1,3); only the first product is read.
  StagedModel m = model(1, {state(NumSparse(1, 1), matrix({{1}}), vec({0}), vec({0})),
                            linear(matrix({{1}, {2}, {3}, {4}}), vec({1, 0, 0, 1})), multi(2), relu(2),
                            linear(matrix({{1, 0}}), vec({0}))});
  const auto t = tokens(1);
  const OutputRows before = run(m, t);
  EXPECT_EQ(remove_dead_units(m), 4);  // rows 1 and 3 of the Linear, product 1, ReLU unit 1
  EXPECT_EQ(m.stages[1].out_dim, 2);
  EXPECT_EQ(m.stages[2].out_dim, 1);
  EXPECT_EQ(m.stages[3].out_dim, 1);
  expect_same_outputs(before, run(m, t));
}

TEST(OptimizeDuplicateUnits, MergesEqualRowsAndEqualStates) {
  // State units 0 and 1 evolve identically (same init, B, bias, A sums);
  // unit 2 has another init. Rows 0 and 2 of the Linear are equal.
  StagedModel m = model(1, {state(matrix({{q(1, 2), 0, 0}, {0, q(1, 2), 0}, {0, 0, q(1, 2)}}), matrix({{1}, {1}, {1}}),
                                  vec({1, 1, 1}), vec({2, 2, 3})),
                            linear(matrix({{1, 0, 0}, {0, 1, 2}, {1, 0, 0}}), vec({0, 0, 0})), relu(3),
                            linear(matrix({{1, 0, 0}, {0, 0, 2}, {0, 3, 0}}), vec({0, 0, 0}))});
  const auto t = tokens(1);
  const OutputRows before = run(m, t);
  EXPECT_GT(merge_duplicate_units(m), 0);
  remove_dead_units(m);
  EXPECT_EQ(m.stages[0].out_dim, 2);  // {0, 1} and {2}
  EXPECT_EQ(m.stages[1].out_dim, 2);  // rows {0, 2} and 1
  EXPECT_EQ(run(m, t), before);       // bit for bit
}

TEST(OptimizeDuplicateUnits, KeepsDuplicatesWhoseMergeWouldReorderASum) {
  // Units 0 and 2 are equal, but the reader adds 0.1 x0 + 3 x1 + 0.2 x2:
  // moving the last term before the middle one changes the rounding.
  StagedModel m = model(1, {state(NumSparse(3, 3), matrix({{1}, {2}, {1}}), vec({0, 0, 0}), vec({0, 0, 0})),
                            linear(matrix({{q(1, 10), 3, q(1, 5)}}), vec({0}))});
  EXPECT_EQ(merge_duplicate_units(m), 0);
  EXPECT_EQ(remove_dead_units(m), 0);
}

TEST(OptimizeConstantUnits, FoldsConstantsIntoBiases) {
  // State unit 0 stays at its init (A = 1, no input, no bias): constant 5.
  // Linear row 0 has no weights: constant 2. Each is read before any
  // varying term and the sums are exact, so folding rounds alike.
  StagedModel m =
      model(1, {state(matrix({{1, 0}, {0, q(1, 2)}}), matrix({{0}, {1}}), vec({0, 0}), vec({5, 0})),
                linear(matrix({{0, 0}, {1, 1}}), vec({2, 0})), relu(2), linear(matrix({{3, 1}}), vec({1}))});
  const auto t = tokens(1);
  const OutputRows before = run(m, t);
  EXPECT_GT(fold_constant_units(m), 0);
  remove_dead_units(m);
  EXPECT_EQ(m.stages[0].out_dim, 1);
  EXPECT_EQ(m.stages[1].out_dim, 1);
  EXPECT_EQ(run(m, t), before);  // bit for bit
}

TEST(OptimizeConstantUnits, KeepsConstantsThatWouldRoundDifferentlyInTheBias) {
  // The constant 1/10 is added after a varying term: (x + 0.1) + ... is not
  // x + (0.1 + ...) in floating point, so it stays a unit.
  StagedModel m = model(1, {state(matrix({{q(1, 2), 0}, {0, 1}}), matrix({{1}, {0}}), vec({0, 0}), vec({0, q(1, 10)})),
                            linear(matrix({{1, 1}}), vec({q(1, 3)}))});
  fold_constant_units(m);
  remove_dead_units(m);
  EXPECT_EQ(m.stages[0].out_dim, 2);
}

TEST(OptimizeConstantUnits, DropsTheZeroHalfOfABypassOfANonNegativeValue) {
  // f_relu_identity of r = ReLU(...) >= 0: ReLU(-r) is always 0.
  StagedModel m =
      model(1, {state(NumSparse(1, 1), matrix({{1}}), vec({0}), vec({0})), linear(matrix({{2}}), vec({q(-1, 3)})),
                relu(1), linear(matrix({{1}, {-1}}), vec({0, 0})), relu(2), linear(matrix({{1, -1}}), vec({0}))});
  const auto t = tokens(1);
  const OutputRows before = run(m, t);
  EXPECT_GT(fold_constant_units(m), 0);
  remove_dead_units(m);
  EXPECT_EQ(m.stages[3].out_dim, 1);
  EXPECT_EQ(run(m, t), before);  // bit for bit
}

TEST(OptimizeConstantUnits, KeepsConstantsTheProgramComputesInexactly) {
  // State unit 0 is 1/10 at every step, and row 0 adds 2/10 to it: 3/10 in
  // the rationals, 0.30000000000000004 in floating point. Folding would put
  // a bias in the model that the program never computes, so both stay.
  StagedModel m =
      model(1, {state(matrix({{0, 0}, {0, q(1, 2)}}), matrix({{0}, {1}}), vec({q(1, 10), 0}), vec({0, 0})),
                linear(matrix({{1, 0}, {0, 1}}), vec({q(2, 10), 0})), relu(2), linear(matrix({{1, 1}}), vec({0}))});
  const auto t = tokens(1);
  const OutputRows before = run(m, t);
  fold_constant_units(m);
  remove_dead_units(m);
  EXPECT_EQ(m.stages[1].out_dim, 2);
  EXPECT_EQ(run(m, t), before);
}

TEST(OptimizeConstantUnits, LeavesVaryingStatesAlone) {
  // A counter (A = 1, bias 1) changes every step: not a constant.
  StagedModel m = model(1, {state(matrix({{1}}), matrix({{0}}), vec({1}), vec({0})), linear(matrix({{2}}), vec({0}))});
  EXPECT_EQ(fold_constant_units(m), 0);
}

TEST(OptimizeMemorylessLayers, JoinsAStatelessLayerToThePreviousOne) {
  StagedModel m = model(1, {state(matrix({{q(1, 2)}}), matrix({{1}}), vec({0}), vec({0})), relu(1),
                            state(NumSparse(2, 2), matrix({{1}, {-1}}), vec({0, 1}), vec({7, 7})), relu(2)});
  const auto t = tokens(1);
  const OutputRows before = run(m, t);
  EXPECT_EQ(merge_memoryless_layers(m), 1);
  EXPECT_EQ(path_from_stages(m).layers.size(), 1u);
  expect_same_outputs(before, run(m, t));
}

TEST(OptimizeFuseLinears, FusesWhenTheProductIsNotLargerAndRoundsAlike) {
  StagedModel m = model(2, {state(NumSparse(2, 2), matrix({{1, 0}, {0, 1}}), vec({0, 0}), vec({0, 0})),
                            linear(matrix({{1, 1}, {1, -1}, {0, 2}}), vec({1, 0, 0})),
                            linear(matrix({{0, 0, 2}, {-1, 0, 0}}), vec({0, 0}))});
  const auto t = tokens(2);
  const OutputRows before = run(m, t);
  EXPECT_EQ(fuse_linear_stages(m), 1);
  EXPECT_EQ(m.stages.size(), 2u);
  EXPECT_EQ(run(m, t), before);  // bit for bit
}

TEST(OptimizeFuseLinears, KeepsLinearsWhoseProductRoundsDifferently) {
  // 3 (x + y + 1/10) is not computed as 3x + 3y + 3/10 by the program.
  StagedModel m = model(2, {state(NumSparse(2, 2), matrix({{1, 0}, {0, 1}}), vec({0, 0}), vec({0, 0})),
                            linear(matrix({{1, 1}}), vec({q(1, 10)})), linear(matrix({{3}}), vec({0}))});
  EXPECT_EQ(fuse_linear_stages(m), 0);
}

TEST(OptimizeFuseLinears, KeepsAFactorisationThatIsSmallerThanItsProduct) {
  // A 1x4 then 4x1... the other way round: 4x1 times 1x4 would be a dense 4x4.
  StagedModel m = model(
      4, {state(NumSparse(4, 4), sparse_identity(4), vec({0, 0, 0, 0}), vec({0, 0, 0, 0})),
          linear(matrix({{1, 2, 3, 4}}), vec({0})), linear(matrix({{1}, {2}, {3}, {4}}), vec({0, 0, 0, 0})), relu(4)});
  EXPECT_EQ(fuse_linear_stages(m), 0);
  EXPECT_EQ(m.stages.size(), 4u);
}

TEST(OptimizeFuseLinears, RemovesIdentityLinears) {
  StagedModel m = model(2, {state(NumSparse(2, 2), sparse_identity(2), vec({0, 0}), vec({0, 0})), relu(2),
                            linear(sparse_identity(2), vec({0, 0})), relu(2)});
  EXPECT_EQ(fuse_linear_stages(m), 1);
  EXPECT_EQ(m.stages.size(), 3u);
}

TEST(OptimizeDriver, ShrinksAndKeepsOutputs) {
  // A redundant model: two equal state units, a constant row, a duplicate
  // row, a memoryless second layer.
  PathModel path;
  path.input_dim = 1;
  path.output_dim = 1;
  PathLayer l0;
  l0.in_dim = 1;
  l0.state_dim = 2;
  l0.A = matrix({{q(1, 2), 0}, {0, q(1, 2)}});
  l0.B = matrix({{1}, {1}});
  l0.bias = vec({0, 0});
  l0.init = vec({1, 1});
  PathOp lin;
  lin.kind = PathOpKind::Linear;
  lin.in_dim = 2;
  lin.out_dim = 3;
  lin.A = matrix({{0, 0}, {1, 0}, {0, 1}});
  lin.b = vec({4, 0, 0});
  l0.ops.push_back(lin);
  PathOp r;
  r.kind = PathOpKind::ReLU;
  r.in_dim = r.out_dim = 3;
  l0.ops.push_back(r);
  PathLayer l1;
  l1.in_dim = 3;
  l1.state_dim = 1;
  l1.A = NumSparse(1, 1);
  l1.B = matrix({{1, 1, 0}});
  l1.bias = vec({0});
  l1.init = vec({0});
  path.layers = {l0, l1};
  const auto t = tokens(1);
  const OutputRows before = lower_to_target(path, "linear-rnn", TargetOptions{})->run(t, Precision::F64, nullptr);
  RuleCounter counts;
  PathModel optimized = path;
  optimize_path(optimized, counts);
  EXPECT_LT(optimized.nonzero_count(), path.nonzero_count());
  EXPECT_EQ(optimized.max_width(), 1);
  EXPECT_EQ(optimized.layers.size(), 1u);
  EXPECT_EQ(lower_to_target(optimized, "linear-rnn", TargetOptions{})->run(t, Precision::F64, nullptr), before);
}

}  // namespace
}  // namespace lsrl
