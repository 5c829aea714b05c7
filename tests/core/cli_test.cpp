// lsrlc end to end: the built binary (LSRL_LSRLC) run as a user runs it, on
// the contract's commands, the examples, every file of the error corpus and
// malformed command lines. Checks what a user sees: stdout, stderr, the exit
// status, and that nothing ever dies of a signal.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "lsrlc_process.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kSourceDir = LSRL_SOURCE_DIR;

using namespace lsrl::cli_process;

std::string example(const std::string& name) { return kSourceDir + "/examples/" + name; }

// The contract's error shape: exit 1, nothing on stdout, an "error:" on stderr.
void expect_error(const Outcome& o, const std::string& needle, const std::string& context) {
  EXPECT_EQ(o.signal, 0) << context << "\nkilled by signal " << o.signal << "\nstderr: " << o.err;
  EXPECT_EQ(o.exit_code, 1) << context << "\nstderr: " << o.err;
  EXPECT_EQ(o.out, "") << context;
  EXPECT_NE(o.err.find("error: "), std::string::npos) << context << "\nstderr: " << o.err;
  EXPECT_NE(o.err.find(needle), std::string::npos) << context << "\nexpected '" << needle << "' in stderr: " << o.err;
  EXPECT_EQ(o.err.find("terminate called"), std::string::npos) << context;
  EXPECT_EQ(o.err.find("internal error"), std::string::npos) << context << "\nstderr: " << o.err;
}

void expect_success(const Outcome& o, const std::string& context) {
  EXPECT_EQ(o.signal, 0) << context;
  EXPECT_EQ(o.exit_code, 0) << context << "\nstderr: " << o.err;
}

// run's text output: the numeric lines before "text:" / "trace:".
std::vector<std::vector<double>> output_rows(const std::string& out) {
  std::vector<std::vector<double>> rows;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("text: ", 0) == 0 || line.rfind("trace:", 0) == 0) break;
    std::istringstream words(line);
    std::vector<double> row;
    std::string word;
    while (words >> word) row.push_back(std::stod(word));
    rows.push_back(row);
  }
  return rows;
}

std::string text_line(const std::string& out) {
  const auto at = out.find("\ntext: ");
  if (at == std::string::npos) return "";
  const auto begin = at + 7;
  return out.substr(begin, out.find('\n', begin) - begin);
}

std::vector<double> more_ones_expected(const std::vector<int>& bits) {
  std::vector<double> expected;
  int balance = 0;
  for (int b : bits) {
    balance += b ? 1 : -1;
    expected.push_back(balance > 0 ? 1.0 : 0.0);
  }
  return expected;
}

std::vector<std::pair<std::string, std::string>> country_capitals() {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::istringstream lines(read_file(kSourceDir + "/examples/data/country_capitals.csv"));
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto comma = line.find(',');
    if (comma == std::string::npos || line == "key,value") continue;
    pairs.emplace_back(line.substr(0, comma), line.substr(comma + 1));
  }
  return pairs;
}

// ---------------------------------------------------------------------------
// The contract's commands on the examples
// ---------------------------------------------------------------------------

TEST(Cli, HelpDescribesEveryCommand) {
  Outcome o = lsrlc({"--help"});
  expect_success(o, "--help");
  for (const char* word : {"check", "compile", "run", "export", "--input", "--text", "--input-file", "--prompt-fn",
                           "--dict", "--precision", "--activations", "--linear-chains", "--max-length", "--trace"}) {
    EXPECT_NE(o.out.find(word), std::string::npos) << word;
  }
}

TEST(Cli, CheckPrintsWidthsAndParams) {
  Outcome o = lsrlc({"check", example("discrete_ua.lsrl")});
  expect_success(o, "check discrete_ua");
  EXPECT_NE(o.out.find("input width 1"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("param n = 3"), std::string::npos) << o.out;
  Outcome with_param = lsrlc({"check", example("discrete_ua.lsrl"), "--param", "n=5"});
  expect_success(with_param, "check --param n=5");
  EXPECT_NE(with_param.out.find("param n = 5"), std::string::npos) << with_param.out;
}

TEST(Cli, RunMoreOnesPrintsOneLinePerStep) {
  const std::vector<int> bits = {1, 0, 0, 1, 1, 1, 0, 0, 0};
  const std::vector<double> expected = more_ones_expected(bits);
  std::string spaced, semicolons;
  for (int b : bits) {
    spaced += std::to_string(b) + " ";
    semicolons += std::to_string(b) + ";";
  }
  for (const std::string& input : {spaced, semicolons}) {
    Outcome o = lsrlc({"run", example("more_ones.lsrl"), "--input", input});
    expect_success(o, "run more_ones");
    auto rows = output_rows(o.out);
    ASSERT_EQ(rows.size(), bits.size()) << o.out;
    for (std::size_t t = 0; t < rows.size(); ++t) {
      ASSERT_EQ(rows[t].size(), 1u);
      EXPECT_NEAR(rows[t][0], expected[t], 1e-9) << "step " << t;
    }
    EXPECT_EQ(o.out.find("text:"), std::string::npos);  // no vocab
  }
}

TEST(Cli, RunPrintsEveryComponentAndReadsCsvFiles) {
  const fs::path csv = scratch() / "counter.csv";
  write_file(csv, "# the tokens\n2\n4\n\n6\n");
  Outcome from_file = lsrlc({"run", example("counter.lsrl"), "--input-file", csv.string()});
  Outcome inline_input = lsrlc({"run", example("counter.lsrl"), "--input", "2 4 6"});
  expect_success(from_file, "counter --input-file");
  expect_success(inline_input, "counter --input");
  EXPECT_EQ(from_file.out, inline_input.out);
  auto rows = output_rows(from_file.out);
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_EQ(rows[2].size(), 3u);  // [count, sum, moving average]
  EXPECT_EQ(rows[2][0], 3.0);
  EXPECT_EQ(rows[2][1], 12.0);
}

TEST(Cli, RunBatchPrintsALinePerPromptAsEachRunsAlone) {
  const fs::path prompts = scratch() / "batch.txt";
  write_file(prompts, "1 0 1 1 0\n\n# skipped\n0;0;1\n1\n");
  Outcome batch = lsrlc({"run", example("more_ones.lsrl"), "--target", "gru", "--batch", prompts.string()});
  expect_success(batch, "more_ones --batch");
  std::vector<std::string> lines;
  std::istringstream in(batch.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u) << batch.out;
  const std::vector<std::string> inputs{"1 0 1 1 0", "0 0 1", "1"};
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    Outcome alone = lsrlc({"run", example("more_ones.lsrl"), "--target", "gru", "--input", inputs[i]});
    expect_success(alone, "more_ones --input");
    // more_ones has 1-wide outputs: the batch line is the steps' outputs.
    std::vector<double> expected;
    for (const auto& row : output_rows(alone.out)) expected.insert(expected.end(), row.begin(), row.end());
    std::vector<double> got;
    std::istringstream numbers(lines[i]);
    for (double v; numbers >> v;) got.push_back(v);
    EXPECT_EQ(got, expected) << "prompt " << i + 1;
  }
  write_file(prompts, "1 0 1\n1 7\n");
  Outcome bad = lsrlc({"run", example("more_ones.lsrl"), "--target", "gru", "--batch", prompts.string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("prompt 2: "), std::string::npos) << bad.err;
  EXPECT_TRUE(bad.out.empty());
}

TEST(Cli, RunJsonHasTheContractsKeys) {
  Outcome o = lsrlc({"run", example("more_ones.lsrl"), "--input", "1 1 0", "--json", "--trace"});
  expect_success(o, "run --json --trace");
  nlohmann::json j = nlohmann::json::parse(o.out);
  for (const char* key : {"outputs", "target", "layers", "params", "trace"}) EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["target"], "dag");
  const auto expected = more_ones_expected({1, 1, 0});
  ASSERT_EQ(j["outputs"].size(), 3u);
  for (std::size_t t = 0; t < 3; ++t) EXPECT_NEAR(j["outputs"][t][0].get<double>(), expected[t], 1e-9);
  bool saw_counter = false;
  for (const auto& s : j["trace"]["series"]) {
    if (s["label"] == "ctr0s") {
      saw_counter = true;
      EXPECT_EQ(s["values"], nlohmann::json::parse("[[0],[0],[1]]"));
    }
  }
  EXPECT_TRUE(saw_counter) << o.out;
  Outcome plain = lsrlc({"run", example("more_ones.lsrl"), "--input", "1 1 0", "--json"});
  EXPECT_FALSE(nlohmann::json::parse(plain.out).contains("trace"));
}

TEST(Cli, TraceInTextModeListsNamedVariables) {
  Outcome o = lsrlc({"run", example("more_ones.lsrl"), "--input", "1 0 0", "--trace"});
  expect_success(o, "run --trace");
  EXPECT_NE(o.out.find("trace:"), std::string::npos);
  EXPECT_NE(o.out.find("ctr1s (LinState): 1 | 1 | 1"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("ctr0s (LinState): 0 | 1 | 2"), std::string::npos) << o.out;
}

TEST(Cli, CompileJsonSummaryAndReadableSummary) {
  Outcome o = lsrlc({"compile", example("more_ones.lsrl"), "--target", "gated-linear-rnn", "--json"});
  expect_success(o, "compile --json");
  nlohmann::json j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["target"], "gated-linear-rnn");
  ASSERT_TRUE(j["layers"].is_array());
  EXPECT_GE(j["layers"].size(), 1u);
  for (const auto& layer : j["layers"]) {
    EXPECT_TRUE(layer["type"].is_string());
    EXPECT_GT(layer["hidden_dim"].get<int>(), 0);
  }
  EXPECT_GT(j["params"].get<long long>(), 0);
  EXPECT_GT(j["nonzeros"].get<long long>(), 0);
  EXPECT_LE(j["nonzeros"].get<long long>(), j["params"].get<long long>());
  EXPECT_GE(j["compile_ms"].get<double>(), 0.0);

  Outcome text = lsrlc({"compile", example("more_ones.lsrl"), "--target", "gated-linear-rnn"});
  expect_success(text, "compile");
  EXPECT_NE(text.out.find("gated-linear-rnn"), std::string::npos);
  EXPECT_NE(text.out.find("layer 0"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(std::to_string(j["params"].get<long long>()) + " parameters"), std::string::npos) << text.out;
}

TEST(Cli, CompiledTargetsReproduceTheDagOnEveryPrecision) {
  for (const char* precision : {"f64", "f32", "f16"}) {
    Outcome dag = lsrlc({"run", example("more_ones.lsrl"), "--input", "0 1 1 0 1 0 0 1 1 1", "--precision", precision});
    Outcome gated = lsrlc({"run", example("more_ones.lsrl"), "--target", "gated-linear-rnn", "--input",
                           "0 1 1 0 1 0 0 1 1 1", "--precision", precision});
    expect_success(dag, precision);
    expect_success(gated, precision);
    auto a = output_rows(dag.out);
    auto b = output_rows(gated.out);
    ASSERT_EQ(a.size(), 10u);
    ASSERT_EQ(a.size(), b.size());
    const auto expected = more_ones_expected({0, 1, 1, 0, 1, 0, 0, 1, 1, 1});
    // The compiled model runs the program's own arithmetic in every
    // precision (CompileProperty checks the same on random programs), and
    // on this prompt the flags come out exactly 0 and 1 in all three.
    EXPECT_EQ(a, b) << precision;
    for (std::size_t t = 0; t < a.size(); ++t) {
      EXPECT_EQ(a[t][0], expected[t]) << precision << " step " << t;
      EXPECT_EQ(b[t][0], expected[t]) << precision << " step " << t;
    }
  }
}

TEST(Cli, DiscreteUaAnswersEveryCountryFromTheDictionary) {
  const auto pairs = country_capitals();
  ASSERT_EQ(pairs.size(), 25u);
  const std::string dict = kSourceDir + "/examples/data/country_capitals.csv";
  for (const auto& [country, capital] : pairs) {
    Outcome o = lsrlc({"run", example("discrete_ua.lsrl"), "--dict", dict, "--query", country});
    expect_success(o, country);
    const std::string text = text_line(o.out);
    ASSERT_EQ(text.size(), 3u + 25u * 6u) << o.out;
    EXPECT_EQ(text.substr(text.size() - 3), capital) << country;
  }
  // The paper's example on a compiled model, through --text as well.
  Outcome compiled =
      lsrlc({"run", example("discrete_ua.lsrl"), "--target", "gated-linear-rnn", "--dict", dict, "--query", "CAN"});
  expect_success(compiled, "gated CAN");
  const std::string text = text_line(compiled.out);
  EXPECT_EQ(text.substr(text.size() - 3), "OTT");
  Outcome typed = lsrlc({"run", example("discrete_ua.lsrl"), "--text", "CANAUSVIECANOTT"});
  expect_success(typed, "--text");
  EXPECT_EQ(text_line(typed.out).substr(12), "OTT");
}

TEST(Cli, ContinuousUaApproximatesTheFunctionAtTheQuerysCell) {
  const int cells = 10;
  const double q1 = 0.33, q2 = 0.71;
  Outcome o = lsrlc({"run", example("continuous_ua.lsrl"), "--prompt-fn", "x1*x2 + 1", "--cells", std::to_string(cells),
                     "--query", "0.33,0.71"});
  expect_success(o, "continuous_ua");
  auto rows = output_rows(o.out);
  ASSERT_EQ(rows.size(), 1u + cells * cells);
  const double c1 = (std::floor(q1 * cells) + 0.5) / cells;
  const double c2 = (std::floor(q2 * cells) + 0.5) / cells;
  EXPECT_NEAR(rows.back()[0], c1 * c2 + 1, 1e-6);
  // Two outputs: separate components with ';' and widen the program.
  Outcome two = lsrlc({"run", example("continuous_ua.lsrl"), "--param", "d_out=2", "--prompt-fn", "x1; x2", "--cells",
                       "4", "--query", "0.6,0.1"});
  expect_success(two, "continuous_ua d_out=2");
  auto rows2 = output_rows(two.out);
  ASSERT_FALSE(rows2.empty());
  ASSERT_EQ(rows2.back().size(), 2u);
  EXPECT_NEAR(rows2.back()[0], 0.625, 1e-6);
  EXPECT_NEAR(rows2.back()[1], 0.125, 1e-6);
}

// Keeping the compiler's Linear chains (the default) makes every target
// follow the program's f64 arithmetic, even where continuous_ua's lambda = 1e10
// form turns a last-bit difference into a different cell; fusing them gives
// the paper's layer count, and compile --json says which bound holds.
TEST(Cli, LinearChainsKeepReproducesTheProgramAndFuseUsesFewerLayers) {
  const std::vector<std::string> prompt = {"--param", "form=original", "--prompt-fn", "sin(3*x1)*x2", "--cells",
                                           "6",       "--query",       "0.3,0.7"};
  auto run_on = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", example("continuous_ua.lsrl")};
    args.insert(args.end(), prompt.begin(), prompt.end());
    args.insert(args.end(), extra.begin(), extra.end());
    Outcome o = lsrlc(args);
    expect_success(o, "run");
    return output_rows(o.out);
  };
  const auto program = run_on({});
  const auto kept = run_on({"--target", "rnn"});
  const auto fused = run_on({"--target", "rnn", "--linear-chains", "fuse"});
  ASSERT_FALSE(program.empty());
  ASSERT_EQ(kept.size(), program.size());
  ASSERT_EQ(fused.size(), program.size());
  // The query (0.3, 0.7) lies in the cell centred at (0.25, 0.75).
  EXPECT_NEAR(program.back()[0], std::sin(0.75) * 0.75, 1e-9);
  EXPECT_NEAR(kept.back()[0], program.back()[0], 1e-9);

  auto compiled = [&](const std::string& chains) {
    Outcome o = lsrlc({"compile", example("continuous_ua.lsrl"), "--param", "form=original", "--target", "lstm",
                       "--linear-chains", chains, "--json"});
    expect_success(o, "compile " + chains);
    return nlohmann::json::parse(o.out);
  };
  const nlohmann::json keep = compiled("keep"), fuse = compiled("fuse");
  for (const nlohmann::json* j : {&keep, &fuse}) {
    const nlohmann::json& b = (*j)["layer_bound"];
    EXPECT_EQ(b["layers"].get<int>(), (*j)["layer_count"].get<int>() - 1);
    EXPECT_LE(b["layers"].get<int>(), b["bound"].get<int>());
  }
  EXPECT_EQ(keep["layer_bound"]["linear_chains"], "keep");
  EXPECT_GT(keep["layer_bound"]["kept_linear_layers"].get<int>(), 0);
  EXPECT_EQ(fuse["layer_bound"]["kept_linear_layers"].get<int>(), 0);
  EXPECT_LT(fuse["layer_count"].get<int>(), keep["layer_count"].get<int>());
  Outcome text = lsrlc({"compile", example("continuous_ua.lsrl"), "--target", "lstm"});
  expect_success(text, "compile");
  EXPECT_NE(text.out.find("within the paper's bound of"), std::string::npos) << text.out;
}

// The weights never depend on a prompt: compile and export take no INPUT,
// compile --json reports the input domain and T the model is built for, two
// exports are byte for byte alike, and run refuses a prompt outside the
// domain or longer than T before running, saying what to declare.
TEST(Cli, ModelsAreBuiltForTheInputDomainNotAPrompt) {
  const std::string p = example("discrete_ua.lsrl");
  Outcome o = lsrlc({"compile", p, "--target", "lstm", "--json"});
  expect_success(o, "compile");
  const nlohmann::json j = nlohmann::json::parse(o.out);
  EXPECT_FALSE(j.contains("calibration"));
  ASSERT_TRUE(j.contains("input_domain")) << o.out;
  EXPECT_EQ(j["input_domain"]["bounds_source"], "vocabulary");
  EXPECT_EQ(j["input_domain"]["lower"], nlohmann::json::array({0.0}));
  EXPECT_EQ(j["input_domain"]["upper"], nlohmann::json::array({26.0}));
  EXPECT_EQ(j["input_domain"]["max_length"].get<int>(), 4096);
  EXPECT_EQ(j["input_domain"]["max_length_source"], "default");
  Outcome shorter = lsrlc({"compile", p, "--target", "lstm", "--max-length", "100", "--json"});
  expect_success(shorter, "compile --max-length");
  EXPECT_EQ(nlohmann::json::parse(shorter.out)["input_domain"]["max_length_source"], "option");
  // compile and export take no INPUT.
  Outcome with_text = lsrlc({"compile", p, "--target", "lstm", "--text", "CANAUSVIECANOTT"});
  EXPECT_NE(with_text.exit_code, 0);
  EXPECT_NE(with_text.err.find("usage: lsrlc"), std::string::npos) << with_text.err;
  const std::string first = (scratch() / "fixed_a.safetensors").string();
  const std::string second = (scratch() / "fixed_b.safetensors").string();
  for (const std::string& file : {first, second}) {
    expect_success(lsrlc({"export", p, "--target", "lstm", "--format", "safetensors", "-o", file}), "export");
  }
  const std::string bytes = read_file(first);
  EXPECT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes, read_file(second));
  // Outside the domain and beyond T: refused before running, with the way out.
  expect_error(lsrlc({"run", p, "--target", "lstm", "--input", "1 2 27"}), "bounds=[lo, hi]", "token 27");
  expect_error(lsrlc({"run", p, "--target", "dag", "--input", "1 2 27"}), "token 3, component 1", "dag token 27");
  expect_error(lsrlc({"run", p, "--target", "lstm", "--max-length", "4", "--text", "CANAUS"}),
               "max_length=", "6 tokens over T = 4");
}

// Every run of a compiled model measures how far it is from the program:
// in the JSON always, on stderr with the standard activations or when off.
TEST(Cli, RunsReportTheirFidelityToTheProgram) {
  const std::string dict = kSourceDir + "/examples/data/country_capitals.csv";
  const std::vector<std::string> run = {
      "run", example("discrete_ua.lsrl"), "--dict", dict, "--query", "CAN", "--target", "mamba"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = run;
    args.insert(args.end(), extra.begin(), extra.end());
    return lsrlc(args);
  };
  Outcome standard = with({"--activations", "standard"});
  expect_success(standard, "standard");
  EXPECT_NE(standard.err.find("note: mamba vs the program on this input: max deviation"), std::string::npos)
      << standard.err;
  EXPECT_NE(standard.err.find("0 of 153 tokens wrong"), std::string::npos) << standard.err;
  EXPECT_EQ(text_line(standard.out).substr(text_line(standard.out).size() - 3), "OTT");

  Outcome paper = with({});
  expect_success(paper, "paper");
  EXPECT_EQ(paper.err, "") << "an exact run needs no note";
  Outcome json = with({"--activations", "standard", "--json"});
  expect_success(json, "json");
  const nlohmann::json j = nlohmann::json::parse(json.out);
  ASSERT_TRUE(j.contains("fidelity"));
  EXPECT_LT(j["fidelity"]["max_deviation"].get<double>(), 1e-2);
  EXPECT_EQ(j["fidelity"]["wrong_tokens"].get<int>(), 0);
  // The program itself has nothing to be compared with.
  Outcome dag = lsrlc({"run", example("more_ones.lsrl"), "--input", "1 0", "--json"});
  expect_success(dag, "dag");
  EXPECT_FALSE(nlohmann::json::parse(dag.out).contains("fidelity"));
}

// Hawk holds a counter (eigenvalue 1) in a convolution over the whole
// sequence; --max-length sets its window, and a longer input is refused with
// the way out.
TEST(Cli, MaxLengthSetsHawksConvolutionWindow) {
  Outcome o = lsrlc({"compile", example("counter.lsrl"), "--target", "hawk", "--max-length", "8", "--json"});
  expect_success(o, "compile");
  const nlohmann::json j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["metadata"]["exact_up_to_tokens"].get<int>(), 8);
  Outcome fits =
      lsrlc({"run", example("counter.lsrl"), "--target", "hawk", "--max-length", "8", "--input", "1 2 3 4 5 6 7 8"});
  expect_success(fits, "run 8 tokens");
  const auto rows = output_rows(fits.out);
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_NEAR(rows.back()[0], 8, 1e-9);
  EXPECT_NEAR(rows.back()[1], 36, 1e-9);
  expect_error(lsrlc({"run", example("counter.lsrl"), "--target", "hawk", "--max-length", "4", "--input", "1 2 3 4 5"}),
               "--max-length", "input longer than the window");
}

TEST(Cli, ExportJsonWritesEveryTensor) {
  const fs::path out = scratch() / "more_ones.json";
  Outcome o = lsrlc(
      {"export", example("more_ones.lsrl"), "--target", "gated-linear-rnn", "--format", "json", "-o", out.string()});
  expect_success(o, "export json");
  nlohmann::json j = nlohmann::json::parse(read_file(out));
  ASSERT_TRUE(j.contains("metadata"));
  ASSERT_TRUE(j["tensors"].is_object());
  EXPECT_FALSE(j["tensors"].empty());
  for (const auto& [name, tensor] : j["tensors"].items()) {
    long long count = 1;
    for (const auto& d : tensor["shape"]) count *= d.get<long long>();
    EXPECT_EQ(static_cast<long long>(tensor["data"].size()), count) << name;
  }
}

TEST(Cli, ExportSafetensorsHasAHeaderAndData) {
  const fs::path out = scratch() / "more_ones.safetensors";
  Outcome o = lsrlc({"export", example("more_ones.lsrl"), "--target", "gated-linear-rnn", "--format", "safetensors",
                     "-o", out.string()});
  expect_success(o, "export safetensors");
  const std::string bytes = read_file(out);
  ASSERT_GE(bytes.size(), 8u);
  unsigned long long header_length = 0;
  for (int i = 7; i >= 0; --i)
    header_length = (header_length << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  ASSERT_LE(8 + header_length, bytes.size());
  nlohmann::json header = nlohmann::json::parse(bytes.substr(8, header_length));
  EXPECT_TRUE(header.contains("__metadata__"));
  EXPECT_NE(o.out.find(out.string()), std::string::npos) << o.out;
}

// ---------------------------------------------------------------------------
// Errors: the contract's shape, exit 1, nothing on stdout
// ---------------------------------------------------------------------------

TEST(CliErrors, MalformedInput) {
  const std::string p = example("gated_sum.lsrl");  // Input(dim=2)
  expect_error(lsrlc({"run", p, "--input", "5,1 7"}), "--input:1:5: error: token 2 has 1 component", "wrong width");
  expect_error(lsrlc({"run", p, "--input", "5,1 7,x"}), "--input:1:7: error: token 2, component 2: 'x' is not a number",
               "non-number");
  expect_error(lsrlc({"run", p, "--input", ""}), "empty", "empty input");
  expect_error(lsrlc({"run", p, "--input", " ; "}), "empty", "only separators");
  expect_error(lsrlc({"run", p, "--input", "1,,2"}), "is empty", "empty component");
  expect_error(lsrlc({"run", p, "--input", "nan,1"}), "not a finite number", "nan");
  const fs::path csv = scratch() / "bad.csv";
  write_file(csv, "1,2\n3\n");
  expect_error(lsrlc({"run", p, "--input-file", csv.string()}), csv.string() + ":2:1: error: line 2 has 1 component",
               "csv width");
  expect_error(lsrlc({"run", p, "--input-file", (scratch() / "missing.csv").string()}), "cannot read", "missing csv");
  expect_error(lsrlc({"run", p, "--text", "AB"}), "vocab", "text without vocab");
  expect_error(lsrlc({"run", example("discrete_ua.lsrl"), "--text", "CAn"}), "--text:1:3: error: character 'n'",
               "text outside vocab");
}

TEST(CliErrors, BadOptionValues) {
  const std::string p = example("more_ones.lsrl");
  expect_error(lsrlc({"run", p, "--input", "1", "--target", "gru2"}), "unknown target 'gru2'", "unknown target");
  expect_error(lsrlc({"compile", p, "--target", "gated-linear-rn"}), "did you mean 'gated-linear-rnn'", "typo target");
  expect_error(lsrlc({"run", p, "--input", "1", "--param", "bogus=3"}), "bogus", "unknown param");
  expect_error(lsrlc({"run", example("discrete_ua.lsrl"), "--text", "CAN", "--param", "n=0"}), "error", "param range");
  expect_error(lsrlc({"run", example("discrete_ua.lsrl"), "--text", "CAN", "--param", "form=fancy"}), "fancy",
               "bad choice");
  expect_error(lsrlc({"run", p, "--input", "1", "--precision", "f8"}), "unknown --precision 'f8'", "bad precision");
  expect_error(lsrlc({"compile", p, "--target", "rnn", "--activations", "sigmoid"}), "--activations", "activations");
  expect_error(lsrlc({"compile", p, "--target", "rnn", "--linear-chains", "merge"}), "unknown --linear-chains 'merge'",
               "linear chains");
  for (const char* length : {"0", "-3", "abc", "65537", "99999999999"}) {
    expect_error(lsrlc({"compile", p, "--target", "hawk", "--max-length", length}), "--max-length", length);
  }
  expect_error(lsrlc({"run", (scratch() / "nope.lsrl").string(), "--input", "1"}), "cannot read", "missing program");
  expect_error(lsrlc({"export", p, "--target", "dag", "--format", "json", "-o", (scratch() / "x.json").string()}),
               "dag", "export dag");
  expect_error(lsrlc({"export", p, "--target", "rnn", "--format", "onnx", "-o", (scratch() / "x.onnx").string()}),
               "onnx", "bad format");
  expect_error(
      lsrlc({"run", example("continuous_ua.lsrl"), "--prompt-fn", "x1 * y", "--cells", "3", "--query", "0.5,0.5"}),
      "--prompt-fn:1:", "bad function");
  expect_error(lsrlc({"run", example("continuous_ua.lsrl"), "--prompt-fn", "x1", "--cells", "3", "--query", "0.5,zz"}),
               "--query:1:5: error", "bad query");
  expect_error(lsrlc({"run", example("continuous_ua.lsrl"), "--prompt-fn", "x1", "--cells", "0", "--query", "0.5,0.5"}),
               "--cells", "bad cells");
  expect_error(
      lsrlc({"run", example("discrete_ua.lsrl"), "--dict", (scratch() / "none.csv").string(), "--query", "CAN"}),
      "cannot read", "missing dict");
}

TEST(CliErrors, CheckReportsBuildErrorsWithACaret) {
  const fs::path program = scratch() / "typo.lsrl";
  write_file(program, "x = Input(dim=1)\ny = f_largr(x, x)\nreturn y\n");
  Outcome o = lsrlc({"check", program.string()});
  expect_error(o, program.string() + ":2:5: error:", "check typo");
  EXPECT_NE(o.err.find("f_larger"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("y = f_largr(x, x)\n"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("^"), std::string::npos) << o.err;
}

TEST(CliErrors, MultiOnLinearRnnNamesTheLineAndTheWayOut) {
  const fs::path program = scratch() / "gated.lsrl";
  write_file(program, read_file(example("gated_sum.lsrl")));
  Outcome o = lsrlc({"compile", program.string(), "--target", "linear-rnn"});
  expect_error(o, program.string() + ":", "Multi on linear-rnn");
  EXPECT_NE(o.err.find("gated"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find('^'), std::string::npos) << o.err;
}

TEST(CliErrors, MalformedCommandLinesPrintUsage) {
  const std::string p = example("more_ones.lsrl");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate", p},
           {"run", p},                                            // no input
           {"run", p, "--input"},                                 // missing value
           {"run", p, "--input", "1", "--bogus"},                 // unknown flag
           {"run", p, "--input", "1", "--text", "A"},             // two inputs
           {"compile", p},                                        // no target
           {"check"},                                             // no program
           {"check", p, "--target", "rnn"},                       // flag of another command
           {"export", p, "--target", "rnn", "--format", "json"},  // no -o
           {"compile", p, "--target", "gru", "--input", "1"},     // compile takes no INPUT
           {"export", p, "--target", "gru", "--format", "json", "-o", "x.json", "--cells", "3"},  // --cells alone
       }) {
    Outcome o = lsrlc(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(o.signal, 0) << joined;
    EXPECT_NE(o.exit_code, 0) << joined;
    EXPECT_EQ(o.out, "") << joined;
    EXPECT_NE(o.err.find("usage: lsrlc"), std::string::npos) << joined << "\n" << o.err;
  }
}

// ---------------------------------------------------------------------------
// The error corpus: tests/corpus/errors/*.lsrl. Line 1 of each file is
// "# expect: LINE:COL: <substring>"; optional further header lines
// "# target: T" (compile for T; default gated-linear-rnn, which also reports
// every build error) and "# args: ..." (extra flags, split on spaces).
// ---------------------------------------------------------------------------

std::vector<std::string> corpus_files() {
  std::vector<std::string> files;
  const fs::path dir = fs::path(kSourceDir) / "tests" / "corpus" / "errors";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".lsrl") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(CliCorpusFiles, TheCorpusExists) { EXPECT_GE(corpus_files().size(), 10u); }

class CliCorpus : public ::testing::TestWithParam<std::string> {};

TEST_P(CliCorpus, ReportsTheExpectedErrorAtItsPosition) {
  const std::string path = GetParam();
  std::istringstream header(read_file(path));
  std::string line;
  std::string expect;
  std::string target = "gated-linear-rnn";
  std::vector<std::string> extra;
  while (std::getline(header, line) && line.rfind("#", 0) == 0) {
    if (line.rfind("# expect: ", 0) == 0) expect = line.substr(10);
    if (line.rfind("# target: ", 0) == 0) target = line.substr(10);
    if (line.rfind("# args: ", 0) == 0) {
      std::istringstream words(line.substr(8));
      std::string w;
      while (words >> w) extra.push_back(w);
    }
  }
  ASSERT_FALSE(expect.empty()) << path << ": the first line must be '# expect: LINE:COL: substring'";
  // "LINE:COL: substring"
  const auto first = expect.find(':');
  const auto second = expect.find(':', first + 1);
  ASSERT_NE(second, std::string::npos) << expect;
  const std::string position = expect.substr(0, second);
  std::string substring = expect.substr(second + 1);
  if (!substring.empty() && substring[0] == ' ') substring.erase(0, 1);

  std::vector<std::string> args = {"compile", path, "--target", target};
  args.insert(args.end(), extra.begin(), extra.end());
  Outcome o = lsrlc(args);
  expect_error(o, path + ":" + position + ": error:", path);
  EXPECT_NE(o.err.find(substring), std::string::npos) << path << "\nexpected '" << substring << "' in:\n" << o.err;
  EXPECT_NE(o.err.find('^'), std::string::npos) << path << ": no caret\n" << o.err;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Errors, CliCorpus, ::testing::ValuesIn(corpus_files()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CliCorpus);

}  // namespace
