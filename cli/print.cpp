#include "print.hpp"

#include <charconv>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace lsrl::cli {

std::string format_number(double v) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  if (ec != std::errc()) return "nan";
  return std::string(buffer, end);
}

std::string check_text(const std::string& path, const ProgramInfo& info) {
  std::ostringstream out;
  out << path << ": ok: input width " << info.input_dim << ", output width " << info.output_dim << ", "
      << info.node_count << " nodes\n";
  for (const auto& p : info.params) {
    out << "  param " << p.name << " = " << p.value << " (" << p.kind << ", default " << p.default_value;
    if (p.min) out << ", min " << format_number(*p.min);
    if (p.max) out << ", max " << format_number(*p.max);
    if (!p.choices.empty()) {
      out << ", choices";
      for (const auto& c : p.choices) out << ' ' << c;
    }
    out << ")" << (p.doc.empty() ? "" : ": " + p.doc) << "\n";
  }
  if (info.vocab) out << "  vocab \"" << *info.vocab << "\"\n";
  return out.str();
}

std::string summary_text(const api::CompiledModel& model) {
  const nlohmann::json s = api::summary_json(model);
  std::ostringstream out;
  out << model.filename << " -> " << model.target << ": " << s["layer_count"].get<int>() << " layer"
      << (s["layer_count"].get<int>() == 1 ? "" : "s") << ", " << s["params"].get<long long>() << " parameters ("
      << s["nonzeros"].get<long long>() << " non-zero), widest " << s["max_width"].get<int>() << "\n";
  out << "  input width " << s["input_dim"].get<int>() << ", output width " << s["output_dim"].get<int>() << ", "
      << s["program"]["nodes"].get<int>() << " program nodes\n";
  if (s.contains("layer_bound")) {
    const nlohmann::json& b = s["layer_bound"];
    out << "  " << b["layers"].get<int>() << " layers (head aside) within the paper's bound of "
        << b["bound"].get<int>() << ": " << b["rule"].get<std::string>() << "; " << b["relu_layers"].get<int>()
        << " ReLU, " << b["kept_linear_layers"].get<int>() << " kept Linear, " << b["product_layers"].get<int>()
        << " product layers over " << b["path_layers"].get<int>() << " gated layers\n";
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

std::string run_text(const api::RunResult& result, bool with_trace) {
  std::ostringstream out;
  for (const auto& row : result.outputs) {
    for (std::size_t i = 0; i < row.size(); ++i) out << (i ? " " : "") << format_number(row[i]);
    out << "\n";
  }
  if (result.text) out << "text: " << *result.text << "\n";
  if (!with_trace) return out.str();
  const Trace& trace = result.trace;
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

std::string batch_text(const api::BatchRunResult& batch) {
  std::string out;
  for (const api::RunResult& one : batch.results) {
    for (std::size_t t = 0; t < one.outputs.size(); ++t) {
      const std::vector<double>& row = one.outputs[t];
      if (t) out += ' ';
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (i) out += ',';
        out += format_number(row[i]);
      }
    }
    out += '\n';
  }
  return out;
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

void print_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::cerr << render_all(diagnostics) << std::flush;
}

void print_warnings(const std::vector<Diagnostic>& diagnostics) {
  std::vector<Diagnostic> warnings;
  for (const auto& d : diagnostics) {
    if (d.severity != Severity::Error) warnings.push_back(d);
  }
  if (!warnings.empty()) print_diagnostics(warnings);
}

}  // namespace lsrl::cli
