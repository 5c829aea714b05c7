// The linear-rnn / gated-linear-rnn targets: the executor runs the layer
// equations (checked against a plain re-implementation of them here), records
// traces, names its weights, handles the three precisions, refuses Multi on
// linear-rnn with a diagnostic at the Multi, and the registry lists every
// target. (The kernels themselves: kernels_test.cpp.)
#include <gtest/gtest.h>

#include <cmath>

#include "compile/compiler.hpp"
#include "lang/build.hpp"
#include "num_builders.hpp"
#include "targets/registry.hpp"

namespace lsrl {
namespace {

using test::matrix;
using test::vec;

PathOp linear_op(NumSparse A, NumVector b) {
  PathOp op;
  op.kind = PathOpKind::Linear;
  op.in_dim = static_cast<int>(A.cols());
  op.out_dim = static_cast<int>(A.rows());
  op.A = std::move(A);
  op.b = std::move(b);
  return op;
}

PathOp elementwise_op(PathOpKind kind, int in_dim) {
  PathOp op;
  op.kind = kind;
  op.in_dim = in_dim;
  op.out_dim = kind == PathOpKind::Multi ? in_dim / 2 : in_dim;
  return op;
}

// Two layers: a 2-unit state with a Linear and a ReLU after it; a 1-unit
// state with a Linear to 2 units and a Multi.
PathModel two_layer_model(bool with_multi) {
  PathModel m;
  m.input_dim = 1;
  PathLayer l0;
  l0.in_dim = 1;
  l0.state_dim = 2;
  l0.A = matrix({{Num::rational(1, 2), 0}, {1, 0}});
  l0.B = matrix({{1}, {0}});
  l0.bias = vec({1, 0});
  l0.init = vec({2, -1});
  l0.ops = {linear_op(matrix({{1, -1}, {2, 1}}), vec({0, 1})), elementwise_op(PathOpKind::ReLU, 2)};
  PathLayer l1;
  l1.in_dim = 2;
  l1.state_dim = 1;
  l1.A = matrix({{Num::rational(1, 4)}});
  l1.B = matrix({{1, 1}});
  l1.bias = vec({0});
  l1.init = vec({0});
  if (with_multi) {
    l1.ops = {linear_op(matrix({{1}, {-2}}), vec({0, 3})), elementwise_op(PathOpKind::Multi, 2)};
    l1.ops.back().label = "gate";
    l1.ops.back().origin = SourceSpan{7, 5, 5};
    m.output_dim = 1;
  } else {
    l1.ops = {linear_op(matrix({{1}, {-2}}), vec({0, 3}))};
    m.output_dim = 2;
  }
  m.layers = {l0, l1};
  return m;
}

// The layer equations written out directly, for comparison.
OutputRows reference_run(const PathModel& m, const std::vector<std::vector<double>>& tokens) {
  std::vector<Eigen::VectorXd> state;
  for (const auto& l : m.layers) state.push_back(to_double(l.init));
  OutputRows out;
  for (const auto& token : tokens) {
    Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(token.data(), static_cast<Eigen::Index>(token.size()));
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
      const auto& l = m.layers[i];
      state[i] =
          to_double(dense_from_sparse(l.A)) * state[i] + to_double(dense_from_sparse(l.B)) * x + to_double(l.bias);
      x = state[i];
      for (const auto& op : l.ops) {
        if (op.kind == PathOpKind::Linear)
          x = to_double(dense_from_sparse(op.A)) * x + to_double(op.b);
        else if (op.kind == PathOpKind::ReLU)
          x = x.cwiseMax(0.0);
        else
          x = x.head(x.size() / 2).cwiseProduct(x.tail(x.size() / 2)).eval();
      }
    }
    out.emplace_back(x.data(), x.data() + x.size());
  }
  return out;
}

std::vector<std::vector<double>> some_tokens(int n) {
  std::vector<std::vector<double>> t;
  for (int i = 0; i < n; ++i) t.push_back({std::sin(1.3 * i) * 2.0});
  return t;
}

void expect_close(const OutputRows& a, const OutputRows& b, double rel) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t t = 0; t < a.size(); ++t) {
    ASSERT_EQ(a[t].size(), b[t].size());
    for (std::size_t i = 0; i < a[t].size(); ++i)
      EXPECT_NEAR(a[t][i], b[t][i], rel * std::max(1.0, std::abs(b[t][i]))) << t;
  }
}

TEST(LinearRnn, RunsTheLayerEquations) {
  for (bool gated : {false, true}) {
    const PathModel m = two_layer_model(gated);
    auto model = lower_to_target(m, gated ? "gated-linear-rnn" : "linear-rnn", TargetOptions{});
    const auto tokens = some_tokens(9);
    expect_close(model->run(tokens, Precision::F64, nullptr), reference_run(m, tokens), 1e-14);
    EXPECT_EQ(model->target(), gated ? "gated-linear-rnn" : "linear-rnn");
    EXPECT_EQ(model->input_dim(), 1);
    EXPECT_EQ(model->output_dim(), m.output_dim);
  }
}

TEST(LinearRnn, RecordsStatesAndOpOutputsInTheTrace) {
  const PathModel m = two_layer_model(true);
  auto model = lower_to_target(m, "gated-linear-rnn", TargetOptions{});
  const auto tokens = some_tokens(6);
  Trace trace;
  const OutputRows out = model->run(tokens, Precision::F64, &trace);
  EXPECT_EQ(trace.steps, 6);
  std::vector<std::string> kinds;
  for (const auto& s : trace.series) {
    kinds.push_back(s.kind);
    EXPECT_EQ(s.values.size(), 6u * static_cast<std::size_t>(s.dim)) << s.label;
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"state", "op:Linear", "op:ReLU", "state", "op:Linear", "op:Multi", "output"}));
  EXPECT_EQ(trace.series[0].label, "layer 0 state");
  EXPECT_EQ(trace.series[0].layer, 0);
  EXPECT_EQ(trace.series[3].label, "layer 1 state");
  EXPECT_NE(trace.series[5].label.find("gate"), std::string::npos);
  // The first state at step 1 is A s_0 + B x_1 + b.
  EXPECT_DOUBLE_EQ(trace.series[0].at(0, 0), 0.5 * 2 + tokens[0][0] + 1);
  EXPECT_DOUBLE_EQ(trace.series[0].at(0, 1), 2.0);
  // The Multi's output is the model's output.
  for (int t = 0; t < 6; ++t) {
    EXPECT_DOUBLE_EQ(trace.series[5].at(t, 0), out[static_cast<std::size_t>(t)][0]);
    EXPECT_DOUBLE_EQ(trace.series[6].at(t, 0), out[static_cast<std::size_t>(t)][0]);
  }
  // ReLU outputs are the Linear's outputs clipped at zero.
  for (int t = 0; t < 6; ++t)
    for (int i = 0; i < 2; ++i) EXPECT_DOUBLE_EQ(trace.series[2].at(t, i), std::max(0.0, trace.series[1].at(t, i)));
}

TEST(LinearRnn, NamesItsWeightsAndDescribesItself) {
  const PathModel m = two_layer_model(true);
  auto model = lower_to_target(m, "gated-linear-rnn", TargetOptions{});
  std::vector<std::string> names;
  for (const auto& t : model->state_dict()) {
    names.push_back(t.name);
    long long size = 1;
    for (long long d : t.shape) size *= d;
    EXPECT_EQ(static_cast<long long>(t.data.size()), size) << t.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"layers.0.A", "layers.0.B", "layers.0.bias", "layers.0.init",
                                             "layers.0.ops.0.weight", "layers.0.ops.0.bias", "layers.1.A", "layers.1.B",
                                             "layers.1.bias", "layers.1.init", "layers.1.ops.0.weight",
                                             "layers.1.ops.0.bias"}));
  const auto dict = model->state_dict();
  EXPECT_EQ(dict[4].shape, (std::vector<long long>{2, 2}));
  EXPECT_EQ(dict[4].data, (std::vector<double>{1, -1, 2, 1}));  // row-major
  const nlohmann::json meta = model->metadata();
  EXPECT_EQ(meta["target"], "gated-linear-rnn");
  EXPECT_EQ(meta["num_layers"], 2);
  EXPECT_EQ(meta["input_dim"], 1);
  EXPECT_EQ(meta["layers"][1]["ops"][1]["kind"], "Multi");
  EXPECT_EQ(model->parameter_count(), m.parameter_count());
  EXPECT_EQ(model->nonzero_count(), m.nonzero_count());
  const auto layers = model->layers();
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[0].hidden_dim, 2);
  EXPECT_EQ(layers[1].type, "LinState+gated MLP");
  EXPECT_NE(layers[1].detail.find("Multi 2->1"), std::string::npos);
  long long params = 0;
  for (const auto& l : layers) params += l.params;
  EXPECT_EQ(params, model->parameter_count());
}

TEST(LinearRnn, LowerPrecisionsStayClose) {
  const PathModel m = two_layer_model(false);
  auto model = lower_to_target(m, "linear-rnn", TargetOptions{});
  const auto tokens = some_tokens(8);
  const OutputRows f64 = model->run(tokens, Precision::F64, nullptr);
  const OutputRows f32 = model->run(tokens, Precision::F32, nullptr);
  const OutputRows f16 = model->run(tokens, Precision::F16, nullptr);
  expect_close(f32, f64, 1e-5);
  expect_close(f16, f64, 2e-2);
  // f16 really rounds: 1/3 is not a half-precision number.
  bool any_difference = false;
  for (std::size_t t = 0; t < f16.size(); ++t) any_difference = any_difference || f16[t][0] != f64[t][0];
  EXPECT_TRUE(any_difference);
}

TEST(LinearRnn, RefusesMultiAtTheMultisSpan) {
  const PathModel m = two_layer_model(true);
  try {
    lower_to_target(m, "linear-rnn", TargetOptions{});
    FAIL() << "linear-rnn accepted a Multi";
  } catch (const LsrlError& e) {
    EXPECT_EQ(e.span().line, 7);
    EXPECT_EQ(e.span().col, 5);
    EXPECT_EQ(
        e.message(),
        "target linear-rnn has no multiplicative gating; node 'gate' (Multi) needs --target gated-linear-rnn, or use "
        "an f_ifelse form without Multi (original, optimized, step)");
  }
  EXPECT_NO_THROW(lower_to_target(m, "gated-linear-rnn", TargetOptions{}));
}

TEST(LinearRnn, RejectsTokensOfTheWrongWidth) {
  auto model = lower_to_target(two_layer_model(false), "linear-rnn", TargetOptions{});
  try {
    model->run({{1.0}, {1.0, 2.0}}, Precision::F64, nullptr);
    FAIL() << "a 2-wide token was accepted";
  } catch (const LsrlError& e) {
    EXPECT_FALSE(e.span().known());
    EXPECT_NE(e.message().find("token 2 has 2 components"), std::string::npos) << e.message();
  }
}

TEST(TargetRegistry, ListsEveryTargetOfTheContract) {
  std::vector<std::string> names;
  for (const auto& t : list_targets()) {
    names.push_back(t.name);
    EXPECT_FALSE(t.description.empty());
    if (!t.available) {
      EXPECT_FALSE(t.reason.empty()) << t.name;
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"dag", "linear-rnn", "gated-linear-rnn", "rnn", "gated-rnn", "gru", "lstm",
                                             "hawk", "griffin", "mamba"}));
  const auto targets = list_targets();
  // dag: the program itself, a row without a model.
  EXPECT_TRUE(targets[0].available);
  EXPECT_FALSE(targets[0].has_model);
  EXPECT_TRUE(targets[1].available);
  EXPECT_TRUE(targets[1].has_model);
  EXPECT_FALSE(targets[1].supports_multi);
  EXPECT_TRUE(targets[2].available);
  EXPECT_TRUE(targets[2].supports_multi);
}

TEST(TargetRegistry, UnavailableAndUnknownTargetsAreErrors) {
  const PathModel m = two_layer_model(false);
  for (const auto& t : list_targets()) {
    if (t.available) continue;
    try {
      lower_to_target(m, t.name, TargetOptions{});
      FAIL() << t.name << " lowered although listed as unavailable";
    } catch (const LsrlError& e) {
      EXPECT_NE(e.message().find(t.name), std::string::npos);
    }
  }
  try {
    lower_to_target(m, "linear-rn", TargetOptions{});
    FAIL() << "an unknown target was accepted";
  } catch (const LsrlError& e) {
    EXPECT_NE(e.message().find("did you mean 'linear-rnn'"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("valid targets: dag, linear-rnn, gated-linear-rnn"), std::string::npos) << e.message();
  }
}

}  // namespace
}  // namespace lsrl
