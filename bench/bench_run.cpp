// bench_run: tokens per second of the compiled discrete_ua model (n = 3,
// gated-linear-rnn, the multiplicative and the original f_ifelse forms),
// single-threaded, on the paper's prompt (query CAN + the 25 country/capital
// pairs), against the DAG evaluator (the program's own semantics, node by
// node) on the same prompt in the same process. Prints figures; no pass/fail.
//
//   build/bench_run [--seconds S]      (time spent on each measurement)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "api/api.hpp"
#include "bench_support.hpp"
#include "prompts/prompts.hpp"
#include "runtime/dag_eval.hpp"

namespace {

struct Rate {
  double per_wall_second = 0;
  double per_cpu_second = 0;
};

// Runs `body` (one pass over the prompt) repeatedly for at least `seconds`
// and at least 3 times; returns tokens per second of wall time and of this
// thread's CPU time.
template <typename Body>
Rate tokens_per_second(std::size_t tokens_per_pass, double seconds, Body&& body) {
  body();  // warm-up: caches, lazy allocations
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = lsrl::bench::thread_cpu_seconds();
  long long passes = 0;
  double elapsed = 0;
  while (passes < 3 || elapsed < seconds) {
    body();
    ++passes;
    elapsed = lsrl::bench::seconds_since(start);
  }
  const double cpu = lsrl::bench::thread_cpu_seconds() - cpu_start;
  const double tokens = static_cast<double>(passes) * static_cast<double>(tokens_per_pass);
  return Rate{tokens / elapsed, tokens / cpu};
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2.0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::max(0.05, std::atof(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S]\n", argv[0]);
      return 2;
    }
  }
  const std::string source_dir = LSRL_SOURCE_DIR;
  const std::string source = lsrl::bench::read_text_file(source_dir + "/examples/discrete_ua.lsrl");
  const auto pairs = lsrl::bench::country_capitals(source_dir);

  std::printf("bench_run: examples/discrete_ua.lsrl (n = 3), prompt = query CAN + %zu pairs, one thread\n",
              pairs.size());
  std::printf("%s\n\n", lsrl::bench::machine_line().c_str());
  std::printf("%-25s %-5s %14s %14s %14s %14s %8s  %s\n", "form", "prec", "compiled tok/s", "(per cpu s)", "dag tok/s",
              "(per cpu s)", "ratio", "answer compiled / dag");

  for (const std::string form : {"multiplicative", "original"}) {
    lsrl::api::CompileOptions options;
    options.filename = "discrete_ua.lsrl";
    options.target = "gated-linear-rnn";
    options.params = {{"n", "3"}, {"form", form}};
    lsrl::api::CompileResult compiled = lsrl::api::compile(source, options);
    if (!compiled.ok) {
      std::printf("%-25s FAILED:\n%s", form.c_str(), lsrl::render_all(compiled.diagnostics).c_str());
      continue;
    }
    const lsrl::api::CompiledModel& model = *compiled.model;
    lsrl::PromptResult prompt = lsrl::build_dictionary_prompt("CAN", pairs, model.info.vocab.value_or(""));
    if (!prompt.ok) {
      std::printf("%-25s prompt FAILED:\n%s", form.c_str(), lsrl::render_all(prompt.diagnostics).c_str());
      continue;
    }
    const auto& tokens = prompt.tokens;

    for (lsrl::Precision precision : {lsrl::Precision::F64, lsrl::Precision::F32}) {
      lsrl::OutputRows compiled_outputs, dag_outputs;
      const Rate compiled_rate = tokens_per_second(
          tokens.size(), seconds, [&] { compiled_outputs = model.model->run(tokens, precision, nullptr); });
      const Rate dag_rate = tokens_per_second(tokens.size(), seconds, [&] {
        dag_outputs = lsrl::evaluate_program(model.program, tokens, precision, nullptr);
      });
      // The answer is the last three outputs, rounded to ids and decoded
      // (OTT when right; '#' marks an id outside the vocabulary).
      auto answer = [&](const lsrl::OutputRows& outputs) {
        const std::string vocab = model.info.vocab.value_or("");
        std::string text;
        for (std::size_t t = outputs.size() >= 3 ? outputs.size() - 3 : 0; t < outputs.size(); ++t) {
          const double value = outputs[t].empty() ? -1 : outputs[t][0];
          const long long id = std::isfinite(value) ? std::llround(value) : -1;
          text += id >= 0 && id < static_cast<long long>(vocab.size()) ? vocab[static_cast<std::size_t>(id)] : '#';
        }
        return text;
      };
      std::printf("%-25s %-5s %14.0f %14.0f %14.0f %14.0f %7.1fx  %s / %s\n", form.c_str(),
                  lsrl::precision_name(precision), compiled_rate.per_wall_second, compiled_rate.per_cpu_second,
                  dag_rate.per_wall_second, dag_rate.per_cpu_second,
                  compiled_rate.per_cpu_second / dag_rate.per_cpu_second, answer(compiled_outputs).c_str(),
                  answer(dag_outputs).c_str());
    }
  }
  std::printf(
      "\n(compiled = TargetModel::run on the gated-linear-rnn weights; dag = evaluate_program on the\n"
      " program's DAG; both over the whole %zu-token prompt from the initial state, no trace;\n"
      " ratio = compiled / dag in tokens per CPU second; answer = the last 3 outputs decoded)\n",
      pairs.size() * 6 + 3);
  return 0;
}
