// The DAG evaluator against hand-computed semantics: each primitive, state
// carried across steps, the trace's contents, and the rounding each precision
// implies. Programs are built with the Program builders directly, so these
// tests do not depend on the front end.
#include "runtime/dag_eval.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <random>
#include <string>
#include <xtl/xhalf_float.hpp>

#include "graph/program.hpp"
#include "num_builders.hpp"

namespace lsrl {
namespace {

SourceSpan at(int line) { return SourceSpan{line, 1, 1}; }

using test::matrix;
using test::vec;

const TraceSeries* find_series(const Trace& trace, const std::string& label) {
  for (const auto& s : trace.series) {
    if (s.label == label) return &s;
  }
  return nullptr;
}

// Paper Fig. 1: outputs 1 while there have been more ones than zeros. Built
// with the primitives only: two counters and f_larger(ctr1s, ctr0s, mu=10)
// spelled out as ReLU(mu d) - ReLU(mu d - 1)  (= mu ReLU(d) - mu ReLU(d - 1/mu)).
Program more_ones_program() {
  Program p;
  NodeId input = p.add_input(1, at(1));
  NodeId ctr1s = p.add_linstate(input, matrix({{1}}), matrix({{1}}), vec({0}), std::nullopt, at(2));
  p.name_node(ctr1s, "ctr1s");
  NodeId is_zero = p.add_linear(input, matrix({{-1}}), vec({1}), at(3));
  p.name_node(is_zero, "is_zero");
  NodeId ctr0s = p.add_linstate(is_zero, matrix({{1}}), matrix({{1}}), vec({0}), std::nullopt, at(4));
  p.name_node(ctr0s, "ctr0s");
  NodeId both = p.add_concat({ctr1s, ctr0s}, at(5));
  NodeId scaled = p.add_linear(both, matrix({{10, -10}, {10, -10}}), vec({0, -1}), at(5));
  NodeId relu = p.add_relu(scaled, at(5));
  NodeId out = p.add_linear(relu, matrix({{1, -1}}), vec({0}), at(5));
  p.set_output(out, at(5));
  return p;
}

TEST(DagEval, MoreOnesCountsAcrossSteps) {
  Program p = more_ones_program();
  const std::vector<int> bits = {1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1};
  std::vector<std::vector<double>> tokens;
  for (int b : bits) tokens.push_back({static_cast<double>(b)});
  OutputRows out = evaluate_program(p, tokens, Precision::F64, nullptr);
  ASSERT_EQ(out.size(), bits.size());
  int ones = 0;
  int zeros = 0;
  for (std::size_t t = 0; t < bits.size(); ++t) {
    (bits[t] ? ones : zeros) += 1;
    ASSERT_EQ(out[t].size(), 1u);
    EXPECT_EQ(out[t][0], ones > zeros ? 1.0 : 0.0) << "step " << t;
  }
}

// LinState with a non-trivial A, B, bias and init against the recurrence
// computed with dense Eigen matrices in the test.
TEST(DagEval, LinStateFollowsTheRecurrenceFromInit) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> small(-4, 4);
  const int d = 3;
  const int in = 2;
  NumDense A(d, d), B(d, in);
  NumVector init(d), bias(d);
  Eigen::MatrixXd Ad(d, d), Bd(d, in);
  Eigen::VectorXd initd(d), biasd(d);
  for (int r = 0; r < d; ++r) {
    for (int c = 0; c < d; ++c) {
      A(r, c) = Num::rational(small(rng), 8);
      Ad(r, c) = A(r, c).to_double();
    }
    for (int c = 0; c < in; ++c) {
      B(r, c) = Num(small(rng));
      Bd(r, c) = B(r, c).to_double();
    }
    init[r] = Num(small(rng));
    initd[r] = init[r].to_double();
    bias[r] = Num::rational(small(rng), 2);
    biasd[r] = bias[r].to_double();
  }
  Program p;
  NodeId x = p.add_input(in, at(1));
  NodeId s = p.add_linstate(x, sparse_from_dense(A), sparse_from_dense(B), init, bias, at(2));
  p.set_output(s, at(3));

  std::vector<std::vector<double>> tokens;
  for (int t = 0; t < 6; ++t) tokens.push_back({small(rng) * 0.5, small(rng) * 0.25});
  OutputRows out = evaluate_program(p, tokens, Precision::F64, nullptr);

  Eigen::VectorXd state = initd;
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    Eigen::VectorXd xt(in);
    xt << tokens[t][0], tokens[t][1];
    state = Ad * state + Bd * xt + biasd;
    for (int r = 0; r < d; ++r) EXPECT_NEAR(out[t][static_cast<std::size_t>(r)], state[r], 1e-12) << "t=" << t;
  }
}

TEST(DagEval, SliceConcatMultiReluCompose) {
  Program p;
  NodeId x = p.add_input(4, at(1));
  NodeId head = p.add_slice(x, 0, 2, at(2));        // x0 x1
  NodeId tail = p.add_slice(x, 2, 4, at(3));        // x2 x3
  NodeId both = p.add_concat({tail, head}, at(4));  // x2 x3 x0 x1
  NodeId prod = p.add_multi(both, at(5));           // x2*x0, x3*x1
  NodeId shifted = p.add_linear(prod, matrix({{1, 0}, {0, -1}}), vec({-1, 0}), at(6));
  NodeId relu = p.add_relu(shifted, at(7));
  p.set_output(relu, at(8));

  std::vector<std::vector<double>> tokens = {{2, 3, 5, 7}, {-1, 0.5, 4, -2}, {0, 0, 0, 0}};
  OutputRows out = evaluate_program(p, tokens, Precision::F64, nullptr);
  ASSERT_EQ(out.size(), 3u);
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    const auto& v = tokens[t];
    EXPECT_EQ(out[t][0], std::max(0.0, v[2] * v[0] - 1)) << t;
    EXPECT_EQ(out[t][1], std::max(0.0, -(v[3] * v[1]))) << t;
  }
}

TEST(DagEval, NonStateNodesDoNotRememberPreviousSteps) {
  // Same token at two steps must give the same output when no LinState is
  // involved, whatever came between.
  Program p;
  NodeId x = p.add_input(1, at(1));
  NodeId y = p.add_linear(x, matrix({{3}}), vec({1}), at(2));
  p.set_output(p.add_relu(y, at(3)), at(3));
  OutputRows out = evaluate_program(p, {{2}, {-5}, {2}}, Precision::F64, nullptr);
  EXPECT_EQ(out[0][0], 7.0);
  EXPECT_EQ(out[1][0], 0.0);
  EXPECT_EQ(out[2][0], 7.0);
}

TEST(DagEval, TraceRecordsInputNamedNodesAndOutput) {
  Program p = more_ones_program();
  // A named node the output does not depend on is not part of the model.
  NodeId unused = p.add_linear(p.input(), matrix({{2}}), vec({0}), at(9));
  p.name_node(unused, "unused");
  std::vector<std::vector<double>> tokens = {{1}, {1}, {0}};
  Trace trace;
  OutputRows out = evaluate_program(p, tokens, Precision::F64, &trace);
  EXPECT_EQ(trace.steps, 3);
  std::vector<std::string> labels;
  for (const auto& s : trace.series) labels.push_back(s.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"input", "ctr1s", "is_zero", "ctr0s", "output"}));
  EXPECT_EQ(find_series(trace, "unused"), nullptr);

  const TraceSeries* ctr1s = find_series(trace, "ctr1s");
  ASSERT_NE(ctr1s, nullptr);
  EXPECT_EQ(ctr1s->kind, "LinState");
  EXPECT_EQ(ctr1s->layer, -1);
  EXPECT_EQ(ctr1s->dim, 1);
  ASSERT_EQ(ctr1s->values.size(), 3u);
  EXPECT_EQ(ctr1s->at(0, 0), 1.0);
  EXPECT_EQ(ctr1s->at(1, 0), 2.0);
  EXPECT_EQ(ctr1s->at(2, 0), 2.0);
  EXPECT_EQ(find_series(trace, "ctr0s")->at(2, 0), 1.0);
  EXPECT_EQ(find_series(trace, "is_zero")->kind, "Linear");
  const TraceSeries* input = find_series(trace, "input");
  EXPECT_EQ(input->kind, "Input");
  EXPECT_EQ(input->at(2, 0), 0.0);
  const TraceSeries* output = find_series(trace, "output");
  for (int t = 0; t < 3; ++t) EXPECT_EQ(output->at(t, 0), out[static_cast<std::size_t>(t)][0]);
}

TEST(DagEval, WeightsAreRoundedToThePrecision) {
  Program p;
  NodeId x = p.add_input(1, at(1));
  p.set_output(p.add_linear(x, matrix({{Num::rational(1, 10)}}), vec({0}), at(2)), at(2));
  const std::vector<std::vector<double>> one = {{1}};
  EXPECT_EQ(evaluate_program(p, one, Precision::F64, nullptr)[0][0], 0.1);
  EXPECT_EQ(evaluate_program(p, one, Precision::F32, nullptr)[0][0], static_cast<double>(0.1f));
  const double half_tenth = static_cast<double>(static_cast<float>(xtl::half_float(0.1f)));
  EXPECT_EQ(evaluate_program(p, one, Precision::F16, nullptr)[0][0], half_tenth);
  EXPECT_NE(half_tenth, static_cast<double>(0.1f));  // the test distinguishes the three
}

TEST(DagEval, HalfPrecisionOverflowsWhereTheOthersDoNot) {
  // 1e5 is beyond half precision's largest finite value (65504).
  Program p;
  NodeId x = p.add_input(1, at(1));
  p.set_output(p.add_linear(x, matrix({{100000}}), vec({0}), at(2)), at(2));
  EXPECT_EQ(evaluate_program(p, {{1}}, Precision::F32, nullptr)[0][0], 100000.0);
  EXPECT_TRUE(std::isinf(evaluate_program(p, {{1}}, Precision::F16, nullptr)[0][0]));
}

TEST(DagEval, SinglePrecisionLosesTheSmallTermBesideALargeOne) {
  // (1e8 + 1) - 1e8 is 1 in f64 and 0 in f32: each operation rounds.
  Program p;
  NodeId x = p.add_input(1, at(1));
  NodeId big = p.add_linear(x, matrix({{1}}), vec({100000000}), at(2));
  p.set_output(p.add_linear(big, matrix({{1}}), vec({-100000000}), at(3)), at(3));
  EXPECT_EQ(evaluate_program(p, {{1}}, Precision::F64, nullptr)[0][0], 1.0);
  EXPECT_EQ(evaluate_program(p, {{1}}, Precision::F32, nullptr)[0][0], 0.0);
}

TEST(DagEval, TokenOfWrongWidthIsAnErrorNamingTheToken) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  p.set_output(x, at(2));
  try {
    evaluate_program(p, {{1, 2}, {3}}, Precision::F64, nullptr);
    FAIL() << "expected an LsrlError";
  } catch (const LsrlError& e) {
    EXPECT_FALSE(e.span().known());
    EXPECT_NE(e.message().find("token 2"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("width 2"), std::string::npos) << e.message();
  }
}

TEST(DagEval, NoTokensGiveNoOutputs) {
  Program p = more_ones_program();
  Trace trace;
  EXPECT_TRUE(evaluate_program(p, {}, Precision::F64, &trace).empty());
  EXPECT_EQ(trace.steps, 0);
  for (const auto& s : trace.series) EXPECT_TRUE(s.values.empty());
}

TEST(DagEval, ProgramWithoutReturnIsAnError) {
  Program p;
  p.add_input(1, at(1));
  EXPECT_THROW(evaluate_program(p, {{1}}, Precision::F64, nullptr), LsrlError);
}

TEST(PrecisionNames, RoundTrip) {
  for (Precision prec : {Precision::F64, Precision::F32, Precision::F16}) {
    Precision parsed = Precision::F64;
    ASSERT_TRUE(parse_precision(precision_name(prec), parsed));
    EXPECT_EQ(parsed, prec);
  }
  Precision untouched = Precision::F32;
  EXPECT_FALSE(parse_precision("f8", untouched));
  EXPECT_FALSE(parse_precision("F64", untouched));
  EXPECT_FALSE(parse_precision("", untouched));
  EXPECT_EQ(untouched, Precision::F32);
}

}  // namespace
}  // namespace lsrl
