// bench_compile: how long discrete_ua (paper Listing 2) takes to compile and
// how big the compiled model is, for every f_ifelse form at n = 3 and n = 8,
// on gated-linear-rnn. Prints measured figures, and the reference
// implementation's figures (measured with it on discrete_ua, n = 3, the
// numbers the size and speed goals were set against) beside them as ratios; no
// pass/fail.
//
//   build/bench_compile [--runs K]     (K compilations per row, median shown)
//   build/bench_compile --growth       how compile time grows with the program:
//     discrete_ua n = 3, 6, 12 and continuous_ua d_in = 1, 2, 3 (every form, on
//     gru, the deepest lowering) and the chain `y = y + x` repeated n times for
//     n = 1,000 to 64,000 (gated-linear-rnn), each row's time against the row
//     half its size measured in the same run, as a growth exponent.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>

#include "api/api.hpp"
#include "bench_support.hpp"

namespace {

struct ReferenceFigures {
  long long nonzeros;
  long long widest;
  double compile_seconds;
};

// The reference implementation (AleksandarPetrov/LSRL) on discrete_ua, n = 3,
// as measured with it when the goals in docs/benchmarks.md were set.
std::optional<ReferenceFigures> reference_for(int n, const std::string& form) {
  if (n != 3) return std::nullopt;
  if (form == "multiplicative") return ReferenceFigures{81'419, 3'484, 4.3};
  if (form == "original") return ReferenceFigures{4'007'120, 250'470, 17.6};
  return std::nullopt;
}

struct Timed {
  bool ok = false;
  double build_ms = 0;
  double compile_ms = 0;
  double cpu_ms = 0;
  std::size_t layers = 0;
};

// One compilation through the API, as lsrlc and the page run it.
Timed compile_once(const std::string& source, const lsrl::api::CompileOptions& options) {
  Timed t;
  const double cpu_start = lsrl::bench::thread_cpu_seconds();
  const lsrl::api::CompileResult result = lsrl::api::compile(source, options);
  t.cpu_ms = (lsrl::bench::thread_cpu_seconds() - cpu_start) * 1000.0;
  if (!result.ok) {
    std::printf("FAILED:\n%s", lsrl::render_all(result.diagnostics).c_str());
    return t;
  }
  t.ok = true;
  t.build_ms = result.model->build_ms;
  t.compile_ms = result.model->compile_ms;
  t.layers = result.model->model ? result.model->model->layers().size() : 0;
  return t;
}

int growth(const std::string& source_dir) {
  std::printf("bench_compile --growth: build and compile times (ms, one compilation each; cpu = this thread)\n");
  std::printf("%s\n\n", lsrl::bench::machine_line().c_str());
  std::printf("%-34s %-25s %9s %10s %9s %7s\n", "program", "form", "build ms", "compile ms", "cpu ms", "layers");
  const struct {
    const char* file;
    const char* param;
    std::vector<int> values;
  } examples[] = {{"discrete_ua", "n", {3, 6, 12}}, {"continuous_ua", "d_in", {1, 2, 3}}};
  for (const auto& example : examples) {
    const std::string source = lsrl::bench::read_text_file(source_dir + "/examples/" + example.file + ".lsrl");
    for (int value : example.values) {
      for (const auto& form : lsrl::bench::ifelse_forms()) {
        lsrl::api::CompileOptions options;
        options.filename = std::string(example.file) + ".lsrl";
        options.target = "gru";
        options.params = {{example.param, std::to_string(value)}, {"form", form}};
        const std::string label = std::string(example.file) + " " + example.param + " = " + std::to_string(value);
        std::printf("%-34s %-25s ", label.c_str(), form.c_str());
        const Timed t = compile_once(source, options);
        if (t.ok) std::printf("%9.2f %10.2f %9.2f %7zu\n", t.build_ms, t.compile_ms, t.cpu_ms, t.layers);
      }
    }
  }
  std::printf("\n%-34s %9s %10s %9s %9s\n", "y = y + x, n times (gated-linear-rnn)", "build ms", "compile ms", "cpu ms",
              "exponent");
  double previous_cpu = 0;
  for (int n = 1000; n <= 64000; n *= 2) {
    std::string source = "x = Input(dim=1)\ny = x\n";
    for (int i = 0; i < n; ++i) source += "y = y + x\n";
    source += "return y\n";
    lsrl::api::CompileOptions options;
    options.filename = "chain.lsrl";
    options.target = "gated-linear-rnn";
    const std::string label = "n = " + std::to_string(n);
    std::printf("%-34s ", label.c_str());
    const Timed t = compile_once(source, options);
    if (!t.ok) break;
    // t(2n) / t(n) = 2^k for time growing as n^k: k = 1 is linear.
    const double total = t.cpu_ms;
    if (previous_cpu > 0) {
      std::printf("%9.1f %10.1f %9.1f %9.2f\n", t.build_ms, t.compile_ms, total, std::log2(total / previous_cpu));
    } else {
      std::printf("%9.1f %10.1f %9.1f %9s\n", t.build_ms, t.compile_ms, total, "");
    }
    previous_cpu = total;
  }
  std::printf(
      "\n(exponent = log2 of a row's cpu ms over the row before it, half its size: 1 is linear, 2 quadratic)\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 7;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--growth") == 0) {
      return growth(LSRL_SOURCE_DIR);
    } else {
      std::fprintf(stderr, "usage: %s [--runs K] | --growth\n", argv[0]);
      return 2;
    }
  }
  const std::string source_dir = LSRL_SOURCE_DIR;
  const std::string source = lsrl::bench::read_text_file(source_dir + "/examples/discrete_ua.lsrl");

  std::printf("bench_compile: examples/discrete_ua.lsrl -> gated-linear-rnn, median of %d compilations\n", runs);
  std::printf("%s\n\n", lsrl::bench::machine_line().c_str());
  std::printf("%-3s %-25s %9s %10s %9s %7s %7s %10s %9s %8s %6s\n", "n", "form", "build ms", "compile ms", "cpu ms",
              "layers", "widest", "non-zeros", "params", "nnz pre", "w pre");

  struct Row {
    int n;
    std::string form;
    double compile_ms;
    long long nonzeros;
    int widest;
  };
  std::vector<Row> rows;

  for (int n : {3, 8}) {
    for (const auto& form : lsrl::bench::ifelse_forms()) {
      lsrl::api::CompileOptions options;
      options.filename = "discrete_ua.lsrl";
      options.target = "gated-linear-rnn";
      options.params = {{"n", std::to_string(n)}, {"form", form}};
      std::vector<double> build_ms, compile_ms, cpu_ms;
      std::shared_ptr<const lsrl::api::CompiledModel> model;
      for (int r = 0; r < runs; ++r) {
        const double cpu_start = lsrl::bench::thread_cpu_seconds();
        lsrl::api::CompileResult result = lsrl::api::compile(source, options);
        cpu_ms.push_back((lsrl::bench::thread_cpu_seconds() - cpu_start) * 1000.0);
        if (!result.ok) {
          std::printf("%-3d %-25s FAILED:\n%s", n, form.c_str(), lsrl::render_all(result.diagnostics).c_str());
          break;
        }
        build_ms.push_back(result.model->build_ms);
        compile_ms.push_back(result.model->compile_ms);
        model = result.model;
      }
      if (!model || !model->path) continue;
      const lsrl::PathModel& path = *model->path;
      std::printf("%-3d %-25s %9.2f %10.2f %9.2f %7zu %7d %10lld %9lld %8lld %6d\n", n, form.c_str(),
                  lsrl::bench::median(build_ms), lsrl::bench::median(compile_ms), lsrl::bench::median(cpu_ms),
                  path.layers.size(), path.max_width(), path.nonzero_count(), path.parameter_count(),
                  model->report.nonzeros_before_optimization, model->report.max_width_before_optimization);
      rows.push_back({n, form, lsrl::bench::median(compile_ms), path.nonzero_count(), path.max_width()});
    }
  }

  std::printf(
      "\n(compile ms = Program -> gated-linear-rnn weights: debranching, optimisation, lowering (wall);\n"
      " build ms = source text -> Program (wall); cpu ms = this thread's CPU time for both;\n"
      " widest = the most units in any state or op output; non-zeros and params over all weights;\n"
      " nnz pre / w pre = non-zeros and widest after debranching, before the exact optimisation passes)\n\n");
  std::printf("against the reference implementation (its measured figures, n = 3):\n");
  std::printf("%-25s %22s %22s %24s\n", "form", "non-zeros ours/ref", "widest ours/ref", "compile ours/ref");
  for (const auto& row : rows) {
    auto reference = reference_for(row.n, row.form);
    if (!reference) continue;
    std::printf("%-25s %9lld / %-9lld = %6.4f  %7d / %-7lld = %6.4f  %7.1f ms / %5.1f s = %7.5f\n", row.form.c_str(),
                row.nonzeros, reference->nonzeros, static_cast<double>(row.nonzeros) / reference->nonzeros, row.widest,
                reference->widest, static_cast<double>(row.widest) / reference->widest, row.compile_ms,
                reference->compile_seconds, row.compile_ms / 1000.0 / reference->compile_seconds);
  }
  return 0;
}
