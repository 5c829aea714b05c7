// JSON views of the facade's results: what `lsrlc compile --json` and
// `lsrlc run --json` print and what the wasm bindings hand to the page.
// nlohmann::json writes doubles in their shortest round-trip form; values
// that are not finite (an f16 overflow) come out as null.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "api/api.hpp"

namespace lsrl::api {
namespace {

struct WeightCounts {
  long long params = 0;
  long long nonzeros = 0;
};

long long nonzero_entries(const NumVector& v) {
  long long n = 0;
  for (Eigen::Index i = 0; i < v.size(); ++i) n += v[i].is_zero() ? 0 : 1;
  return n;
}

long long nonzero_entries(const NumSparse& m) {
  long long n = 0;
  for (int r = 0; r < m.outerSize(); ++r) {
    for (NumSparse::InnerIterator it(m, r); it; ++it) n += it.value().is_zero() ? 0 : 1;
  }
  return n;
}

// The program's own weights (Linear and LinState nodes the output depends
// on): what "dag" has instead of a compiled model.
WeightCounts program_weights(const Program& program) {
  WeightCounts counts;
  for (NodeId id : program.topological_order()) {
    const Node& n = program.node(id);
    if (n.kind == NodeKind::Linear) {
      counts.params += static_cast<long long>(n.A.rows()) * n.A.cols() + n.b.size();
      counts.nonzeros += nonzero_entries(n.A) + nonzero_entries(n.b);
    } else if (n.kind == NodeKind::LinState) {
      counts.params += static_cast<long long>(n.A.rows()) * n.A.cols() +
                       static_cast<long long>(n.B.rows()) * n.B.cols() + n.b.size() + n.init.size();
      counts.nonzeros += nonzero_entries(n.A) + nonzero_entries(n.B) + nonzero_entries(n.b) + nonzero_entries(n.init);
    }
  }
  return counts;
}

// A param's value as what it is: a number for int and float params, text
// for choices (and for a numeric value that does not read back, never seen).
nlohmann::json param_value(const ParamSpec& p, const std::string& text) {
  if (p.kind == "choice" || text.empty()) return text;
  char* end = nullptr;
  const double number = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() ? nlohmann::json(number) : nlohmann::json(text);
}

nlohmann::json optional_number(const std::optional<double>& x) { return x ? nlohmann::json(*x) : nlohmann::json(); }

nlohmann::json param_json(const ParamSpec& p) {
  return {{"name", p.name},
          {"kind", p.kind},
          {"value", param_value(p, p.value)},
          {"default", param_value(p, p.default_value)},
          {"min", optional_number(p.min)},
          {"max", optional_number(p.max)},
          {"choices", p.choices},
          {"doc", p.doc},
          {"line", p.origin.line}};
}

int layer_count(const CompiledModel& model) { return model.model ? static_cast<int>(model.model->layers().size()) : 0; }

long long parameter_count(const CompiledModel& model) {
  return model.model ? model.model->parameter_count() : program_weights(model.program).params;
}

}  // namespace

nlohmann::json summary_json(const CompiledModel& model) {
  nlohmann::json j;
  j["target"] = model.target;
  j["file"] = model.filename;
  j["input_dim"] = model.program.input_dim();
  j["output_dim"] = model.program.output_dim();

  nlohmann::json program = {{"nodes", model.info.node_count}};
  nlohmann::json params = nlohmann::json::array();
  for (const auto& p : model.info.params) params.push_back(param_json(p));
  program["params"] = std::move(params);
  if (model.info.vocab) program["vocab"] = *model.info.vocab;
  const InputDomain& domain = model.info.input_domain;
  program["input_domain"] = {{"lower", domain.lower},
                             {"upper", domain.upper},
                             {"bounds_source", domain.bounds_source},
                             {"max_length", domain.max_length ? nlohmann::json(*domain.max_length) : nlohmann::json()},
                             {"line", domain.origin.line}};
  j["program"] = std::move(program);

  nlohmann::json layers = nlohmann::json::array();
  int max_width = 0;
  if (model.model) {
    for (const auto& l : model.model->layers()) {
      layers.push_back({{"type", l.type},
                        {"input_dim", l.input_dim},
                        {"hidden_dim", l.hidden_dim},
                        {"output_dim", l.output_dim},
                        {"params", l.params},
                        {"nonzeros", l.nonzeros},
                        {"detail", l.detail}});
      max_width = std::max({max_width, l.hidden_dim, l.output_dim});
    }
    j["params"] = model.model->parameter_count();
    j["nonzeros"] = model.model->nonzero_count();
  } else {
    const WeightCounts counts = program_weights(model.program);
    j["params"] = counts.params;
    j["nonzeros"] = counts.nonzeros;
    for (NodeId id : model.program.topological_order()) max_width = std::max(max_width, model.program.node(id).dim);
  }
  j["layers"] = std::move(layers);
  j["layer_count"] = layer_count(model);
  j["max_width"] = max_width;
  j["build_ms"] = model.build_ms;
  j["compile_ms"] = model.compile_ms;
  j["precision_hazards"] = precision_hazards_json(model);

  if (model.path) {
    j["path"] = {{"layers", model.path->layers.size()},
                 {"params", model.path->parameter_count()},
                 {"nonzeros", model.path->nonzero_count()},
                 {"max_width", model.path->max_width()},
                 {"has_multi", model.path->has_multi()},
                 {"nonzeros_before_optimization", model.report.nonzeros_before_optimization},
                 {"max_width_before_optimization", model.report.max_width_before_optimization}};
    nlohmann::json rules = nlohmann::json::object();
    for (const auto& [name, count] : model.report.rule_counts) rules[name] = count;
    j["rule_counts"] = std::move(rules);
  }
  if (model.model) {
    j["metadata"] = model.model->metadata();
    // The paper's layer bound, next to the count it bounds (the layers
    // without the output head).
    if (j["metadata"].contains("layer_bound")) {
      nlohmann::json bound = j["metadata"]["layer_bound"];
      bound["layers"] = layer_count(model) - 1;
      j["layer_bound"] = std::move(bound);
    }
  }
  // The prompts the model is built for (its weights depend on these, never
  // on a prompt) and every run accepts.
  j["input_domain"] = {{"lower", model.domain.lower},
                       {"upper", model.domain.upper},
                       {"bounds_source", model.domain.bounds_source},
                       {"max_length", model.max_length},
                       {"max_length_source", model.max_length_source}};
  return j;
}

nlohmann::json info_json(const ProgramInfo& info) {
  nlohmann::json params = nlohmann::json::array();
  for (const auto& p : info.params) params.push_back(param_json(p));
  return {{"input_dim", info.input_dim},
          {"output_dim", info.output_dim},
          {"vocab", info.vocab ? nlohmann::json(*info.vocab) : nlohmann::json()},
          {"node_count", info.node_count},
          {"params", std::move(params)}};
}

nlohmann::json path_layers_json(const PathModel& path) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& layer : path.layers) {
    nlohmann::json ops = nlohmann::json::array();
    for (const auto& op : layer.ops) {
      ops.push_back({{"kind", path_op_kind_name(op.kind)},
                     {"input_dim", op.in_dim},
                     {"output_dim", op.out_dim},
                     {"label", op.label}});
    }
    layers.push_back({{"label", layer.label},
                      {"input_dim", layer.in_dim},
                      {"state_dim", layer.state_dim},
                      {"output_dim", layer.out_dim()},
                      {"ops", std::move(ops)}});
  }
  return layers;
}

nlohmann::json targets_json() {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : targets()) {
    list.push_back({{"name", t.name},
                    {"description", t.description},
                    {"available", t.available},
                    {"reason", t.reason},
                    {"supports_multi", t.supports_multi},
                    {"has_activation_modes", t.has_activation_modes},
                    {"uses_linear_chains", t.uses_linear_chains},
                    {"uses_max_length", t.uses_max_length}});
  }
  return list;
}

nlohmann::json trace_json(const Trace& trace) {
  nlohmann::json series = nlohmann::json::array();
  for (const auto& s : trace.series) {
    nlohmann::json rows = nlohmann::json::array();
    for (int t = 0; t < trace.steps; ++t) {
      nlohmann::json row = nlohmann::json::array();
      if (static_cast<std::size_t>(t + 1) * static_cast<std::size_t>(s.dim) <= s.values.size()) {
        for (int u = 0; u < s.dim; ++u) row.push_back(s.at(t, u));
      }
      rows.push_back(std::move(row));
    }
    series.push_back({{"label", s.label}, {"kind", s.kind}, {"layer", s.layer}, {"dim", s.dim}, {"values", rows}});
  }
  return {{"steps", trace.steps}, {"series", std::move(series)}};
}

nlohmann::json run_json(const CompiledModel& model, const RunResult& result, bool with_trace) {
  nlohmann::json j;
  j["outputs"] = result.outputs;
  if (result.text) j["text"] = *result.text;
  j["target"] = model.target;
  j["layers"] = layer_count(model);
  j["params"] = parameter_count(model);
  j["run_ms"] = result.run_ms;
  if (result.fidelity) {
    nlohmann::json f = {{"max_deviation", result.fidelity->max_deviation}};
    if (result.fidelity->wrong_tokens) f["wrong_tokens"] = *result.fidelity->wrong_tokens;
    j["fidelity"] = std::move(f);
  }
  if (with_trace) j["trace"] = trace_json(result.trace);
  if (result.numeric_failure) j["numeric_failure"] = numeric_failure_json(*result.numeric_failure);
  // Warnings too (a run in f16 of constants f16 cannot hold), not only errors.
  if (!result.ok || !result.diagnostics.empty()) j["diagnostics"] = diagnostics_json(result.diagnostics);
  return j;
}

nlohmann::json numeric_failure_json(const NumericFailure& failure) {
  return {{"step", failure.step},      {"output_step", failure.output_step},
          {"output", failure.output},  {"value", failure.value},
          {"where", failure.where},    {"layer", failure.layer},
          {"line", failure.span.line}, {"col", failure.span.col},
          {"cause", failure.cause}};
}

nlohmann::json precision_hazards_json(const CompiledModel& model) {
  nlohmann::json list = nlohmann::json::array();
  for (const PrecisionHazard& h : model.precision_hazards) {
    list.push_back({{"precision", precision_name(h.precision)},
                    {"problem", h.problem},
                    {"value", h.value},
                    // null when the precision makes it an infinity
                    {"rounded", std::isfinite(h.rounded) ? nlohmann::json(h.rounded) : nlohmann::json()},
                    {"node", h.node},
                    {"line", h.span.line},
                    {"col", h.span.col}});
  }
  return list;
}

nlohmann::json diagnostics_json(const std::vector<Diagnostic>& diagnostics) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : diagnostics) {
    list.push_back({{"file", d.file},
                    {"line", d.span.line},
                    {"col", d.span.col},
                    {"length", d.span.length},
                    {"severity", severity_name(d.severity)},
                    {"message", d.message},
                    {"rendered", d.render()}});
  }
  return list;
}

}  // namespace lsrl::api
