// Embind bindings over core/api: turn core results into plain JS values.
//
// No logic of its own: every call maps JS arguments to a core/api call and the
// result back to a JS object { ok, diagnostics, ... }. Nothing here throws into
// JS: a C++ exception that crossed Embind would arrive as a bare number, so
// each entry point catches everything and reports it as a diagnostic.
//
// Large numeric data crosses as typed arrays (tokens in, outputs and trace
// series out), not as arrays of arrays, so a million-token prompt costs one
// copy rather than a million JS calls. web/src/worker.js reshapes them.

#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "api/api.hpp"
#include "export/export.hpp"
#include "prompts/prompts.hpp"
#include "targets/registry.hpp"

#ifndef LSRL_VERSION
#define LSRL_VERSION "0.0.0"
#endif

namespace {

using emscripten::val;
using lsrl::Diagnostic;

// --- conversions ---------------------------------------------------------------

const char* severity_name(lsrl::Severity severity) {
  switch (severity) {
    case lsrl::Severity::Error: return "error";
    case lsrl::Severity::Warning: return "warning";
    case lsrl::Severity::Note: return "note";
  }
  return "error";
}

val diagnostic_to_val(const Diagnostic& d) {
  val out = val::object();
  out.set("line", d.span.line);
  out.set("col", d.span.col);
  out.set("length", d.span.length);
  out.set("severity", std::string(severity_name(d.severity)));
  out.set("message", d.message);
  out.set("rendered", d.render());
  return out;
}

val diagnostics_to_val(const std::vector<Diagnostic>& diagnostics) {
  val out = val::array();
  for (const auto& d : diagnostics) out.call<void>("push", diagnostic_to_val(d));
  return out;
}

// A result that failed without a source position (bad arguments, internal error).
val failure(const std::string& message) {
  Diagnostic d;
  d.message = message;
  val out = val::object();
  out.set("ok", false);
  val diagnostics = val::array();
  diagnostics.call<void>("push", diagnostic_to_val(d));
  out.set("diagnostics", diagnostics);
  return out;
}

val result_head(bool ok, const std::vector<Diagnostic>& diagnostics) {
  val out = val::object();
  out.set("ok", ok);
  out.set("diagnostics", diagnostics_to_val(diagnostics));
  return out;
}

// Runs `body`; whatever escapes it becomes an ok:false result. The core's API
// never throws by contract; this is the last line of defence (bad_alloc, a bug).
template <class Body>
val guarded(const char* what, Body&& body) {
  try {
    return body();
  } catch (const lsrl::LsrlError& e) {
    Diagnostic d = e.to_diagnostic("<input>");
    val out = val::object();
    out.set("ok", false);
    val diagnostics = val::array();
    diagnostics.call<void>("push", diagnostic_to_val(d));
    out.set("diagnostics", diagnostics);
    return out;
  } catch (const std::bad_alloc&) {
    return failure(std::string(what) + ": out of memory; try a smaller parameter or a shorter input");
  } catch (const std::exception& e) {
    return failure(std::string(what) + ": internal error (" + e.what() + "); please report it with the program");
  } catch (...) {
    return failure(std::string(what) + ": internal error; please report it with the program");
  }
}

val json_to_val(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return val::null();
    case nlohmann::json::value_t::boolean:
      return val(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return val(static_cast<double>(j.get<std::int64_t>()));
    case nlohmann::json::value_t::number_unsigned:
      return val(static_cast<double>(j.get<std::uint64_t>()));
    case nlohmann::json::value_t::number_float:
      return val(j.get<double>());
    case nlohmann::json::value_t::string:
      return val(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      val out = val::array();
      for (const auto& item : j) out.call<void>("push", json_to_val(item));
      return out;
    }
    case nlohmann::json::value_t::object: {
      val out = val::object();
      for (auto it = j.begin(); it != j.end(); ++it) out.set(it.key(), json_to_val(it.value()));
      return out;
    }
    case nlohmann::json::value_t::binary:
      return val::null();
  }
  return val::null();
}

// A copy of `data` as a new Float64Array (the view into wasm memory would be
// invalidated by the next memory growth).
val float64_array(const double* data, std::size_t size) {
  return val::global("Float64Array").new_(emscripten::typed_memory_view(size, data));
}

val uint8_array(const std::string& bytes) {
  return val::global("Uint8Array")
      .new_(emscripten::typed_memory_view(bytes.size(), reinterpret_cast<const unsigned char*>(bytes.data())));
}

// Rows (steps x dim) as { rows, dim, data: Float64Array }.
val rows_to_flat(const std::vector<std::vector<double>>& rows) {
  std::size_t dim = rows.empty() ? 0 : rows.front().size();
  std::vector<double> flat;
  flat.reserve(rows.size() * dim);
  for (const auto& row : rows) flat.insert(flat.end(), row.begin(), row.end());
  val out = val::object();
  out.set("rows", static_cast<double>(rows.size()));
  out.set("dim", static_cast<double>(dim));
  out.set("data", float64_array(flat.data(), flat.size()));
  return out;
}

// A flat Float64Array (or plain array) of steps x dim numbers -> rows.
bool flat_to_rows(const val& flat, int steps, int dim, std::vector<std::vector<double>>& rows, std::string& error) {
  if (steps < 0 || dim < 0) {
    error = "the token count and width must not be negative";
    return false;
  }
  std::vector<double> values = emscripten::convertJSArrayToNumberVector<double>(flat);
  if (values.size() != static_cast<std::size_t>(steps) * static_cast<std::size_t>(dim)) {
    error = "expected " + std::to_string(steps) + " tokens of " + std::to_string(dim) + " numbers, got " +
            std::to_string(values.size()) + " numbers";
    return false;
  }
  rows.assign(static_cast<std::size_t>(steps), std::vector<double>(static_cast<std::size_t>(dim)));
  for (int s = 0; s < steps; ++s)
    for (int u = 0; u < dim; ++u)
      rows[static_cast<std::size_t>(s)][static_cast<std::size_t>(u)] =
          values[static_cast<std::size_t>(s) * static_cast<std::size_t>(dim) + static_cast<std::size_t>(u)];
  return true;
}

val tokens_result(bool ok, const std::vector<Diagnostic>& diagnostics, const std::vector<std::vector<double>>& tokens) {
  val out = result_head(ok, diagnostics);
  out.set("tokens", rows_to_flat(tokens));
  return out;
}

// Whether an options object sets `name` (undefined counts as left out).
bool given(const val& options, const char* name) {
  return options.hasOwnProperty(name) && !options[name].isUndefined();
}

// Any JS value as String() writes it, for messages about a bad option.
std::string as_text(const val& value) { return val::global("String")(value).as<std::string>(); }

val optional_number(const std::optional<double>& x) { return x ? val(*x) : val::null(); }

// Numeric params come back as numbers, choices as strings.
val param_value(const lsrl::ParamSpec& spec, const std::string& text) {
  if (spec.kind == "choice") return val(text);
  try {
    std::size_t used = 0;
    double number = std::stod(text, &used);
    if (used == text.size()) return val(number);
  } catch (...) {
  }
  return val(text);
}

val info_to_val(const lsrl::ProgramInfo& info) {
  val out = val::object();
  out.set("inputDim", info.input_dim);
  out.set("outputDim", info.output_dim);
  out.set("vocab", info.vocab ? val(*info.vocab) : val::null());
  out.set("nodeCount", info.node_count);
  val params = val::array();
  for (const auto& p : info.params) {
    val param = val::object();
    param.set("name", p.name);
    param.set("kind", p.kind);
    param.set("default", param_value(p, p.default_value));
    param.set("value", param_value(p, p.value));
    param.set("min", optional_number(p.min));
    param.set("max", optional_number(p.max));
    val choices = val::array();
    for (const auto& c : p.choices) choices.call<void>("push", c);
    param.set("choices", choices);
    param.set("doc", p.doc);
    param.set("line", p.origin.line);
    params.call<void>("push", param);
  }
  out.set("params", params);
  return out;
}

val layer_to_val(const lsrl::LayerSummary& layer) {
  val out = val::object();
  out.set("type", layer.type);
  out.set("inputDim", layer.input_dim);
  out.set("hiddenDim", layer.hidden_dim);
  out.set("outputDim", layer.output_dim);
  out.set("params", static_cast<double>(layer.params));
  out.set("nonzeros", static_cast<double>(layer.nonzeros));
  out.set("detail", layer.detail);
  return out;
}

// The debranched PathModel layer by layer (after optimisation): what the
// hidden-state heatmaps of linear-rnn / gated-linear-rnn show, and how the
// path graph's layers line up with them.
val path_to_val(const lsrl::PathModel& path) {
  val layers = val::array();
  for (const auto& layer : path.layers) {
    val l = val::object();
    l.set("label", layer.label);
    l.set("inputDim", layer.in_dim);
    l.set("stateDim", layer.state_dim);
    l.set("outputDim", layer.out_dim());
    val ops = val::array();
    for (const auto& op : layer.ops) {
      val o = val::object();
      o.set("kind", std::string(lsrl::path_op_kind_name(op.kind)));
      o.set("inputDim", op.in_dim);
      o.set("outputDim", op.out_dim);
      o.set("label", op.label);
      ops.call<void>("push", o);
    }
    l.set("ops", ops);
    layers.call<void>("push", l);
  }
  return layers;
}

// The paper's layer bound next to the layer count it bounds (core/api/json.cpp
// puts them together: `compile --json`'s "layer_bound"); null for dag and the
// linear targets, which have no such bound.
val layer_bound_to_val(const lsrl::api::CompiledModel& m) {
  const nlohmann::json summary = lsrl::api::summary_json(m);
  if (!summary.contains("layer_bound")) return val::null();
  const nlohmann::json& bound = summary["layer_bound"];
  const auto field = [&](const char* key) { return json_to_val(bound.value(key, nlohmann::json())); };
  val out = val::object();
  out.set("bound", field("bound"));
  out.set("layers", field("layers"));
  out.set("rule", field("rule"));
  out.set("pathLayers", field("path_layers"));
  out.set("reluLayers", field("relu_layers"));
  out.set("keptLinearLayers", field("kept_linear_layers"));
  out.set("productLayers", field("product_layers"));
  out.set("linearChains", field("linear_chains"));
  return out;
}

val summary_to_val(const lsrl::api::CompiledModel& m) {
  val out = val::object();
  out.set("target", m.target);
  val layers = val::array();
  if (m.model) {
    for (const auto& layer : m.model->layers()) layers.call<void>("push", layer_to_val(layer));
    out.set("params", static_cast<double>(m.model->parameter_count()));
    out.set("nonzeros", static_cast<double>(m.model->nonzero_count()));
  } else {
    out.set("params", val::null());
    out.set("nonzeros", val::null());
  }
  out.set("layers", layers);
  out.set("path", m.path ? path_to_val(*m.path) : val::null());
  out.set("compileMs", m.compile_ms);
  out.set("buildMs", m.build_ms);
  val rules = val::object();
  for (const auto& [rule, count] : m.report.rule_counts) rules.set(rule, count);
  out.set("ruleCounts", rules);
  out.set("nonzerosBeforeOptimization", static_cast<double>(m.report.nonzeros_before_optimization));
  out.set("maxWidthBeforeOptimization", m.report.max_width_before_optimization);
  out.set("layerBound", layer_bound_to_val(m));
  // The prompts the model is built for (its weights depend on these, never
  // on a prompt) and every run accepts.
  val domain = val::object();
  val lower = val::array(), upper = val::array();
  for (double v : m.domain.lower) lower.call<void>("push", v);
  for (double v : m.domain.upper) upper.call<void>("push", v);
  domain.set("lower", lower);
  domain.set("upper", upper);
  domain.set("boundsSource", m.domain.bounds_source);
  domain.set("maxLength", m.max_length);
  domain.set("maxLengthSource", m.max_length_source);
  out.set("inputDomain", domain);
  return out;
}

val graphs_to_val(const lsrl::api::CompiledModel& m) {
  val out = val::object();
  out.set("program", json_to_val(lsrl::graph_to_json(m.program)));
  out.set("path", m.path && !m.report.path_graph.is_null() ? json_to_val(m.report.path_graph) : val::null());
  return out;
}

val trace_to_val(const lsrl::Trace& trace) {
  val out = val::object();
  out.set("steps", trace.steps);
  val series = val::array();
  for (const auto& s : trace.series) {
    val item = val::object();
    item.set("label", s.label);
    item.set("kind", s.kind);
    item.set("layer", s.layer);
    item.set("dim", s.dim);
    item.set("values", float64_array(s.values.data(), s.values.size()));
    series.call<void>("push", item);
  }
  out.set("series", series);
  return out;
}

std::string base_name(const std::string& filename) {
  std::string name = filename;
  auto slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name = name.substr(slash + 1);
  auto dot = name.rfind('.');
  if (dot != std::string::npos && dot > 0) name = name.substr(0, dot);
  if (name.empty() || name.front() == '<') name = "model";
  return name;
}

// --- free functions ----------------------------------------------------------

std::string version() { return LSRL_VERSION; }

val targets() {
  return guarded("targets", [] {
    val out = val::array();
    val dag = val::object();
    dag.set("name", std::string("dag"));
    dag.set("description", std::string("The program's own semantics, node by node (no compilation)"));
    dag.set("available", true);
    dag.set("reason", std::string());
    dag.set("supportsMulti", true);
    dag.set("hasActivationModes", false);
    dag.set("usesLinearChains", false);
    dag.set("usesMaxLength", false);
    out.call<void>("push", dag);
    for (const auto& t : lsrl::list_targets()) {
      val item = val::object();
      item.set("name", t.name);
      item.set("description", t.description);
      item.set("available", t.available);
      item.set("reason", t.reason);
      item.set("supportsMulti", t.supports_multi);
      item.set("hasActivationModes", t.has_activation_modes);
      item.set("usesLinearChains", t.uses_linear_chains);
      item.set("usesMaxLength", t.uses_max_length);
      out.call<void>("push", item);
    }
    return out;
  });
}

val parse_tokens(const std::string& text, int input_dim) {
  return guarded("parseTokens", [&] {
    auto r = lsrl::api::parse_tokens(text, input_dim);
    return tokens_result(r.ok, r.diagnostics, r.tokens);
  });
}

val parse_csv(const std::string& text, int input_dim) {
  return guarded("parseCsv", [&] {
    auto r = lsrl::api::parse_csv(text, input_dim);
    return tokens_result(r.ok, r.diagnostics, r.tokens);
  });
}

val continuous_prompt(const std::string& fn_text, int input_dims, int cells_per_axis, const val& query) {
  return guarded("continuousPrompt", [&] {
    lsrl::TargetFunction f;
    Diagnostic error;
    if (!lsrl::TargetFunction::parse(fn_text, input_dims, f, error)) {
      if (error.file.empty()) error.file = "<function>";
      error.source_line = fn_text;
      return tokens_result(false, {error}, {});
    }
    auto r = lsrl::build_continuous_prompt(f, cells_per_axis, emscripten::convertJSArrayToNumberVector<double>(query));
    return tokens_result(r.ok, r.diagnostics, r.tokens);
  });
}

// pairs: a JS array of [key, value] arrays.
val dictionary_prompt(const std::string& query, const val& pairs, const std::string& vocab) {
  return guarded("dictionaryPrompt", [&] {
    std::vector<std::pair<std::string, std::string>> table;
    const int count = pairs["length"].as<int>();
    for (int i = 0; i < count; ++i) {
      val pair = pairs[i];
      table.emplace_back(pair[0].as<std::string>(), pair[1].as<std::string>());
    }
    auto r = lsrl::build_dictionary_prompt(query, table, vocab);
    return tokens_result(r.ok, r.diagnostics, r.tokens);
  });
}

// points: flat Float64Array of count x input_dims numbers in [0,1]^d.
val evaluate_function(const std::string& fn_text, int input_dims, const val& points, int count) {
  return guarded("evaluateFunction", [&] {
    lsrl::TargetFunction f;
    Diagnostic error;
    if (!lsrl::TargetFunction::parse(fn_text, input_dims, f, error)) {
      if (error.file.empty()) error.file = "<function>";
      error.source_line = fn_text;
      val out = result_head(false, {error});
      return out;
    }
    std::vector<std::vector<double>> rows;
    std::string problem;
    if (!flat_to_rows(points, count, input_dims, rows, problem)) return failure("evaluateFunction: " + problem);
    std::vector<std::vector<double>> values;
    values.reserve(rows.size());
    for (const auto& x : rows) values.push_back(f(x));
    val out = result_head(true, {});
    out.set("outputDim", f.output_dims());
    out.set("values", rows_to_flat(values));
    return out;
  });
}

// --- the session: compiled models by id -------------------------------------

// options: { target, params: [[name, value]], activations: 'paper'|'standard',
// linearChains: 'keep'|'fuse', maxLength: integer, filename }; an option left
// out (or undefined) keeps the core's default. False, with `problem` saying
// why, for a value the core has no name for or a maxLength that is no whole
// number (an unknown target is the core's to report, with its suggestion).
bool read_compile_options(const val& options, lsrl::api::CompileOptions& co, std::string& problem) {
  if (options.hasOwnProperty("filename") && options["filename"].isString())
    co.filename = options["filename"].as<std::string>();
  if (options.hasOwnProperty("target") && options["target"].isString()) co.target = options["target"].as<std::string>();
  if (given(options, "activations")) {
    const val activations = options["activations"];
    const std::string text = as_text(activations);
    // An empty string means paper, as a missing one does.
    if (!activations.isString() || (!text.empty() && !lsrl::api::parse_activations(text, co.activations))) {
      problem = "unknown activations '" + text + "': use 'paper' or 'standard'";
      return false;
    }
  }
  if (given(options, "linearChains")) {
    const val chains = options["linearChains"];
    const std::string text = as_text(chains);
    if (!chains.isString() || !lsrl::api::parse_linear_chains(text, co.linear_chains)) {
      problem = "unknown linearChains '" + text + "': use 'keep' or 'fuse'";
      return false;
    }
  }
  if (given(options, "maxLength")) {
    // Refused here only if it is no whole number that fits an int; the core
    // checks the range and says so in its own words.
    const val length = options["maxLength"];
    const double number = length.isNumber() ? length.as<double>() : std::nan("");
    if (!(std::trunc(number) == number && number >= std::numeric_limits<int>::min() &&
          number <= std::numeric_limits<int>::max())) {
      problem = "the maximum sequence length (maxLength) must be a whole number of tokens between 1 and " +
                std::to_string(lsrl::api::kMaxSequenceLengthLimit) +
                (length.isNumber() && std::isfinite(number) ? " (got " + as_text(length) + ")" : "");
      return false;
    }
    co.max_sequence_length = static_cast<int>(number);
  }
  if (options.hasOwnProperty("params") && options["params"].isArray()) {
    // [[name, value], ...]: the worker turns { name: value } into this.
    const int count = options["params"]["length"].as<int>();
    for (int i = 0; i < count; ++i) {
      val pair = options["params"][i];
      co.params[pair[0].as<std::string>()] = pair[1].as<std::string>();
    }
  }
  return true;
}

// A compile result `out` (ok false) completed with the fields a model would
// fill: null, but for the program's info when it built.
val without_model(val out, const val& info) {
  out.set("modelId", val::null());
  out.set("info", info);
  out.set("summary", val::null());
  out.set("graphs", val::null());
  return out;
}

// Owns the compiled models of one worker. Ids start at `first_id` so that a
// restarted worker never reuses an id the page may still hold.
class Session {
 public:
  explicit Session(int first_id) : next_id_(first_id < 1 ? 1 : first_id) {}

  // options: see read_compile_options.
  val compile(const std::string& source, const val& options) {
    return guarded("compile", [&] {
      lsrl::api::CompileOptions co;
      std::string problem;
      if (!read_compile_options(options, co, problem)) return without_model(failure(problem), val::null());
      auto result = lsrl::api::compile(source, co);
      val out = result_head(result.ok && result.model != nullptr, result.diagnostics);
      if (!result.ok || !result.model) {
        // The program may have built but failed for the target: its info
        // (params, widths) still drives the page's controls.
        auto checked = lsrl::api::check(source, co);
        return without_model(out, checked.ok ? info_to_val(checked.info) : val::null());
      }
      const int id = next_id_++;
      models_[id] = result.model;
      out.set("modelId", id);
      out.set("info", info_to_val(result.model->info));
      out.set("summary", summary_to_val(*result.model));
      out.set("graphs", graphs_to_val(*result.model));
      return out;
    });
  }

  // tokens: flat Float64Array of steps x dim; precision 'f64'|'f32'|'f16'.
  val run(int model_id, const val& tokens, int steps, int dim, const std::string& precision, bool trace) {
    return guarded("run", [&] {
      auto model = find(model_id);
      if (!model) return unknown_model(model_id);
      lsrl::api::RunOptions ro;
      if (!lsrl::parse_precision(precision.empty() ? "f64" : precision, ro.precision))
        return failure("unknown precision '" + precision + "': use f64, f32 or f16");
      ro.trace = trace;
      std::vector<std::vector<double>> rows;
      std::string problem;
      if (!flat_to_rows(tokens, steps, dim, rows, problem)) return failure("run: " + problem);
      auto r = lsrl::api::run(*model, rows, ro);
      val out = result_head(r.ok, r.diagnostics);
      out.set("outputs", rows_to_flat(r.outputs));
      out.set("text", r.text ? val(*r.text) : val::null());
      out.set("runMs", r.run_ms);
      if (r.fidelity) {
        val fidelity = val::object();
        fidelity.set("maxDeviation", r.fidelity->max_deviation);
        fidelity.set("wrongTokens", r.fidelity->wrong_tokens ? val(*r.fidelity->wrong_tokens) : val::null());
        out.set("fidelity", fidelity);
      } else {
        out.set("fidelity", val::null());
      }
      out.set("trace", trace && r.ok ? trace_to_val(r.trace) : val::null());
      return out;
    });
  }

  val encode_text(const std::string& text, int model_id) {
    return guarded("encodeText", [&] {
      auto model = find(model_id);
      if (!model) return unknown_model(model_id);
      auto r = lsrl::api::encode_text(text, model->info);
      return tokens_result(r.ok, r.diagnostics, r.tokens);
    });
  }

  // format: 'json' | 'safetensors'.
  val export_model(int model_id, const std::string& format) {
    return guarded("exportModel", [&] {
      auto model = find(model_id);
      if (!model) return unknown_model(model_id);
      if (!model->model)
        return failure("the dag target has no weights to export: compile for a target such as gated-linear-rnn first");
      std::string bytes;
      std::string extension;
      if (format == "json") {
        bytes = lsrl::export_json(*model->model);
        extension = ".json";
      } else if (format == "safetensors") {
        bytes = lsrl::export_safetensors(*model->model);
        extension = ".safetensors";
      } else {
        return failure("unknown export format '" + format + "': use json or safetensors");
      }
      const std::string stem = base_name(model->filename) + "-" + model->target;
      val out = result_head(true, {});
      out.set("bytes", uint8_array(bytes));
      out.set("filename", stem + extension);
      std::string loader = lsrl::pytorch_loader_source(*model->model);
      if (!loader.empty()) {
        out.set("loader", loader);
        out.set("loaderFilename", stem + "_loader.py");
      }
      return out;
    });
  }

  bool release(int model_id) { return models_.erase(model_id) > 0; }
  int model_count() const { return static_cast<int>(models_.size()); }

 private:
  std::shared_ptr<const lsrl::api::CompiledModel> find(int id) const {
    auto it = models_.find(id);
    return it == models_.end() ? nullptr : it->second;
  }
  static val unknown_model(int id) {
    return failure("model " + std::to_string(id) + " is not loaded (released, or the engine was restarted): compile again");
  }

  int next_id_;
  std::map<int, std::shared_ptr<const lsrl::api::CompiledModel>> models_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(lsrl) {
  emscripten::function("version", &version);
  emscripten::function("targets", &targets);
  emscripten::function("parseTokens", &parse_tokens);
  emscripten::function("parseCsv", &parse_csv);
  emscripten::function("continuousPrompt", &continuous_prompt);
  emscripten::function("dictionaryPrompt", &dictionary_prompt);
  emscripten::function("evaluateFunction", &evaluate_function);
  emscripten::class_<Session>("Session")
      .constructor<int>()
      .function("compile", &Session::compile)
      .function("run", &Session::run)
      .function("encodeText", &Session::encode_text)
      .function("exportModel", &Session::export_model)
      .function("release", &Session::release)
      .function("modelCount", &Session::model_count);
}
