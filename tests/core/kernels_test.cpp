// The one place the kernels' bit-exactness invariant is tested: for every
// scalar of a run (f64, f32, f16), every product the executors use (per
// token and for a chunk of steps, dense and compressed rows, rounded from
// the compiler's exact numbers or from doubles) gives exactly the program's
// sum: each row starts at its bias, then adds w * x for each of its weights
// in column order, rounding after every operation. The ground truth is that
// plain loop, written here. Which weights are terms: the program's matrices
// (prepare_matrix) drop a weight that rounds to zero in the run's precision,
// the targets' (to_csr) keep every stored weight.
//
// Zero inputs, -0.0, infinities and NaN: the dense product skips an input
// that is exactly zero (and adds the terms of zero weights) only where that
// changes nothing, so every form gives the compressed rows' bits for every
// input. NaN payloads are not part of the contract (both NaN is a match);
// the sign of a zero is.
#include "runtime/kernels.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "runtime/activations.hpp"
#include "runtime/scalar.hpp"

namespace lsrl {
namespace {

// A weight matrix as the test holds it: exact numbers, and the doubles
// nearest them (what both sources of weights round from).
struct TestMatrix {
  int rows = 0;
  int cols = 0;
  NumSparse exact;
  SparseD doubles;
  std::vector<double> entry;  // row-major; 0 where no weight is stored
  double at(int r, int c) const {
    return entry[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c)];
  }
};

TestMatrix make_matrix(const NumDense& d) {
  TestMatrix m;
  m.rows = static_cast<int>(d.rows());
  m.cols = static_cast<int>(d.cols());
  m.exact = sparse_from_dense(d);
  m.doubles = SparseD(d.rows(), d.cols());
  m.entry.assign(static_cast<std::size_t>(m.rows) * static_cast<std::size_t>(m.cols), 0.0);
  std::vector<Eigen::Triplet<double>> triplets;
  for (int r = 0; r < m.rows; ++r)
    for (int c = 0; c < m.cols; ++c) {
      const double v = d(r, c).to_double();
      m.entry[static_cast<std::size_t>(r) * static_cast<std::size_t>(m.cols) + static_cast<std::size_t>(c)] = v;
      if (v != 0.0) triplets.emplace_back(r, c, v);
    }
  m.doubles.setFromTriplets(triplets.begin(), triplets.end());
  return m;
}

// Large next to small (f_ifelse's lambda, 1e10 - 0.2 + 0.3), values with no
// finite binary expansion, a weight f16 rounds to infinity (1e10, 1e5) and
// one it rounds to zero (1e-9).
Num pick_weight(std::mt19937& rng) {
  static const Num pool[] = {Num(10000000000LL),
                             Num(-10000000000LL),
                             Num::rational(-1, 5),
                             Num::rational(3, 10),
                             Num::rational(1, 3),
                             Num::rational(-2, 7),
                             Num::rational(1, 10),
                             Num(100000),
                             Num::rational(1, 1000000000),
                             Num(1),
                             Num(-1),
                             Num::rational(1, 2)};
  std::uniform_int_distribution<int> which(0, static_cast<int>(std::size(pool)) + 2);
  const int k = which(rng);
  if (k < static_cast<int>(std::size(pool))) return pool[k];
  std::uniform_int_distribution<int> p(-999, 999);
  return Num::rational(p(rng), 97);  // non-dyadic, of the order of 1
}

double pick_input(std::mt19937& rng, bool special) {
  std::uniform_int_distribution<int> which(0, special ? 11 : 7);
  switch (which(rng)) {
    case 0:
    case 1:
      return 0.0;  // ReLU outputs: many exact zeros
    case 2:
      return 1e10;
    case 3:
      return -0.2;
    case 4:
      return 0.3;
    case 5:
      return 1.0 / 3.0;
    case 6:
      return -0.0;
    case 7:
      return std::uniform_real_distribution<double>(-2.0, 2.0)(rng);
    case 8:
      return std::numeric_limits<double>::infinity();
    case 9:
      return -std::numeric_limits<double>::infinity();
    case 10:
      return std::numeric_limits<double>::quiet_NaN();
    default:
      return 0.0;
  }
}

template <typename T>
std::vector<T> pick_vector(std::mt19937& rng, int n, bool special) {
  std::vector<T> v(static_cast<std::size_t>(n));
  for (T& x : v) x = to_scalar<T>(pick_input(rng, special));
  return v;
}

// The ground truth: the program's sum, as a plain loop.
enum class Terms { StoredWeights, WeightsNotRoundedToZero };

template <typename T>
std::vector<T> reference(const TestMatrix& m, const T* bias, const T* x, Terms terms) {
  std::vector<T> y(static_cast<std::size_t>(m.rows));
  for (int r = 0; r < m.rows; ++r) {
    T acc = bias[r];
    for (int c = 0; c < m.cols; ++c) {
      if (m.at(r, c) == 0.0) continue;  // no weight stored
      const T w = to_scalar<T>(m.at(r, c));
      if (w == T{} && terms == Terms::WeightsNotRoundedToZero) continue;
      acc = acc + w * x[c];
    }
    y[static_cast<std::size_t>(r)] = acc;
  }
  return y;
}

template <typename T>
bool same_bits(T a, T b) {
  const double da = from_scalar(a);
  const double db = from_scalar(b);
  if (std::isnan(da) || std::isnan(db)) return std::isnan(da) && std::isnan(db);
  return std::memcmp(&da, &db, sizeof da) == 0;
}

template <typename T>
::testing::AssertionResult same_rows(const std::vector<T>& expect, const T* got, std::size_t stride = 1) {
  for (std::size_t r = 0; r < expect.size(); ++r) {
    if (!same_bits(expect[r], got[r * stride]))
      return ::testing::AssertionFailure()
             << "row " << r << ": expected " << from_scalar(expect[r]) << ", got " << from_scalar(got[r * stride]);
  }
  return ::testing::AssertionSuccess();
}

// Every form of the product on one matrix, bias and chunk of inputs
// (xs[t] is step t's input).
template <typename T>
void check_every_form(const TestMatrix& tm, const std::vector<T>& bias, const std::vector<std::vector<T>>& xs,
                      bool* saw_dense, bool* saw_sparse) {
  const WeightMatrix<T> wm = prepare_matrix<T>(tm.exact);
  (wm.dense ? *saw_dense : *saw_sparse) = true;
  const CsrMatrix<T> csr = to_csr<T>(tm.doubles);
  const std::size_t rows = static_cast<std::size_t>(tm.rows);
  const std::size_t cols = static_cast<std::size_t>(tm.cols);
  const std::size_t steps = xs.size();
  std::vector<std::vector<T>> expect, expect_stored;
  for (const auto& x : xs) {
    expect.push_back(reference(tm, bias.data(), x.data(), Terms::WeightsNotRoundedToZero));
    expect_stored.push_back(reference(tm, bias.data(), x.data(), Terms::StoredWeights));
  }

  // One token.
  for (std::size_t t = 0; t < steps; ++t) {
    SCOPED_TRACE("step " + std::to_string(t) + (wm.dense ? " (dense)" : " (compressed rows)"));
    std::vector<T> y(rows);
    affine(wm, bias.data(), xs[t].data(), y.data());
    EXPECT_TRUE(same_rows(expect[t], y.data())) << "affine(WeightMatrix)";
    y = bias;
    multiply_add(wm, xs[t].data(), y.data());
    EXPECT_TRUE(same_rows(expect[t], y.data())) << "multiply_add(WeightMatrix)";
    y = bias;
    multiply_add_into(csr, xs[t].data(), y.data());
    EXPECT_TRUE(same_rows(expect_stored[t], y.data())) << "multiply_add_into(CsrMatrix)";
    y = bias;
    multiply_add(csr, xs[t], y);
    EXPECT_TRUE(same_rows(expect_stored[t], y.data())) << "multiply_add(CsrMatrix)";
    EXPECT_TRUE(same_rows(expect_stored[t], affine(csr, bias, xs[t]).data())) << "affine(CsrMatrix)";
  }

  // A chunk: feature-major input with a leading dimension larger than the
  // steps (as the executors' fixed-size chunk buffers are).
  const std::size_t ld = steps + 3;
  std::vector<T> x_fm(cols * ld, to_scalar<T>(7.0));
  for (std::size_t t = 0; t < steps; ++t)
    for (std::size_t c = 0; c < cols; ++c) x_fm[c * ld + t] = xs[t][c];
  std::vector<T> scratch(steps);
  {
    std::vector<T> y(rows * ld);
    affine_columns(wm, bias.data(), x_fm.data(), ld, steps, y.data());
    for (std::size_t t = 0; t < steps; ++t)
      EXPECT_TRUE(same_rows(expect[t], y.data() + t, ld)) << "affine_columns, step " << t;
  }
  {
    std::vector<T> y(steps * rows);
    project_columns(csr, bias, x_fm.data(), ld, steps, y.data(), rows, scratch.data());
    for (std::size_t t = 0; t < steps; ++t)
      EXPECT_TRUE(same_rows(expect_stored[t], y.data() + t * rows)) << "project_columns, step " << t;
  }
  if (steps <= 8) {
    // A fixed-width chunk of 8 steps (the evaluator's affine_chunk), the
    // steps beyond `steps` holding stale values as a short last chunk does.
    constexpr std::size_t kWidth = 8;
    std::vector<T> x_chunk(cols * kWidth, to_scalar<T>(-3.0));
    for (std::size_t t = 0; t < steps; ++t)
      for (std::size_t c = 0; c < cols; ++c) x_chunk[c * kWidth + t] = xs[t][c];
    std::vector<T> y(rows * kWidth);
    affine_chunk<kWidth>(wm.csr, bias.data(), x_chunk.data(), y.data());
    for (std::size_t t = 0; t < steps; ++t)
      EXPECT_TRUE(same_rows(expect[t], y.data() + t, kWidth)) << "affine_chunk(program's), step " << t;
    affine_chunk<kWidth>(csr, bias.data(), x_chunk.data(), y.data());
    for (std::size_t t = 0; t < steps; ++t)
      EXPECT_TRUE(same_rows(expect_stored[t], y.data() + t, kWidth)) << "affine_chunk(target's), step " << t;
  }
  {
    // Step-major output through the dense-or-compressed matrix.
    std::vector<T> y(steps * rows);
    affine_steps(wm, bias.data(), x_fm.data(), ld, steps, y.data(), 1, rows, scratch.data());
    for (std::size_t t = 0; t < steps; ++t)
      EXPECT_TRUE(same_rows(expect[t], y.data() + t * rows)) << "affine_steps, step " << t;
  }
}

template <typename T>
class RuntimeKernels : public ::testing::Test {};
using Scalars = ::testing::Types<double, float, F16>;
TYPED_TEST_SUITE(RuntimeKernels, Scalars);

// Random shapes (row counts that exercise the dense product's blocks of 8,
// 2 and 1 rows) and densities on both sides of the dense threshold.
TYPED_TEST(RuntimeKernels, EveryFormSumsBiasFirstInColumnOrder) {
  using T = TypeParam;
  std::mt19937 rng(15);
  bool saw_dense = false, saw_sparse = false;
  for (int round = 0; round < 120; ++round) {
    std::uniform_int_distribution<int> size(1, 37);
    const int rows = size(rng), cols = size(rng);
    const double density = std::vector<double>{0.04, 0.1, 0.3, 0.7, 1.0}[static_cast<std::size_t>(round % 5)];
    NumDense d = NumDense::Constant(rows, cols, Num(0));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c)
        if (u(rng) < density) d(r, c) = pick_weight(rng);
    const TestMatrix tm = make_matrix(d);
    const std::vector<T> bias = pick_vector<T>(rng, rows, false);
    std::vector<std::vector<T>> xs;
    for (int t = 0; t < 5; ++t) xs.push_back(pick_vector<T>(rng, cols, false));
    check_every_form(tm, bias, xs, &saw_dense, &saw_sparse);
  }
  EXPECT_TRUE(saw_dense);
  EXPECT_TRUE(saw_sparse);
}

// The large-bias case the summation order exists for: 1e10 - 0.2 + 0.3 is
// not 1e10 + (0.3 - 0.2) in any precision.
TYPED_TEST(RuntimeKernels, TheBiasIsAddedFirst) {
  using T = TypeParam;
  NumDense d(1, 2);
  d(0, 0) = Num::rational(-1, 5);
  d(0, 1) = Num::rational(3, 10);
  const TestMatrix tm = make_matrix(d);
  const std::vector<T> bias{to_scalar<T>(1e10)};
  const std::vector<T> x{to_scalar<T>(1.0), to_scalar<T>(1.0)};
  bool saw_dense = false, saw_sparse = false;
  check_every_form(tm, bias, {x}, &saw_dense, &saw_sparse);
  if constexpr (std::is_same_v<T, double>) {
    std::vector<T> y(1);
    affine(prepare_matrix<T>(tm.exact), bias.data(), x.data(), y.data());
    EXPECT_EQ(y[0], (1e10 - 0.2) + 0.3);
    EXPECT_NE(y[0], 1e10 + (-0.2 + 0.3));
  }
}

// Dense matrices (every entry stored, or tiny) whose inputs are zeros of
// both signs, infinities and NaN, with -0.0 biases, weights that round to
// zero and weights f16 rounds to infinity: the dense product's skipped zero
// inputs and added zero weights change nothing; every form gives the
// compressed rows' bits (an infinite or NaN input reaches only the rows with
// a weight in its column; a zero input times an infinite weight is NaN).
TYPED_TEST(RuntimeKernels, SkippedZeroInputsChangeNothing) {
  using T = TypeParam;
  std::mt19937 rng(16);
  bool saw_dense = false, saw_sparse = false;
  for (int round = 0; round < 200; ++round) {
    std::uniform_int_distribution<int> size(1, 19);
    const int rows = size(rng), cols = size(rng);
    NumDense d = NumDense::Constant(rows, cols, Num(0));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c)
        if (u(rng) < 0.6) d(r, c) = pick_weight(rng);
    const TestMatrix tm = make_matrix(d);
    std::vector<T> bias = pick_vector<T>(rng, rows, false);
    if (round % 3 == 0)
      for (T& b : bias) b = to_scalar<T>(-0.0);
    std::vector<std::vector<T>> xs;
    for (int t = 0; t < 4; ++t) xs.push_back(pick_vector<T>(rng, cols, true));
    check_every_form(tm, bias, xs, &saw_dense, &saw_sparse);
  }
  EXPECT_TRUE(saw_dense);
}

// The dense product's exactness checks are per block of rows (8, 4, 2, 1)
// and read the inputs' finiteness off the first block's sums: a -0 start in
// one block only (the others keep the fast form), an infinite or NaN input
// in a column where the first block's weights are zero, and sums that
// overflow from finite inputs (the fast form stands: no input is infinite).
// Every form must still give the compressed rows' bits, multiply_add too,
// whose start is its output.
TYPED_TEST(RuntimeKernels, DenseBlocksCheckExactnessOneByOne) {
  using T = TypeParam;
  std::mt19937 rng(17);
  bool saw_dense = false, saw_sparse = false;
  for (int round = 0; round < 150; ++round) {
    std::uniform_int_distribution<int> size(1, 23);
    const int rows = size(rng), cols = size(rng);
    NumDense d = NumDense::Constant(rows, cols, Num(0));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    // Weights large enough to overflow f16 sums (300 * 300 > 65504), and
    // the first rows' weights all zero in some columns.
    const std::vector<Num> big{Num(300), Num(-300), Num::rational(1, 3), Num(-2)};
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c)
        if (u(rng) < 0.7 && !(r < 8 && c % 3 == 0))
          d(r, c) = round % 2 ? big[static_cast<std::size_t>(rng() % big.size())] : pick_weight(rng);
    const TestMatrix tm = make_matrix(d);
    std::vector<T> bias = pick_vector<T>(rng, rows, false);
    for (T& b : bias)
      if (b == T{}) b = to_scalar<T>(1.0);
    bias[static_cast<std::size_t>(rng() % static_cast<unsigned>(rows))] = to_scalar<T>(-0.0);  // one -0 start
    std::vector<std::vector<T>> xs;
    for (int t = 0; t < 4; ++t) {
      std::vector<T> x = pick_vector<T>(rng, cols, false);
      if (round % 2) x = std::vector<T>(static_cast<std::size_t>(cols), to_scalar<T>(t % 2 ? 300.0 : 0.0));
      if (t == 3)
        x[0] = to_scalar<T>(round % 3 == 0 ? std::numeric_limits<double>::quiet_NaN()
                                           : std::numeric_limits<double>::infinity());
      xs.push_back(x);
    }
    check_every_form(tm, bias, xs, &saw_dense, &saw_sparse);
  }
  EXPECT_TRUE(saw_dense);
}

// The cases above, one by one, for the dense product (a 2 x 2 matrix is
// always stored dense).
TYPED_TEST(RuntimeKernels, ZeroAndNonFiniteInputsByHand) {
  using T = TypeParam;
  const T inf = to_scalar<T>(std::numeric_limits<double>::infinity());
  const T nan = to_scalar<T>(std::numeric_limits<double>::quiet_NaN());
  const T neg_zero = to_scalar<T>(-0.0);
  const T zero{};
  auto run = [](const NumDense& d, std::vector<T> bias, std::vector<T> x) {
    const WeightMatrix<T> m = prepare_matrix<T>(sparse_from_dense(d));
    EXPECT_TRUE(m.dense);
    std::vector<T> y(bias.size());
    affine(m, bias.data(), x.data(), y.data());
    return y;
  };
  NumDense diagonal = NumDense::Constant(2, 2, Num(0));
  diagonal(0, 0) = Num(2);
  diagonal(1, 1) = Num(3);
  // A NaN or infinite input reaches only the row with a weight in its column.
  auto y = run(diagonal, {zero, zero}, {nan, to_scalar<T>(1.0)});
  EXPECT_TRUE(std::isnan(from_scalar(y[0])));
  EXPECT_EQ(from_scalar(y[1]), 3.0);
  y = run(diagonal, {zero, zero}, {to_scalar<T>(1.0), inf});
  EXPECT_EQ(from_scalar(y[0]), 2.0);
  EXPECT_EQ(from_scalar(y[1]), std::numeric_limits<double>::infinity());
  // A -0.0 bias stays -0.0 when every term is -0.0, and becomes +0.0 when a
  // term is +0.0 (a zero input the dense product would otherwise skip).
  y = run(diagonal, {neg_zero, neg_zero}, {neg_zero, zero});
  EXPECT_TRUE(std::signbit(from_scalar(y[0])));   // -0 + 2 * -0 = -0
  EXPECT_FALSE(std::signbit(from_scalar(y[1])));  // -0 + 3 * +0 = +0
  EXPECT_EQ(from_scalar(y[1]), 0.0);
  // A zero weight is no term: -0.0 stays -0.0 beside a finite input.
  y = run(diagonal, {neg_zero, neg_zero}, {neg_zero, to_scalar<T>(5.0)});
  EXPECT_TRUE(std::signbit(from_scalar(y[0])));
  // A zero input times an infinite weight (f16 rounds 1e10 to infinity) is
  // NaN, as in the program's evaluation.
  NumDense big = diagonal;
  big(0, 0) = Num(10000000000LL);
  y = run(big, {to_scalar<T>(1.0), to_scalar<T>(1.0)}, {zero, zero});
  if (std::is_same_v<T, F16>) {
    EXPECT_TRUE(std::isnan(from_scalar(y[0])));
  } else {
    EXPECT_EQ(from_scalar(y[0]), 1.0);
  }
  EXPECT_EQ(from_scalar(y[1]), 1.0);
  // A weight f16 rounds to zero (1e-9) beside an infinite input: no term of
  // the program's matrix; a zero weight of the target's, so NaN.
  NumDense tiny = NumDense::Constant(1, 1, Num::rational(1, 1000000000));
  y = run(tiny, {to_scalar<T>(1.0)}, {inf});
  SparseD tiny_doubles(1, 1);
  tiny_doubles.insert(0, 0) = 1e-9;
  const std::vector<T> target_y = affine(to_csr<T>(tiny_doubles), {to_scalar<T>(1.0)}, {inf});
  if (std::is_same_v<T, F16>) {
    EXPECT_EQ(from_scalar(y[0]), 1.0);
    EXPECT_TRUE(std::isnan(from_scalar(target_y[0])));
  } else {
    EXPECT_EQ(from_scalar(y[0]), std::numeric_limits<double>::infinity());
    EXPECT_EQ(from_scalar(target_y[0]), std::numeric_limits<double>::infinity());
  }
}

// f16 rounds after every operation (xtl::half_float has no expression
// templates carrying a product in float): -(1 + 2^-9) + (1 + 2^-10)^2 is 0
// in half precision op by op, 2^-20 if the product were kept in float.
TEST(RuntimeScalar, HalfPrecisionRoundsEveryOperation) {
  const double b = 1.0 + std::ldexp(1.0, -10);
  const double a = -(1.0 + std::ldexp(1.0, -9));
  const F16 ha = to_scalar<F16>(a), hb = to_scalar<F16>(b);
  EXPECT_EQ(from_scalar(ha + hb * hb), 0.0);
  const xtl::half_float xa(static_cast<float>(a)), xb(static_cast<float>(b));
  EXPECT_EQ(static_cast<float>(xa + xb * xb), 0.0f);
  EXPECT_EQ(static_cast<double>(static_cast<float>(a) + static_cast<float>(b) * static_cast<float>(b)),
            std::ldexp(1.0, -20));
}

// ReLU and the Multi gate, array and scalar forms alike: relu gives +0 for
// NaN and for zeros of either sign.
TYPED_TEST(RuntimeKernels, ReluAndMultiGate) {
  using T = TypeParam;
  const std::vector<double> in{-2.0, -0.0, 0.0, 0.3, std::numeric_limits<double>::quiet_NaN(), 1e10};
  std::vector<T> x = to_scalars<T>(in), y(in.size());
  relu(x.data(), y.data(), x.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const double expect = in[i] > 0.0 ? from_scalar(x[i]) : 0.0;
    EXPECT_TRUE(same_bits(to_scalar<T>(expect), y[i])) << i;
    EXPECT_TRUE(same_bits(y[i], act_relu(x[i]))) << i;
  }
  std::vector<T> gate(3);
  multi_gate(x.data(), 3, gate.data());
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(same_bits(x[i] * x[i + 3], gate[i])) << i;
}

}  // namespace
}  // namespace lsrl
