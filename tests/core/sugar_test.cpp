// The sugar library, evaluated numerically: each f_* function is built on a
// Program directly and run node by node (runtime/dag_eval) over a grid of
// inputs, and compared with the function's mathematical definition. Also:
// the node arrangement the reference uses, always_positive, exact constants,
// the optimized forms' dropped terms, and width errors.
#include "sugar/sugar.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

#include "lang/build.hpp"
#include "runtime/dag_eval.hpp"

namespace lsrl {
namespace {

using sugar::Operand;

const SourceSpan kAt{1, 1, 1};

double step_of(double x, double mu) { return std::clamp(mu * x, 0.0, 1.0); }

// Runs a one-output program on one token per step.
std::vector<double> run_steps(const Program& p, const std::vector<std::vector<double>>& tokens) {
  const OutputRows out = evaluate_program(p, tokens, Precision::F64, nullptr);
  std::vector<double> flat;
  for (const auto& row : out) flat.insert(flat.end(), row.begin(), row.end());
  return flat;
}

std::map<NodeKind, int> kind_counts(const Program& p) {
  std::map<NodeKind, int> counts;
  for (NodeId id : p.topological_order()) counts[p.node(id).kind]++;
  return counts;
}

// A program reading a 2-wide input (x, y), with the sugar applied by `make`.
Program two_inputs(const std::function<NodeId(Program&, NodeId, NodeId)>& make) {
  Program p;
  const NodeId in = p.add_input(2, kAt);
  const NodeId x = p.add_slice(in, 0, 1, kAt);
  const NodeId y = p.add_slice(in, 1, 2, kAt);
  p.set_output(make(p, x, y), kAt);
  return p;
}

const std::vector<double> kGrid = {-2.0, -0.5, -0.01, 0.0, 0.0004, 0.001, 0.0015, 0.3, 1.0, 2.5};

TEST(Sugar, StepMatchesItsDefinitionAndTheReferenceArrangement) {
  for (double mu : {1.0, 10.0, 1000.0}) {
    Program p;
    const NodeId x = p.add_input(1, kAt);
    p.set_output(sugar::f_step(p, x, Num(mu), kAt), kAt);
    std::vector<std::vector<double>> tokens;
    for (double v : kGrid) tokens.push_back({v});
    const auto out = run_steps(p, tokens);
    for (std::size_t i = 0; i < kGrid.size(); ++i) EXPECT_NEAR(out[i], step_of(kGrid[i], mu), 1e-12) << kGrid[i];
    EXPECT_TRUE(p.node(p.output()).always_positive);
  }
  // ReLU(mu x) - mu ReLU(x - 1/mu): Linear, ReLU, Linear, ReLU, Linear, then Concat + Linear.
  Program p;
  const NodeId x = p.add_input(1, kAt);
  p.set_output(sugar::f_step(p, x, Num(1000), kAt), kAt);
  std::vector<NodeKind> kinds;
  for (std::size_t i = 1; i < p.size(); ++i) kinds.push_back(p.nodes()[i].kind);
  EXPECT_EQ(kinds, (std::vector<NodeKind>{NodeKind::Linear, NodeKind::ReLU, NodeKind::Linear, NodeKind::ReLU,
                                          NodeKind::Linear, NodeKind::Concat, NodeKind::Linear}));
  // The threshold 1/mu is kept exact.
  EXPECT_EQ(p.nodes()[3].b(0), Num::rational(-1, 1000));
}

TEST(Sugar, BumpIsOneBetweenItsBounds) {
  Program p;
  const NodeId x = p.add_input(1, kAt);
  p.set_output(sugar::f_bump(p, x, Operand::scalar(Num(1)), Operand::scalar(Num(2)), Num(100), kAt), kAt);
  for (double v : {0.0, 0.995, 1.005, 1.5, 1.999, 2.005, 3.0}) {
    EXPECT_NEAR(run_steps(p, {{v}})[0], step_of(v - 1, 100) - step_of(v - 2, 100), 1e-12) << v;
  }
}

TEST(Sugar, LogicOnZerosAndOnes) {
  const auto check = [](auto make, auto truth) {
    Program p = two_inputs(make);
    EXPECT_TRUE(p.node(p.output()).always_positive);
    for (double a : {0.0, 1.0})
      for (double b : {0.0, 1.0}) EXPECT_NEAR(run_steps(p, {{a, b}})[0], truth(a, b) ? 1.0 : 0.0, 1e-12) << a << b;
  };
  check([](Program& p, NodeId x, NodeId y) { return sugar::f_and(p, x, y, Num(1000), kAt); },
        [](double a, double b) { return a > 0.5 && b > 0.5; });
  check([](Program& p, NodeId x, NodeId y) { return sugar::f_or(p, x, y, Num(1000), kAt); },
        [](double a, double b) { return a > 0.5 || b > 0.5; });
  check([](Program& p, NodeId x, NodeId) { return sugar::f_not(p, x, kAt); }, [](double a, double) { return a < 0.5; });
}

TEST(Sugar, ComparisonsAgainstVariablesAndConstants) {
  const double mu = 1000;
  Program larger = two_inputs(
      [&](Program& p, NodeId x, NodeId y) { return sugar::f_larger(p, Operand::of(x), Operand::of(y), Num(mu), kAt); });
  Program smaller = two_inputs([&](Program& p, NodeId x, NodeId y) {
    return sugar::f_smaller(p, Operand::of(x), Operand::of(y), Num(mu), kAt);
  });
  Program larger_than_constant = two_inputs([&](Program& p, NodeId x, NodeId) {
    return sugar::f_larger(p, Operand::of(x), Operand::scalar(Num::rational(5, 2)), Num(mu), kAt);
  });
  Program constant_larger = two_inputs([&](Program& p, NodeId x, NodeId) {
    return sugar::f_larger(p, Operand::scalar(Num(1)), Operand::of(x), Num(mu), kAt);
  });
  for (double a : {-1.0, 0.0, 0.9995, 1.0, 2.5, 2.5005, 3.0})
    for (double b : {0.0, 1.0, 2.5}) {
      EXPECT_NEAR(run_steps(larger, {{a, b}})[0], step_of(a - b, mu), 1e-9);
      EXPECT_NEAR(run_steps(smaller, {{a, b}})[0], step_of(b - a, mu), 1e-9);
      EXPECT_NEAR(run_steps(larger_than_constant, {{a, b}})[0], step_of(a - 2.5, mu), 1e-9);
      EXPECT_NEAR(run_steps(constant_larger, {{a, b}})[0], step_of(1 - a, mu), 1e-9);
    }
}

TEST(Sugar, EqualityOnIntegers) {
  Program eq = two_inputs(
      [](Program& p, NodeId x, NodeId y) { return sugar::f_eq(p, Operand::of(x), Operand::of(y), Num(1000), kAt); });
  Program neq = two_inputs(
      [](Program& p, NodeId x, NodeId y) { return sugar::f_neq(p, Operand::of(x), Operand::of(y), Num(1000), kAt); });
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b) {
      EXPECT_NEAR(run_steps(eq, {{double(a), double(b)}})[0], a == b ? 1.0 : 0.0, 1e-12);
      EXPECT_NEAR(run_steps(neq, {{double(a), double(b)}})[0], a != b ? 1.0 : 0.0, 1e-12);
    }
}

// Conditionals: every form, every kind of branch (variable, number, None).
using IfElse = std::function<NodeId(Program&, NodeId, const std::optional<Operand>&, const std::optional<Operand>&)>;

void check_conditional(const IfElse& make, const char* form) {
  // Input: (cond, t, f). Branch kinds: 0 variable, 1 None, 2 the number 0.75.
  for (int t_kind = 0; t_kind < 3; ++t_kind)
    for (int f_kind = 0; f_kind < 3; ++f_kind) {
      if (t_kind == 1 && f_kind == 1) continue;
      Program p;
      const NodeId in = p.add_input(3, kAt);
      const NodeId c = p.add_slice(in, 0, 1, kAt);
      auto branch = [&](int kind, int column) -> std::optional<Operand> {
        if (kind == 1) return std::nullopt;
        if (kind == 2) return Operand::scalar(Num::rational(3, 4));
        return Operand::of(p.add_slice(in, column, column + 1, kAt));
      };
      const auto t = branch(t_kind, 1);
      const auto f = branch(f_kind, 2);
      p.set_output(make(p, c, t, f), kAt);
      for (double cond : {0.0, 1.0})
        for (double tv : {-3.0, 0.0, 2.5})
          for (double fv : {-1.5, 4.0}) {
            const double t_value = t_kind == 0 ? tv : (t_kind == 1 ? 0.0 : 0.75);
            const double f_value = f_kind == 0 ? fv : (f_kind == 1 ? 0.0 : 0.75);
            const double expected = cond > 0.5 ? t_value : f_value;
            EXPECT_NEAR(run_steps(p, {{cond, tv, fv}})[0], expected, 1e-6)
                << form << " t_kind " << t_kind << " f_kind " << f_kind << " cond " << cond;
          }
    }
}

TEST(Sugar, EveryConditionalFormSelectsTheRightBranch) {
  const Num lambda(10'000'000'000LL);
  check_conditional(
      [&](Program& p, NodeId c, const auto& t, const auto& f) { return sugar::f_ifelse(p, c, t, f, lambda, kAt); },
      "original");
  check_conditional(
      [&](Program& p, NodeId c, const auto& t, const auto& f) { return sugar::f_ifelse_opt(p, c, t, f, lambda, kAt); },
      "optimized");
  check_conditional([&](Program& p, NodeId c, const auto& t,
                        const auto& f) { return sugar::f_ifelse_step(p, c, t, f, lambda, Num(1000), kAt); },
                    "step");
  check_conditional(
      [&](Program& p, NodeId c, const auto& t, const auto& f) { return sugar::f_ifelse_mul(p, c, t, f, kAt); },
      "multiplicative");
}

TEST(Sugar, StepFormAlsoSharpensConditionsNearZeroAndOne) {
  Program p;
  const NodeId in = p.add_input(2, kAt);
  const NodeId c = p.add_slice(in, 0, 1, kAt);
  const NodeId t = p.add_slice(in, 1, 2, kAt);
  p.set_output(sugar::f_ifelse_step(p, c, Operand::of(t), std::nullopt, Num(1'000'000), Num(1000), kAt), kAt);
  EXPECT_NEAR(run_steps(p, {{0.9, 7.0}})[0], 7.0, 1e-9);
  EXPECT_NEAR(run_steps(p, {{0.1, 7.0}})[0], 0.0, 1e-9);
}

TEST(Sugar, ConditionalFormsHaveThePapersShapes) {
  auto build = [](auto make, bool t_positive) {
    Program p;
    const NodeId in = p.add_input(2, kAt);
    const NodeId c = p.add_slice(in, 0, 1, kAt);
    NodeId t = p.add_slice(in, 1, 2, kAt);
    if (t_positive) t = p.add_relu(t, kAt);
    p.set_output(make(p, c, Operand::of(t)), kAt);
    return kind_counts(p);
  };
  const Num lambda(10'000'000'000LL);
  // Original with both branches: four ReLU terms (plus none elsewhere).
  auto original =
      build([&](Program& p, NodeId c, Operand t) { return sugar::f_ifelse(p, c, t, t, lambda, kAt); }, false);
  EXPECT_EQ(original[NodeKind::ReLU], 4);
  EXPECT_EQ(original[NodeKind::Multi], 0);
  // Optimized with f absent: two terms; with t non-negative: one.
  auto opt = build(
      [&](Program& p, NodeId c, Operand t) { return sugar::f_ifelse_opt(p, c, t, std::nullopt, lambda, kAt); }, false);
  EXPECT_EQ(opt[NodeKind::ReLU], 2);
  auto opt_pos = build(
      [&](Program& p, NodeId c, Operand t) { return sugar::f_ifelse_opt(p, c, t, std::nullopt, lambda, kAt); }, true);
  EXPECT_EQ(opt_pos[NodeKind::ReLU], 2);  // the one term plus the ReLU that made t non-negative
  // A zero branch written as t * 0 is recognised as zero by the optimized form.
  Program zero_branch;
  {
    const NodeId in = zero_branch.add_input(2, kAt);
    const NodeId c = zero_branch.add_slice(in, 0, 1, kAt);
    const NodeId t = zero_branch.add_relu(zero_branch.add_slice(in, 1, 2, kAt), kAt);
    const NodeId zero = sugar::scale(zero_branch, t, Num(0), kAt);
    zero_branch.set_output(sugar::f_ifelse_opt(zero_branch, c, Operand::of(t), Operand::of(zero), lambda, kAt), kAt);
  }
  EXPECT_EQ(kind_counts(zero_branch)[NodeKind::ReLU], 2);
  EXPECT_TRUE(zero_branch.node(zero_branch.output()).always_positive);
  // Multiplicative: one Multi; with both branches, a Linear sums the halves.
  auto mul_both = build([&](Program& p, NodeId c, Operand t) { return sugar::f_ifelse_mul(p, c, t, t, kAt); }, false);
  EXPECT_EQ(mul_both[NodeKind::Multi], 1);
  EXPECT_EQ(mul_both[NodeKind::ReLU], 0);
  // Step form (Eq. 9) with one branch: two gated ReLUs, each with its own f_step (two ReLUs each).
  auto step = build([&](Program& p, NodeId c,
                        Operand t) { return sugar::f_ifelse_step(p, c, t, std::nullopt, lambda, Num(1000), kAt); },
                    false);
  EXPECT_EQ(step[NodeKind::ReLU], 2 + 2 * 2);
}

TEST(Sugar, ModuloCounterCountsModN) {
  for (int n = 1; n <= 7; ++n) {
    Program p;
    const NodeId x = p.add_input(1, kAt);
    p.set_output(sugar::f_modulo_counter(p, x, n, kAt), kAt);
    std::vector<std::vector<double>> tokens(3 * static_cast<std::size_t>(n) + 2, std::vector<double>{0.0});
    const auto out = run_steps(p, tokens);
    for (std::size_t t = 0; t < out.size(); ++t)
      EXPECT_NEAR(out[t], double(t % static_cast<std::size_t>(n)), 1e-9) << "n " << n << " t " << t;
    EXPECT_TRUE(p.node(p.output()).always_positive);
    // B = 0: the counter ignores its input.
    EXPECT_EQ(p.node(1).kind, NodeKind::LinState);
    EXPECT_EQ(p.node(1).B.nonZeros(), 0);
  }
}

TEST(Sugar, ExactTrigonometryAtRationalMultiplesOfPi) {
  EXPECT_EQ(sugar::cos_pi_fraction(2, 4), Num(0));
  EXPECT_TRUE(sugar::cos_pi_fraction(2, 4).is_exact());
  EXPECT_EQ(sugar::cos_pi_fraction(1, 3), Num::rational(1, 2));
  EXPECT_EQ(sugar::cos_pi_fraction(4, 3), Num::rational(-1, 2));
  EXPECT_EQ(sugar::sin_pi_fraction(1, 6), Num::rational(1, 2));
  EXPECT_EQ(sugar::sin_pi_fraction(2, 1), Num(0));
  EXPECT_EQ(sugar::cos_pi_fraction(-1, 1), Num(-1));
  EXPECT_FALSE(sugar::cos_pi_fraction(1, 5).is_exact());
  EXPECT_NEAR(sugar::cos_pi_fraction(1, 5).to_double(), std::cos(M_PI / 5), 1e-15);
  // A large angle is reduced exactly before the sine is taken.
  EXPECT_NEAR(sugar::sin_pi_fraction(2000001, 7).to_double(), std::sin(M_PI * std::fmod(2000001.0, 14.0) / 7.0), 1e-15);
}

// The rotation entries are the same bits on every platform (once, the
// modulo example differed by 4.5e-13 between native and WebAssembly). The
// expected values are the correctly rounded doubles, printed by mpmath at 300
// bits (Debian python3-mpmath 1.2.1), not by this code:
//   mp.prec = 300; float(mp.cos(2 * mp.pi / n)).hex(), float(mp.sin(2 * mp.pi / n)).hex(),
//   float(mp.cos(mp.pi / n)).hex()
TEST(Sugar, ModuloCounterConstantsArePinnedBitForBit) {
  struct Pinned {
    int n;
    double cos_turn, sin_turn, cos_half_turn;
  };
  const Pinned pinned[] = {
      {5, 0x1.3c6ef372fe950p-2, 0x1.e6f0e134454ffp-1, 0x1.9e3779b97f4a8p-1},
      {7, 0x1.3f3a0e28bedd1p-1, 0x1.904c37505de4bp-1, 0x1.cd4bca9cb5c71p-1},
      {9, 0x1.8836fa2cf5039p-1, 0x1.491b7523c161dp-1, 0x1.e11f642522d1cp-1},
      {11, 0x1.aeb8c8764f0bap-1, 0x1.14cedf8bb580bp-1, 0x1.eb42a9bcd5057p-1},
      {12, 0x1.bb67ae8584caap-1, 0x1.0000000000000p-1, 0x1.ee8dd4748bf15p-1},
      {24, 0x1.ee8dd4748bf15p-1, 0x1.0907dc1930690p-2, 0x1.fb9ea92ec689bp-1},
      {1000, 0x1.fffd69aa0b99dp-1, 0x1.9bc5a9d91f679p-8, 0x1.ffff5a6a681ffp-1},
  };
  for (const Pinned& p : pinned) {
    // EXPECT_EQ on doubles is bit equality here (none is NaN or a signed zero).
    EXPECT_EQ(sugar::cos_pi_fraction(2, p.n).to_double(), p.cos_turn) << "n " << p.n;
    EXPECT_EQ(sugar::sin_pi_fraction(2, p.n).to_double(), p.sin_turn) << "n " << p.n;
    EXPECT_EQ(sugar::cos_pi_fraction(1, p.n).to_double(), p.cos_half_turn) << "n " << p.n;
  }
  // And in the program f_modulo_counter builds: the LinState's rotation.
  Program program;
  const NodeId x = program.add_input(1, kAt);
  program.set_output(sugar::f_modulo_counter(program, x, 7, kAt), kAt);
  const Node& cycler = program.node(1);
  ASSERT_EQ(cycler.kind, NodeKind::LinState);
  EXPECT_EQ(Eigen::MatrixXd(to_double(cycler.A))(0, 0), 0x1.3f3a0e28bedd1p-1);
  EXPECT_EQ(Eigen::MatrixXd(to_double(cycler.A))(1, 0), 0x1.904c37505de4bp-1);
  EXPECT_EQ(Eigen::MatrixXd(to_double(cycler.A))(0, 1), -0x1.904c37505de4bp-1);
}

// Every angle pi p / q with q <= 48 is within half a unit in the last place
// of cos computed in long double (x87: 64-bit mantissa, about 1e-19 off), that
// is, the correctly rounded double (up to that 1e-19).
TEST(Sugar, RationalAngleCosinesAreCorrectlyRounded) {
  for (std::int64_t q = 1; q <= 48; ++q) {
    for (std::int64_t p = -2 * q; p <= 4 * q; ++p) {
      const double ours = sugar::cos_pi_fraction(p, q).to_double();
      const std::int64_t r = ((p % (2 * q)) + 2 * q) % (2 * q);
      const long double precise =
          std::cos(3.14159265358979323846264338327950288L * static_cast<long double>(r) / static_cast<long double>(q));
      ASSERT_FALSE(std::isnan(ours)) << p << "/" << q;
      const double ulp = std::nextafter(std::fabs(ours), HUGE_VAL) - std::fabs(ours);
      EXPECT_LE(std::fabs(static_cast<long double>(ours) - precise), 0.5L * ulp + 1e-18L) << p << "/" << q;
    }
  }
}

// The counter stays on the integers t mod n (to 1e-12) for n = 1..40 over
// 2000 steps; the largest deviation is printed.
TEST(Sugar, ModuloCounterStaysOnTheIntegers) {
  double worst = 0;
  for (int n = 1; n <= 40; ++n) {
    Program p;
    const NodeId x = p.add_input(1, kAt);
    p.set_output(sugar::f_modulo_counter(p, x, n, kAt), kAt);
    const auto out = run_steps(p, std::vector<std::vector<double>>(2000, std::vector<double>{0.0}));
    for (std::size_t t = 0; t < out.size(); ++t) {
      const double deviation = std::fabs(out[t] - static_cast<double>(t % static_cast<std::size_t>(n)));
      ASSERT_LE(deviation, 1e-12) << "n " << n << " t " << t;  // false for NaN, so a NaN fails
      worst = std::max(worst, deviation);
    }
  }
  std::printf("f_modulo_counter, n = 1..40, 2000 steps: largest deviation %.3g\n", worst);
}

TEST(Sugar, ReluIdentityConstantAndArithmetic) {
  Program p;
  const NodeId x = p.add_input(2, kAt);
  const NodeId id = sugar::f_relu_identity(p, x, kAt);
  NumVector values(2);
  values << Num(3), Num::rational(-1, 2);
  const NodeId c = sugar::f_constant(p, x, values, kAt);
  EXPECT_FALSE(p.node(c).always_positive);
  const NodeId sum = sugar::add(p, id, c, kAt);
  const NodeId diff = sugar::subtract(p, Operand::scalar(Num(1)), Operand::of(id), kAt);
  p.set_output(p.add_concat({id, c, sum, diff}, kAt), kAt);
  const auto out = run_steps(p, {{-4, 2.5}});
  const std::vector<double> expected = {-4, 2.5, 3, -0.5, -1, 2, 5, -1.5};
  ASSERT_EQ(out.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_DOUBLE_EQ(out[i], expected[i]) << i;
  // always_positive as the reference sets it.
  Program q;
  const NodeId r = q.add_relu(q.add_input(1, kAt), kAt);
  EXPECT_TRUE(q.node(sugar::add(q, r, r, kAt)).always_positive);
  EXPECT_TRUE(q.node(sugar::scale(q, r, Num(2), kAt)).always_positive);
  EXPECT_FALSE(q.node(sugar::scale(q, r, Num(-2), kAt)).always_positive);
  EXPECT_TRUE(q.node(sugar::add_constant(q, r, NumVector::Constant(1, Num(1)), kAt)).always_positive);
  EXPECT_FALSE(q.node(sugar::subtract(q, r, r, kAt)).always_positive);
  EXPECT_TRUE(q.node(sugar::f_constant(q, r, NumVector::Constant(1, Num(2)), kAt)).always_positive);
}

TEST(Sugar, WidthMismatchesNameBothSides) {
  Program p;
  const NodeId in = p.add_input(3, kAt);
  const NodeId two = p.add_slice(in, 0, 2, kAt);
  p.name_node(two, "pair");
  try {
    sugar::add(p, in, two, SourceSpan{4, 7, 1});
    FAIL() << "expected a width error";
  } catch (const LsrlError& e) {
    EXPECT_EQ(e.span().line, 4);
    EXPECT_NE(e.message().find("an Input of width 3"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("'pair' (Slice, width 2)"), std::string::npos) << e.message();
  }
  EXPECT_THROW(sugar::f_larger(p, Operand::of(in), Operand::of(two), Num(10), kAt), LsrlError);
  EXPECT_THROW(sugar::f_ifelse_mul(p, two, Operand::of(in), std::nullopt, kAt), LsrlError);
  EXPECT_THROW(sugar::f_step(p, in, Num(0), kAt), LsrlError);
  EXPECT_THROW(sugar::f_ifelse(p, two, std::nullopt, std::nullopt, Num(10), kAt), LsrlError);
  EXPECT_THROW(sugar::add_constant(p, in, NumVector::Constant(2, Num(1)), kAt), LsrlError);
}

// The language binds the sugar with the reference's keywords and aliases.
TEST(Sugar, LanguageKeywordsAndAliasesReachTheSameFunctions) {
  auto outputs = [](const std::string& body) {
    BuildOptions options;
    BuildResult r = build_program("x = Input(dim=2)\nc = x[0]\nv = x[1]\n" + body, options);
    EXPECT_TRUE(r.ok) << render_all(r.diagnostics);
    return run_steps(r.program, {{1, 5}, {0, 5}, {1, -2}, {0.0004, 3}});
  };
  EXPECT_EQ(outputs("return f_step(v, scale=10)\n"), outputs("return f_step(v, mu=10)\n"));
  EXPECT_EQ(outputs("return f_ifelse(condition=c, t_val=v, f_val=None)\n"), outputs("return f_ifelse(c, t=v)\n"));
  EXPECT_EQ(outputs("return f_ifelse_mul(cond=c, t=v, f=None)\n"), outputs("return f_ifelse_mul(c, v, None)\n"));
  EXPECT_EQ(outputs("return f_ifelse_step(c, v, f_val=2, large_constant=1e6, scale=100)\n"),
            outputs("return f_ifelse_step(c, v, 2, 1e6, 100)\n"));
  EXPECT_EQ(outputs("return f_modulo_counter(dummy_input=x, divisor=3)\n"),
            outputs("return f_modulo_counter(x, n=3)\n"));
  EXPECT_EQ(outputs("return f_ifeq(c, 1, t_val=v, f_val=0, scale=10)\n"),
            outputs("return f_ifeq(x=c, y=1, t=v, f=0, mu=10)\n"));
  EXPECT_EQ(outputs("return f_bump(v, lb=2, ub=4)\n"), outputs("return f_bump(v, 2, 4, 1000)\n"));
  EXPECT_EQ(outputs("return f_constant(x, [1, 2])\n"), outputs("return f_constant(x, value=[1, 2])\n"));
  const auto mod = outputs("return f_modulo_counter(x, 3)\n");
  EXPECT_NEAR(mod[3], 0.0, 1e-9);
  const auto chosen = outputs("return f_ifelse_opt(c, v, 7)\n");
  EXPECT_NEAR(chosen[0], 5, 1e-6);
  EXPECT_NEAR(chosen[1], 7, 1e-6);
}

}  // namespace
}  // namespace lsrl
