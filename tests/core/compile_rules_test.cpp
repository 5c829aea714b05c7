// One small hand-built program per compiler rule (the preparation fusions and
// every debranching case of the paper's App. A): the rule fires, the
// debranched graph is a path, and the compiled model's outputs equal the
// program's own (DAG) outputs on random tokens, with and without the size
// optimisations, on gated-linear-rnn and (without Multi) linear-rnn, bit for
// bit.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>

#include "compile/compiler.hpp"
#include "num_builders.hpp"
#include "output_comparison.hpp"
#include "runtime/dag_eval.hpp"
#include "targets/registry.hpp"

namespace lsrl {
namespace {

SourceSpan at(int line) { return SourceSpan{line, 1, 1}; }

using test::matrix;
using test::vec;

Num q(long long p, long long d) { return Num::rational(p, d); }

int fired(const CompileReport& report, const std::string& rule) {
  for (const auto& [name, n] : report.rule_counts)
    if (name == rule) return n;
  return 0;
}

// The debranched graph of the report is a path: each node has at most one
// outgoing and one incoming edge, and the edges chain input to output.
void expect_path(const nlohmann::json& graph) {
  std::map<int, int> next;
  std::set<int> has_incoming;
  for (const auto& e : graph["edges"]) {
    const int from = e[0].get<int>();
    const int to = e[1].get<int>();
    EXPECT_EQ(next.count(from), 0u) << "node " << from << " branches";
    EXPECT_EQ(has_incoming.count(to), 0u) << "node " << to << " has two inputs";
    next[from] = to;
    has_incoming.insert(to);
  }
  int at_node = graph["input"].get<int>();
  std::size_t steps = 0;
  while (next.count(at_node) && steps <= graph["nodes"].size()) {
    at_node = next[at_node];
    ++steps;
  }
  EXPECT_EQ(at_node, graph["output"].get<int>());
  EXPECT_EQ(steps + 1, graph["nodes"].size());
}

std::vector<std::vector<double>> random_tokens(int width, int steps, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(-2.0, 2.0);
  std::vector<std::vector<double>> t(static_cast<std::size_t>(steps),
                                     std::vector<double>(static_cast<std::size_t>(width)));
  for (auto& row : t)
    for (double& v : row) v = dist(rng);
  return t;
}

// Compiles `program`, checks that `rule` fired, that the result is a path and
// that it computes what the program computes.
void expect_rule_compiles_exactly(const Program& program, const std::string& rule) {
  const auto tokens = random_tokens(program.input_dim(), 15, 11);
  const OutputRows expected = evaluate_program(program, tokens, Precision::F64, nullptr);
  for (bool optimize : {false, true}) {
    CompilerOptions options;
    options.optimize = optimize;
    CompileReport report;
    const PathModel path = compile_to_path(program, options, &report);
    if (!rule.empty()) {
      EXPECT_GT(fired(report, rule), 0) << rule << " did not fire";
    }
    expect_path(report.path_graph);
    std::vector<std::string> targets{"gated-linear-rnn"};
    if (!path.has_multi()) targets.emplace_back("linear-rnn");
    for (const auto& target : targets) {
      const OutputRows got = lower_to_target(path, target, TargetOptions{})->run(tokens, Precision::F64, nullptr);
      // Bit for bit: the compiler rewrites only where the rounding stays the
      // program's, and the linear RNNs run the path's ops in the DAG's order.
      EXPECT_EQ(output_comparison::first_difference(expected, got, 0.0), "")
          << rule << " on " << target << (optimize ? " (optimised)" : "");
    }
  }
}

// --- preparation fusions -----------------------------------------------------

TEST(CompileRules, FuseLinearLinear) {
  // b picks (and doubles) rows of a: fusing rounds exactly as the two steps.
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId a = p.add_linear(x, matrix({{1, 2}, {q(1, 3), -1}, {0, 1}}), vec({1, 0, q(-1, 2)}), at(2));
  NodeId b = p.add_linear(a, matrix({{0, 0, 1}, {-2, 0, 0}}), vec({0, 0}), at(3));
  // c scales each row of b by a power of two: exact, so fusable too.
  NodeId c = p.add_linear(b, matrix({{1, 0}, {0, q(1, 4)}}), vec({0, 0}), at(4));
  NodeId d = p.add_linear(c, matrix({{1, -3}}), vec({q(1, 7)}), at(5));
  p.set_output(p.add_relu(d, at(6)), at(6));
  expect_rule_compiles_exactly(p, "fuse_linear_linear");
}

TEST(CompileRules, LinearChainsThatWouldRoundDifferentlyStayApart) {
  // 1000 (x - 1/1000) fused is 1000 x - 1, which rounds differently from the
  // program's two steps; the compiler keeps them apart, and the compiled
  // model gives bit for bit the program's outputs.
  Program p;
  NodeId x = p.add_input(1, at(1));
  NodeId shifted = p.add_linear(x, matrix({{1}}), vec({q(-1, 1000)}), at(2));
  NodeId scaled = p.add_linear(shifted, matrix({{1000}}), vec({0}), at(3));
  p.set_output(p.add_relu(scaled, at(4)), at(4));
  CompileReport report;
  const PathModel path = compile_to_path(p, CompilerOptions{}, &report);
  EXPECT_EQ(fired(report, "fuse_linear_linear"), 0);
  const auto tokens = random_tokens(1, 30, 9);
  EXPECT_EQ(lower_to_target(path, "linear-rnn", TargetOptions{})->run(tokens, Precision::F64, nullptr),
            evaluate_program(p, tokens, Precision::F64, nullptr));
}

TEST(CompileRules, LongChainOfAdditionsToOneInputStaysWithinTheWorkBound) {
  // y = y + x, 20,000 times: the Input has 20,000 readers, which debranching
  // carries down the whole chain. The carried value's readers are moved and
  // looked at in constant time per step, so this stays far inside the
  // compiler's work bound (it met it at 8,000 lines when each step cost the
  // number of readers) and the model is the program, bit for bit.
  constexpr int kAdditions = 20000;
  Program p;
  const NodeId x = p.add_input(1, at(1));
  NodeId y = x;
  for (int i = 0; i < kAdditions; ++i)
    y = p.add_linear(p.add_concat({y, x}, at(i + 2)), matrix({{1, 1}}), vec({0}), at(i + 2));
  p.set_output(y, at(kAdditions + 2));
  CompileReport report;
  const PathModel path = compile_to_path(p, CompilerOptions{}, &report);
  EXPECT_EQ(fired(report, "case_5b_stack_linears"), 2 * (kAdditions - 1));
  const std::vector<std::vector<double>> tokens{{0.1}, {-3.0}, {1e10 / 3}, {0.0}, {-0.0}, {7e-300}};
  EXPECT_EQ(lower_to_target(path, "gated-linear-rnn", TargetOptions{})->run(tokens, Precision::F64, nullptr),
            evaluate_program(p, tokens, Precision::F64, nullptr));
}

TEST(CompileRules, FuseReluRelu) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId r = p.add_relu(p.add_relu(x, at(2)), at(3));
  p.set_output(p.add_linear(r, matrix({{1, -3}}), vec({0}), at(4)), at(4));
  expect_rule_compiles_exactly(p, "fuse_relu_relu");
}

TEST(CompileRules, FoldLinearIntoState) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId a = p.add_linear(x, matrix({{1, 0}, {0, -2}}), vec({0, 0}), at(2));
  p.set_output(p.add_linstate(a, matrix({{q(1, 2), 0}, {q(1, 3), q(1, 3)}}), matrix({{1, 0}, {2, 1}}), vec({1, -1}),
                              vec({0, q(1, 5)}), at(3)),
               at(3));
  expect_rule_compiles_exactly(p, "fold_linear_into_state");
}

TEST(CompileRules, ConcatToDuplicate) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId r = p.add_relu(x, at(2));
  NodeId c = p.add_concat({r, r, r}, at(3));
  p.set_output(p.add_linear(c, matrix({{1, 0, -1, 2, 0, 1}}), vec({0}), at(4)), at(4));
  expect_rule_compiles_exactly(p, "concat_to_duplicate");
}

TEST(CompileRules, ConcatFlatten) {
  Program p;
  NodeId x = p.add_input(1, at(1));
  NodeId s = p.add_linstate(x, matrix({{q(1, 2)}}), matrix({{1}}), vec({0}), std::nullopt, at(2));
  NodeId r = p.add_relu(x, at(3));
  NodeId inner = p.add_concat({s, r}, at(4));
  NodeId outer = p.add_concat({inner, x}, at(5));
  p.set_output(outer, at(5));
  expect_rule_compiles_exactly(p, "concat_flatten");
}

TEST(CompileRules, ConcatDedupe) {
  Program p;
  NodeId x = p.add_input(1, at(1));
  NodeId s = p.add_linstate(x, matrix({{q(1, 2)}}), matrix({{1}}), vec({0}), std::nullopt, at(2));
  NodeId r = p.add_relu(x, at(3));
  NodeId c = p.add_concat({s, r, s}, at(4));
  p.set_output(p.add_linear(c, matrix({{1, 2, 3}}), vec({0}), at(5)), at(5));
  expect_rule_compiles_exactly(p, "concat_dedupe");
}

TEST(CompileRules, FoldConstants) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId one = p.add_linear(x, NumSparse(1, 2), vec({1}), at(2));  // f_constant(x, 1)
  NodeId counter = p.add_linstate(one, matrix({{1}}), matrix({{1}}), vec({-1}), std::nullopt, at(3));
  NodeId two = p.add_linear(x, NumSparse(1, 2), vec({-2}), at(4));
  NodeId both = p.add_concat({counter, p.add_relu(two, at(5)), p.add_relu(x, at(6))}, at(7));
  p.set_output(both, at(7));
  expect_rule_compiles_exactly(p, "fold_constants");
}

TEST(CompileRules, MergeCommonSubexpressions) {
  Program p;
  NodeId x = p.add_input(1, at(1));
  NodeId a = p.add_linear(x, matrix({{2}}), vec({q(-1, 3)}), at(2));
  NodeId b = p.add_linear(x, matrix({{2}}), vec({q(-1, 3)}), at(3));
  NodeId c = p.add_concat({p.add_relu(a, at(4)), b}, at(5));
  p.set_output(c, at(5));
  expect_rule_compiles_exactly(p, "merge_common_subexpressions");
}

// --- debranching cases ---------------------------------------------------------

TEST(CompileRules, Case1aMergeMultis) {
  Program p;
  NodeId x = p.add_input(4, at(1));
  NodeId c = p.add_concat({p.add_multi(x, at(2)), p.add_multi(x, at(3))}, at(4));
  p.set_output(c, at(4));
  expect_rule_compiles_exactly(p, "case_1a_merge_multis");
}

TEST(CompileRules, Case1bMultiBypass) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId m = p.add_multi(x, at(2));
  NodeId r = p.add_relu(x, at(3));
  p.set_output(p.add_concat({m, r}, at(4)), at(4));
  expect_rule_compiles_exactly(p, "case_1b_multi_bypass");
}

TEST(CompileRules, Case2FuseStates) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId s1 = p.add_linstate(x, matrix({{q(1, 2)}}), matrix({{1, -1}}), vec({1}), std::nullopt, at(2));
  NodeId s2 = p.add_linstate(x, matrix({{0, q(1, 3)}, {q(-1, 3), 0}}), matrix({{1, 0}, {0, 2}}), vec({0, 1}),
                             vec({q(1, 4), 0}), at(3));
  p.set_output(p.add_concat({s2, s1}, at(4)), at(4));
  expect_rule_compiles_exactly(p, "case_2_fuse_states");
}

TEST(CompileRules, Case3MergeRelus) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId a = p.add_linear(p.add_relu(x, at(2)), matrix({{1, 2}}), vec({0}), at(3));
  NodeId b = p.add_linear(p.add_relu(x, at(4)), matrix({{-1, 1}}), vec({1}), at(5));
  p.set_output(p.add_concat({a, b}, at(6)), at(6));
  expect_rule_compiles_exactly(p, "case_3_merge_relus");
}

TEST(CompileRules, Case4Concats) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId c2 = p.add_concat({x, x}, at(2));
  NodeId c3 = p.add_concat({x, x, x}, at(3));
  // Read separately, so the Concats are not spliced into one.
  NodeId a = p.add_linear(c2, matrix({{1, 0, 0, -1}, {0, 2, 1, 0}}), vec({0, 0}), at(4));
  p.set_output(p.add_concat({a, p.add_relu(c3, at(5))}, at(6)), at(6));
  expect_rule_compiles_exactly(p, "case_4_concats");
}

TEST(CompileRules, Case5aPushSlices) {
  Program p;
  NodeId x = p.add_input(3, at(1));
  NodeId a = p.add_relu(p.add_slice(x, 0, 2, at(2)), at(3));
  NodeId b = p.add_relu(p.add_slice(x, 1, 3, at(4)), at(5));
  p.set_output(p.add_linear(p.add_concat({a, b}, at(6)), matrix({{1, 0, 0, 1}, {0, 1, -1, 0}}), vec({0, 0}), at(7)),
               at(7));
  expect_rule_compiles_exactly(p, "case_5a_push_slices");
}

TEST(CompileRules, Case5aGathersMultisBehindSlices) {
  Program p;
  NodeId x = p.add_input(4, at(1));
  NodeId m1 = p.add_multi(p.add_slice(x, 0, 2, at(2)), at(3));
  NodeId m2 = p.add_multi(p.add_slice(x, 2, 4, at(4)), at(5));
  NodeId r = p.add_relu(p.add_slice(x, 1, 3, at(6)), at(7));
  p.set_output(p.add_concat({m1, m2, r}, at(8)), at(8));
  expect_rule_compiles_exactly(p, "case_5a_push_slices");
}

TEST(CompileRules, Case5bStackLinears) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId a = p.add_relu(p.add_linear(x, matrix({{1, -1}}), vec({q(1, 2)}), at(2)), at(3));
  NodeId b = p.add_relu(p.add_linear(x, matrix({{2, 1}, {0, 1}}), vec({0, -1}), at(4)), at(5));
  p.set_output(p.add_concat({a, b}, at(6)), at(6));
  expect_rule_compiles_exactly(p, "case_5b_stack_linears");
}

TEST(CompileRules, Case6StateBypass) {
  Program p;
  NodeId x = p.add_input(1, at(1));
  NodeId s = p.add_linstate(x, matrix({{q(1, 2)}}), matrix({{1}}), vec({0}), std::nullopt, at(2));
  NodeId r = p.add_relu(x, at(3));
  p.set_output(p.add_linear(p.add_concat({s, r}, at(4)), matrix({{1, -1}}), vec({0}), at(5)), at(5));
  expect_rule_compiles_exactly(p, "case_6_state_bypass");
}

TEST(CompileRules, Case7aBypassRelus) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId a = p.add_relu(p.add_linear(x, matrix({{1, -2}}), vec({1}), at(2)), at(3));
  NodeId r = p.add_relu(x, at(4));
  p.set_output(p.add_concat({a, r}, at(5)), at(5));
  expect_rule_compiles_exactly(p, "case_7a_bypass_relus");
}

TEST(CompileRules, Case7bBypassLinears) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId lin = p.add_linear(x, matrix({{1, -2}}), vec({1}), at(2));
  NodeId r = p.add_relu(x, at(3));
  p.set_output(p.add_concat({lin, r}, at(4)), at(4));
  expect_rule_compiles_exactly(p, "case_7b_bypass_linears");
}

TEST(CompileRules, Case8LinearConcat) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId lin = p.add_linear(x, matrix({{1, 1}}), vec({q(-1, 2)}), at(2));
  NodeId c = p.add_concat({x, p.add_relu(lin, at(3))}, at(4));
  p.set_output(c, at(4));
  expect_rule_compiles_exactly(p, "case_8_linear_concat");
}

TEST(CompileRules, Case9ReluConcat) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId r = p.add_relu(x, at(2));
  NodeId s = p.add_linstate(r, matrix({{q(1, 2), 0}, {0, q(1, 3)}}), matrix({{1, 0}, {0, 1}}), vec({0, 0}),
                            std::nullopt, at(3));
  p.set_output(p.add_concat({x, s}, at(4)), at(4));
  expect_rule_compiles_exactly(p, "case_9_relu_concat");
}

TEST(CompileRules, Case10Mixed) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId lin = p.add_linear(x, matrix({{1, -1}}), vec({0}), at(2));
  NodeId r = p.add_relu(x, at(3));
  NodeId s = p.add_linstate(r, matrix({{q(1, 2), 0}, {0, q(1, 2)}}), matrix({{1, 0}, {0, 1}}), vec({0, 0}),
                            std::nullopt, at(4));
  p.set_output(p.add_concat({x, lin, s}, at(5)), at(5));
  expect_rule_compiles_exactly(p, "case_10_mixed");
}

// --- shapes the corpus must also handle ----------------------------------------

TEST(CompileShapes, InputThatIsTheOutput) {
  Program p;
  NodeId x = p.add_input(3, at(1));
  p.set_output(x, at(2));
  const PathModel path = compile_to_path(p, CompilerOptions{}, nullptr);
  ASSERT_EQ(path.layers.size(), 1u);
  const auto tokens = random_tokens(3, 5, 3);
  EXPECT_EQ(lower_to_target(path, "linear-rnn", TargetOptions{})->run(tokens, Precision::F64, nullptr), tokens);
}

TEST(CompileShapes, MultiOfAConcatOfTwoBranches) {
  // f_ifelse_mul's shape: Multi(Concat(condition, value)) where both come from
  // different branches of the input.
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId cond = p.add_relu(p.add_linear(x, matrix({{1, 0}}), vec({0}), at(2)), at(3));
  NodeId value =
      p.add_linstate(p.add_slice(x, 1, 2, at(4)), matrix({{q(1, 2)}}), matrix({{1}}), vec({1}), std::nullopt, at(5));
  NodeId m = p.add_multi(p.add_concat({cond, value}, at(6)), at(6));
  p.set_output(p.add_concat({m, x}, at(7)), at(7));
  expect_rule_compiles_exactly(p, "");
}

TEST(CompileShapes, ProgramWithoutInputOrOutputIsAnError) {
  Program no_output;
  no_output.add_input(1, at(1));
  EXPECT_THROW(compile_to_path(no_output, CompilerOptions{}, nullptr), LsrlError);
  Program empty;
  EXPECT_THROW(compile_to_path(empty, CompilerOptions{}, nullptr), LsrlError);
}

TEST(CompileReportTest, CountsRulesAndTimesTheCompilation) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId s = p.add_linstate(x, matrix({{q(1, 2)}}), matrix({{1, 1}}), vec({0}), std::nullopt, at(2));
  p.set_output(p.add_concat({s, p.add_relu(x, at(3))}, at(4)), at(4));
  CompileReport report;
  const PathModel path = compile_to_path(p, CompilerOptions{}, &report);
  EXPECT_GT(report.milliseconds, 0.0);
  EXPECT_FALSE(report.rule_counts.empty());
  EXPECT_GE(report.nonzeros_before_optimization, path.nonzero_count());
  EXPECT_GE(report.max_width_before_optimization, path.max_width());
  EXPECT_TRUE(report.path_graph.contains("nodes"));
}

TEST(CompileReportTest, PathGraphNumbersTheLayers) {
  Program p;
  NodeId x = p.add_input(1, at(1));
  NodeId r = p.add_relu(x, at(2));
  NodeId s = p.add_linstate(r, matrix({{q(1, 2)}}), matrix({{1}}), vec({0}), std::nullopt, at(3));
  p.set_output(p.add_relu(p.add_linear(s, matrix({{2}}), vec({-1}), at(4)), at(5)), at(5));
  CompilerOptions options;
  options.optimize = false;
  CompileReport report;
  const PathModel path = compile_to_path(p, options, &report);
  ASSERT_EQ(path.layers.size(), 2u);  // a pass-through layer for the first ReLU, then s
  int max_layer = -2;
  for (const auto& n : report.path_graph["nodes"]) {
    const int layer = n["layer"].get<int>();
    if (n["id"].get<int>() == report.path_graph["input"].get<int>()) {
      EXPECT_EQ(layer, -1);
    }
    if (n["kind"] == "LinState") {
      EXPECT_EQ(layer, 1);
    }
    max_layer = std::max(max_layer, layer);
  }
  EXPECT_EQ(max_layer, 1);
}

TEST(GraphToJson, DescribesTheProgramDag) {
  Program p;
  NodeId x = p.add_input(2, at(1));
  NodeId r = p.add_relu(x, at(2));
  p.name_node(r, "positive");
  NodeId c = p.add_concat({x, r, x}, at(3));
  p.set_output(c, at(3));
  p.add_relu(x, at(9));  // not used by the output: not drawn
  const nlohmann::json j = graph_to_json(p);
  ASSERT_EQ(j["nodes"].size(), 3u);
  EXPECT_EQ(j["input"].get<int>(), x);
  EXPECT_EQ(j["output"].get<int>(), c);
  std::set<std::pair<int, int>> edges;
  for (const auto& e : j["edges"]) edges.insert({e[0].get<int>(), e[1].get<int>()});
  EXPECT_EQ(edges, (std::set<std::pair<int, int>>{{x, r}, {x, c}, {r, c}}));
  for (const auto& n : j["nodes"]) {
    if (n["id"].get<int>() == r) {
      EXPECT_EQ(n["kind"], "ReLU");
      EXPECT_EQ(n["name"], "positive");
      EXPECT_EQ(n["dim"], 2);
      EXPECT_EQ(n["line"], 2);
    }
  }
}

}  // namespace
}  // namespace lsrl
