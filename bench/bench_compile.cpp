// bench_compile: how long discrete_ua (paper Listing 2) takes to compile and
// how big the compiled model is, for every f_ifelse form at n = 3 and n = 8,
// on gated-linear-rnn. Prints measured figures, and the reference
// implementation's figures (measured with it on discrete_ua, n = 3, the
// numbers the size and speed goals were set against) beside them as ratios; no
// pass/fail.
//
//   build/bench_compile [--runs K]     (K compilations per row, median shown)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>

#include "bench_support.hpp"
#include "api/api.hpp"

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

}  // namespace

int main(int argc, char** argv) {
  int runs = 7;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--runs K]\n", argv[0]);
      return 2;
    }
  }
  const std::string source_dir = LSRL_SOURCE_DIR;
  const std::string source = lsrl::bench::read_text_file(source_dir + "/examples/discrete_ua.lsrl");

  std::printf("bench_compile: examples/discrete_ua.lsrl -> gated-linear-rnn, median of %d compilations\n", runs);
  std::printf("%s\n\n", lsrl::bench::machine_line().c_str());
  std::printf("%-3s %-25s %9s %10s %9s %7s %7s %10s %9s %8s %6s\n", "n", "form", "build ms", "compile ms",
              "cpu ms", "layers", "widest", "non-zeros", "params", "nnz pre", "w pre");

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
                  path.layers.size(),
                  path.max_width(), path.nonzero_count(), path.parameter_count(),
                  model->report.nonzeros_before_optimization, model->report.max_width_before_optimization);
      rows.push_back({n, form, lsrl::bench::median(compile_ms), path.nonzero_count(), path.max_width()});
    }
  }

  std::printf("\n(compile ms = Program -> gated-linear-rnn weights: debranching, optimisation, lowering (wall);\n"
              " build ms = source text -> Program (wall); cpu ms = this thread's CPU time for both;\n"
              " widest = the most units in any state or op output; non-zeros and params over all weights;\n"
              " nnz pre / w pre = non-zeros and widest after debranching, before the exact optimisation passes)\n\n");
  std::printf("against the reference implementation (its measured figures, n = 3):\n");
  std::printf("%-25s %22s %22s %24s\n", "form", "non-zeros ours/ref", "widest ours/ref", "compile ours/ref");
  for (const auto& row : rows) {
    auto reference = reference_for(row.n, row.form);
    if (!reference) continue;
    std::printf("%-25s %9lld / %-9lld = %6.4f  %7d / %-7lld = %6.4f  %7.1f ms / %5.1f s = %7.5f\n", row.form.c_str(),
                row.nonzeros, reference->nonzeros, static_cast<double>(row.nonzeros) / reference->nonzeros,
                row.widest, reference->widest, static_cast<double>(row.widest) / reference->widest, row.compile_ms,
                reference->compile_seconds, row.compile_ms / 1000.0 / reference->compile_seconds);
  }
  return 0;
}
