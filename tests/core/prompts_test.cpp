// Prompt builders: the target-function expression language, the Listing 1
// prompt (Eq. 8) and the Listing 2 dictionary prompt.
#include "prompts/prompts.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numbers>
#include <set>
#include <sstream>

namespace lsrl {
namespace {

TargetFunction parse_ok(const std::string& text, int dims) {
  TargetFunction f;
  Diagnostic error;
  EXPECT_TRUE(TargetFunction::parse(text, dims, f, error)) << text << ": " << error.message;
  return f;
}

Diagnostic parse_error(const std::string& text, int dims) {
  TargetFunction f;
  Diagnostic error;
  EXPECT_FALSE(TargetFunction::parse(text, dims, f, error)) << text << " parsed but should not";
  return error;
}

double eval1(const std::string& text, std::vector<double> x) {
  TargetFunction f = parse_ok(text, static_cast<int>(x.size()));
  auto values = f(x);
  EXPECT_EQ(values.size(), 1u);
  return values.empty() ? std::nan("") : values[0];
}

TEST(TargetFunction, FollowsPythonPrecedence) {
  EXPECT_DOUBLE_EQ(eval1("1 + 2*3", {0}), 1 + 2 * 3);
  EXPECT_DOUBLE_EQ(eval1("(1 + 2)*3", {0}), (1 + 2) * 3);
  EXPECT_DOUBLE_EQ(eval1("-x1**2", {3}), -9);               // unary minus binds looser than **
  EXPECT_DOUBLE_EQ(eval1("2**3**2", {0}), std::pow(2, 9));  // ** is right-associative
  EXPECT_DOUBLE_EQ(eval1("2^-1", {0}), 0.5);
  EXPECT_DOUBLE_EQ(eval1("8/4/2", {0}), 1);  // / is left-associative
  EXPECT_DOUBLE_EQ(eval1("1 - 2 - 3", {0}), -4);
  EXPECT_DOUBLE_EQ(eval1("2.5e-1 + .5 + 1E1", {0}), 10.75);
}

TEST(TargetFunction, EvaluatesFunctionsOfSeveralInputs) {
  const double x1 = 0.3, x2 = 0.7, x3 = 0.45;
  EXPECT_DOUBLE_EQ(eval1("sin(3*x1)*x2", {x1, x2}), std::sin(3 * x1) * x2);
  EXPECT_DOUBLE_EQ(eval1("exp(-x1) + log(1 + x2) - sqrt(x3)", {x1, x2, x3}),
                   std::exp(-x1) + std::log(1 + x2) - std::sqrt(x3));
  EXPECT_DOUBLE_EQ(eval1("abs(x1 - x2) + tanh(x3) + tan(x1) + cos(pi*x2)", {x1, x2, x3}),
                   std::fabs(x1 - x2) + std::tanh(x3) + std::tan(x1) + std::cos(std::numbers::pi * x2));
  EXPECT_DOUBLE_EQ(eval1("min(x1, x2, x3) + max(x1, x2) + pow(x2, 3) + floor(10*x3)", {x1, x2, x3}),
                   std::min({x1, x2, x3}) + std::max(x1, x2) + std::pow(x2, 3) + std::floor(10 * x3));
  EXPECT_DOUBLE_EQ(eval1("e", {0}), std::exp(1.0));
}

TEST(TargetFunction, SemicolonsSeparateOutputComponents) {
  TargetFunction f = parse_ok("x1 + x2; x1 * x2 ; 1", 2);
  EXPECT_EQ(f.input_dims(), 2);
  ASSERT_EQ(f.output_dims(), 3);
  auto v = f({0.25, 0.5});
  EXPECT_DOUBLE_EQ(v[0], 0.75);
  EXPECT_DOUBLE_EQ(v[1], 0.125);
  EXPECT_DOUBLE_EQ(v[2], 1);
}

TEST(TargetFunction, ErrorsPointAtTheColumn) {
  Diagnostic unclosed = parse_error("sin(3*x1", 1);
  EXPECT_EQ(unclosed.span.line, 1);
  EXPECT_EQ(unclosed.span.col, 4);
  EXPECT_NE(unclosed.message.find("never closed"), std::string::npos) << unclosed.message;

  Diagnostic not_an_input = parse_error("x1 + x3", 2);
  EXPECT_EQ(not_an_input.span.col, 6);
  EXPECT_EQ(not_an_input.span.length, 2);
  EXPECT_NE(not_an_input.message.find("x1..x2"), std::string::npos) << not_an_input.message;

  Diagnostic typo = parse_error("2 * sinn(x1)", 1);
  EXPECT_EQ(typo.span.col, 5);
  EXPECT_NE(typo.message.find("did you mean 'sin'"), std::string::npos) << typo.message;

  Diagnostic dangling = parse_error("1 +", 1);
  EXPECT_EQ(dangling.span.col, 4);

  Diagnostic juxtaposed = parse_error("2 x1", 1);
  EXPECT_EQ(juxtaposed.span.col, 3);

  Diagnostic arity = parse_error("pow(x1)", 1);
  EXPECT_EQ(arity.span.col, 1);
  EXPECT_NE(arity.message.find("pow takes 2 arguments, got 1"), std::string::npos) << arity.message;

  Diagnostic empty_component = parse_error("x1;", 1);
  EXPECT_EQ(empty_component.span.col, 4);
  EXPECT_NE(empty_component.message.find("empty"), std::string::npos);

  Diagnostic bare_function = parse_error("sin + 1", 1);
  EXPECT_NE(bare_function.message.find("call it with parentheses"), std::string::npos);

  Diagnostic stray = parse_error("x1 $ 2", 1);
  EXPECT_EQ(stray.span.col, 4);

  Diagnostic zero_dims = parse_error("1", 0);
  EXPECT_FALSE(zero_dims.span.known());
}

TEST(TargetFunction, SurvivesHostileText) {
  // Nothing a user types may crash the parser: deep nesting, huge numbers,
  // binary junk.
  std::string deep(200, '(');
  deep += "x1";
  deep += std::string(200, ')');
  EXPECT_DOUBLE_EQ(eval1(deep, {0.5}), 0.5);
  parse_error(std::string(100000, '('), 1);
  parse_error(std::string(100000, '-') + "1", 1);
  parse_error("1e999", 1);
  parse_error(std::string("\x01\xff\xfe", 3), 1);
  parse_error("x99999999999999999999", 1);
  // Bytes that are not text are shown escaped, so that the message is valid
  // UTF-8 wherever it goes (JSON, the page).
  Diagnostic binary = parse_error(std::string("x1 \xff", 4), 1);
  EXPECT_NE(binary.message.find("\\xff"), std::string::npos) << binary.message;
  parse_error("1..2", 1);
  parse_error("()", 1);
  parse_error("max()", 1);
}

TEST(ContinuousPrompt, FollowsEquation8Layout) {
  TargetFunction f = parse_ok("sin(3*x1)*x2; x1 - x2", 2);
  const int N = 3;
  PromptResult prompt = build_continuous_prompt(f, N, {0.3, 0.7});
  ASSERT_TRUE(prompt.ok);
  ASSERT_EQ(prompt.tokens.size(), static_cast<std::size_t>(1 + N * N));
  for (const auto& token : prompt.tokens) ASSERT_EQ(token.size(), 1u + 2u + 2u);

  // The query comes first, padded with zeros.
  EXPECT_EQ(prompt.tokens[0], (std::vector<double>{0.3, 0.7, 0, 0, 0}));

  // Then every cell exactly once, first axis slowest, as
  // [1/N, lower corner, f(centre)].
  std::set<std::pair<int, int>> seen;
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < N; ++j) {
      const auto& token = prompt.tokens[static_cast<std::size_t>(1 + i * N + j)];
      EXPECT_DOUBLE_EQ(token[0], 1.0 / N);
      EXPECT_DOUBLE_EQ(token[1], static_cast<double>(i) / N);
      EXPECT_DOUBLE_EQ(token[2], static_cast<double>(j) / N);
      const double c1 = (i + 0.5) / N, c2 = (j + 0.5) / N;
      EXPECT_DOUBLE_EQ(token[3], std::sin(3 * c1) * c2);
      EXPECT_DOUBLE_EQ(token[4], c1 - c2);
      seen.insert({static_cast<int>(std::lround(token[1] * N)), static_cast<int>(std::lround(token[2] * N))});
    }
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(N * N));
}

TEST(ContinuousPrompt, OneDimensionalGridCoversTheUnitInterval) {
  TargetFunction f = parse_ok("x1**2", 1);
  PromptResult prompt = build_continuous_prompt(f, 5, {1.0});
  ASSERT_TRUE(prompt.ok);
  ASSERT_EQ(prompt.tokens.size(), 6u);
  double covered = 0;
  for (std::size_t t = 1; t < prompt.tokens.size(); ++t) {
    // Each cell starts where the previous one ended.
    EXPECT_NEAR(prompt.tokens[t][1], covered, 1e-15);
    covered = prompt.tokens[t][1] + prompt.tokens[t][0];
  }
  EXPECT_NEAR(covered, 1.0, 1e-15);
}

TEST(ContinuousPrompt, RejectsBadRequestsWithReasons) {
  TargetFunction f = parse_ok("x1 + x2", 2);
  auto message_of = [](const PromptResult& r) {
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(r.tokens.empty());
    return r.diagnostics.empty() ? std::string() : r.diagnostics[0].message;
  };
  EXPECT_NE(message_of(build_continuous_prompt(f, 0, {0.5, 0.5})).find("at least 1"), std::string::npos);
  EXPECT_NE(message_of(build_continuous_prompt(f, 4, {0.5})).find("has 2 inputs"), std::string::npos);
  EXPECT_NE(message_of(build_continuous_prompt(f, 4, {0.5, 1.5})).find("component 2"), std::string::npos);
  EXPECT_NE(message_of(build_continuous_prompt(f, 4, {std::nan(""), 0.5})).find("component 1"), std::string::npos);
  EXPECT_NE(message_of(build_continuous_prompt(f, 100000, {0.5, 0.5})).find("fewer cells"), std::string::npos);

  TargetFunction undefined_somewhere = parse_ok("log(x1 - 0.5)", 1);
  EXPECT_NE(message_of(build_continuous_prompt(undefined_somewhere, 2, {0.5})).find("not finite"), std::string::npos);

  TargetFunction never_parsed;
  EXPECT_FALSE(build_continuous_prompt(never_parsed, 2, {}).ok);
}

const std::string kLetters = "?ABCDEFGHIJKLMNOPQRSTUVWXYZ";

TEST(DictionaryPrompt, EncodesQueryThenKeyValuePairs) {
  PromptResult prompt = build_dictionary_prompt("CAN", {{"AUS", "VIE"}, {"CAN", "OTT"}}, kLetters);
  ASSERT_TRUE(prompt.ok);
  EXPECT_TRUE(prompt.diagnostics.empty());
  std::vector<double> flat;
  for (const auto& token : prompt.tokens) {
    ASSERT_EQ(token.size(), 1u);
    flat.push_back(token[0]);
  }
  auto id = [](char c) { return static_cast<double>(kLetters.find(c)); };
  std::vector<double> expected;
  for (char c : std::string("CANAUSVIECANOTT")) expected.push_back(id(c));
  EXPECT_EQ(flat, expected);
  EXPECT_EQ(flat[0], 3);  // C is the 3rd letter, '?' is 0
}

TEST(DictionaryPrompt, BuildsThePapersCountryCapitalPrompt) {
  std::ifstream csv(std::string(LSRL_SOURCE_DIR) + "/examples/data/country_capitals.csv");
  ASSERT_TRUE(csv) << "examples/data/country_capitals.csv is missing";
  std::string line;
  std::getline(csv, line);  // header
  std::vector<std::pair<std::string, std::string>> pairs;
  while (std::getline(csv, line)) {
    if (line.empty()) continue;
    auto comma = line.find(',');
    ASSERT_NE(comma, std::string::npos);
    pairs.emplace_back(line.substr(0, comma), line.substr(comma + 1));
  }
  ASSERT_EQ(pairs.size(), 25u);
  PromptResult prompt = build_dictionary_prompt("CAN", pairs, kLetters);
  ASSERT_TRUE(prompt.ok);
  EXPECT_EQ(prompt.tokens.size(), 3u + 25u * 6u);
}

TEST(DictionaryPrompt, SupportsNonAsciiVocabularies) {
  PromptResult prompt = build_dictionary_prompt("éa", {{"éa", "aé"}}, "?aé");
  ASSERT_TRUE(prompt.ok);
  ASSERT_EQ(prompt.tokens.size(), 6u);
  EXPECT_EQ(prompt.tokens[0][0], 2);
  EXPECT_EQ(prompt.tokens[1][0], 1);
}

TEST(DictionaryPrompt, ExplainsWhatIsWrong) {
  auto message_of = [](const PromptResult& r) {
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(r.tokens.empty());
    return r.diagnostics.empty() ? std::string() : r.diagnostics[0].message;
  };
  std::string lowercase = message_of(build_dictionary_prompt("can", {{"CAN", "OTT"}}, kLetters));
  EXPECT_NE(lowercase.find("'c'"), std::string::npos) << lowercase;
  EXPECT_NE(lowercase.find("not in the vocabulary"), std::string::npos) << lowercase;

  std::string bad_value = message_of(build_dictionary_prompt("CAN", {{"CAN", "Ott"}}, kLetters));
  EXPECT_NE(bad_value.find("value 1"), std::string::npos) << bad_value;

  std::string short_key = message_of(build_dictionary_prompt("CAN", {{"AUS", "VIE"}, {"CA", "OTT"}}, kLetters));
  EXPECT_NE(short_key.find("key 2"), std::string::npos) << short_key;
  EXPECT_NE(short_key.find("n = 3"), std::string::npos) << short_key;

  std::string long_value = message_of(build_dictionary_prompt("CAN", {{"CAN", "OTTAWA"}}, kLetters));
  EXPECT_NE(long_value.find("value 1"), std::string::npos) << long_value;

  std::string duplicate = message_of(build_dictionary_prompt("CAN", {{"CAN", "OTT"}, {"CAN", "TOR"}}, kLetters));
  EXPECT_NE(duplicate.find("repeats key 1"), std::string::npos) << duplicate;

  EXPECT_NE(message_of(build_dictionary_prompt("", {{"CAN", "OTT"}}, kLetters)).find("empty"), std::string::npos);
  EXPECT_NE(message_of(build_dictionary_prompt("CAN", {}, kLetters)).find("no pairs"), std::string::npos);
  EXPECT_NE(message_of(build_dictionary_prompt("CAN", {{"CAN", "OTT"}}, "")).find("vocabulary is empty"),
            std::string::npos);
  EXPECT_NE(message_of(build_dictionary_prompt("AA", {{"AA", "AA"}}, "?AA")).find("twice"), std::string::npos);
  PromptResult binary = build_dictionary_prompt(std::string("\xff", 1), {{"AA", "AA"}}, kLetters);
  EXPECT_FALSE(binary.ok);
  ASSERT_FALSE(binary.diagnostics.empty());
  EXPECT_NE(binary.diagnostics[0].message.find("\\xff"), std::string::npos) << binary.diagnostics[0].message;
}

TEST(DictionaryPrompt, WarnsWhenTheQueryIsNotAKey) {
  PromptResult prompt = build_dictionary_prompt("XYZ", {{"CAN", "OTT"}}, kLetters);
  ASSERT_TRUE(prompt.ok);
  ASSERT_EQ(prompt.diagnostics.size(), 1u);
  EXPECT_EQ(prompt.diagnostics[0].severity, Severity::Warning);
  EXPECT_EQ(prompt.tokens.size(), 9u);
}

}  // namespace
}  // namespace lsrl
