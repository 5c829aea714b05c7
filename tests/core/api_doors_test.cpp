// What both doors (lsrlc and the wasm bindings) ask of core/api beside
// check / compile / run: option values checked in one place with one wording
// (only the option's name differs between the doors), the target list, the
// export and its file names, and the paper's prompts from typed values and
// from the command line's text.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "api/api.hpp"

namespace lsrl::api {
namespace {

const char* kMoreOnes = R"(input = Input(dim=1)
ctr1s = LinState(input, A=[[1]], B=[[1]], init_state=[[0]])
is_zero = f_not(input)
ctr0s = LinState(is_zero, A=[[1]], B=[[1]], init_state=[[0]])
return f_larger(ctr1s, ctr0s, mu=10)
)";

std::string first_message(const std::vector<Diagnostic>& diagnostics) {
  return diagnostics.empty() ? "(no diagnostic)" : diagnostics.front().message;
}

CompileOptionsResult read_max_length(const std::string& text, const OptionNames& names) {
  OptionTexts texts;
  texts.max_length = text;
  return read_compile_options(texts, names);
}

TEST(RunRefusal, ATooLongPromptNamesTheDoorsOwnOption) {
  CompileOptions options;
  options.target = "rnn";
  options.max_sequence_length = 2;
  const CompileResult compiled = compile(kMoreOnes, options);
  ASSERT_TRUE(compiled.ok) << first_message(compiled.diagnostics);
  const std::vector<std::vector<double>> tokens{{1}, {0}, {1}};
  const RunResult cli = run(*compiled.model, tokens, RunOptions{});
  EXPECT_EQ(first_message(cli.diagnostics),
            "the prompt has 3 tokens but the model was built for at most 2 (set by --max-length); declare a longer "
            "one with Input(dim=..., max_length=3) or raise the maximum sequence length (--max-length 3)");
  RunOptions page;
  page.names = kJavaScriptNames;
  const RunResult js = run(*compiled.model, tokens, page);
  EXPECT_EQ(first_message(js.diagnostics),
            "the prompt has 3 tokens but the model was built for at most 2 (set by maxLength, the page's max length); "
            "declare a longer one with Input(dim=..., max_length=3) or raise the maximum sequence length (maxLength 3, "
            "the page's max length)");
}

TEST(ReadCompileOptions, ValidValuesBecomeTypedOptions) {
  OptionTexts texts;
  texts.filename = "p.lsrl";
  texts.params = {{"n", "3"}};
  texts.target = "gru";
  texts.activations = "standard";
  texts.linear_chains = "fuse";
  texts.max_length = "128";
  const CompileOptionsResult r = read_compile_options(texts, kCommandLineNames);
  ASSERT_TRUE(r.ok) << render_all(r.diagnostics);
  EXPECT_EQ(r.options.filename, "p.lsrl");
  EXPECT_EQ(r.options.params.at("n"), "3");
  EXPECT_EQ(r.options.target, "gru");
  EXPECT_EQ(r.options.activations, Activations::Standard);
  EXPECT_EQ(r.options.linear_chains, LinearChains::Fuse);
  EXPECT_EQ(r.options.max_sequence_length, 128);
}

TEST(ReadCompileOptions, LeftOutKeepsTheDefaultsAndAnEmptyActivationsIsPaper) {
  OptionTexts texts;
  texts.activations = "";
  const CompileOptionsResult r = read_compile_options(texts, kJavaScriptNames);
  ASSERT_TRUE(r.ok) << render_all(r.diagnostics);
  EXPECT_EQ(r.options.target, "dag");
  EXPECT_EQ(r.options.activations, Activations::Paper);
  EXPECT_EQ(r.options.linear_chains, LinearChains::Keep);
  EXPECT_FALSE(r.options.max_sequence_length);
}

TEST(ReadCompileOptions, BadNamesAreRefusedNamingTheOptionAsTheDoorSpellsIt) {
  OptionTexts texts;
  texts.activations = "sigmoid";
  texts.linear_chains = "merge";
  const CompileOptionsResult cli = read_compile_options(texts, kCommandLineNames);
  ASSERT_FALSE(cli.ok);
  ASSERT_EQ(cli.diagnostics.size(), 2u);
  EXPECT_EQ(cli.diagnostics[0].message, "unknown --activations 'sigmoid'; use 'paper' or 'standard'");
  EXPECT_EQ(cli.diagnostics[1].message, "unknown --linear-chains 'merge'; use 'keep' or 'fuse'");
  const CompileOptionsResult js = read_compile_options(texts, kJavaScriptNames);
  ASSERT_EQ(js.diagnostics.size(), 2u);
  EXPECT_EQ(js.diagnostics[0].message, "unknown activations 'sigmoid'; use 'paper' or 'standard'");
  EXPECT_EQ(js.diagnostics[1].message, "unknown linearChains 'merge'; use 'keep' or 'fuse'");
}

TEST(ReadCompileOptions, MaxLengthMustBeAWholeNumberInRange) {
  for (const char* text : {"1", "65536", "1e3", "+7"}) {
    EXPECT_TRUE(read_max_length(text, kCommandLineNames).ok) << text;
  }
  // In range or not: a whole number gets the range, with the value.
  EXPECT_EQ(first_message(read_max_length("0", kJavaScriptNames).diagnostics),
            "the maximum sequence length (maxLength) must be between 1 and 65536 tokens (got 0); give the length "
            "of the longest input the model will run");
  EXPECT_NE(first_message(read_max_length("-5", kCommandLineNames).diagnostics)
                .find("(--max-length) must be between 1 and 65536 tokens (got -5)"),
            std::string::npos);
  // Not whole, or beyond an int: what it must be, with the value when it is a number.
  EXPECT_EQ(
      first_message(read_max_length("2.5", kCommandLineNames).diagnostics),
      "the maximum sequence length (--max-length) must be a whole number of tokens between 1 and 65536 (got 2.5)");
  EXPECT_NE(first_message(read_max_length("99999999999", kCommandLineNames).diagnostics).find("(got 99999999999)"),
            std::string::npos);
  for (const char* text : {"abc", "NaN", "Infinity", "'4096'", "0x10", " 12", ""}) {
    const CompileOptionsResult r = read_max_length(text, kJavaScriptNames);
    ASSERT_FALSE(r.ok) << text;
    EXPECT_EQ(first_message(r.diagnostics),
              "the maximum sequence length (maxLength) must be a whole number of tokens between 1 and 65536")
        << text;
  }
}

TEST(ReadRunAndExportOptions, PrecisionsAndFormats) {
  Precision precision = Precision::F64;
  Diagnostic error;
  ASSERT_TRUE(read_precision("f16", kCommandLineNames, precision, error));
  EXPECT_EQ(precision, Precision::F16);
  ASSERT_TRUE(read_precision("", kJavaScriptNames, precision, error));
  EXPECT_EQ(precision, Precision::F64);
  EXPECT_FALSE(read_precision("f8", kCommandLineNames, precision, error));
  EXPECT_EQ(error.message, "unknown --precision 'f8'; use f64, f32 or f16");

  ExportFormat format = ExportFormat::Json;
  ASSERT_TRUE(read_export_format("safetensors", kJavaScriptNames, format, error));
  EXPECT_EQ(format, ExportFormat::Safetensors);
  EXPECT_FALSE(read_export_format("onnx", kJavaScriptNames, format, error));
  EXPECT_EQ(error.message, "unknown format 'onnx'; use json or safetensors");
}

TEST(Targets, DagFirstThenTheRegistryEachNamedOnceAndCompiling) {
  const std::vector<TargetInfo> all = targets();
  ASSERT_GE(all.size(), 2u);
  EXPECT_EQ(all.front().name, "dag");
  std::set<std::string> names;
  for (const auto& t : all) {
    EXPECT_TRUE(names.insert(t.name).second) << t.name << " listed twice";
    CompileOptions options;
    options.target = t.name;
    const CompileResult compiled = compile(kMoreOnes, options);
    EXPECT_EQ(compiled.ok, t.available) << t.name << ": " << render_all(compiled.diagnostics);
  }
}

TEST(ExportModel, WeightsWithNamesAndTheLoaderButNoneForDag) {
  CompileOptions options;
  options.filename = "examples/more_ones.lsrl";
  const CompileResult dag = compile(kMoreOnes, options);
  ASSERT_TRUE(dag.ok);
  const ExportResult refused = export_model(*dag.model, ExportFormat::Json);
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(first_message(refused.diagnostics).find("dag target has no weights"), std::string::npos);

  options.target = "gru";
  const CompileResult gru = compile(kMoreOnes, options);
  ASSERT_TRUE(gru.ok) << render_all(gru.diagnostics);
  const ExportResult json = export_model(*gru.model, ExportFormat::Json);
  ASSERT_TRUE(json.ok) << render_all(json.diagnostics);
  EXPECT_EQ(json.filename, "more_ones-gru.json");
  EXPECT_EQ(json.bytes.front(), '{');
  const ExportResult safetensors = export_model(*gru.model, ExportFormat::Safetensors);
  ASSERT_TRUE(safetensors.ok) << render_all(safetensors.diagnostics);
  EXPECT_EQ(safetensors.filename, "more_ones-gru.safetensors");
  EXPECT_EQ(safetensors.loader_filename, "more_ones-gru_loader.py");
  EXPECT_NE(safetensors.loader.find("import torch"), std::string::npos);

  options.filename = "<input>";
  const CompileResult unnamed = compile(kMoreOnes, options);
  ASSERT_TRUE(unnamed.ok);
  EXPECT_EQ(export_model(*unnamed.model, ExportFormat::Json).filename, "model-gru.json");
}

TEST(Prompts, TypedAndCommandLineFormsAgree) {
  const TokensResult typed = continuous_prompt("x1", 1, 3, {0.5});
  ASSERT_TRUE(typed.ok) << render_all(typed.diagnostics);
  ProgramInfo info;
  info.input_dim = 3;  // 1 + d_in + d_out
  const TokensResult from_text = continuous_prompt_for(info, "x1", "3", "0.5");
  ASSERT_TRUE(from_text.ok) << render_all(from_text.diagnostics);
  EXPECT_EQ(typed.tokens, from_text.tokens);
  EXPECT_EQ(typed.tokens.size(), 4u);  // the query, then 3 cells

  info.input_dim = 4;
  const TokensResult mismatch = continuous_prompt_for(info, "x1", "3", "0.5");
  ASSERT_FALSE(mismatch.ok);
  EXPECT_NE(first_message(mismatch.diagnostics).find("the program's Input has width 4"), std::string::npos);

  const TokensResult bad_function = continuous_prompt("x1 * y", 1, 3, {0.5});
  ASSERT_FALSE(bad_function.ok);
  EXPECT_EQ(bad_function.diagnostics.front().file, "<function>");

  ProgramInfo vocab_info;
  vocab_info.input_dim = 1;
  vocab_info.vocab = "?ABC";
  const TokensResult dictionary = dictionary_prompt_for(vocab_info, "key,value\nA,B\nC,A\n", "d.csv", "A");
  ASSERT_TRUE(dictionary.ok) << render_all(dictionary.diagnostics);
  EXPECT_EQ(dictionary.tokens, dictionary_prompt("A", {{"A", "B"}, {"C", "A"}}, "?ABC").tokens);
  const TokensResult malformed = dictionary_prompt_for(vocab_info, "A,B,C\n", "d.csv", "A");
  ASSERT_FALSE(malformed.ok);
  EXPECT_EQ(malformed.diagnostics.front().file, "d.csv");
  EXPECT_EQ(malformed.diagnostics.front().span.line, 1);
}

TEST(EvaluateFunction, ValuesPerPointAndAWrongWidthRefused) {
  const FunctionValues values = evaluate_function("x1 + x2; x1 * x2", 2, {{0.5, 0.25}, {1, 0}});
  ASSERT_TRUE(values.ok) << render_all(values.diagnostics);
  EXPECT_EQ(values.output_dim, 2);
  EXPECT_EQ(values.values, (std::vector<std::vector<double>>{{0.75, 0.125}, {1, 0}}));
  EXPECT_FALSE(evaluate_function("x1", 2, {{0.5}}).ok);
  EXPECT_FALSE(evaluate_function("x3", 2, {{0.5, 0.5}}).ok);
}

}  // namespace
}  // namespace lsrl::api
