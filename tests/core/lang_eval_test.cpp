// The evaluator: compile-time values (checked with the language's own assert,
// which stops the build when it fails), graph-variable arithmetic (checked by
// running the built program), names, params, vocab and build speed.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>

#include "lang/build.hpp"
#include "runtime/dag_eval.hpp"

namespace lsrl {
namespace {

BuildResult build(const std::string& source, std::map<std::string, std::string> params = {}) {
  BuildOptions options;
  options.filename = "test.lsrl";
  options.params = std::move(params);
  return build_program(source, options);
}

// A program that must build; returns it.
BuildResult build_ok(const std::string& source, std::map<std::string, std::string> params = {}) {
  BuildResult r = build(source, std::move(params));
  EXPECT_TRUE(r.ok) << render_all(r.diagnostics) << "\nfor:\n" << source;
  return r;
}

Diagnostic build_fails(const std::string& source, std::map<std::string, std::string> params = {}) {
  BuildResult r = build(source, std::move(params));
  EXPECT_FALSE(r.ok) << "expected an error for:\n" << source;
  if (r.diagnostics.empty()) return Diagnostic{};
  return r.diagnostics.front();
}

// Compile-time checks: a list of assert lines around a trivial program.
void expect_asserts_hold(const std::string& asserts) { build_ok(asserts + "\nx = Input(dim=1)\nreturn x\n"); }

OutputRows run(const Program& program, const std::vector<std::vector<double>>& tokens) {
  return evaluate_program(program, tokens, Precision::F64, nullptr);
}

const Node* find_named(const Program& p, const std::string& name) {
  for (const Node& n : p.nodes())
    if (n.name == name) return &n;
  return nullptr;
}

// ---- the contract's example ---------------------------------------------------------

TEST(LangEval, MoreOnesExampleFromTheContractBuildsAndRuns) {
  BuildResult r = build_ok(
      "# more ones than zeros (paper Fig. 1)\n"
      "input = Input(dim=1)\n"
      "ctr1s = LinState(input, A=[[1]], B=[[1]], init_state=[[0]])\n"
      "is_zero = f_not(input)\n"
      "ctr0s = LinState(is_zero, A=[[1]], B=[[1]], init_state=[[0]])\n"
      "return f_larger(ctr1s, ctr0s, mu=10)\n");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.info.input_dim, 1);
  EXPECT_EQ(r.info.output_dim, 1);
  EXPECT_EQ(r.info.node_count, static_cast<int>(r.program.topological_order().size()));
  ASSERT_NE(find_named(r.program, "ctr1s"), nullptr);
  EXPECT_EQ(find_named(r.program, "ctr1s")->kind, NodeKind::LinState);
  EXPECT_EQ(find_named(r.program, "is_zero")->kind, NodeKind::Linear);
  EXPECT_EQ(find_named(r.program, "input")->kind, NodeKind::Input);
  // 1 1 0 0 0 1: more ones after steps 0-2, not after 3-5.
  const std::vector<double> bits = {1, 1, 0, 0, 0, 1};
  std::vector<std::vector<double>> tokens;
  for (double b : bits) tokens.push_back({b});
  const OutputRows out = run(r.program, tokens);
  int ones = 0;
  int zeros = 0;
  for (std::size_t t = 0; t < bits.size(); ++t) {
    (bits[t] == 1 ? ones : zeros)++;
    EXPECT_DOUBLE_EQ(out[t][0], ones > zeros ? 1.0 : 0.0) << "step " << t;
  }
}

TEST(LangEval, ForEachHeaderAndLsrlPrefixMeanTheSameAsTheTopLevel) {
  BuildResult plain = build_ok("x = Input(dim=1)\nreturn f_step(x, mu=10)\n");
  BuildResult wrapped = build_ok(
      "import lsrl\n"
      "from lsrl import *\n"
      "ForEach:\n"
      "    x = lsrl.Input(dim=1)\n"
      "    return lsrl.f_step(x, scale=10)\n");
  ASSERT_EQ(plain.program.size(), wrapped.program.size());
  const std::vector<std::vector<double>> tokens = {{-1}, {0.05}, {0.2}};
  EXPECT_EQ(run(plain.program, tokens), run(wrapped.program, tokens));
}

// ---- compile-time values ---------------------------------------------------------------

TEST(LangEval, NumbersAreExactRationalsWithPythonsIntFloatRules) {
  expect_asserts_hold(
      "assert 0.1 + 0.2 == 0.3  # exact decimal literals (unlike Python's doubles)\n"
      "assert 1 / 3 * 3 == 1\n"
      "assert 7 // 2 == 3 and -7 // 2 == -4\n"
      "assert -7 % 3 == 2 and 7 % -3 == -2\n"
      "assert 2 ** 10 == 1024 and 2 ** -2 == 0.25\n"
      "assert 4 ** 0.5 == 2 and sqrt(2.25) == 1.5\n"
      "assert sqrt(2) * sqrt(2) != 2  # inexact: a double\n"
      "assert abs(-3) == 3 and round(2.5) == 2 and round(3.5) == 4 and round(0.125, 2) == 0.12\n"
      "assert floor(-0.5) == -1 and ceil(0.5) == 1 and int(-2.7) == -2\n"
      "assert 1e10 == 10000000000 and 1_000 == 1000 and 0x10 == 16\n"
      "assert cos(0) == 1 and sin(0) == 0 and exp(0) == 1\n"
      "assert abs(cos(pi) + 1) < 1e-12\n"
      "assert str(1.5) == '1.5' and str(2.0) == '2.0' and str(3) == '3'\n"
      "assert float('0.25') == 0.25 and int('12') == 12\n"
      "assert True + True == 2 and not False\n");
}

TEST(LangEval, IntegerContextsRejectFloats) {
  const Diagnostic d = build_fails("for i in range(3.0):\n    pass\nx = Input(1)\nreturn x\n");
  EXPECT_EQ(d.span.line, 1);
  EXPECT_NE(d.message.find("must be an integer, got the float 3.0"), std::string::npos) << d.message;
}

TEST(LangEval, ListsStringsAndControlFlow) {
  expect_asserts_hold(
      "xs = [i * i for i in range(6) if i % 2 == 0]\n"
      "assert xs == [0, 4, 16]\n"
      "assert [a + b for a in [1, 2] for b in [10, 20]] == [11, 21, 12, 22]\n"
      "assert xs[-1] == 16 and xs[1:] == [4, 16] and xs[::-1] == [16, 4, 0]\n"
      "assert len(xs) == 3 and sum(xs) == 20 and min(xs) == 0 and max(3, 9, 4) == 9\n"
      "assert list(range(5, 0, -2)) == [5, 3, 1]\n"
      "ys = []\n"
      "for i in range(10):\n"
      "    if i == 2:\n"
      "        continue\n"
      "    if i > 4:\n"
      "        break\n"
      "    ys.append(i)\n"
      "assert ys == [0, 1, 3, 4]\n"
      "ys += [7]\n"
      "ys.extend([8, 9])\n"
      "assert ys.pop() == 9 and ys == [0, 1, 3, 4, 7, 8]\n"
      "k = 0\n"
      "while k < 5:\n"
      "    k += 2\n"
      "assert k == 6\n"
      "a, b = 1, 2\n"
      "a, b = b, a\n"
      "assert (a, b) == (2, 1)\n"
      "assert [p for p in enumerate('ab')] == [(0, 'a'), (1, 'b')]\n"
      "assert list(zip([1, 2], [3, 4, 5])) == [(1, 3), (2, 4)]\n"
      "assert sorted([3, 1, 2]) == [1, 2, 3] and list(reversed([1, 2])) == [2, 1]\n"
      "assert 'B' in 'ABC' and 2 in [1, 2] and 5 not in [1, 2]\n"
      "assert 1 < 2 <= 2 < 3 and not (1 < 2 > 3)\n"
      "assert (0 or 5) == 5 and (3 and 0) == 0 and (None or 'x') == 'x'\n"
      "assert ('yes' if k > 3 else 'no') == 'yes'\n"
      "assert 'ab' + 'c' == 'abc' and 'ab' * 2 == 'abab' and [0] * 3 == [0, 0, 0]\n"
      "assert '-'.join(['a', 'b']) == 'a-b' and 'aBc'.upper() == 'ABC'\n"
      "assert any([0, 1]) and not all([0, 1])\n"
      "assert 'é' + 'ü' == 'éü'  # non-ASCII text in strings is fine\n");
}

TEST(LangEval, FunctionsDefaultsKeywordsClosuresAndRecursion) {
  expect_asserts_hold(
      "def scale(v, k=2, offset=0):\n"
      "    return v * k + offset\n"
      "assert scale(3) == 6 and scale(3, 3) == 9 and scale(3, offset=1) == 7 and scale(k=1, v=5) == 5\n"
      "def fact(n):\n"
      "    return 1 if n <= 1 else n * fact(n - 1)\n"
      "assert fact(10) == 3628800\n"
      "def adder(a):\n"
      "    def add(b):\n"
      "        return a + b\n"
      "    return add\n"
      "plus3 = adder(3)\n"
      "assert plus3(4) == 7\n"
      "def nothing():\n"
      "    pass\n"
      "assert nothing() is None\n");
}

TEST(LangEval, MatricesExactInverseAndElementAccess) {
  expect_asserts_hold(
      "M = Matrix([[2, 0], [1, 4]])\n"
      "Mi = M.inv()\n"
      "assert M @ Mi == eye(2)\n"
      "assert float(Mi[0, 0]) == 0.5 and Mi[1, 0] == Matrix([[-0.125]]) and float(Mi[1, 1]) == 0.25\n"
      "assert M.T == Matrix([[2, 1], [0, 4]]) and M.shape == (2, 2)\n"
      "assert zeros(2, 3).shape == (2, 3) and ones(3) == Matrix([[1], [1], [1]])\n"
      "assert hstack(eye(2), zeros(2, 1)).shape == (2, 3) and vstack([eye(2), ones(1, 2)]).shape == (3, 2)\n"
      "assert diag([1, 2]) == Matrix([[1, 0], [0, 2]])\n"
      "assert diag(Matrix([[5]]), 2) == Matrix([[5, 0, 0], [0, 1, 0], [0, 0, 1]])\n"
      "assert Matrix.eye(2) == eye(2) and Matrix.zeros(1, 2) == zeros(1, 2)\n"
      "assert 2 * eye(2) - eye(2) == eye(2) and eye(2) / 2 == Matrix([[0.5, 0], [0, 0.5]])\n"
      "assert [[1, 2], [3, 4]] @ [[1], [1]] == Matrix([[3], [7]])\n"
      "S = zeros(3, 3)\n"
      "for i in range(2):\n"
      "    S[i, i + 1] = 1\n"
      "assert S @ Matrix([[1], [2], [3]]) == Matrix([[2], [3], [0]])\n"
      "assert M[0:1, :] == Matrix([[2, 0]]) and M[:, 1] == Matrix([[0], [4]])\n");
  const Diagnostic singular = build_fails("M = Matrix([[1, 2], [2, 4]]).inv()\nx = Input(1)\nreturn x\n");
  EXPECT_NE(singular.message.find("singular"), std::string::npos);
  const Diagnostic product = build_fails("M = eye(2) * eye(2)\nx = Input(1)\nreturn x\n");
  EXPECT_NE(product.message.find("use '@'"), std::string::npos);
}

TEST(LangEval, FloatLiteralsInMatricesStayExact) {
  BuildResult r = build_ok("x = Input(dim=1)\ny = Linear(x, [[0.001]], [0.1])\nreturn y\n");
  const Node& y = r.program.node(r.program.output());
  const Num a = y.A.coeff(0, 0);
  ASSERT_TRUE(a.is_exact());
  EXPECT_EQ(a.numerator(), 1);
  EXPECT_EQ(a.denominator(), 1000);
  EXPECT_EQ(y.b(0), Num::rational(1, 10));
}

// ---- graph variables ------------------------------------------------------------------------

TEST(LangEval, ArithmeticOnVariablesFollowsTheReferenceAndComputesRightValues) {
  BuildResult r = build_ok(
      "x = Input(dim=2)\n"
      "y = Linear(x, [[0, 1], [1, 0]])\n"
      "s = x + y\n"
      "d = x - y\n"
      "c = 3 - x\n"
      "p = 2 * x + 1\n"
      "q = x / 4 - [1, 2]\n"
      "n = -x\n"
      "m = [[1, 1]] @ x\n"
      "e = x[-1]\n"
      "w = x[0:2]\n"
      "assert x.dim == 2 and e.dim == 1\n"
      "return Concat([s, d, c, p, q, n, m, e, w])\n");
  const Node* s = find_named(r.program, "s");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->kind, NodeKind::Linear);
  EXPECT_EQ(r.program.node(s->inputs[0]).kind, NodeKind::Concat);  // x + y: Concat then Linear [I, I]
  EXPECT_EQ(find_named(r.program, "c")->kind, NodeKind::Linear);   // c - x: one Linear
  EXPECT_EQ(find_named(r.program, "e")->kind, NodeKind::Slice);
  const OutputRows out = run(r.program, {{3, 5}});
  const double x0 = 3, x1 = 5;
  const std::vector<double> expected = {x0 + x1,    x1 + x0,    x0 - x1,    x1 - x0,    3 - x0, 3 - x1,
                                        2 * x0 + 1, 2 * x1 + 1, x0 / 4 - 1, x1 / 4 - 2, -x0,    -x1,
                                        x0 + x1,    x1,         x0,         x1};
  ASSERT_EQ(out[0].size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_DOUBLE_EQ(out[0][i], expected[i]) << "entry " << i;
}

TEST(LangEval, TheReturnMayBeChosenByABuildTimeCondition) {
  const std::string src =
      "wide = param(0, min=0, max=1)\n"
      "x = Input(dim=2)\n"
      "if wide == 1:\n"
      "    return x\n"
      "return x[0]\n";
  EXPECT_EQ(build_ok(src).info.output_dim, 1);
  EXPECT_EQ(build_ok(src, {{"wide", "1"}}).info.output_dim, 2);
}

TEST(LangEval, PrimitivesTakePositionalAndKeywordForms) {
  BuildResult r = build_ok(
      "x = Input(1, name='token')\n"
      "s = LinState(x, [[1]], [[1]], [0], [2], name='acc')\n"
      "t = LinState(input=x, A=eye(1), B=eye(1), init_state=0, bias=[0.5])\n"
      "l = Linear(input=Concat(x, s), A=[[1, 1]], b=1)\n"
      "m = Multiplicative(Concat([x, t]))\n"
      "z = Slice(Concat(x, s, t), 1, 3)\n"
      "return Concat(l, m, z, ReLU(input=x))\n");
  EXPECT_NE(find_named(r.program, "token"), nullptr);
  EXPECT_NE(find_named(r.program, "acc"), nullptr);
  const OutputRows out = run(r.program, {{1}, {-1}});
  // s: 0 + 1 + 2 = 3, then 3 - 1 + 2 = 4; t: 1.5, then 1.
  const std::vector<std::vector<double>> expected = {{1 + 3 + 1, 1 * 1.5, 3, 1.5, 1}, {-1 + 4 + 1, -1 * 1.0, 4, 1, 0}};
  EXPECT_EQ(out, expected);
}

TEST(LangEval, VariablesCannotBeMultipliedOrComparedAtBuildTime) {
  const Diagnostic product = build_fails("x = Input(dim=1)\ny = f_not(x)\nreturn x * y\n");
  EXPECT_EQ(product.span.line, 3);
  EXPECT_EQ(product.span.col, 10);
  EXPECT_NE(product.message.find("Multi(Concat([x, y]))"), std::string::npos);
  EXPECT_NE(product.message.find("f_ifelse_mul"), std::string::npos);
  const Diagnostic compare = build_fails("x = Input(dim=1)\nif x > 1:\n    pass\nreturn x\n");
  EXPECT_NE(compare.message.find("f_larger"), std::string::npos);
  const Diagnostic text = build_fails("x = Input(dim=1)\nreturn x + 'a'\n");
  EXPECT_NE(text.message.find("graph variable and str"), std::string::npos);
}

TEST(LangEval, NamesComeFromTheFirstAssignment) {
  BuildResult r = build_ok(
      "def gate(v):\n"
      "    inner = f_not(v)\n"
      "    return inner\n"
      "x = Input(dim=1)\n"
      "first = gate(x)\n"
      "second = first\n"
      "regs = [LinState(x, A=[[1]], B=[[1]], init_state=[0]) for i in range(3)]\n"
      "tagged = ReLU(x, name='my relu')\n"
      "also = tagged\n"
      "step = f_step(x)\n"
      "return Concat([second, regs[2], also, step])\n");
  const Program& p = r.program;
  // The def's local name came first; the later top-level names do not override it.
  const Node* inner = find_named(p, "inner");
  ASSERT_NE(inner, nullptr);
  EXPECT_EQ(find_named(p, "first"), nullptr);
  EXPECT_EQ(find_named(p, "second"), nullptr);
  for (int i = 0; i < 3; ++i) {
    const Node* reg = find_named(p, "regs[" + std::to_string(i) + "]");
    ASSERT_NE(reg, nullptr) << i;
    EXPECT_EQ(reg->kind, NodeKind::LinState);
  }
  EXPECT_NE(find_named(p, "my relu"), nullptr);
  EXPECT_EQ(find_named(p, "also"), nullptr);
  // Only the result of the sugar is named; its inner nodes stay unnamed.
  const Node* step = find_named(p, "step");
  ASSERT_NE(step, nullptr);
  int named_inside = 0;
  for (const Node& n : p.nodes())
    if (n.id > find_named(p, "my relu")->id && n.id < step->id && !n.name.empty()) ++named_inside;
  EXPECT_EQ(named_inside, 0);
}

TEST(LangEval, NonnegAndAlwaysPositiveMarkVariables) {
  BuildResult r = build_ok(
      "x = nonneg(Input(dim=1))\n"
      "y = Linear(x, [[2]])\n"
      "y.always_positive = True\n"
      "z = Linear(x, [[-1]])\n"
      "assert x.always_positive and y.always_positive and not z.always_positive\n"
      "return Concat([y, z])\n");
  EXPECT_TRUE(r.program.node(r.program.input()).always_positive);
}

// ---- params and vocab ---------------------------------------------------------------------------

const char* kParamProgram =
    "n = param(3, min=1, max=12, doc=\"key length\")\n"
    "rate = param(0.5, min=0, max=1)\n"
    "form = param(\"multiplicative\", choices=[\"original\", \"multiplicative\"])\n"
    "vocab(\"?ABC\")\n"
    "x = Input(dim=n)\n"
    "assert form in ['original', 'multiplicative']\n"
    "return x * rate\n";

TEST(LangEval, ParamsRecordTheirSpecAndTakeOverrides) {
  BuildResult defaults = build_ok(kParamProgram);
  ASSERT_EQ(defaults.info.params.size(), 3u);
  const ParamSpec& n = defaults.info.params[0];
  EXPECT_EQ(n.name, "n");
  EXPECT_EQ(n.kind, "int");
  EXPECT_EQ(n.default_value, "3");
  EXPECT_EQ(n.value, "3");
  EXPECT_EQ(n.doc, "key length");
  ASSERT_TRUE(n.min && n.max);
  EXPECT_EQ(*n.min, 1);
  EXPECT_EQ(*n.max, 12);
  EXPECT_EQ(n.origin.line, 1);
  EXPECT_EQ(n.origin.col, 5);
  EXPECT_EQ(defaults.info.params[1].kind, "float");
  EXPECT_EQ(defaults.info.params[1].default_value, "0.5");
  const ParamSpec& form = defaults.info.params[2];
  EXPECT_EQ(form.kind, "choice");
  EXPECT_EQ(form.choices, (std::vector<std::string>{"original", "multiplicative"}));
  EXPECT_EQ(defaults.info.input_dim, 3);
  ASSERT_TRUE(defaults.info.vocab.has_value());
  EXPECT_EQ(*defaults.info.vocab, "?ABC");

  BuildResult set = build_ok(kParamProgram, {{"n", "5"}, {"rate", "0.25"}, {"form", "original"}});
  EXPECT_EQ(set.info.input_dim, 5);
  EXPECT_EQ(set.info.params[0].value, "5");
  EXPECT_EQ(set.info.params[1].value, "0.25");
  EXPECT_EQ(set.info.params[2].value, "original");
  const OutputRows out = run(set.program, {{4, 4, 4, 4, 4}});
  EXPECT_DOUBLE_EQ(out[0][0], 1.0);
}

TEST(LangEval, BadParamOverridesAreErrorsAtTheParamCall) {
  const Diagnostic high = build_fails(kParamProgram, {{"n", "20"}});
  EXPECT_EQ(high.span.line, 1);
  EXPECT_EQ(high.span.col, 5);
  EXPECT_NE(high.message.find("above its max 12"), std::string::npos) << high.message;
  const Diagnostic text = build_fails(kParamProgram, {{"n", "three"}});
  EXPECT_NE(text.message.find("takes an integer"), std::string::npos);
  const Diagnostic fractional = build_fails(kParamProgram, {{"n", "2.5"}});
  EXPECT_NE(fractional.message.find("takes an integer"), std::string::npos);
  const Diagnostic choice = build_fails(kParamProgram, {{"form", "fast"}});
  EXPECT_EQ(choice.span.line, 3);
  EXPECT_NE(choice.message.find("choose one of 'original', 'multiplicative'"), std::string::npos) << choice.message;
  const Diagnostic unknown = build_fails(kParamProgram, {{"foo", "1"}});
  EXPECT_FALSE(unknown.span.known());
  EXPECT_EQ(unknown.message, "no parameter 'foo' in this program; its parameters are: n, rate, form");
  const Diagnostic none = build_fails("x = Input(1)\nreturn x\n", {{"foo", "1"}});
  EXPECT_NE(none.message.find("declares no parameters"), std::string::npos);
}

TEST(LangEval, ParamMisuseIsReported) {
  EXPECT_NE(build_fails("n = 2 * param(3)\nx = Input(1)\nreturn x\n").message.find("NAME = param"), std::string::npos);
  EXPECT_NE(build_fails("def f():\n    k = param(3)\n    return k\nm = f()\nx = Input(1)\nreturn x\n")
                .message.find("top level"),
            std::string::npos);
  EXPECT_NE(build_fails("n = param(3)\nn = param(4)\nx = Input(1)\nreturn x\n").message.find("declared twice"),
            std::string::npos);
  EXPECT_NE(build_fails("f = param('a')\nx = Input(1)\nreturn x\n").message.find("needs its choices"),
            std::string::npos);
  EXPECT_NE(build_fails("n = param(0, min=1)\nx = Input(1)\nreturn x\n").message.find("below its min 1"),
            std::string::npos);
}

TEST(LangEval, VocabIsRecordedOncePerProgram) {
  EXPECT_NE(build_fails("vocab('ab')\nvocab('cd')\nx = Input(1)\nreturn x\n").message.find("given twice"),
            std::string::npos);
  EXPECT_NE(build_fails("vocab('aba')\nx = Input(1)\nreturn x\n").message.find("'a' twice"), std::string::npos);
  EXPECT_NE(build_fails("vocab(3)\nx = Input(1)\nreturn x\n").message.find("needs a string"), std::string::npos);
  BuildResult unicode = build_ok("vocab('?éü')\nx = Input(1)\nreturn x\n");
  EXPECT_EQ(*unicode.info.vocab, "?éü");
}

// ---- the paper's Listing 2, and build speed ----------------------------------------------------

const char* kListing2 = R"(# Listing 2: a dictionary lookup V^n -> V^n
n = param(3, min=1, max=12, doc="key length")
form = param("multiplicative", choices=["original", "optimized", "step", "multiplicative", "multiplicative_optimized"])
vocab("?ABCDEFGHIJKLMNOPQRSTUVWXYZ")

def ifelse(cond, t):
    if form == "original":
        return f_ifelse(cond, t, t * 0)
    elif form == "optimized":
        return f_ifelse_opt(cond, t, None)
    elif form == "step":
        return f_ifelse_step(cond, t, None)
    elif form == "multiplicative":
        return f_ifelse_mul(cond, t, t * 0)
    return f_ifelse_mul(cond, t_val=t, f_val=None)

ForEach:
    input = nonneg(Input(dim=1))
    counter = nonneg(LinState(f_constant(input, 1), A=eye(1), B=eye(1), init_state=[-1]))
    mod_n = f_modulo_counter(input, n)
    mod_2n = f_modulo_counter(input, 2 * n)
    is_prompt = f_larger(counter, n - 0.5)
    is_compare = f_larger(mod_2n, n - 0.5)
    is_copy = f_and(is_prompt, f_not(is_compare))
    is_first_copy = f_and(is_copy, f_smaller(mod_n, 0.5))
    position = [f_and(f_larger(mod_n, i - 0.5), f_smaller(mod_n, i + 0.5)) for i in range(n)]
    query_update = nonneg(ifelse(f_smaller(is_prompt, 0.5), input))
    query = nonneg(LinState(Concat([ifelse(position[i], query_update) for i in range(n)]),
                            A=eye(n), B=eye(n), init_state=zeros(n)))
    current = Linear(Concat([ifelse(position[i], query[i]) for i in range(n)]), ones(1, n))
    matching = f_and(f_and(f_larger(input, current - 0.5), f_smaller(input, current + 0.5)), is_compare)
    shift = zeros(n + 1, n + 1)
    for i in range(n):
        shift[i, i + 1] = 1
    buffer = LinState(matching, A=shift, B=[0] * n + [1], init_state=zeros(n + 1))
    all_matching = f_larger(Linear(buffer, [[1] * n + [0]]), n - 0.5)
    started_on = LinState(ifelse(nonneg(f_and(all_matching, is_first_copy)), counter), A=eye(1), B=eye(1),
                          init_state=[0])
    copy_and_on = f_and(is_copy, f_smaller(counter, started_on + n))
    registers = [nonneg(LinState(ifelse(f_and(copy_and_on, position[i]), input), A=eye(1), B=eye(1), init_state=[0]))
                 for i in range(n)]
    return Linear(Concat([ifelse(position[i], registers[i]) for i in range(n)]), ones(1, n))
)";

// Tokens of the paper's example: query, then key/value pairs; letters as ids.
std::vector<std::vector<double>> encode(const std::string& text) {
  const std::string vocab = "?ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::vector<std::vector<double>> tokens;
  for (char c : text) tokens.push_back({static_cast<double>(vocab.find(c))});
  return tokens;
}

TEST(LangEval, Listing2AnswersTheQueryInEveryForm) {
  const std::string prompt = "CANGERBERUSAWASCANOTTFRAPAR";
  for (const char* form : {"original", "optimized", "step", "multiplicative", "multiplicative_optimized"}) {
    BuildResult r = build_ok(kListing2, {{"form", form}});
    ASSERT_TRUE(r.ok);
    const OutputRows out = run(r.program, encode(prompt));
    // The last n outputs spell the value of the matching key.
    std::string answer;
    for (std::size_t t = out.size() - 3; t < out.size(); ++t) {
      answer.push_back("?ABCDEFGHIJKLMNOPQRSTUVWXYZ"[static_cast<std::size_t>(std::lround(out[t][0]))]);
    }
    EXPECT_EQ(answer, "OTT") << "form " << form;
  }
}

TEST(LangEval, Listing2WithEightTokenKeysBuilds) {
  for (const char* form : {"original", "multiplicative"}) {
    const auto start = std::chrono::steady_clock::now();
    BuildResult r = build_ok(kListing2, {{"n", "8"}, {"form", form}});
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(r.ok);
    EXPECT_GT(r.info.node_count, 500);
    RecordProperty("build_ms_" + std::string(form), std::to_string(ms));
    std::printf("[ info ] Listing 2, n = 8, %s: %d nodes built in %.2f ms\n", form, r.info.node_count, ms);
  }
}

}  // namespace
}  // namespace lsrl
