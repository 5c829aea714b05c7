// The JavaScript API's side of the core (api.hpp, "The JavaScript API's
// door"): the page's option objects read from JSON, flat token buffers cut
// into tokens and prompts, and every answer written as the schema's JSON, so
// that wasm/bindings.cpp only converts values. Each check and message here
// is the one the page has always had (tests/wasm pins them).
#include <cmath>
#include <limits>
#include <string>

#include "api/api.hpp"
#include "api/number_text.hpp"

namespace lsrl::api {
namespace {

Diagnostic error_message(std::string message) {
  Diagnostic d;
  d.message = std::move(message);
  return d;
}

// A JSON value as JavaScript's String() writes the value it came from.
std::string value_text(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return value.get<std::string>();
    case nlohmann::json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::number_integer:
      return std::to_string(value.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return std::to_string(value.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float:
      return shortest_text(value.get<double>());
    case nlohmann::json::value_t::array: {
      std::string text;
      for (std::size_t i = 0; i < value.size(); ++i) {
        // Appended piece by piece: GCC 12 warns (-Wrestrict) on "," + a temporary.
        if (i) text += ',';
        if (!value[i].is_null()) text += value_text(value[i]);
      }
      return text;
    }
    case nlohmann::json::value_t::object:
      return "[object Object]";
    default:
      return "null";
  }
}

// A JSON value as JavaScript's Number() reads it; NaN for what is no number
// (JSON.stringify writes NaN and the infinities as null).
double value_number(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_boolean()) return value.get<bool>() ? 1 : 0;
  double number = std::numeric_limits<double>::quiet_NaN();
  if (value.is_string() && !parse_decimal(value.get<std::string>(), number))
    number = std::numeric_limits<double>::quiet_NaN();
  return number;
}

std::vector<double> value_numbers(const nlohmann::json& value) {
  std::vector<double> numbers;
  if (value.is_array()) {
    for (const auto& item : value) numbers.push_back(value_number(item));
  }
  return numbers;
}

// [[a, b], ...] as pairs of texts.
std::vector<std::pair<std::string, std::string>> value_pairs(const nlohmann::json& value) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!value.is_array()) return pairs;
  for (const auto& pair : value) {
    if (pair.is_array() && pair.size() >= 2) pairs.emplace_back(value_text(pair[0]), value_text(pair[1]));
  }
  return pairs;
}

// The value of `key` when `object` has it (JSON.stringify leaves out what
// was undefined); nullptr otherwise.
const nlohmann::json* given(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

nlohmann::json optional_json(const std::optional<std::string>& x) { return x ? nlohmann::json(*x) : nlohmann::json(); }

nlohmann::json fidelity_json(const std::optional<Fidelity>& fidelity) {
  if (!fidelity) return nullptr;
  return {{"max_deviation", fidelity->max_deviation},
          {"wrong_tokens", fidelity->wrong_tokens ? nlohmann::json(*fidelity->wrong_tokens) : nlohmann::json()}};
}

// The figures of summary_json the page shows, with the PathModel's layers
// (the hidden-state heatmaps of linear-rnn and gated-linear-rnn show them).
nlohmann::json page_summary_json(const CompiledModel& m) {
  const nlohmann::json s = summary_json(m);
  const auto field = [&](const char* key) { return s.contains(key) ? s[key] : nlohmann::json(); };
  return {{"target", m.target},
          {"layers", field("layers")},
          // dag has no compiled weights to count.
          {"params", m.model ? field("params") : nlohmann::json()},
          {"nonzeros", m.model ? field("nonzeros") : nlohmann::json()},
          {"path", m.path ? path_layers_json(*m.path) : nlohmann::json()},
          {"compile_ms", field("compile_ms")},
          {"build_ms", field("build_ms")},
          {"rule_counts", s.value("rule_counts", nlohmann::json::object())},
          {"nonzeros_before_optimization", m.report.nonzeros_before_optimization},
          {"max_width_before_optimization", m.report.max_width_before_optimization},
          // null for dag and the linear targets, which have no such bound.
          {"layer_bound", field("layer_bound")},
          {"input_domain", field("input_domain")},
          {"precision_hazards", field("precision_hazards")}};
}

}  // namespace

FlatRows flat_rows(const std::vector<std::vector<double>>& rows) {
  FlatRows flat;
  flat.rows = rows.size();
  flat.dim = rows.empty() ? 0 : rows.front().size();
  flat.data.reserve(flat.rows * flat.dim);
  for (const auto& row : rows) flat.data.insert(flat.data.end(), row.begin(), row.end());
  return flat;
}

TokensResult tokens_from_flat(const std::vector<double>& flat, int steps, int dim, const std::string& what) {
  TokensResult result;
  if (steps < 0 || dim < 0 || flat.size() != static_cast<std::size_t>(steps) * static_cast<std::size_t>(dim)) {
    result.diagnostics.push_back(error_message(what + ": expected " + std::to_string(steps) + " tokens of " +
                                               std::to_string(dim) + " numbers, got " + std::to_string(flat.size()) +
                                               " numbers"));
    return result;
  }
  for (auto row = flat.begin(); row != flat.end(); row += dim) result.tokens.emplace_back(row, row + dim);
  result.tokens.resize(static_cast<std::size_t>(steps));  // dim 0: steps empty rows
  result.ok = true;
  return result;
}

BatchTokensResult prompts_from_flat(const std::vector<double>& flat, const std::vector<double>& lengths, int dim,
                                    const std::string& what) {
  BatchTokensResult result;
  long long total = 0;
  for (const double n : lengths) {
    if (!(n >= 0) || n != std::trunc(n)) {
      result.diagnostics.push_back(error_message(what + ": every length must be a whole number of steps"));
      return result;
    }
    // Summed as a double, stopped as soon as past any int: no overflow.
    if (static_cast<double>(total) + n > std::numeric_limits<int>::max()) {
      result.diagnostics.push_back(error_message(what + ": too many tokens"));
      return result;
    }
    total += static_cast<long long>(n);
  }
  TokensResult all = tokens_from_flat(flat, static_cast<int>(total), dim, what);
  if (!all.ok) {
    result.diagnostics = std::move(all.diagnostics);
    return result;
  }
  auto next = std::make_move_iterator(all.tokens.begin());
  for (const double n : lengths) {
    const auto end = next + static_cast<std::ptrdiff_t>(n);
    result.prompts.emplace_back(next, end);
    next = end;
  }
  result.ok = true;
  return result;
}

nlohmann::json reply_head(bool ok, const std::vector<Diagnostic>& diagnostics) {
  return {{"ok", ok}, {"diagnostics", diagnostics_json(diagnostics)}};
}

CompileOptionsResult read_compile_options(const nlohmann::json& options) {
  OptionTexts texts;
  const auto string_of = [&](const char* key) -> std::optional<std::string> {
    const nlohmann::json* value = given(options, key);
    return value && value->is_string() ? std::optional<std::string>(value->get<std::string>()) : std::nullopt;
  };
  if (auto filename = string_of("filename")) texts.filename = *filename;
  texts.target = string_of("target");
  if (const auto* value = given(options, "activations")) texts.activations = value_text(*value);
  if (const auto* value = given(options, "linearChains")) texts.linear_chains = value_text(*value);
  if (const auto* value = given(options, "maxLength")) {
    // Quoted when no number, so that no number reads from it (appended: see value_text).
    std::string text = value->is_number() ? std::string() : std::string("'");
    text += value_text(*value);
    if (!value->is_number()) text += '\'';
    texts.max_length = std::move(text);
  }
  if (const auto* value = given(options, "params")) {
    for (auto& [name, text] : value_pairs(*value)) texts.params[name] = text;
  }
  return read_compile_options(texts, kJavaScriptNames);
}

CompileReply compile_reply(const std::string& source, const nlohmann::json& options) {
  const CompileOptionsResult read = read_compile_options(options);
  CompileReply reply;
  reply.result = read.ok ? compile(source, read.options) : CompileResult{false, read.diagnostics, nullptr};
  nlohmann::json& j = reply.json;
  j = reply_head(reply.result.ok, reply.result.diagnostics);
  for (const char* key : {"model_id", "info", "summary", "graphs"}) j[key] = nullptr;
  if (!reply.result.ok) {
    const CheckResult checked = read.ok ? check(source, read.options) : CheckResult{};
    if (checked.ok) j["info"] = info_json(checked.info);
    return reply;
  }
  const CompiledModel& m = *reply.result.model;
  j["info"] = info_json(m.info);
  j["summary"] = page_summary_json(m);
  j["graphs"] = {{"program", graph_to_json(m.program)},
                 {"path", m.path && !m.report.path_graph.is_null() ? m.report.path_graph : nlohmann::json()}};
  return reply;
}

RunResult run_flat(const CompiledModel& model, const std::vector<double>& flat, int steps, int dim,
                   const std::string& precision, bool trace) {
  RunResult result;
  RunOptions options;
  options.names = kJavaScriptNames;
  options.trace = trace;
  Diagnostic error;
  if (!read_precision(precision, kJavaScriptNames, options.precision, error)) {
    result.diagnostics.push_back(error);
    return result;
  }
  const TokensResult tokens = tokens_from_flat(flat, steps, dim, "run");
  if (!tokens.ok) {
    result.diagnostics = tokens.diagnostics;
    return result;
  }
  return run(model, tokens.tokens, options);
}

nlohmann::json run_reply_json(const RunResult& result, bool with_trace) {
  nlohmann::json j = reply_head(result.ok, result.diagnostics);
  j["text"] = optional_json(result.text);
  j["run_ms"] = result.run_ms;
  j["fidelity"] = fidelity_json(result.fidelity);
  nlohmann::json trace;
  if (with_trace && result.ok) {
    nlohmann::json series = nlohmann::json::array();
    for (const auto& s : result.trace.series) {
      series.push_back({{"label", s.label}, {"kind", s.kind}, {"layer", s.layer}, {"dim", s.dim}});
    }
    trace = {{"steps", result.trace.steps}, {"series", std::move(series)}};
  }
  j["trace"] = std::move(trace);
  // Where and why a value first became NaN or infinite (ok is then false).
  j["numeric_failure"] = result.numeric_failure ? numeric_failure_json(*result.numeric_failure) : nlohmann::json();
  return j;
}

BatchRunResult run_batch_flat(const CompiledModel& model, const std::vector<double>& flat,
                              const std::vector<double>& lengths, int dim, const std::string& precision,
                              bool compare_with_program) {
  BatchRunResult result;
  RunOptions options;
  options.names = kJavaScriptNames;
  options.compare_with_program = compare_with_program;
  Diagnostic error;
  if (!read_precision(precision, kJavaScriptNames, options.precision, error)) {
    result.diagnostics.push_back(error);
    return result;
  }
  const BatchTokensResult prompts = prompts_from_flat(flat, lengths, dim, "runBatch");
  if (!prompts.ok) {
    result.diagnostics = prompts.diagnostics;
    return result;
  }
  return run_batch(model, prompts.prompts, options);
}

nlohmann::json batch_reply_json(const CompiledModel& model, const BatchRunResult& result) {
  nlohmann::json j = reply_head(result.ok, result.diagnostics);
  nlohmann::json lengths = nlohmann::json::array();
  nlohmann::json texts = nlohmann::json::array();
  nlohmann::json fidelities = nlohmann::json::array();
  for (const RunResult& one : result.results) {
    lengths.push_back(one.outputs.size());
    texts.push_back(optional_json(one.text));
    fidelities.push_back(fidelity_json(one.fidelity));
  }
  j["output_dim"] = model.program.output_dim();
  j["lengths"] = std::move(lengths);
  j["texts"] = std::move(texts);
  j["fidelities"] = std::move(fidelities);
  j["run_ms"] = result.run_ms;
  return j;
}

FlatRows batch_outputs(const BatchRunResult& result) {
  FlatRows flat;
  for (const RunResult& one : result.results) {
    if (!one.outputs.empty()) flat.dim = one.outputs.front().size();
    flat.rows += one.outputs.size();
    for (const auto& row : one.outputs) flat.data.insert(flat.data.end(), row.begin(), row.end());
  }
  return flat;
}

FunctionValues evaluate_function_flat(const std::string& function, int input_dims, const std::vector<double>& points,
                                      int count) {
  const TokensResult rows = tokens_from_flat(points, count, input_dims, "evaluateFunction");
  if (!rows.ok) return FunctionValues{false, rows.diagnostics, 0, {}};
  return evaluate_function(function, input_dims, rows.tokens);
}

nlohmann::json function_values_reply_json(const FunctionValues& values) {
  nlohmann::json j = reply_head(values.ok, values.diagnostics);
  if (values.ok) j["output_dim"] = values.output_dim;
  return j;
}

ExportResult export_model(const CompiledModel& model, const std::string& format) {
  ExportFormat read = ExportFormat::Json;
  Diagnostic error;
  if (!read_export_format(format, kJavaScriptNames, read, error)) return ExportResult{false, {error}, {}, {}, {}, {}};
  return export_model(model, read);
}

nlohmann::json export_reply_json(const ExportResult& result) {
  nlohmann::json j = reply_head(result.ok, result.diagnostics);
  if (!result.ok) return j;
  j["filename"] = result.filename;
  if (!result.loader.empty()) j["loader"] = result.loader;
  if (!result.loader.empty()) j["loader_filename"] = result.loader_filename;
  return j;
}

GradeReply grade_reply(const std::string& source, const std::string& exercise, const std::string& filename) {
  GradeReply reply;
  const ExerciseResult parsed = parse_exercise(exercise, filename);
  reply.json = reply_head(parsed.ok, parsed.diagnostics);
  nlohmann::json results = nlohmann::json::array();
  if (parsed.ok) reply.outcomes = grade_program(source, filename, parsed.exercise);
  for (std::size_t i = 0; i < reply.outcomes.size(); ++i) {
    const GradeOutcome& o = reply.outcomes[i];
    results.push_back(
        {{"name", parsed.exercise.checks[i].name},
         {"status", o.status},
         {"first_differing_step", o.first_differing_step ? nlohmann::json(*o.first_differing_step) : nlohmann::json()},
         {"max_deviation", o.max_deviation ? nlohmann::json(*o.max_deviation) : nlohmann::json()},
         {"message", o.message}});
  }
  reply.json["results"] = std::move(results);
  return reply;
}

nlohmann::json noise_sweep_reply(const std::string& source, const nlohmann::json& options) {
  const CompileOptionsResult read = read_compile_options(options);
  if (!read.ok) return reply_head(false, read.diagnostics);
  NoiseSweepOptions sweep;
  sweep.compile = read.options;
  if (const auto* forms = given(options, "forms"); forms && forms->is_array()) {
    for (const auto& form : *forms) sweep.forms.push_back(value_text(form));
  }
  if (const auto* sigmas = given(options, "sigmas")) sweep.sigmas = value_numbers(*sigmas);
  if (const auto* value = given(options, "trials")) {
    const double trials = value_number(*value);
    // Out of range or fractional: 0, which noise_sweep answers with its limits.
    sweep.trials =
        trials >= 1 && trials <= kMaxNoiseTrials && trials == std::trunc(trials) ? static_cast<int>(trials) : 0;
  }
  if (const auto* value = given(options, "seed")) {
    const double seed = value_number(*value);
    if (!(seed >= 0 && seed <= 9007199254740991.0 && seed == std::trunc(seed))) {
      return reply_head(false, {error_message("noiseSweep: the seed must be a whole number between 0 and 2^53 - 1")});
    }
    sweep.seed = static_cast<std::uint64_t>(seed);
  }
  if (const auto* prompt = given(options, "prompt")) {
    if (const auto* kind = given(*prompt, "kind")) sweep.kind = value_text(*kind);
    if (const auto* pairs = given(*prompt, "pairs")) sweep.pairs = value_pairs(*pairs);
    if (const auto* function = given(*prompt, "function")) sweep.function = value_text(*function);
    if (const auto* cells = given(*prompt, "cells")) {
      const double number = value_number(*cells);
      sweep.cells = std::isfinite(number) && std::abs(number) < 1e9 ? static_cast<int>(number) : 0;
    }
    if (const auto* query = given(*prompt, "query")) sweep.query = value_numbers(*query);
  }
  const NoiseSweepResult result = noise_sweep(source, sweep);
  nlohmann::json j = noise_sweep_json(result);
  j.update(reply_head(result.ok, result.diagnostics));
  return j;
}

}  // namespace lsrl::api
