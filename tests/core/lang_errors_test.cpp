// Errors of the front end: the corpus of broken programs in
// tests/corpus/errors (each states the LINE:COL and message it must give),
// more error cases one by one, the limits that keep a build from hanging or
// crashing, and a mutation fuzz: thousands of damaged programs, every one
// answered with a diagnostic, none with a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "lang/build.hpp"

namespace lsrl {
namespace {

BuildResult build(const std::string& source, const std::string& filename = "test.lsrl") {
  BuildOptions options;
  options.filename = filename;
  return build_program(source, options);
}

void expect_error(const std::string& source, int line, int col, const std::string& fragment) {
  const BuildResult r = build(source);
  ASSERT_FALSE(r.ok) << "expected an error for:\n" << source;
  ASSERT_EQ(r.diagnostics.size(), 1u);
  const Diagnostic& d = r.diagnostics[0];
  EXPECT_EQ(d.span.line, line) << d.message;
  EXPECT_EQ(d.span.col, col) << d.message;
  EXPECT_NE(d.message.find(fragment), std::string::npos) << "message: " << d.message;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(LangErrors, CorpusOfBrokenProgramsGivesTheStatedErrors) {
  const std::filesystem::path dir = std::filesystem::path(LSRL_SOURCE_DIR) / "tests" / "corpus" / "errors";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".lsrl") continue;
    const std::string source = read_file(entry.path());
    const std::string first_line = source.substr(0, source.find('\n'));
    const std::string prefix = "# expect: ";
    ASSERT_EQ(first_line.rfind(prefix, 0), 0u) << entry.path() << " must start with '# expect: LINE:COL: text'";
    const std::string expectation = first_line.substr(prefix.size());
    const std::size_t colon1 = expectation.find(':');
    const std::size_t colon2 = expectation.find(':', colon1 + 1);
    const int line = std::stoi(expectation.substr(0, colon1));
    const int col = std::stoi(expectation.substr(colon1 + 1, colon2 - colon1 - 1));
    const std::string fragment = expectation.substr(colon2 + 2);
    const std::string name = entry.path().filename().string();

    const BuildResult r = build(source, name);
    ASSERT_FALSE(r.ok) << name << " built without error";
    ASSERT_EQ(r.diagnostics.size(), 1u) << name;
    const Diagnostic& d = r.diagnostics[0];
    EXPECT_EQ(d.span.line, line) << name << ": " << d.message;
    EXPECT_EQ(d.span.col, col) << name << ": " << d.message;
    EXPECT_NE(d.message.find(fragment), std::string::npos) << name << ": " << d.message;
    // The rendered form: FILE:LINE:COL: error: MESSAGE, the line, a caret under the column.
    const std::string rendered = d.render();
    const std::string head = name + ":" + std::to_string(line) + ":" + std::to_string(col) + ": error: ";
    EXPECT_EQ(rendered.rfind(head, 0), 0u) << rendered;
    EXPECT_NE(rendered.find("\n    " + d.source_line + "\n"), std::string::npos) << rendered;
    EXPECT_NE(rendered.find('^'), std::string::npos) << rendered;
    ++checked;
  }
  EXPECT_GE(checked, 25);
}

TEST(LangErrors, MessagesOfCallsNameTheValidChoices) {
  expect_error("x = Input(dim=1)\ny = f_larger(x, 1, scal=10)\nreturn y\n", 2, 20, "Its keywords: x, y, mu (or scale)");
  expect_error("x = Input(dim=1)\ny = f_ifelse(x, tval=x)\nreturn y\n", 2, 17, "did you mean 't_val'?");
  expect_error("def f(a, b=1):\n    return a\nx = Input(1)\nreturn f(x, 1, 2)\n", 4, 16,
               "f() takes 2 arguments (a, b) but 3 were given");
  expect_error("def f(a, b=1):\n    return a\nx = Input(1)\nreturn f(x, c=2)\n", 4, 13, "has no parameter 'c'");
  expect_error("def f(a, b=1):\n    return a\nx = Input(1)\nreturn f(b=2)\n", 4, 8, "missing the argument 'a'");
  expect_error("x = Input(1)\nreturn Linear(x)\n", 2, 8, "Linear() is missing the argument 'A'");
  expect_error("x = Input(1)\nreturn ReLU(x, x, x)\n", 2, 19, "ReLU() takes 1 to 2 arguments");
}

TEST(LangErrors, PrimitivesCheckTheirArguments) {
  expect_error("x = Input(dim=0)\nreturn x\n", 1, 11, "dim >= 1");
  expect_error("x = Input(dim='a')\nreturn x\n", 1, 11, "must be an integer, got str");
  expect_error("x = Input(1)\ny = Linear([1], [[1]])\nreturn y\n", 2, 12, "input must be a graph variable, got list");
  expect_error("x = Input(2)\ny = Linear(x, [1, 1])\nreturn y\n", 2, 15, "a flat list of numbers is a column");
  expect_error("x = Input(1)\ny = Linear(x, [[1], [2]], [0])\nreturn y\n", 2, 27, "b has 1 entries but A has 2 rows");
  expect_error("x = Input(1)\ns = LinState(x, [[1, 0]], [[1]], [0])\nreturn s\n", 2, 17, "A must be square");
  expect_error("x = Input(1)\ns = LinState(x, eye(2), [[1], [1]], [[0, 0]])\nreturn s\n", 2, 37,
               "init_state must be a column vector");
  expect_error("x = Input(1)\ny = Concat([x, 2])\nreturn y\n", 2, 12, "f_constant");
  expect_error("x = Input(1)\ny = Concat([])\nreturn y\n", 2, 5, "at least one graph variable");
  expect_error("x = Input(3)\ny = Multiplicative(x)\nreturn y\n", 2, 5, "width must be even");
  expect_error("x = Input(3)\ny = x[1:1]\nreturn y\n", 2, 7, "out of range or empty");
  expect_error("x = Input(3)\ny = x[0:3:2]\nreturn y\n", 2, 7, "cannot have a step");
  expect_error("x = Input(3)\ny = f_step(x, mu=-1)\nreturn y\n", 2, 5, "must be positive");
  expect_error("x = Input(3)\ny = f_step(x, mu=x)\nreturn y\n", 2, 15, "must be a number, not a graph variable");
  expect_error("x = Input(1)\ny = f_ifelse(x, None, None)\nreturn y\n", 2, 5, "at least one of t and f");
  expect_error("x = Input(1)\ny = f_modulo_counter(x, 0)\nreturn y\n", 2, 25, "n >= 1");
}

TEST(LangErrors, ProgramShapeErrors) {
  expect_error("", 1, 1, "no Input");
  expect_error("# only a comment\n", 1, 1, "no Input");
  expect_error("x = Input(1)\nreturn [x, x]\n", 2, 8, "return Concat([a, b, ...])");
  expect_error("x = Input(1)\nreturn\n", 2, 1, "needs a value");
  expect_error("def f(v):\n    ForEach:\n        return v\nx = Input(1)\nreturn f(x)\n", 2, 5,
               "belongs at the top level");
  expect_error("import numpy as np\nx = Input(1)\nreturn x\n", 1, 1, "numpy is not available");
  expect_error("x = Input(1)\nprint(x)\nreturn x\n", 2, 1, "print is not available");
  expect_error("x = Input(1)\nassert x.dim == 2, 'two wide'\nreturn x\n", 2, 1, "assertion failed: two wide");
  expect_error("x = Input(1)\ny = x.width\nreturn x\n", 2, 7, "has no attribute 'width'; it has dim");
  expect_error("xs = [1, 2]\ny = xs[2]\nx = Input(1)\nreturn x\n", 2, 8, "index 2 is out of range for a list of 2");
  expect_error("a, b = [1, 2, 3]\nx = Input(1)\nreturn x\n", 1, 1, "cannot unpack 3 values into 2 names");
  expect_error("x = Input(1)\nfor v in x:\n    pass\nreturn x\n", 2, 10, "loop over range(x.dim)");
  expect_error("x = Input(1)\ny = 1 / 0\nreturn x\n", 2, 7, "division by zero");
  expect_error("x = Input(1)\ny = 'a' + 1\nreturn x\n", 2, 9, "convert with str(...)");
}

TEST(LangErrors, LimitsStopRunawayBuildsWithAPosition) {
  expect_error("x = Input(1)\nr = range(10 ** 7)\nreturn x\n", 2, 5, "limit exceeded: range of 10000000 numbers");
  expect_error("x = Input(1)\nr = [0] * (10 ** 8)\nreturn x\n", 2, 9, "limit exceeded");
  expect_error("x = Input(1)\nr = 'ab' * (10 ** 8)\nreturn x\n", 2, 10, "limit exceeded");
  expect_error("x = Input(1)\nM = zeros(100000, 100000)\nreturn x\n", 2, 5, "limit exceeded");
  expect_error("x = Input(1)\nM = eye(200000)\nreturn x\n", 2, 5, "limit exceeded");
  expect_error("x = Input(1)\ny = f_modulo_counter(x, 10 ** 6)\nreturn y\n", 2, 25, "limit exceeded");
  expect_error("x = Input(1)\nys = []\nfor i in range(250000):\n    ys.append(x[0])\nreturn x\n", 4, 16,
               "limit exceeded: the program has more than 200000 nodes");
  expect_error("def f(k):\n    return f(k + 1)\nx = Input(1)\nn = f(0)\nreturn x\n", 2, 12,
               "limit exceeded: function calls nest deeper than 200");
  expect_error("x = Input(1)\nwhile True:\n    pass\nreturn x\n", 2, 1, "limit exceeded: loops have run");
  // Exponential recursion stays under the depth limit but not under the work budget; the error
  // points at the top-level statement that started it.
  expect_error("def fib(k):\n    return fib(k - 1) + fib(k - 2) if k > 1 else k\nx = Input(1)\nn = fib(60)\nreturn x\n",
               4, 1, "limit exceeded: building this takes more than 10000000 steps");
  expect_error("x = Input(1)\nn = [0 for i in range(2000) for j in range(2000)]\nreturn x\n", 2, 5,
               "limit exceeded: loops have run");
}

TEST(LangErrors, DeeplyNestedListsAndHugeNumbersAreHandled) {
  // A list nested 100000 deep is freed without recursion (no stack overflow).
  const BuildResult deep = build("a = []\nfor i in range(100000):\n    a = [a]\na = None\nx = Input(1)\nreturn x\n");
  EXPECT_TRUE(deep.ok) << render_all(deep.diagnostics);
  const BuildResult kept = build("a = []\nfor i in range(100000):\n    a = [a]\nx = Input(1)\nreturn x\n");
  EXPECT_TRUE(kept.ok) << render_all(kept.diagnostics);
  expect_error("a = []\nfor i in range(1000):\n    a = [a]\nb = [a]\nsame = a == b[0][0]\nx = Input(1)\nreturn x\n", 5,
               10, "limit exceeded: lists nested more than 100 deep");
  expect_error("x = Input(1)\ny = x * 1e999\nreturn y\n", 2, 9, "too large");
  expect_error("x = Input(1)\nk = 1e300 * 1e300\nreturn x\n", 2, 11, "overflows a double");
  expect_error("x = Input(1)\nk = exp(1000)\nreturn x\n", 2, 9, "overflows a double");
  expect_error("x = Input(1)\nM = eye(2) * 1e300 @ (eye(2) * 1e300)\nreturn x\n", 2, 20, "overflows a double");
}

TEST(LangErrors, ExtremeIntegersNeitherOverflowNorLoopSilently) {
  const BuildResult ok = build(
      "xs = list(range(10))\n"
      "assert xs[9:100:2 ** 62] == [9] and xs[0:10:2 ** 62] == [0] and xs[::-(2 ** 62)] == [9]\n"
      "assert len(range(0, 2 ** 62, 2 ** 61)) == 2\n"
      "x = Input(1)\nreturn x\n");
  EXPECT_TRUE(ok.ok) << render_all(ok.diagnostics);
  expect_error("x = Input(1)\nfor i in range(-(2 ** 62), 2 ** 62 - 1 + 2 ** 62):\n    pass\nreturn x\n", 2, 1,
               "limit exceeded: loops have run");
  expect_error("x = Input(1)\ns = 'ab' * 2 ** 62\nreturn x\n", 2, 10, "limit exceeded");
  expect_error("x = Input(1)\nk = 2.0 ** (2 ** 62)\nreturn x\n", 2, 9, "too large");
  expect_error("x = Input(1)\nk = int(2 ** 70)\nfor i in range(k):\n    pass\nreturn x\n", 3, 16,
               "too large an integer");
}

TEST(LangErrors, NonAsciiIsFineInStringsAndCommentsOnly) {
  const BuildResult ok = build("# Größe: ≥ 1 — ✓\nx = Input(dim=1)  # 入力\nvocab('?é')\nreturn x\n");
  EXPECT_TRUE(ok.ok) << render_all(ok.diagnostics);
  expect_error("x = Input(dim=1)\nreturn x × 2\n", 2, 10, "U+00D7");
  expect_error("x = Input(dim=1)\ny = ‘a’\nreturn x\n", 2, 5, "U+2018");
}

TEST(LangErrors, SelfContainingListsAreFreed) {
  // Under LeakSanitizer this fails if the cycle leaks.
  const BuildResult r = build("a = []\na.append(a)\nb = [a]\na.append(b)\nx = Input(1)\nreturn x\n");
  EXPECT_TRUE(r.ok) << render_all(r.diagnostics);
}

// Damaged programs: every one ends in a diagnostic (or builds), never a crash.
TEST(LangErrors, MutatedProgramsNeverCrash) {
  const std::vector<std::string> seeds = {
      "input = Input(dim=1)\nctr1s = LinState(input, A=[[1]], B=[[1]], init_state=[[0]])\n"
      "is_zero = f_not(input)\nctr0s = LinState(is_zero, A=[[1]], B=[[1]], init_state=[[0]])\n"
      "return f_larger(ctr1s, ctr0s, mu=10)\n",
      "n = param(3, min=1, max=12)\nform = param('mul', choices=['mul', 'orig'])\nvocab('?AB')\n"
      "def pick(c, t):\n    if form == 'mul':\n        return f_ifelse_mul(c, t, None)\n"
      "    return f_ifelse(c, t, t * 0)\nForEach:\n    x = Input(dim=n)\n"
      "    regs = [LinState(pick(f_larger(x[i], 0.5), x[i]), eye(1), eye(1), [0]) for i in range(n)]\n"
      "    M = Matrix([[1, 2], [3, 4]]).inv()\n    s = zeros(n, n)\n    s[0, n - 1] = 1\n"
      "    return Concat(regs) + Linear(x, s) - f_modulo_counter(x, n)[0]\n",
  };
  const std::string alphabet = "()[]{}:,.=+-*/%@'\"#\\\n    xyzn012_fé\xff";
  std::mt19937 rng(12345);
  int failures = 0;
  int builds = 0;
  for (int round = 0; round < 1500; ++round) {
    std::string src = seeds[static_cast<std::size_t>(round) % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !src.empty(); ++e) {
      const std::size_t at = rng() % src.size();
      switch (rng() % 4) {
        case 0:
          src.erase(at, 1 + rng() % 6);
          break;
        case 1:
          src.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        case 2:
          src.insert(at, src.substr(rng() % src.size(), 1 + rng() % 12));
          break;
        default:
          std::swap(src[at], src[rng() % src.size()]);
          break;
      }
    }
    BuildResult r;
    ASSERT_NO_THROW(r = build(src)) << src;
    if (r.ok) {
      ++builds;
      continue;
    }
    ++failures;
    ASSERT_EQ(r.diagnostics.size(), 1u);
    const Diagnostic& d = r.diagnostics[0];
    EXPECT_FALSE(d.message.empty());
    EXPECT_EQ(d.message.find("internal error"), std::string::npos) << d.message << "\n" << src;
    if (d.span.known()) {
      const int lines = 1 + static_cast<int>(std::count(src.begin(), src.end(), '\n'));
      EXPECT_LE(d.span.line, lines) << d.message;
      EXPECT_GE(d.span.col, 1);
    }
    EXPECT_FALSE(d.render().empty());
  }
  EXPECT_GT(failures, 500);
  std::printf("[ info ] mutated programs: %d built, %d rejected with a diagnostic\n", builds, failures);
}

}  // namespace
}  // namespace lsrl
