// lsrlc: the native command line over core/api (its interface is the contract
// of docs/language.md and `lsrlc --help`). stdout carries results only;
// every error goes to stderr as FILE:LINE:COL: error: MESSAGE with the source
// line and a caret, and then nothing at all is printed on stdout.
// Exit status: 0 success, 1 an error in the program, its input or an option's
// value, 2 a malformed command line.
#include <charconv>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "api/api.hpp"
#include "args.hpp"
#include "export/export.hpp"
#include "grade.hpp"
#include "inputs.hpp"
#include "noise.hpp"

namespace lsrl::cli {
namespace {

constexpr int kOk = 0;
constexpr int kError = 1;
constexpr int kUsage = 2;

void print_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::cerr << render_all(diagnostics) << std::flush;
}

int fail_with(const std::string& message, const std::string& file = "") {
  Diagnostic d;
  d.file = file;
  d.message = message;
  print_diagnostics({d});
  return kError;
}

// Shortest text that reads back to the same double ("0.1", "1e+10", "-3").
std::string format_number(double v) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  if (ec != std::errc()) return "nan";
  return std::string(buffer, end);
}

std::string join_numbers(const std::vector<double>& values, const char* separator) {
  std::string line;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) line += separator;
    line += format_number(values[i]);
  }
  return line;
}

bool read_program(const Arguments& args, std::string& source) {
  Diagnostic error;
  if (!read_file(args.program_path, source, error)) {
    print_diagnostics({error});
    return false;
  }
  return true;
}

// Option values the core does not see as text: checked here, reported like
// any other error (exit 1).
bool compile_options_from(const Arguments& args, api::CompileOptions& options, const std::string& default_target) {
  options.filename = args.program_path;
  options.params = args.params;
  options.target = args.target.value_or(default_target);
  if (args.activations && !api::parse_activations(*args.activations, options.activations)) {
    fail_with("unknown --activations '" + *args.activations + "'; use paper or standard");
    return false;
  }
  if (args.linear_chains && !api::parse_linear_chains(*args.linear_chains, options.linear_chains)) {
    fail_with("unknown --linear-chains '" + *args.linear_chains + "'; use keep or fuse");
    return false;
  }
  if (args.max_length) {
    const std::string& text = *args.max_length;
    const bool digits = !text.empty() && text.size() <= 9 &&
                        text.find_first_not_of("0123456789") == std::string::npos;
    const long value = digits ? std::stol(text) : 0;
    if (value < 1 || value > api::kMaxSequenceLengthLimit) {
      fail_with("--max-length '" + text + "' is not a whole number of tokens between 1 and " +
                std::to_string(api::kMaxSequenceLengthLimit));
      return false;
    }
    options.max_sequence_length = static_cast<int>(value);
  }
  return true;
}

void print_warnings(const std::vector<Diagnostic>& diagnostics) {
  std::vector<Diagnostic> warnings;
  for (const auto& d : diagnostics) {
    if (d.severity != Severity::Error) warnings.push_back(d);
  }
  if (!warnings.empty()) print_diagnostics(warnings);
}

bool has_input(const Arguments& args) {
  return args.input || args.text || args.input_file || args.prompt_fn || args.dict_file;
}

// A compiled model and, when the command line gives an INPUT, its tokens.
struct Prepared {
  std::shared_ptr<const api::CompiledModel> model;
  std::vector<std::vector<double>> tokens;
};

// Builds and compiles the program and, for run, reads its INPUT (whose
// tokens need the program's widths and vocabulary, so the program is checked
// first). The weights never depend on the INPUT.
std::optional<Prepared> prepare(const Arguments& args, const std::string& default_target) {
  std::string source;
  if (!read_program(args, source)) return std::nullopt;
  api::CompileOptions options;
  if (!compile_options_from(args, options, default_target)) return std::nullopt;
  Prepared prepared;
  if (has_input(args)) {
    api::CheckResult checked = api::check(source, options);
    if (!checked.ok) {
      print_diagnostics(checked.diagnostics);
      return std::nullopt;
    }
    api::TokensResult tokens = tokens_for_run(args, checked.info);
    if (!tokens.ok) {
      print_diagnostics(tokens.diagnostics);
      return std::nullopt;
    }
    print_warnings(tokens.diagnostics);
    prepared.tokens = std::move(tokens.tokens);
  }
  api::CompileResult compiled = api::compile(source, options);
  if (!compiled.ok) {
    print_diagnostics(compiled.diagnostics);
    return std::nullopt;
  }
  print_warnings(compiled.diagnostics);
  prepared.model = std::move(compiled.model);
  return prepared;
}

int run_check(const Arguments& args) {
  std::string source;
  if (!read_program(args, source)) return kError;
  api::CompileOptions options;
  options.filename = args.program_path;
  options.params = args.params;
  api::CheckResult checked = api::check(source, options);
  if (!checked.ok) {
    print_diagnostics(checked.diagnostics);
    return kError;
  }
  print_warnings(checked.diagnostics);
  std::ostringstream out;
  out << args.program_path << ": ok: input width " << checked.info.input_dim << ", output width "
      << checked.info.output_dim << ", " << checked.info.node_count << " nodes\n";
  for (const auto& p : checked.info.params) {
    out << "  param " << p.name << " = " << p.value << " (" << p.kind << ", default " << p.default_value;
    if (p.min) out << ", min " << format_number(*p.min);
    if (p.max) out << ", max " << format_number(*p.max);
    if (!p.choices.empty()) {
      out << ", choices";
      for (const auto& c : p.choices) out << ' ' << c;
    }
    out << ")" << (p.doc.empty() ? "" : ": " + p.doc) << "\n";
  }
  if (checked.info.vocab) out << "  vocab \"" << *checked.info.vocab << "\"\n";
  std::cout << out.str();
  return kOk;
}

std::string readable_summary(const api::CompiledModel& model) {
  const nlohmann::json s = api::summary_json(model);
  std::ostringstream out;
  out << model.filename << " -> " << model.target << ": " << s["layer_count"].get<int>() << " layer"
      << (s["layer_count"].get<int>() == 1 ? "" : "s") << ", " << s["params"].get<long long>() << " parameters ("
      << s["nonzeros"].get<long long>() << " non-zero), widest " << s["max_width"].get<int>() << "\n";
  out << "  input width " << s["input_dim"].get<int>() << ", output width " << s["output_dim"].get<int>() << ", "
      << s["program"]["nodes"].get<int>() << " program nodes\n";
  if (s.contains("layer_bound")) {
    const nlohmann::json& b = s["layer_bound"];
    out << "  " << b["layers"].get<int>() << " layers (head aside) within the paper's bound of " << b["bound"].get<int>()
        << ": " << b["rule"].get<std::string>() << "; " << b["relu_layers"].get<int>() << " ReLU, "
        << b["kept_linear_layers"].get<int>() << " kept Linear, " << b["product_layers"].get<int>() << " product layers over "
        << b["path_layers"].get<int>() << " gated layers\n";
  }
  int index = 0;
  for (const auto& layer : s["layers"]) {
    out << "  layer " << index++ << ": " << layer["type"].get<std::string>() << "  in " << layer["input_dim"].get<int>()
        << ", hidden " << layer["hidden_dim"].get<int>() << ", out " << layer["output_dim"].get<int>() << "; "
        << layer["params"].get<long long>() << " params, " << layer["nonzeros"].get<long long>() << " non-zero";
    const std::string detail = layer["detail"].get<std::string>();
    if (!detail.empty()) out << "; " << detail;
    out << "\n";
  }
  if (s.contains("rule_counts") && !s["rule_counts"].empty()) {
    out << "  rules:";
    for (const auto& [name, count] : s["rule_counts"].items()) out << ' ' << name << " x" << count.get<int>();
    out << "\n";
  }
  char timing[128];
  std::snprintf(timing, sizeof timing, "  built in %.2f ms, compiled in %.2f ms\n", model.build_ms, model.compile_ms);
  out << timing;
  return out.str();
}

int run_compile(const Arguments& args) {
  const std::optional<Prepared> prepared = prepare(args, "");
  if (!prepared) return kError;
  const auto& model = prepared->model;
  if (args.json) {
    std::cout << api::summary_json(*model).dump(2) << "\n";
  } else {
    std::cout << readable_summary(*model);
  }
  return kOk;
}

std::string trace_text(const Trace& trace) {
  std::ostringstream out;
  out << "trace:\n";
  for (const auto& s : trace.series) {
    out << "  " << s.label << " (" << s.kind;
    // Compiled models' labels usually say their layer already.
    if (s.layer >= 0 && s.label.find("layer") == std::string::npos) out << ", layer " << s.layer;
    out << "):";
    for (int t = 0; t < trace.steps; ++t) {
      out << (t ? " | " : " ");
      for (int u = 0; u < s.dim; ++u) out << (u ? "," : "") << format_number(s.at(t, u));
    }
    out << "\n";
  }
  return out.str();
}

std::string fidelity_note(const api::CompiledModel& model, const api::Fidelity& fidelity, std::size_t steps) {
  char deviation[32];
  std::snprintf(deviation, sizeof deviation, "%.2g", fidelity.max_deviation);
  std::string note = "note: " + model.target + " vs the program on this input: max deviation " + deviation +
                     " (|model - program| / max(1, |program|))";
  if (fidelity.wrong_tokens) {
    note += ", " + std::to_string(*fidelity.wrong_tokens) + " of " + std::to_string(steps) + " tokens wrong";
  }
  return note + "\n";
}

int run_run(const Arguments& args) {
  Precision precision = Precision::F64;
  if (args.precision && !parse_precision(*args.precision, precision)) {
    return fail_with("unknown --precision '" + *args.precision + "'; use f64, f32 or f16");
  }
  const std::optional<Prepared> prepared = prepare(args, "dag");
  if (!prepared) return kError;
  const auto& model = prepared->model;

  api::RunOptions run_options;
  run_options.precision = precision;
  run_options.trace = args.trace;
  api::RunResult result = api::run(*model, prepared->tokens, run_options);
  if (!result.ok) {
    print_diagnostics(result.diagnostics);
    return kError;
  }
  if (args.json) {
    nlohmann::json j = api::run_json(*model, result, args.trace);
    j["precision"] = precision_name(precision);
    std::cout << j.dump() << "\n";
    return kOk;
  }
  std::string out;
  for (const auto& row : result.outputs) out += join_numbers(row, " ") + "\n";
  if (result.text) out += "text: " + *result.text + "\n";
  if (args.trace) out += trace_text(result.trace);
  std::cout << out;
  // stdout keeps the contract's shape; the measured fidelity goes to stderr
  // whenever it is worth a look: with the standard activations (never exact),
  // or whenever the model is off.
  if (result.fidelity && (args.activations == "standard" || result.fidelity->max_deviation > 1e-6)) {
    std::cerr << fidelity_note(*model, *result.fidelity, result.outputs.size());
  }
  return kOk;
}

bool write_file(const std::string& path, const std::string& bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return false;
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  file.close();
  return static_cast<bool>(file);
}

int run_export(const Arguments& args) {
  const std::string& format = *args.format;
  if (format != "json" && format != "safetensors") {
    return fail_with("unknown --format '" + format + "'; use json or safetensors");
  }
  if (*args.target == "dag") {
    return fail_with("export writes a compiled model's weights, and dag is the program itself; choose a target "
                     "such as --target gated-linear-rnn");
  }
  const std::optional<Prepared> prepared = prepare(args, "");
  if (!prepared) return kError;
  const auto& model = prepared->model;
  const std::string& path = *args.output_path;
  std::string bytes;
  std::string loader;
  try {
    bytes = format == "json" ? export_json(*model->model) : export_safetensors(*model->model);
    if (format == "safetensors") loader = pytorch_loader_source(*model->model);
  } catch (const LsrlError& e) {
    print_diagnostics({e.to_diagnostic(args.program_path)});
    return kError;
  }
  if (!write_file(path, bytes)) return fail_with("cannot write the file", path);
  std::string report = "wrote " + path + " (" + std::to_string(bytes.size()) + " bytes, " + format + ", target " +
                       model->target + ")\n";
  if (format == "safetensors") {
    if (loader.empty()) {
      report += "note: target " + model->target +
                " has no PyTorch module, so no loader was written; the safetensors file holds its weights "
                "(names and shapes are in its header)\n";
    } else {
      std::filesystem::path loader_path(path);
      loader_path.replace_extension();
      loader_path += "_loader.py";
      if (!write_file(loader_path.string(), loader)) return fail_with("cannot write the file", loader_path.string());
      report += "wrote " + loader_path.string() + " (PyTorch loader)\n";
    }
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
    case Command::Help: std::cout << help_text(); return kOk;
    case Command::Check: return run_check(parsed.args);
    case Command::Compile: return run_compile(parsed.args);
    case Command::Run: return run_run(parsed.args);
    case Command::Export: return run_export(parsed.args);
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
