// lsrlc: the native command line over core/api (its interface is the contract
// of docs/language.md and `lsrlc --help`). It parses arguments, reads and
// writes files and prints; every value is checked by the core. stdout carries
// results only; every error goes to stderr as FILE:LINE:COL: error: MESSAGE
// with the source line and a caret, and then nothing at all is printed on
// stdout. Exit status: 0 success, 1 an error in the program, its input or an
// option's value, 2 a malformed command line.
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "api/api.hpp"
#include "args.hpp"
#include "grade.hpp"
#include "inputs.hpp"
#include "noise.hpp"
#include "print.hpp"

namespace lsrl::cli {
namespace {

constexpr int kOk = 0;
constexpr int kError = 1;
constexpr int kUsage = 2;

// Print `diagnostics` on stderr; the command then stops with nothing on stdout.
int fail_with(const std::vector<Diagnostic>& diagnostics) {
  print_diagnostics(diagnostics);
  return kError;
}
std::nullopt_t stop_with(const std::vector<Diagnostic>& diagnostics) {
  print_diagnostics(diagnostics);
  return std::nullopt;
}

// A compiled model, the options it was compiled with and, when the command
// line gives an INPUT, its tokens (read with the built program's widths and
// vocabulary; the weights never depend on them).
struct Prepared {
  api::CompileOptions options;
  std::shared_ptr<const api::CompiledModel> model;
  std::vector<std::vector<double>> tokens;
};

std::optional<Prepared> prepare(const Arguments& args, std::optional<Precision> precision = std::nullopt) {
  std::string source;
  Diagnostic error;
  if (!read_file(args.program_path, source, error)) return stop_with({error});
  const api::CompileOptionsResult options = api::read_compile_options(
      {args.program_path, args.params, args.target, args.activations, args.linear_chains, args.max_length},
      api::kCommandLineNames);
  if (!options.ok) return stop_with(options.diagnostics);
  api::CompileOptions compile_options = options.options;
  compile_options.precision = precision;
  api::CompileResult compiled = api::compile(source, compile_options);
  if (!compiled.ok) return stop_with(compiled.diagnostics);
  print_warnings(compiled.diagnostics);
  Prepared prepared{options.options, std::move(compiled.model), {}};
  if (args.input || args.text || args.input_file || args.prompt_fn || args.dict_file) {
    api::TokensResult tokens = tokens_for_run(args, prepared.model->info);
    if (!tokens.ok) return stop_with(tokens.diagnostics);
    print_warnings(tokens.diagnostics);
    prepared.tokens = std::move(tokens.tokens);
  }
  return prepared;
}

int run_check(const Arguments& args) {
  std::string source;
  Diagnostic error;
  if (!read_file(args.program_path, source, error)) return fail_with({error});
  api::CompileOptions options;
  options.filename = args.program_path;
  options.params = args.params;
  const api::CheckResult checked = api::check(source, options);
  if (!checked.ok) return fail_with(checked.diagnostics);
  print_warnings(checked.diagnostics);
  std::cout << check_text(args.program_path, checked.info);
  return kOk;
}

int run_compile(const Arguments& args) {
  // --precision f32/f16: compile() warns about the constants it cannot hold.
  std::optional<Precision> precision;
  if (args.precision) {
    Precision p = Precision::F64;
    Diagnostic error;
    if (!api::read_precision(*args.precision, api::kCommandLineNames, p, error)) return fail_with({error});
    precision = p;
  }
  const std::optional<Prepared> prepared = prepare(args, precision);
  if (!prepared) return kError;
  std::cout << (args.json ? api::summary_json(*prepared->model).dump(2) + "\n" : summary_text(*prepared->model));
  return kOk;
}

// `run --batch FILE`: one line out per prompt in, in the same order.
int run_batch_file(const Arguments& args, const Prepared& prepared, const api::RunOptions& run_options) {
  const api::CompiledModel& model = *prepared.model;
  std::string text;
  Diagnostic error;
  if (!read_file(*args.batch_file, text, error)) return fail_with({error});
  api::BatchTokensResult prompts = api::parse_batch(text, model.info.input_dim);
  for (Diagnostic& d : prompts.diagnostics) d.file = *args.batch_file;
  if (!prompts.ok) return fail_with(prompts.diagnostics);
  const api::BatchRunResult batch = api::run_batch(model, prompts.prompts, run_options);
  if (!batch.ok) return fail_with(batch.diagnostics);
  if (args.json) {
    nlohmann::json results = nlohmann::json::array();
    for (const api::RunResult& one : batch.results) results.push_back(api::run_json(model, one, false));
    nlohmann::json j{{"target", model.target},
                     {"precision", precision_name(run_options.precision)},
                     {"run_ms", batch.run_ms},
                     {"results", std::move(results)}};
    std::cout << j.dump() << "\n";
    return kOk;
  }
  std::cout << batch_text(batch);
  for (std::size_t i = 0; i < batch.results.size(); ++i) {
    const api::RunResult& one = batch.results[i];
    if (one.fidelity && (prepared.options.activations == Activations::Standard || one.fidelity->max_deviation > 1e-6)) {
      std::cerr << "prompt " << i + 1 << ": " << fidelity_note(model, *one.fidelity, one.outputs.size());
    }
  }
  return kOk;
}

int run_run(const Arguments& args) {
  api::RunOptions run_options;
  run_options.trace = args.trace;
  Diagnostic error;
  if (!api::read_precision(args.precision.value_or(""), api::kCommandLineNames, run_options.precision, error)) {
    return fail_with({error});
  }
  const std::optional<Prepared> prepared = prepare(args);
  if (!prepared) return kError;
  const api::CompiledModel& model = *prepared->model;
  if (args.batch_file) return run_batch_file(args, *prepared, run_options);
  const api::RunResult result = api::run(model, prepared->tokens, run_options);
  if (!result.ok) return fail_with(result.diagnostics);
  // A run in f32 or f16 warns about the constants that precision cannot hold.
  print_warnings(result.diagnostics);
  if (args.json) {
    nlohmann::json j = api::run_json(model, result, args.trace);
    j["precision"] = precision_name(run_options.precision);
    std::cout << j.dump() << "\n";
    return kOk;
  }
  std::cout << run_text(result, args.trace);
  // stdout keeps the contract's shape; the measured fidelity goes to stderr
  // whenever it is worth a look: with the standard activations (never exact),
  // or whenever the model is off.
  if (result.fidelity &&
      (prepared->options.activations == Activations::Standard || result.fidelity->max_deviation > 1e-6)) {
    std::cerr << fidelity_note(model, *result.fidelity, result.outputs.size());
  }
  return kOk;
}

int run_export(const Arguments& args) {
  api::ExportFormat format = api::ExportFormat::Json;
  Diagnostic error;
  if (!api::read_export_format(*args.format, api::kCommandLineNames, format, error)) return fail_with({error});
  const std::optional<Prepared> prepared = prepare(args);
  if (!prepared) return kError;
  const api::ExportResult exported = api::export_model(*prepared->model, format);
  if (!exported.ok) return fail_with(exported.diagnostics);
  const std::string& path = *args.output_path;
  if (!write_file(path, exported.bytes, error)) return fail_with({error});
  std::string report = "wrote " + path + " (" + std::to_string(exported.bytes.size()) + " bytes, " + *args.format +
                       ", target " + prepared->model->target + ")\n";
  // The loader reads a safetensors file: it goes beside one, named after it.
  if (format == api::ExportFormat::Safetensors && exported.loader.empty()) {
    report += "note: target " + prepared->model->target +
              " has no PyTorch module, so no loader was written; the safetensors file holds its weights "
              "(names and shapes are in its header)\n";
  } else if (format == api::ExportFormat::Safetensors) {
    std::filesystem::path loader_path(path);
    loader_path.replace_extension();
    loader_path += "_loader.py";
    if (!write_file(loader_path.string(), exported.loader, error)) return fail_with({error});
    report += "wrote " + loader_path.string() + " (PyTorch loader)\n";
  }
  std::cout << report;
  return kOk;
}

int main_with(const std::vector<std::string>& argv) {
  if (argv.empty()) {
    std::cerr << usage_text();
    return kUsage;
  }
  // grade takes files, not one PROGRAM: its own command line (cli/grade.cpp).
  if (argv.front() == "grade") return run_grade({argv.begin() + 1, argv.end()});
  // noise sweeps forms and noise levels over an example's prompts (cli/noise.cpp).
  if (argv.front() == "noise") return run_noise({argv.begin() + 1, argv.end()});
  ParseOutcome parsed = parse_arguments(argv);
  if (!parsed.ok) {
    std::cerr << "lsrlc: " << parsed.error << "\n" << usage_text();
    return kUsage;
  }
  switch (parsed.args.command) {
    case Command::Help:
      std::cout << help_text();
      return kOk;
    case Command::Check:
      return run_check(parsed.args);
    case Command::Compile:
      return run_compile(parsed.args);
    case Command::Run:
      return run_run(parsed.args);
    case Command::Export:
      return run_export(parsed.args);
  }
  return kUsage;
}

}  // namespace
}  // namespace lsrl::cli

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return lsrl::cli::main_with(args);
  } catch (const std::exception& e) {
    // The core reports through diagnostics; reaching here is a bug, but a
    // user still gets a message rather than an abort.
    std::cerr << "lsrlc: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "lsrlc: internal error\n";
  }
  return 1;
}
