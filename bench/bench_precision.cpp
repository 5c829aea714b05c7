// bench_precision: what compilation costs in f64 accuracy, per f_ifelse
// form, against the program's own semantics (dag). The danger is real: the
// ReLU-based forms add and remove lambda = 1e10 around each selected value,
// and a compiler that fuses the Linear holding lambda into the steps before
// it computes the condition from weights of size mu^2 and rounds it by about
// mu^2 2^-52, which lambda then multiplies (an earlier version of this
// compiler measured 0.5 here at lambda = 1e10). This program prints the
// measured difference and its ratio to lambda mu^2 2^-52; no pass/fail.
//
//   build/bench_precision [--queries Q]
//
// continuous_ua (d_in = 2, f = sin(3*x1)*x2, 12 cells per axis): the largest
// |compiled - dag| of the final output over Q random queries, for lambda from
// 1e10 (the paper's) down to 100.
// discrete_ua (n = 3, the 25 country/capital pairs): the largest distance of
// any answer output from its token id over the 25 queries (rounding to the
// nearest id tolerates anything below 0.5), and the wrong tokens.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include "api/api.hpp"
#include "bench_support.hpp"
#include "prompts/prompts.hpp"

namespace {

std::shared_ptr<const lsrl::api::CompiledModel> compile(const std::string& source, const std::string& filename,
                                                        const std::string& target,
                                                        const std::map<std::string, std::string>& params) {
  lsrl::api::CompileOptions options;
  options.filename = filename;
  options.target = target;
  options.params = params;
  lsrl::api::CompileResult result = lsrl::api::compile(source, options);
  if (!result.ok) {
    std::printf("%s (%s) FAILED:\n%s", filename.c_str(), target.c_str(), lsrl::render_all(result.diagnostics).c_str());
    return nullptr;
  }
  return result.model;
}

}  // namespace

int main(int argc, char** argv) {
  int queries = 200;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--queries") == 0 && i + 1 < argc) {
      queries = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--queries Q]\n", argv[0]);
      return 2;
    }
  }
  const std::string source_dir = LSRL_SOURCE_DIR;
  std::printf("bench_precision: compiled (gated-linear-rnn) vs dag, f64\n%s\n\n", lsrl::bench::machine_line().c_str());

  // --- continuous_ua ---------------------------------------------------------
  const std::string continuous = lsrl::bench::read_text_file(source_dir + "/examples/continuous_ua.lsrl");
  lsrl::TargetFunction f;
  lsrl::Diagnostic error;
  lsrl::TargetFunction::parse("sin(3*x1)*x2", 2, f, error);
  const int cells = 12;
  const double mu = 1000;
  std::vector<lsrl::PromptResult> prompts;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  while (static_cast<int>(prompts.size()) < queries) {
    std::vector<double> q = {uniform(rng), uniform(rng)};
    bool near_boundary = false;  // the construction is exact only 1/mu away from cell edges
    for (double v : q) near_boundary |= std::fabs(v * cells - std::round(v * cells)) / cells < 2 / mu;
    if (!near_boundary) prompts.push_back(lsrl::build_continuous_prompt(f, cells, q));
  }

  std::printf("continuous_ua, f = sin(3*x1)*x2, %d cells per axis, %d queries, mu = 1000:\n", cells, queries);
  std::printf("%-25s %8s %16s %22s\n", "form", "lambda", "max |comp - dag|", "/ (lambda mu^2 2^-52)");
  for (const auto& form : lsrl::bench::ifelse_forms()) {
    const bool multiplicative = form.rfind("multiplicative", 0) == 0;
    for (const char* lambda : {"1e10", "1e8", "1e6", "1e4", "100"}) {
      if (multiplicative && std::strcmp(lambda, "1e10") != 0) continue;  // no lambda in these forms
      const std::map<std::string, std::string> params = {{"form", form}, {"lam", lambda}};
      auto dag = compile(continuous, "continuous_ua.lsrl", "dag", params);
      auto model = compile(continuous, "continuous_ua.lsrl", "gated-linear-rnn", params);
      if (!dag || !model) continue;
      double worst = 0;
      for (const auto& prompt : prompts) {
        const auto reference = lsrl::api::run(*dag, prompt.tokens, {});
        const auto compiled = lsrl::api::run(*model, prompt.tokens, {});
        worst = std::max(worst, std::fabs(reference.outputs.back()[0] - compiled.outputs.back()[0]));
      }
      const double unit = std::atof(lambda) * mu * mu * std::ldexp(1.0, -52);
      std::printf("%-25s %8s %16.3g %22s\n", form.c_str(), multiplicative ? "-" : lambda, worst,
                  multiplicative ? "-" : std::to_string(worst / unit).c_str());
    }
  }

  // --- discrete_ua -----------------------------------------------------------
  const std::string discrete = lsrl::bench::read_text_file(source_dir + "/examples/discrete_ua.lsrl");
  const auto pairs = lsrl::bench::country_capitals(source_dir);
  std::printf("\ndiscrete_ua, n = 3, %zu country/capital queries, lambda = 1e10, mu = 1000:\n", pairs.size());
  std::printf("%-25s %-17s %22s %14s\n", "form", "target", "max |output - id|", "wrong tokens");
  for (const auto& form : lsrl::bench::ifelse_forms()) {
    for (const std::string target : {"dag", "gated-linear-rnn", "linear-rnn"}) {
      if (target == "linear-rnn" && form.rfind("multiplicative", 0) == 0) continue;
      auto model = compile(discrete, "discrete_ua.lsrl", target, {{"form", form}});
      if (!model) continue;
      const std::string vocab = model->info.vocab.value_or("");
      double worst = 0;
      int wrong = 0;
      for (const auto& [key, value] : pairs) {
        lsrl::PromptResult prompt = lsrl::build_dictionary_prompt(key, pairs, vocab);
        const auto run = lsrl::api::run(*model, prompt.tokens, {});
        for (std::size_t i = 0; i < value.size(); ++i) {
          const double output = run.outputs[run.outputs.size() - value.size() + i][0];
          const double id = static_cast<double>(vocab.find(value[i]));
          worst = std::max(worst, std::fabs(output - id));
          wrong += std::llround(output) != std::llround(id);
        }
      }
      std::printf("%-25s %-17s %22.3g %9d of %zu\n", form.c_str(), target.c_str(), worst, wrong, pairs.size() * 3);
    }
  }
  return 0;
}
