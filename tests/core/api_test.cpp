// The facade: input parsing with errors that point at the bad token, text
// encoding and decoding, the JSON views, and check / compile / run never
// throwing, whatever they are given.
#include "api/api.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "targets/registry.hpp"

namespace lsrl::api {
namespace {

const char* kMoreOnes = R"(# more ones than zeros (paper Fig. 1)
input = Input(dim=1)
ctr1s = LinState(input, A=[[1]], B=[[1]], init_state=[[0]])
is_zero = f_not(input)
ctr0s = LinState(is_zero, A=[[1]], B=[[1]], init_state=[[0]])
return f_larger(ctr1s, ctr0s, mu=10)
)";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---------------------------------------------------------------------------
// parse_tokens / parse_csv
// ---------------------------------------------------------------------------

TEST(ParseTokens, TokensBySpacesOrSemicolonsComponentsByCommas) {
  TokensResult r = parse_tokens("0.2,0.7 ; 0.5,-1e-3\n\t+3,4", 2);
  ASSERT_TRUE(r.ok) << render_all(r.diagnostics);
  ASSERT_EQ(r.tokens.size(), 3u);
  EXPECT_EQ(r.tokens[0], (std::vector<double>{0.2, 0.7}));
  EXPECT_EQ(r.tokens[1], (std::vector<double>{0.5, -1e-3}));
  EXPECT_EQ(r.tokens[2], (std::vector<double>{3, 4}));
}

TEST(ParseTokens, BlanksAroundACommaStayInsideTheToken) {
  TokensResult r = parse_tokens("1 , 2   3,4", 2);
  ASSERT_TRUE(r.ok) << render_all(r.diagnostics);
  ASSERT_EQ(r.tokens.size(), 2u);
  EXPECT_EQ(r.tokens[0], (std::vector<double>{1, 2}));
  EXPECT_EQ(r.tokens[1], (std::vector<double>{3, 4}));
}

TEST(ParseTokens, OneWideTokensArePlainNumbers) {
  TokensResult r = parse_tokens("1 0 1 1", 1);
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.tokens.size(), 4u);
  EXPECT_EQ(r.tokens[1][0], 0.0);
}

TEST(ParseTokens, WrongWidthNamesTheTokenAndPointsAtIt) {
  TokensResult r = parse_tokens("1,2 3 4,5", 2);
  ASSERT_FALSE(r.ok);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  const Diagnostic& d = r.diagnostics[0];
  EXPECT_EQ(d.span.line, 1);
  EXPECT_EQ(d.span.col, 5);
  EXPECT_NE(d.message.find("token 2"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("1 component"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("width 2"), std::string::npos) << d.message;
  // Rendered with the input as the source line and a caret under token 2.
  const std::string rendered = d.render();
  EXPECT_NE(rendered.find("1,2 3 4,5\n"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("\n        ^"), std::string::npos) << rendered;
}

TEST(ParseTokens, NonNumberNamesTokenAndComponent) {
  TokensResult r = parse_tokens("1,2\n3,x7", 2);
  ASSERT_FALSE(r.ok);
  const Diagnostic& d = r.diagnostics.at(0);
  EXPECT_EQ(d.span.line, 2);
  EXPECT_EQ(d.span.col, 3);
  EXPECT_EQ(d.span.length, 2);
  EXPECT_NE(d.message.find("token 2, component 2"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("'x7' is not a number"), std::string::npos) << d.message;
}

TEST(ParseTokens, RejectsEmptyInputEmptyComponentsAndNonFiniteValues) {
  for (const std::string bad :
       {"", "   ;  ", "1,,2", "1,2,", ",1,2", "inf,1", "1,nan", "1e999,1", "--1,2", "1.2.3,4"}) {
    TokensResult r = parse_tokens(bad, 2);
    EXPECT_FALSE(r.ok) << "'" << bad << "'";
    ASSERT_EQ(r.diagnostics.size(), 1u) << "'" << bad << "'";
    EXPECT_FALSE(r.diagnostics[0].message.empty());
  }
}

TEST(ParseCsv, OneTokenPerLineSkippingBlanksAndComments) {
  TokensResult r = parse_csv("# query\n0.5, 0.25\r\n\n  1,2  \n", 2);
  ASSERT_TRUE(r.ok) << render_all(r.diagnostics);
  ASSERT_EQ(r.tokens.size(), 2u);
  EXPECT_EQ(r.tokens[0], (std::vector<double>{0.5, 0.25}));
  EXPECT_EQ(r.tokens[1], (std::vector<double>{1, 2}));
}

TEST(ParseCsv, ErrorsCarryTheLineNumber) {
  TokensResult r = parse_csv("1,2\n3,4\n5\n", 2);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.diagnostics.at(0).span.line, 3);
  EXPECT_NE(r.diagnostics[0].message.find("line 3"), std::string::npos) << r.diagnostics[0].message;
  EXPECT_FALSE(parse_csv("# only a comment\n", 1).ok);
}

// ---------------------------------------------------------------------------
// encode_text / decode_text
// ---------------------------------------------------------------------------

ProgramInfo letters() {
  ProgramInfo info;
  info.input_dim = 1;
  info.output_dim = 1;
  info.vocab = "?ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  return info;
}

TEST(Text, EncodesEachCharacterAsItsVocabIndex) {
  TokensResult r = encode_text("CAN?", letters());
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.tokens.size(), 4u);
  EXPECT_EQ(r.tokens[0][0], 3.0);
  EXPECT_EQ(r.tokens[1][0], 1.0);
  EXPECT_EQ(r.tokens[2][0], 14.0);
  EXPECT_EQ(r.tokens[3][0], 0.0);
}

TEST(Text, UnknownCharacterPointsAtItAndSuggestsUpperCase) {
  TokensResult r = encode_text("CAn", letters());
  ASSERT_FALSE(r.ok);
  const Diagnostic& d = r.diagnostics.at(0);
  EXPECT_EQ(d.span.col, 3);
  EXPECT_NE(d.message.find("'n'"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("'N'"), std::string::npos) << d.message;
}

TEST(Text, NeedsAVocabAndA1WideInput) {
  ProgramInfo no_vocab = letters();
  no_vocab.vocab.reset();
  EXPECT_FALSE(encode_text("CAN", no_vocab).ok);
  ProgramInfo wide = letters();
  wide.input_dim = 2;
  EXPECT_FALSE(encode_text("CAN", wide).ok);
  EXPECT_FALSE(encode_text("", letters()).ok);
}

TEST(Text, DecodeRoundsToTheNearestIdAndMarksIdsOutsideTheVocab) {
  const std::string vocab = "?ABC";
  EXPECT_EQ(decode_text({{1.0}, {2.4}, {2.6}, {-0.3}}, vocab), "ABC?");
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(decode_text({{4.0}}, vocab), replacement);
  EXPECT_EQ(decode_text({{-1.0}}, vocab), replacement);
  EXPECT_EQ(decode_text({{std::nan("")}}, vocab), replacement);
}

TEST(Text, NonAsciiVocabularyRoundTrips) {
  ProgramInfo info = letters();
  info.vocab = "?\xC3\xA9\xE2\x82\xAC";  // ? é €
  TokensResult r = encode_text("\xE2\x82\xAC\xC3\xA9", info);
  ASSERT_TRUE(r.ok) << render_all(r.diagnostics);
  ASSERT_EQ(r.tokens.size(), 2u);
  EXPECT_EQ(r.tokens[0][0], 2.0);
  EXPECT_EQ(r.tokens[1][0], 1.0);
  EXPECT_EQ(decode_text({{2}, {1}, {0}}, *info.vocab), "\xE2\x82\xAC\xC3\xA9?");
}

// ---------------------------------------------------------------------------
// JSON views
// ---------------------------------------------------------------------------

TEST(Json, DiagnosticsCarryPositionAndRenderedText) {
  Diagnostic d;
  d.file = "p.lsrl";
  d.span = SourceSpan{3, 5, 2};
  d.message = "unknown name 'fo'";
  d.source_line = "y = fo(x)";
  nlohmann::json j = diagnostics_json({d});
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["file"], "p.lsrl");
  EXPECT_EQ(j[0]["line"], 3);
  EXPECT_EQ(j[0]["col"], 5);
  EXPECT_EQ(j[0]["length"], 2);
  EXPECT_EQ(j[0]["severity"], "error");
  EXPECT_EQ(j[0]["message"], "unknown name 'fo'");
  EXPECT_EQ(j[0]["rendered"], d.render());
  EXPECT_EQ(j[0]["rendered"].get<std::string>().rfind("p.lsrl:3:5: error: unknown name 'fo'", 0), 0u);
}

TEST(Json, TraceIsStepsByUnits) {
  Trace trace;
  trace.steps = 2;
  TraceSeries s;
  s.label = "regs[1]";
  s.kind = "LinState";
  s.dim = 3;
  s.values = {1, 2, 3, 4, 5, 6};
  trace.series.push_back(s);
  nlohmann::json j = trace_json(trace);
  EXPECT_EQ(j["steps"], 2);
  ASSERT_EQ(j["series"].size(), 1u);
  EXPECT_EQ(j["series"][0]["label"], "regs[1]");
  EXPECT_EQ(j["series"][0]["values"], nlohmann::json::parse("[[1,2,3],[4,5,6]]"));
}

// ---------------------------------------------------------------------------
// check / compile / run
// ---------------------------------------------------------------------------

std::vector<std::vector<double>> bits(const std::vector<int>& values) {
  std::vector<std::vector<double>> tokens;
  for (int v : values) tokens.push_back({static_cast<double>(v)});
  return tokens;
}

TEST(Pipeline, CheckReportsWidthsAndNeverThrows) {
  CompileOptions options;
  CheckResult ok = check(kMoreOnes, options);
  ASSERT_TRUE(ok.ok) << render_all(ok.diagnostics);
  EXPECT_EQ(ok.info.input_dim, 1);
  EXPECT_EQ(ok.info.output_dim, 1);

  options.filename = "broken.lsrl";
  CheckResult broken = check("input = Input(dim=1)\nreturn f_largr(input, input)\n", options);
  EXPECT_FALSE(broken.ok);
  ASSERT_FALSE(broken.diagnostics.empty());
  EXPECT_EQ(broken.diagnostics[0].file, "broken.lsrl");
  EXPECT_EQ(broken.diagnostics[0].span.line, 2);
  EXPECT_NE(broken.diagnostics[0].message.find("f_larger"), std::string::npos) << broken.diagnostics[0].message;
}

TEST(Pipeline, DagRunCountsOnesAndZeros) {
  CompileResult compiled = compile(kMoreOnes, CompileOptions{});
  ASSERT_TRUE(compiled.ok) << render_all(compiled.diagnostics);
  EXPECT_FALSE(compiled.model->model);  // dag: no compiled weights
  const std::vector<int> input = {1, 0, 0, 1, 1, 1, 0};
  RunResult r = run(*compiled.model, bits(input), RunOptions{});
  ASSERT_TRUE(r.ok) << render_all(r.diagnostics);
  int balance = 0;
  for (std::size_t t = 0; t < input.size(); ++t) {
    balance += input[t] ? 1 : -1;
    EXPECT_NEAR(r.outputs[t][0], balance > 0 ? 1.0 : 0.0, 1e-12) << t;
  }
  EXPECT_FALSE(r.text);  // no vocab
}

TEST(Pipeline, TraceHasTheProgramsNamedVariables) {
  CompileResult compiled = compile(kMoreOnes, CompileOptions{});
  ASSERT_TRUE(compiled.ok);
  RunOptions options;
  options.trace = true;
  RunResult r = run(*compiled.model, bits({1, 1, 0}), options);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.trace.steps, 3);
  bool found = false;
  for (const auto& s : r.trace.series) {
    if (s.label == "ctr1s") {
      found = true;
      EXPECT_EQ(s.kind, "LinState");
      EXPECT_EQ(s.values, (std::vector<double>{1, 2, 2}));
    }
  }
  EXPECT_TRUE(found);
  nlohmann::json j = run_json(*compiled.model, r, true);
  EXPECT_EQ(j["target"], "dag");
  EXPECT_EQ(j["outputs"].size(), 3u);
  EXPECT_TRUE(j.contains("trace"));
  EXPECT_TRUE(j.contains("layers"));
  EXPECT_TRUE(j.contains("params"));
  EXPECT_FALSE(run_json(*compiled.model, r, false).contains("trace"));
}

TEST(Pipeline, WrongTokenWidthIsADiagnosticNotAnException) {
  CompileResult compiled = compile(kMoreOnes, CompileOptions{});
  ASSERT_TRUE(compiled.ok);
  RunResult r = run(*compiled.model, {{1, 2}}, RunOptions{});
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].message.find("width 1"), std::string::npos) << r.diagnostics[0].message;
}

TEST(Pipeline, UnknownTargetSuggestsTheClosestName) {
  CompileOptions options;
  options.target = "gated-linear-rn";
  CompileResult r = compile(kMoreOnes, options);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.model);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].message.find("did you mean 'gated-linear-rnn'"), std::string::npos)
      << r.diagnostics[0].message;
}

TEST(Pipeline, UnknownParamIsReported) {
  CompileOptions options;
  options.params["nope"] = "3";
  CompileResult r = compile(kMoreOnes, options);
  EXPECT_FALSE(r.ok);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_NE(r.diagnostics[0].message.find("nope"), std::string::npos) << r.diagnostics[0].message;
}

TEST(Pipeline, CompiledGatedModelMatchesTheDagAndSummarises) {
  CompileOptions options;
  options.target = "gated-linear-rnn";
  CompileResult compiled = compile(kMoreOnes, options);
  ASSERT_TRUE(compiled.ok) << render_all(compiled.diagnostics);
  ASSERT_TRUE(compiled.model->model);
  CompileResult reference = compile(kMoreOnes, CompileOptions{});
  const auto tokens = bits({0, 1, 1, 0, 1, 0, 0, 0, 1});
  RunResult a = run(*compiled.model, tokens, RunOptions{});
  RunResult b = run(*reference.model, tokens, RunOptions{});
  ASSERT_TRUE(a.ok && b.ok);
  ASSERT_EQ(a.outputs.size(), b.outputs.size());
  for (std::size_t t = 0; t < a.outputs.size(); ++t) EXPECT_NEAR(a.outputs[t][0], b.outputs[t][0], 1e-9) << t;

  nlohmann::json s = summary_json(*compiled.model);
  EXPECT_EQ(s["target"], "gated-linear-rnn");
  EXPECT_EQ(s["layers"].size(), compiled.model->model->layers().size());
  EXPECT_EQ(s["layer_count"], s["layers"].size());
  EXPECT_EQ(s["params"], compiled.model->model->parameter_count());
  EXPECT_EQ(s["nonzeros"], compiled.model->model->nonzero_count());
  EXPECT_GE(s["compile_ms"].get<double>(), 0.0);
  for (const auto& layer : s["layers"]) {
    EXPECT_TRUE(layer.contains("type"));
    EXPECT_GT(layer["hidden_dim"].get<int>(), 0);
  }
  EXPECT_TRUE(s.contains("rule_counts"));
  nlohmann::json rj = run_json(*compiled.model, a, false);
  EXPECT_EQ(rj["layers"], s["layer_count"]);
  EXPECT_EQ(rj["params"], s["params"]);
}

TEST(Pipeline, MultiOnLinearRnnIsRefusedWithThePosition) {
  const std::string source =
      "x = Input(dim=2)\n"
      "s = LinState(x, A=eye(2), B=eye(2), init_state=zeros(2))\n"
      "return Multi(s)\n";
  CompileOptions options;
  options.target = "linear-rnn";
  CompileResult r = compile(source, options);
  EXPECT_FALSE(r.ok);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_EQ(r.diagnostics[0].span.line, 3);
  EXPECT_FALSE(r.diagnostics[0].source_line.empty());
}

TEST(Pipeline, DiscreteExampleDecodesItsAnswer) {
  const std::string source = read_text(std::string(LSRL_SOURCE_DIR) + "/examples/discrete_ua.lsrl");
  ASSERT_FALSE(source.empty());
  CompileResult compiled = compile(source, CompileOptions{});
  ASSERT_TRUE(compiled.ok) << render_all(compiled.diagnostics);
  ASSERT_TRUE(compiled.model->info.vocab);
  // Query CAN, one pair AUS -> VIE, then CAN -> OTT: the last three outputs spell OTT.
  TokensResult tokens = encode_text("CANAUSVIECANOTT", compiled.model->info);
  ASSERT_TRUE(tokens.ok);
  RunResult r = run(*compiled.model, tokens.tokens, RunOptions{});
  ASSERT_TRUE(r.ok) << render_all(r.diagnostics);
  ASSERT_TRUE(r.text);
  ASSERT_EQ(r.text->size(), 15u);
  EXPECT_EQ(r.text->substr(12), "OTT");
  EXPECT_EQ(run_json(*compiled.model, r, false)["text"], *r.text);
}

TEST(Pipeline, GarbageSourceNeverThrows) {
  for (const std::string& source : {std::string(""), std::string("\x01\x02\xff"), std::string("((((((((((("),
                                    std::string("return 1\n"), std::string(200, '[')}) {
    CompileOptions options;
    options.target = "gated-linear-rnn";
    CompileResult r;
    EXPECT_NO_THROW(r = compile(source, options));
    EXPECT_FALSE(r.ok);
    EXPECT_FALSE(r.diagnostics.empty());
  }
}

}  // namespace
}  // namespace lsrl::api
