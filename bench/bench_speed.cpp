// bench_speed: how close the executors come to this machine's limits, each
// figure printed as a ratio against a baseline measured in the same run.
//
//   1. Roofline baselines: a streaming multiply-add (y[i] = y[i] + a x[i],
//      2 flops and 24 bytes an element) over arrays that fit in L1 (the
//      practical arithmetic peak of this build's scalar/SIMD code) and over
//      arrays far larger than the caches (the memory bandwidth).
//   2. The kernels on the compiled discrete_ua (n = 3) layers' own matrices:
//      the dense kernel (kernels::affine) in GFLOP/s against the peak; the
//      sparse one in bytes of non-zeros and indices per second against the
//      bandwidth; the chunked input projection of the GRU's gates
//      (project_columns) in GFLOP/s against the peak.
//   3. Tokens per second of whole models, one sequence (65,536 tokens) and a
//      batch (64 prompts of 1,024 tokens), with and without the program's
//      own evaluation beside it (what `lsrlc run` does by default).
//
//   build/bench_speed [--seconds S]   (time spent on each measurement, default 0.5)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "api/api.hpp"
#include "bench_support.hpp"
#include "runtime/kernels.hpp"
#include "targets/cell_stack.hpp"

namespace {

// Calls `body` until `seconds` of this thread's CPU time have passed (at
// least twice); returns the calls per CPU second. CPU time, not wall time:
// this 2-core machine is shared, and a preempted thread's wall time says
// nothing about the code.
template <typename Body>
double calls_per_second(double seconds, Body&& body) {
  body();
  long long calls = 0;
  const double start = lsrl::bench::thread_cpu_seconds();
  double elapsed = 0;
  while (calls < 2 || elapsed < seconds) {
    body();
    ++calls;
    elapsed = lsrl::bench::thread_cpu_seconds() - start;
  }
  return static_cast<double>(calls) / elapsed;
}

// y[i] = y[i] + a * x[i] over n elements, `repeat` times per call.
double stream_multiply_add(std::size_t n, double seconds, double& bytes_per_second) {
  std::vector<double> x(n, 1.0 / 3.0), y(n, 0.5);
  const double a = 1e-9;
  const std::size_t repeat = std::max<std::size_t>(1, (1u << 22) / n);
  const double rate = calls_per_second(seconds, [&] {
    for (std::size_t r = 0; r < repeat; ++r) {
      double* yp = y.data();
      const double* xp = x.data();
      for (std::size_t i = 0; i < n; ++i) yp[i] = yp[i] + a * xp[i];
      // Keeps the compiler from merging the repeats into one pass.
      asm volatile("" : : "r"(yp) : "memory");
    }
  });
  const double elements = rate * static_cast<double>(repeat) * static_cast<double>(n);
  bytes_per_second = elements * 24.0;
  return elements * 2.0;  // flops
}

std::shared_ptr<const lsrl::api::CompiledModel> compile_discrete_ua(const std::string& source,
                                                                    const std::string& target, int max_length) {
  lsrl::api::CompileOptions options;
  options.filename = "discrete_ua.lsrl";
  options.target = target;
  options.max_sequence_length = max_length;
  lsrl::api::CompileResult compiled = lsrl::api::compile(source, options);
  if (!compiled.ok) {
    std::fprintf(stderr, "%s: %s\n", target.c_str(), lsrl::render_all(compiled.diagnostics).c_str());
    std::exit(1);
  }
  return compiled.model;
}

std::vector<std::vector<double>> random_letters(std::size_t count, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> letter(1, 26);
  std::vector<std::vector<double>> tokens;
  tokens.reserve(count);
  for (std::size_t i = 0; i < count; ++i) tokens.push_back({static_cast<double>(letter(random))});
  return tokens;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 0.5;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::max(0.05, std::atof(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S]\n", argv[0]);
      return 2;
    }
  }
  std::printf("bench_speed: discrete_ua (n = 3), f64, one thread\n%s\n\n", lsrl::bench::machine_line().c_str());

  // 1. Baselines.
  double cache_bytes = 0, memory_bytes = 0;
  const double peak_flops = stream_multiply_add(1024, seconds, cache_bytes);
  const double memory_flops = stream_multiply_add(std::size_t{1} << 24, seconds, memory_bytes);
  std::printf("baseline                                   rate\n");
  std::printf("multiply-add in L1 (2 x 1024 doubles)     %8.2f GFLOP/s  (the peak below)\n", peak_flops / 1e9);
  std::printf("multiply-add from memory (2 x 128 MiB)    %8.2f GB/s     (the bandwidth below; %.2f GFLOP/s)\n\n",
              memory_bytes / 1e9, memory_flops / 1e9);

  const std::string source = lsrl::bench::read_text_file(std::string(LSRL_SOURCE_DIR) + "/examples/discrete_ua.lsrl");

  // 2. Kernels on the compiled layers' matrices.
  const auto linear = compile_discrete_ua(source, "gated-linear-rnn", 65536);
  // Every matrix of the compiled gated-linear-rnn (states' A and B, the ops'
  // Linear W) through the kernel its density picked, timed one by one and
  // summed: the rate over the whole model's matrices.
  std::mt19937 random(1);
  std::uniform_real_distribution<double> value(0.5, 1.5);  // no zeros: the dense kernel skips zero inputs
  double dense_flops = 0, dense_seconds = 0, sparse_bytes = 0, sparse_seconds = 0;
  int dense_count = 0, sparse_count = 0;
  for (const lsrl::PathLayer& layer : linear->path->layers) {
    std::vector<const lsrl::NumSparse*> matrices{&layer.A, &layer.B};
    for (const lsrl::PathOp& op : layer.ops)
      if (op.kind == lsrl::PathOpKind::Linear) matrices.push_back(&op.A);
    for (const lsrl::NumSparse* source_matrix : matrices) {
      const lsrl::WeightMatrix<double> m = lsrl::prepare_matrix<double>(*source_matrix);
      if (m.rows == 0 || m.cols == 0) continue;
      std::vector<double> x(static_cast<std::size_t>(m.cols)), b(static_cast<std::size_t>(m.rows)), y(b.size());
      for (double& v : x) v = value(random);
      for (double& v : b) v = value(random);
      const double rate = calls_per_second(seconds / 10,
                                           [&] {
                                             for (int r = 0; r < 256; ++r) {
                                               lsrl::affine(m, b.data(), x.data(), y.data());
                                               asm volatile("" : : "r"(y.data()) : "memory");
                                             }
                                           }) *
                          256.0;
      if (m.dense) {
        dense_flops += 2.0 * m.rows * m.cols;
        dense_seconds += 1.0 / rate;
        ++dense_count;
      } else {
        // What the kernel reads and writes per call: each non-zero's value
        // and column, the row offsets, the bias and the result.
        sparse_bytes += 12.0 * static_cast<double>(m.nonzeros) + 4.0 * (m.rows + 1) + 16.0 * m.rows;
        sparse_seconds += 1.0 / rate;
        ++sparse_count;
      }
    }
  }
  std::printf("kernel (one token, gated-linear-rnn's own matrices)        rate           / baseline\n");
  std::printf("dense  kernels::affine, %2d matrices                  %8.2f GFLOP/s   %5.2f of the peak\n", dense_count,
              dense_flops / dense_seconds / 1e9, dense_flops / dense_seconds / peak_flops);
  std::printf("sparse kernels::affine, %2d matrices                  %8.2f GB/s      %5.2f of the bandwidth\n",
              sparse_count, sparse_bytes / sparse_seconds / 1e9, sparse_bytes / sparse_seconds / memory_bytes);

  // The GRU's gate input projections over a chunk of 64 steps.
  const auto gru = compile_discrete_ua(source, "gru", 65536);
  const auto* stack = dynamic_cast<const lsrl::CellStackModel*>(gru->model.get());
  if (stack) {
    double flops = 0, elapsed = 0;
    constexpr std::size_t kSteps = 64;
    for (const lsrl::CellLayer& layer : stack->cell_layers()) {
      for (const lsrl::GateBlock& gate : layer.gates) {
        const lsrl::CsrMatrix<double> w = lsrl::to_csr<double>(gate.W_ih);
        if (w.col.empty()) continue;
        const std::vector<double> bias = lsrl::to_scalars<double>(gate.b_ih);
        std::vector<double> x(static_cast<std::size_t>(w.cols) * kSteps), y(static_cast<std::size_t>(w.rows) * kSteps),
            acc(kSteps);
        for (double& v : x) v = value(random);
        const double rate = calls_per_second(seconds / 50, [&] {
          lsrl::project_columns(w, bias, x.data(), kSteps, kSteps, y.data(), static_cast<std::size_t>(w.rows),
                                acc.data());
          asm volatile("" : : "r"(y.data()) : "memory");
        });
        flops += 2.0 * static_cast<double>(w.col.size()) * kSteps;
        elapsed += 1.0 / rate;
      }
    }
    std::printf("chunk  project_columns, gru's W_ih, 64 steps         %8.2f GFLOP/s   %5.2f of the peak\n\n",
                flops / elapsed / 1e9, flops / elapsed / peak_flops);
  }

  // 3. Whole models.
  const auto tokens = random_letters(65536, 2);
  std::vector<std::vector<std::vector<double>>> batch;
  for (unsigned i = 0; i < 64; ++i) batch.push_back(random_letters(1024, 100 + i));
  std::printf("model (tokens per CPU second)  params  nonzeros  one sequence  + program  batch of 64  batch / one\n");
  for (const std::string target : {"dag", "gated-linear-rnn", "gru", "lstm"}) {
    const auto model = target == "gated-linear-rnn" ? linear
                       : target == "gru"            ? gru
                                                    : compile_discrete_ua(source, target, 65536);
    lsrl::api::RunOptions alone;
    alone.compare_with_program = false;
    const lsrl::api::RunOptions checked;  // the default: the program runs beside the model
    const double one = calls_per_second(seconds, [&] { (void)lsrl::api::run(*model, tokens, alone); }) * 65536.0;
    const double with_program =
        model->model ? calls_per_second(seconds, [&] { (void)lsrl::api::run(*model, tokens, checked); }) * 65536.0
                     : one;
    const double batched =
        calls_per_second(seconds, [&] { (void)lsrl::api::run_batch(*model, batch, alone); }) * 65536.0;
    const long long params = model->model ? model->model->parameter_count() : 0;
    const long long nonzeros = model->model ? model->model->nonzero_count() : 0;
    std::printf("%-22s %13lld %9lld  %12.0f  %9.0f  %11.0f  %11.2f\n", target.c_str(), params, nonzeros, one,
                with_program, batched, batched / one);
  }
  std::printf(
      "\n(one sequence: api::run over 65,536 tokens without the program beside it; + program: the\n"
      " default, which also evaluates the program and compares; batch: api::run_batch of 64\n"
      " prompts of 1,024 tokens, without the program)\n");
  return 0;
}
