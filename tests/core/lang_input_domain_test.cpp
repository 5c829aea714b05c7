// Input(dim, bounds=..., max_length=...): the program's declared input
// domain, recorded on the Program and in ProgramInfo; the vocabulary's
// default for 1-wide token ids; the defaults otherwise; every wrong
// declaration is an error at the argument that is wrong.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lang/build.hpp"

namespace lsrl {
namespace {

BuildResult build(const std::string& source) {
  BuildOptions options;
  options.filename = "test.lsrl";
  return build_program(source, options);
}

InputDomain domain_of(const std::string& source) {
  const BuildResult r = build(source);
  EXPECT_TRUE(r.ok) << render_all(r.diagnostics) << "\nfor:\n" << source;
  // The Program and the info say the same.
  EXPECT_EQ(r.program.input_domain().lower, r.info.input_domain.lower);
  EXPECT_EQ(r.program.input_domain().upper, r.info.input_domain.upper);
  EXPECT_EQ(r.program.input_domain().bounds_source, r.info.input_domain.bounds_source);
  EXPECT_EQ(r.program.input_domain().max_length, r.info.input_domain.max_length);
  return r.info.input_domain;
}

TEST(LangInputDomain, OnePairBoundsEveryComponent) {
  const InputDomain d = domain_of("input = Input(dim=3, bounds=[0, 26], max_length=2048)\nreturn input\n");
  EXPECT_EQ(d.lower, (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(d.upper, (std::vector<double>{26, 26, 26}));
  EXPECT_EQ(d.bounds_source, "declared");
  ASSERT_TRUE(d.max_length.has_value());
  EXPECT_EQ(*d.max_length, 2048);
  EXPECT_EQ(d.origin.line, 1);
  EXPECT_EQ(d.origin.col, 9);
}

TEST(LangInputDomain, ListOfPairsBoundsEachComponent) {
  const InputDomain d = domain_of("x = Input(dim=3, bounds=[[0, 1], (0, 1.5), [-5, 5]])   # per component\nreturn x\n");
  EXPECT_EQ(d.lower, (std::vector<double>{0, 0, -5}));
  EXPECT_EQ(d.upper, (std::vector<double>{1, 1.5, 5}));
  EXPECT_EQ(d.bounds_source, "declared");
  EXPECT_FALSE(d.max_length.has_value());
  // Built at build time, as any list; a degenerate pair lo == hi is allowed.
  const InputDomain built = domain_of("w = 2\nx = Input(w, bounds=[[-i, i] for i in range(w)])\nreturn x\n");
  EXPECT_EQ(built.lower, (std::vector<double>{0, -1}));
  EXPECT_EQ(built.upper, (std::vector<double>{0, 1}));
}

TEST(LangInputDomain, BoundsWithoutADoubleAreRoundedOutward) {
  const InputDomain d = domain_of("x = Input(dim=1, bounds=[-1/3, 1/3])\nreturn x\n");
  ASSERT_EQ(d.lower.size(), 1u);
  // The exact -1/3 and 1/3 lie inside [lower, upper] (long double is closer
  // to 1/3 than any double), and only just: two units in the last place out.
  EXPECT_LT(static_cast<long double>(d.lower[0]), -1.0L / 3.0L);
  EXPECT_GT(static_cast<long double>(d.upper[0]), 1.0L / 3.0L);
  EXPECT_EQ(d.lower[0], std::nextafter(std::nextafter(-1.0 / 3.0, -1.0), -1.0));
  EXPECT_EQ(d.upper[0], std::nextafter(std::nextafter(1.0 / 3.0, 1.0), 1.0));
  // A double-representable bound (0.75 = 3/4) is kept as it is.
  const InputDomain exact = domain_of("x = Input(dim=1, bounds=[-0.75, 1e6])\nreturn x\n");
  EXPECT_EQ(exact.lower[0], -0.75);
  EXPECT_EQ(exact.upper[0], 1e6);
}

TEST(LangInputDomain, TheVocabularyBoundsOneWideTokenIds) {
  // vocab after Input: resolved at the end of the build.
  InputDomain d = domain_of("x = Input(dim=1)\nvocab(\"?ABC\")\nreturn x\n");
  EXPECT_EQ(d.lower, (std::vector<double>{0}));
  EXPECT_EQ(d.upper, (std::vector<double>{3}));
  EXPECT_EQ(d.bounds_source, "vocabulary");
  // Characters, not bytes.
  d = domain_of("vocab(\"?éü\")\nx = Input(dim=1)\nreturn x\n");
  EXPECT_EQ(d.upper, (std::vector<double>{2}));
  // Declared bounds win over the vocabulary; max_length alone keeps the vocabulary's bounds.
  d = domain_of("vocab(\"?ABC\")\nx = Input(dim=1, bounds=[0, 1])\nreturn x\n");
  EXPECT_EQ(d.upper, (std::vector<double>{1}));
  EXPECT_EQ(d.bounds_source, "declared");
  d = domain_of("vocab(\"?ABC\")\nx = Input(dim=1, max_length=10)\nreturn x\n");
  EXPECT_EQ(d.bounds_source, "vocabulary");
  EXPECT_EQ(d.max_length, 10);
  // A wider input is not a token id: the defaults.
  d = domain_of("vocab(\"?ABC\")\nx = Input(dim=2)\nreturn x\n");
  EXPECT_EQ(d.bounds_source, "default");
}

TEST(LangInputDomain, WithoutDeclarationsTheDefaults) {
  const InputDomain d = domain_of("x = Input(2)\nreturn x\n");
  EXPECT_EQ(d.lower, (std::vector<double>{-kDefaultInputBound, -kDefaultInputBound}));
  EXPECT_EQ(d.upper, (std::vector<double>{kDefaultInputBound, kDefaultInputBound}));
  EXPECT_EQ(d.bounds_source, "default");
  EXPECT_FALSE(d.max_length.has_value());
  // None means "not declared", as for any optional argument.
  EXPECT_EQ(domain_of("x = Input(2, bounds=None, max_length=None)\nreturn x\n").bounds_source, "default");
}

// Each wrong declaration: the error is at the argument (line 1, `col`) and shows the form to write.
void expect_error(const std::string& input_call, int col, const std::string& fragment) {
  const BuildResult r = build("x = " + input_call + "\nreturn x\n");
  ASSERT_FALSE(r.ok) << input_call;
  ASSERT_FALSE(r.diagnostics.empty());
  const Diagnostic& d = r.diagnostics.front();
  EXPECT_EQ(d.span.line, 1) << input_call << ": " << d.message;
  EXPECT_EQ(d.span.col, col) << input_call << ": " << d.message;
  EXPECT_NE(d.message.find(fragment), std::string::npos) << input_call << ": " << d.message;
}

TEST(LangInputDomain, EveryWrongDeclarationIsAPositionedError) {
  // x = Input(dim=2, bounds=...): the argument bounds=... starts at column 18.
  expect_error("Input(dim=2, bounds=[0, 'a'])", 18, "the upper bound must be a number, got str");
  expect_error("Input(dim=2, bounds=[0, 'a'])", 18,
               "bounds=[lo, hi] (the same for every component) or a list of 2 pairs");
  expect_error("Input(dim=2, bounds=[True, 1])", 18, "the lower bound must be a number, got bool");
  // No number in the language is infinite: an overflowing literal is refused where it is written.
  expect_error("Input(dim=2, bounds=[0, 1e400])", 29, "the number 1e400 is too large");
  expect_error("Input(dim=2, bounds=[3, 1])", 18, "are [3, 1], but the lower bound must not exceed the upper");
  expect_error("Input(dim=2, bounds=[0, 1, 2])", 18, "bounds has 3 entries");
  expect_error("Input(dim=2, bounds=[])", 18, "bounds has 0 entries");
  expect_error("Input(dim=2, bounds=5)", 18, "bounds must be a list, got int");
  expect_error("Input(dim=2, bounds=[[0, 1]])", 18, "bounds gives 1 pair but the input has 2 components");
  expect_error("Input(dim=2, bounds=[[0, 1], [0, 1], [0, 1]])", 18, "gives 3 pairs but the input has 2");
  expect_error("Input(dim=2, bounds=[[0, 1], [0, 1, 2]])", 18, "the bounds of component 1 must be a pair [lo, hi]");
  expect_error("Input(dim=2, bounds=[[0, 1], [2, -2]])", 18, "the bounds of component 1 are [2, -2]");
  expect_error("Input(dim=2, bounds=[[0, 1], 5])", 18, "the bounds of component 1 must be a pair");
  // x = Input(dim=1, max_length=...): the argument starts at column 18.
  expect_error("Input(dim=1, max_length=0)", 18, "max_length must be between 1 and 65536 tokens, got 0");
  expect_error("Input(dim=1, max_length=65537)", 18, "between 1 and 65536");
  expect_error("Input(dim=1, max_length=100.0)", 18, "max_length must be an integer, got the float");
  expect_error("Input(dim=1, max_length='long')", 18, "max_length must be an integer, got str");
}

}  // namespace
}  // namespace lsrl
