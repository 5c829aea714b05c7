// Property test of the compiler: random well-formed programs (see
// random_program_corpus.hpp) give the same outputs on the DAG and on the
// compiled models (gated-linear-rnn always, linear-rnn when Multi-free), with
// and without the size optimisations: max relative difference <= 1e-9 in f64
// over 20 random steps. By design (the compiler only rewrites where the
// floating-point rounding stays the program's, and the executor sums in the
// DAG evaluator's order) they are in fact bit for bit equal, in every
// precision; that is checked too.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "compile/compiler.hpp"
#include "output_comparison.hpp"
#include "random_program_corpus.hpp"
#include "runtime/dag_eval.hpp"
#include "targets/registry.hpp"

namespace lsrl {
namespace {

constexpr double kTolerance = 1e-9;

struct CorpusStats {
  int programs = 0;
  int with_multi = 0;
  int nodes = 0;
  int runs = 0;
  int bit_identical_runs = 0;
};

void check_program(const corpus::RandomProgram& rp, corpus::Generator& gen, int index, CorpusStats& stats) {
  const Program& program = rp.program;
  const auto tokens = gen.tokens(20, program.input_dim());
  const OutputRows expected = evaluate_program(program, tokens, Precision::F64, nullptr);
  for (bool optimize : {true, false}) {
    CompilerOptions options;
    options.optimize = optimize;
    CompileReport report;
    PathModel path;
    ASSERT_NO_THROW(path = compile_to_path(program, options, &report)) << "program " << index;
    ASSERT_EQ(path.input_dim, program.input_dim());
    ASSERT_EQ(path.output_dim, program.output_dim());
    if (path.has_multi()) {
      EXPECT_TRUE(rp.has_multi) << "a Multi appeared from nowhere";
    }
    if (optimize) {
      EXPECT_LE(path.nonzero_count(), report.nonzeros_before_optimization) << "program " << index;
      EXPECT_LE(path.max_width(), report.max_width_before_optimization) << "program " << index;
    }
    std::vector<std::string> targets{"gated-linear-rnn"};
    if (!path.has_multi()) targets.emplace_back("linear-rnn");
    for (const auto& target : targets) {
      auto model = lower_to_target(path, target, TargetOptions{});
      const OutputRows got = model->run(tokens, Precision::F64, nullptr);
      EXPECT_EQ(output_comparison::first_difference(expected, got, kTolerance), "")
          << "program " << index << " (" << rp.node_count << " nodes) on " << target
          << (optimize ? "" : " without optimisation");
      ++stats.runs;
      stats.bit_identical_runs += got == expected ? 1 : 0;
      if (optimize && target == "gated-linear-rnn") {
        for (Precision precision : {Precision::F32, Precision::F16}) {
          EXPECT_EQ(model->run(tokens, precision, nullptr), evaluate_program(program, tokens, precision, nullptr))
              << "program " << index << " in " << precision_name(precision);
        }
      }
    }
  }
  ++stats.programs;
  stats.with_multi += rp.has_multi ? 1 : 0;
  stats.nodes += rp.node_count;
}

TEST(CompileProperty, RandomProgramsMatchTheDagOnEveryLinearTarget) {
  corpus::Generator gen(20240611);
  CorpusStats stats;
  for (int i = 0; i < 400; ++i) {
    const corpus::RandomProgram rp = gen.program(6, 22);
    check_program(rp, gen, i, stats);
    if (HasFatalFailure()) return;
  }
  // The corpus must exercise what it claims to.
  EXPECT_EQ(stats.programs, 400);
  EXPECT_GE(stats.with_multi, 100);
  EXPECT_LE(stats.with_multi, 380);
  EXPECT_EQ(stats.bit_identical_runs, stats.runs);
}

TEST(CompileProperty, LargerRandomProgramsMatchTheDag) {
  corpus::Generator gen(777);
  CorpusStats stats;
  for (int i = 0; i < 40; ++i) {
    const corpus::RandomProgram rp = gen.program(30, 80);
    check_program(rp, gen, i, stats);
    if (HasFatalFailure()) return;
  }
  EXPECT_GE(stats.nodes, 40 * 30);
  EXPECT_EQ(stats.bit_identical_runs, stats.runs);
}

TEST(CompileProperty, EveryDebranchingCaseFiresSomewhereInTheCorpus) {
  corpus::Generator gen(4242);
  std::map<std::string, int> fired;
  for (int i = 0; i < 200; ++i) {
    const corpus::RandomProgram rp = gen.program(6, 22);
    CompileReport report;
    compile_to_path(rp.program, CompilerOptions{}, &report);
    for (const auto& [rule, n] : report.rule_counts) fired[rule] += n;
  }
  for (const auto& [rule, n] : fired) std::printf("  %-30s %d\n", rule.c_str(), n);
  // Case 4 needs every reader of a node to be a Concat of only that node, and
  // case 1A a node read only by Multis before 5B stacks it with other Linears;
  // random programs rarely build either, so compile_rules_test covers them.
  for (const char* rule : {"case_1b_multi_bypass", "case_2_fuse_states", "case_3_merge_relus", "case_5a_push_slices",
                           "case_5b_stack_linears", "case_6_state_bypass", "case_7a_bypass_relus",
                           "case_7b_bypass_linears", "case_8_linear_concat", "case_9_relu_concat", "case_10_mixed"}) {
    EXPECT_GT(fired[rule], 0) << rule;
  }
}

}  // namespace
}  // namespace lsrl
