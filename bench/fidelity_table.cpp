// The standard-activation fidelity table of docs/targets.md: for every
// example x non-linear target x f_ifelse form, compiled with the
// architectures' real activations (sigmoid/tanh, GeLU, SiLU/softplus), the
// largest deviation of the model's outputs from the program's own outputs
// (the DAG, f64) on the example's companion prompt, and the tokens it gets
// wrong. discrete_ua is run on all 25 country/capital queries (n = 3) and
// counts the wrong answer tokens among the 75.
//
//   build/fidelity_table [--paper] [--linear-chains keep|fuse] [--layers]
//                        [--targets gru,lstm] [--overestimate F]
//
// One model per cell, built before any prompt (its value ranges come from
// the static range analysis over the program's input domain), as `lsrlc
// compile`, `export`, `run` and the page build it.
// --layers adds each model's layer count (output head aside) to its cell.
// --targets limits the columns; --overestimate F multiplies the value
// magnitudes GRU's and LSTM's standard-mode lowerings are given by F (the
// test knob TargetOptions::magnitude_overestimate: loose bounds must not
// change the results).
//
// Deviation: max over steps and outputs of |model - program| / max(1, |program|).
// Wrong tokens: for programs with a vocabulary, output tokens whose decoded
// character differs from the program's.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../tests/core/example_support.hpp"

using namespace lsrl;
using namespace lsrl::example_support;

namespace {

const std::vector<std::string> kAllTargets = {"rnn", "gated-rnn", "gru", "lstm", "hawk", "griffin", "mamba"};
const std::vector<std::string> kForms = {"original", "optimized", "step", "multiplicative", "multiplicative_optimized"};

struct Cell {
  std::string text;  // what the table shows
};

std::shared_ptr<const api::CompiledModel> compile(const std::string& example, const std::string& target,
                                                  const std::map<std::string, std::string>& params, Activations act,
                                                  LinearChains chains, double overestimate, std::string* error) {
  api::CompileOptions options;
  options.filename = example + ".lsrl";
  options.target = target;
  options.params = params;
  options.activations = act;
  options.linear_chains = chains;
  options.magnitude_overestimate = overestimate;
  api::CompileResult r = api::compile(example_source(example), options);
  if (!r.ok) {
    *error = r.diagnostics.empty() ? "failed" : r.diagnostics.front().message;
    return nullptr;
  }
  return r.model;
}

std::string format_deviation(double d) {
  char buf[32];
  if (d == 0.0) return "0";
  std::snprintf(buf, sizeof buf, "%.1e", d);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  Activations act = Activations::Standard;
  LinearChains chains = LinearChains::Keep;
  bool show_layers = false;
  double overestimate = 1.0;
  std::vector<std::string> targets = kAllTargets;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--paper") {
      act = Activations::Paper;
    } else if (arg == "--layers") {
      show_layers = true;
    } else if (arg == "--linear-chains" && i + 1 < argc && api::parse_linear_chains(argv[i + 1], chains)) {
      ++i;
    } else if (arg == "--overestimate" && i + 1 < argc && std::atof(argv[i + 1]) > 0.0) {
      overestimate = std::atof(argv[++i]);
    } else if (arg == "--targets" && i + 1 < argc) {
      targets.clear();
      std::string list = argv[++i];
      for (std::size_t begin = 0; begin <= list.size();) {
        const std::size_t end = std::min(list.find(',', begin), list.size());
        if (end > begin) targets.push_back(list.substr(begin, end - begin));
        begin = end + 1;
      }
    } else {
      std::fprintf(stderr,
                   "usage: fidelity_table [--paper] [--linear-chains keep|fuse] [--layers] "
                   "[--targets gru,lstm] [--overestimate F]\n");
      return 2;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  std::printf("| example | form | %s |\n",
              [&] {
                std::string h;
                for (std::size_t i = 0; i < targets.size(); ++i) h += (i ? " | " : "") + targets[i];
                return h;
              }()
                  .c_str());
  std::printf("|---|---|%s\n",
              [&] {
                std::string h;
                for (std::size_t i = 0; i < targets.size(); ++i) h += "---|";
                return h;
              }()
                  .c_str());
  for (const std::string& example : example_names()) {
    const nlohmann::json companion = example_companion(example);
    std::map<std::string, std::string> params = companion_params(companion);
    const bool has_forms = example_source(example).find("form = param(") != std::string::npos;
    for (const std::string& form : has_forms ? kForms : std::vector<std::string>{""}) {
      if (!form.empty()) params["form"] = form;
      std::string error;
      const auto dag = compile(example, "dag", params, act, chains, 1.0, &error);
      if (!dag) {
        std::printf("| %s | %s | dag failed: %s |\n", example.c_str(), form.c_str(), error.c_str());
        continue;
      }
      const bool dictionary = companion.at("prompt").value("kind", "") == "dictionary";
      // The prompts: the companion's, or all 25 dictionary queries.
      std::vector<std::vector<std::vector<double>>> prompts;
      if (dictionary) {
        const auto pairs = country_capitals();
        for (const auto& [key, value] : pairs)
          prompts.push_back(build_dictionary_prompt(key, pairs, *dag->info.vocab).tokens);
      } else {
        const PromptTokens p = companion_tokens(companion.at("prompt"), dag->info);
        if (!p.ok) continue;
        prompts.push_back(p.tokens);
      }
      std::vector<api::RunResult> reference;
      for (const auto& tokens : prompts) reference.push_back(api::run(*dag, tokens, api::RunOptions{}));
      std::string row = "| " + example + " | " + (form.empty() ? "-" : form) + " |";
      for (const std::string& target : targets) {
        // One model for every prompt: the weights never depend on one.
        const std::shared_ptr<const api::CompiledModel> model =
            compile(example, target, params, act, chains, overestimate, &error);
        if (!model) {
          // A refusal names its reason: a Multi on a target without products,
          // or GRU's product offsets for the declared value bounds.
          if (error.find("declare tighter input bounds") != std::string::npos)
            row += " refused (bounds) |";
          else if (error.find("cannot represent") != std::string::npos)
            row += " refused (Multi) |";
          else
            row += " error |";
          continue;
        }
        double worst = 0;
        int wrong = 0, total = 0, answers_right = 0;
        bool failed = false;
        // The program's outputs are run once per prompt above, for all targets;
        // the per-run comparison api::run would make is the same measure again.
        api::RunOptions run_only;
        run_only.compare_with_program = false;
        for (std::size_t q = 0; q < prompts.size(); ++q) {
          const api::RunResult got = api::run(*model, prompts[q], run_only);
          if (!got.ok) {
            failed = true;
            break;
          }
          const api::RunResult& want = reference[q];
          worst = std::max(worst, max_relative_difference(want.outputs, got.outputs));
          if (want.text && got.text) {
            // Dictionary: the last n tokens are the answer; otherwise every token counts.
            const std::size_t n = dictionary ? 3 : want.text->size();
            const std::string a = want.text->substr(want.text->size() - n);
            const std::string b = got.text->size() >= n ? got.text->substr(got.text->size() - n) : std::string(n, '?');
            int wrong_here = 0;
            for (std::size_t i = 0; i < n; ++i) wrong_here += a[i] != b[i];
            wrong += wrong_here;
            total += static_cast<int>(n);
            answers_right += wrong_here == 0;
          }
        }
        if (failed) {
          row += " run failed |";
          continue;
        }
        row += " " + format_deviation(worst);
        if (show_layers) row += " [" + std::to_string(static_cast<int>(model->model->layers().size()) - 1) + " layers]";
        if (total > 0) {
          if (dictionary) {
            row += ", " + std::to_string(answers_right) + "/25";
            if (wrong > 0) row += " (" + std::to_string(wrong) + " wrong tokens)";
          } else {
            row += ", " + std::to_string(wrong) + " wrong tokens";
          }
        }
        row += " |";
      }
      std::printf("%s\n", row.c_str());
      std::fflush(stdout);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "\n%s activations, Linear chains %s. Deviation: max |model - program| / max(1, |program|) over the prompt's "
      "outputs "
      "(program = the DAG in f64). discrete_ua: all 25 queries, answers right out of 25. One model per cell, no "
      "prompt. "
      "Magnitudes x %g. Built in %.1f s.\n",
      act == Activations::Paper ? "paper" : "standard", linear_chains_name(chains), overestimate, seconds);
  return 0;
}
