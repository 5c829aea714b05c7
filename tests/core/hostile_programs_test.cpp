// Hostile programs through lsrlc, as a stranger's text reaches the playground:
// deep nesting, huge widths, a billion loop iterations, enormous literals,
// endless recursion, Unicode tricks, NUL bytes and invalid UTF-8, a 10 MB
// source, and programs that make the compiler work hard. Each must end with
// the expected message at a position (or compile), exit 0 or 1, within a time
// and memory bound (docs/reliability.md): no crash, no hang, no runaway memory.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <string>
#include <vector>

#include "lsrlc_process.hpp"

namespace {

using lsrl::cli_process::lsrlc;
using lsrl::cli_process::Outcome;
using lsrl::cli_process::scratch;
using lsrl::cli_process::write_file;

// Sanitizers and unoptimised builds run the same work several times slower
// (and the sanitizer stage runs this suite against its sanitized lsrlc).
#if defined(__SANITIZE_ADDRESS__) || !defined(NDEBUG)
constexpr double kSlowdown = 10.0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr double kSlowdown = 10.0;
#else
constexpr double kSlowdown = 1.0;
#endif
#else
constexpr double kSlowdown = 1.0;
#endif
// The bound is on lsrlc's CPU time (its wall time depends on what else the
// machine runs); a wall-clock bound ten times larger catches a hang waiting
// on anything else. A program that compiles is allowed twice as long: the
// bound is for reaching a message.
constexpr double kCpuSecondsPerCommand = 1.0;
constexpr double kWallSecondsPerCommand = 10.0;
// ASan's shadow memory and quarantine take several times a program's own.
constexpr long kMaxResidentKilobytes = 512L * 1024 * (kSlowdown > 1.0 ? 4 : 1);

struct Hostile {
  const char* name;
  std::string source;
  // A substring of the error (with its "LINE:COL: error: " prefix where the
  // position is known), or "" for a program that must compile.
  std::string expected;
};

std::string repeat(const std::string& piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

std::vector<Hostile> hostile_programs() {
  std::vector<Hostile> all;
  all.push_back({"deep_parentheses",
                 "x = Input(dim=1)\ny = " + repeat("(", 100000) + "x" + repeat(")", 100000) + "\nreturn y\n", "2:"});
  {
    std::string nested = "x = Input(dim=1)\n";
    for (int depth = 0; depth < 400; ++depth)
      nested += std::string(static_cast<std::size_t>(depth) * 1, ' ') + "if True:\n";
    nested += std::string(400, ' ') + "pass\nreturn x\n";
    all.push_back({"deep_blocks", nested, "limit exceeded: blocks nest deeper than"});
  }
  all.push_back(
      {"deep_unary_minus", "x = Input(dim=1)\ny = " + repeat("-", 200000) + "1\nreturn x\n", "limit exceeded"});
  all.push_back(
      {"huge_input_width", "x = Input(dim=1000000000)\nreturn x\n", "1:11: error: limit exceeded: Input dim"});
  all.push_back({"huge_matrix", "x = Input(dim=1)\nA = [[0] * 100000] * 100000\ny = Linear(x, A=A)\nreturn y\n",
                 "limit exceeded"});
  all.push_back(
      {"billion_iterations", "x = Input(dim=1)\nfor i in range(1000000000):\n    pass\nreturn x\n", "limit exceeded"});
  all.push_back({"endless_while", "x = Input(dim=1)\nwhile True:\n    x = x\nreturn x\n",
                 "2:1: error: limit exceeded: loops have run more than"});
  all.push_back({"enormous_integer_literal",
                 "x = Input(dim=1)\ny = Linear(x, A=[[1" + repeat("0", 100000) + "]])\nreturn y\n", "2:"});
  all.push_back({"enormous_exponent", "x = Input(dim=1)\ny = Linear(x, A=[[1e999999999]])\nreturn y\n", "2:"});
  all.push_back({"endless_recursion", "def f(a):\n    return f(a)\nx = Input(dim=1)\nreturn f(x)\n",
                 "limit exceeded: function calls nest deeper than"});
  all.push_back({"mutual_recursion",
                 "def f(a):\n    return g(a)\ndef g(a):\n    return f(a)\nx = Input(dim=1)\nreturn f(x)\n",
                 "limit exceeded: function calls nest deeper than"});
  all.push_back({"string_doubling", "x = Input(dim=1)\ns = \"ab\"\nfor i in range(64):\n    s = s + s\nreturn x\n",
                 "limit exceeded"});
  all.push_back(
      {"list_doubling", "x = Input(dim=1)\ns = [0]\nfor i in range(64):\n    s = s + s\nreturn x\n", "limit exceeded"});
  all.push_back({"right_to_left_override", "x = Input(dim=1)\n\u202ey = x\nreturn y\n", "2:1: error:"});
  all.push_back({"zero_width_space_in_name", "x = Input(dim=1)\ny\u200b = x\nreturn y\n", "2:"});
  all.push_back({"cyrillic_lookalike_name", "x = Input(dim=1)\n\u0445 = x\nreturn \u0445\n", "2:1: error:"});
  all.push_back({"byte_order_mark_mid_file", "x = Input(dim=1)\n\xEF\xBB\xBFreturn x\n", "2:1: error:"});
  all.push_back({"nul_byte", std::string("x = Input(dim=1)\0\nreturn x\n", 27), "1:17: error:"});
  all.push_back({"invalid_utf8", "x = Input(dim=1)\ny = \xC3\x28 + x\nreturn y\n", "2:5: error:"});
  all.push_back({"ten_megabyte_source", "x = Input(dim=1)\n" + repeat("y = x\n", 10 * 1024 * 1024 / 6) + "return y\n",
                 "1:1: error: limit exceeded: the source is"});
  // A chain of additions of one input compiles in linear time (64,000 lines in about
  // 2 s: docs/benchmarks.md), but adding 16,000 different multiples of it makes
  // debranching carry a growing stack of them, quadratic work that meets the
  // compiler's work bound instead.
  all.push_back({"sixteen_thousand_scaled_additions",
                 "x = Input(dim=1)\ny = x\nfor i in range(16000):\n    y = y + x * (i + 2)\nreturn y\n",
                 "4:15: error: limit exceeded: compiling this program takes more than"});
  all.push_back({"many_nodes", "x = Input(dim=1)\ny = x\nfor i in range(300000):\n    y = ReLU(y)\nreturn y\n",
                 "limit exceeded"});
  all.push_back({"wide_but_legal", "x = Input(dim=100000)\ny = ReLU(x)\nreturn y\n", ""});
  return all;
}

// User and system CPU time of every child this process has waited for.
double children_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

class HostilePrograms : public ::testing::TestWithParam<Hostile> {};

TEST_P(HostilePrograms, EndInAClearMessageInBoundedTimeAndMemory) {
  const Hostile& program = GetParam();
  const auto file = scratch() / (std::string(program.name) + ".lsrl");
  write_file(file, program.source);
  for (const char* target : {"gated-linear-rnn", "lstm"}) {
    const double cpu_before = children_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    const Outcome o = lsrlc({"compile", file.string(), "--target", target});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu_seconds = children_cpu_seconds() - cpu_before;
    const std::string context = std::string(program.name) + " on " + target + "\nstderr: " + o.err.substr(0, 600);
    EXPECT_EQ(o.signal, 0) << context;
    const double allowance = (program.expected.empty() ? 2.0 : 1.0) * kSlowdown;
    EXPECT_LE(cpu_seconds, kCpuSecondsPerCommand * allowance) << context;
    EXPECT_LE(seconds, kWallSecondsPerCommand * allowance) << context;
    if (program.expected.empty()) {
      EXPECT_EQ(o.exit_code, 0) << context;
    } else {
      EXPECT_EQ(o.exit_code, 1) << context;
      EXPECT_NE(o.err.find(program.expected), std::string::npos) << "expected \"" << program.expected << "\"\n"
                                                                 << context;
      // Every message has a position: FILE:LINE:COL: error.
      EXPECT_NE(o.err.find(".lsrl:"), std::string::npos) << context;
      EXPECT_EQ(o.err.find("internal"), std::string::npos) << context;
    }
  }
  // The largest resident set of any lsrlc this process has waited for.
  rusage usage{};
  ASSERT_EQ(::getrusage(RUSAGE_CHILDREN, &usage), 0);
  EXPECT_LE(usage.ru_maxrss, kMaxResidentKilobytes) << program.name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, HostilePrograms, ::testing::ValuesIn(hostile_programs()),
                         [](const ::testing::TestParamInfo<Hostile>& info) { return std::string(info.param.name); });

}  // namespace
