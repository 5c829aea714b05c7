// Embind bindings over core/api: JS values in, core/api calls, plain JS
// objects { ok, diagnostics, ... } out (docs/api.md). Nothing else: every
// check and decision (option values, export names, prompts, the target list)
// is core/api's, shared with lsrlc. Nothing here throws into JS: a C++
// exception that crossed Embind would arrive as a bare number, so each entry
// point catches everything and reports it as a diagnostic.
//
// Large numeric data crosses as typed arrays (tokens in, outputs and trace
// series out), not as arrays of arrays, so a million-token prompt costs one
// copy rather than a million JS calls. web/src/worker.js reshapes them.

#include <cctype>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "api/api.hpp"

#ifndef LSRL_VERSION
#define LSRL_VERSION "0.0.0"
#endif

namespace {

namespace api = lsrl::api;
using emscripten::val;
using lsrl::Diagnostic;
using Rows = std::vector<std::vector<double>>;

// --- conversions ---------------------------------------------------------------

val object(std::initializer_list<std::pair<const char*, val>> fields) {
  val out = val::object();
  for (const auto& [key, value] : fields) out.set(key, value);
  return out;
}

// "input_dim" -> "inputDim": the page's spelling of the schema's keys
// (docs/schema/lsrl-result.schema.json).
std::string camel_case(const std::string& key) {
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const bool after_underscore = key[i] == '_' && i + 1 < key.size();
    out += after_underscore ? static_cast<char>(std::toupper(static_cast<unsigned char>(key[++i]))) : key[i];
  }
  return out;
}

enum class Keys { AsWritten, CamelCase };

// JSON of the core as a JS value; with Keys::CamelCase every object key is
// spelt as the page spells it (never for maps whose keys are names, such as
// rule counts).
val json_to_val(const nlohmann::json& j, Keys keys = Keys::AsWritten) {
  using Type = nlohmann::json::value_t;
  switch (j.type()) {
    case Type::boolean: return val(j.get<bool>());
    case Type::number_integer: return val(static_cast<double>(j.get<std::int64_t>()));
    case Type::number_unsigned: return val(static_cast<double>(j.get<std::uint64_t>()));
    case Type::number_float: return val(j.get<double>());
    case Type::string: return val(j.get<std::string>());
    case Type::array: {
      val out = val::array();
      for (const auto& item : j) out.call<void>("push", json_to_val(item, keys));
      return out;
    }
    case Type::object: {
      val out = val::object();
      for (auto it = j.begin(); it != j.end(); ++it) {
        out.set(keys == Keys::CamelCase ? camel_case(it.key()) : it.key(), json_to_val(it.value(), keys));
      }
      return out;
    }
    default: return val::null();  // null, discarded, binary
  }
}

template <typename T>
val optional_val(const std::optional<T>& x) { return x ? val(*x) : val::null(); }

// { ok, diagnostics } as core/api/json.cpp writes diagnostics.
val result_head(bool ok, const std::vector<Diagnostic>& diagnostics) {
  return object({{"ok", val(ok)}, {"diagnostics", json_to_val(api::diagnostics_json(diagnostics))}});
}

// A result that failed without a source position (bad arguments, internal error).
val failure(const std::string& message) {
  Diagnostic d;
  d.message = message;
  return result_head(false, {d});
}

// Runs `body`; whatever escapes it becomes an ok:false result. The core's API
// never throws by contract; this is the last line of defence (bad_alloc, a bug).
template <class Body>
val guarded(const char* what, Body&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return failure(std::string(what) + ": out of memory; try a smaller parameter or a shorter input");
  } catch (const std::exception& e) {
    return failure(std::string(what) + ": internal error (" + e.what() + "); please report it with the program");
  } catch (...) {
    return failure(std::string(what) + ": internal error; please report it with the program");
  }
}

// A copy of `data` as a new Float64Array (the view into wasm memory would be
// invalidated by the next memory growth).
val float64_array(const double* data, std::size_t size) {
  return val::global("Float64Array").new_(emscripten::typed_memory_view(size, data));
}

// Rows (steps x dim) as { rows, dim, data: Float64Array }.
val rows_to_flat(const Rows& rows) {
  const std::size_t dim = rows.empty() ? 0 : rows.front().size();
  std::vector<double> flat;
  flat.reserve(rows.size() * dim);
  for (const auto& row : rows) flat.insert(flat.end(), row.begin(), row.end());
  return object({{"rows", val(static_cast<double>(rows.size()))},
                 {"dim", val(static_cast<double>(dim))},
                 {"data", float64_array(flat.data(), flat.size())}});
}

// A flat Float64Array (or plain array) of steps x dim numbers -> rows; false
// with `error` when the count does not match.
bool flat_to_rows(const val& flat, int steps, int dim, Rows& rows, std::string& error) {
  const std::vector<double> values = emscripten::convertJSArrayToNumberVector<double>(flat);
  if (steps < 0 || dim < 0 || values.size() != static_cast<std::size_t>(steps) * static_cast<std::size_t>(dim)) {
    error = "expected " + std::to_string(steps) + " tokens of " + std::to_string(dim) + " numbers, got " +
            std::to_string(values.size()) + " numbers";
    return false;
  }
  rows.clear();
  for (auto row = values.begin(); row != values.end(); row += dim) rows.emplace_back(row, row + dim);
  rows.resize(static_cast<std::size_t>(steps));  // dim 0: steps empty rows
  return true;
}

template <typename Result>
val tokens_result(const Result& r) {
  val out = result_head(r.ok, r.diagnostics);
  out.set("tokens", rows_to_flat(r.tokens));
  return out;
}

// Any JS value as String() writes it.
std::string as_text(const val& value) { return val::global("String")(value).as<std::string>(); }

// The page's summary: the figures of `compile --json` (core/api/json.cpp) it
// shows, keys in camelCase, with the PathModel's layers (the hidden-state
// heatmaps of linear-rnn and gated-linear-rnn show them).
val summary_to_val(const api::CompiledModel& m) {
  const nlohmann::json s = api::summary_json(m);
  const auto camel = [&](const char* key) { return s.contains(key) ? json_to_val(s[key], Keys::CamelCase) : val::null(); };
  return object({{"target", val(m.target)}, {"layers", camel("layers")},
                 // dag has no compiled weights to count.
                 {"params", m.model ? camel("params") : val::null()},
                 {"nonzeros", m.model ? camel("nonzeros") : val::null()},
                 {"path", m.path ? json_to_val(api::path_layers_json(*m.path), Keys::CamelCase) : val::null()},
                 {"compileMs", camel("compile_ms")}, {"buildMs", camel("build_ms")},
                 // Keyed by the rules' names, which keep their spelling.
                 {"ruleCounts", json_to_val(s.value("rule_counts", nlohmann::json::object()))},
                 {"nonzerosBeforeOptimization", val(static_cast<double>(m.report.nonzeros_before_optimization))},
                 {"maxWidthBeforeOptimization", val(m.report.max_width_before_optimization)},
                 // The paper's layer bound next to the layer count it bounds;
                 // null for dag and the linear targets, which have no such bound.
                 {"layerBound", camel("layer_bound")},
                 {"inputDomain", camel("input_domain")},
                 // Constants f32 or f16 cannot hold, each at its node.
                 {"precisionHazards", camel("precision_hazards")}});
}

val trace_to_val(const lsrl::Trace& trace) {
  val series = val::array();
  for (const auto& s : trace.series) {
    series.call<void>("push", object({{"label", val(s.label)}, {"kind", val(s.kind)}, {"layer", val(s.layer)},
                                      {"dim", val(s.dim)}, {"values", float64_array(s.values.data(), s.values.size())}}));
  }
  return object({{"steps", val(trace.steps)}, {"series", series}});
}

// --- free functions ----------------------------------------------------------

std::string version() { return LSRL_VERSION; }

val targets() {
  return guarded("targets", [] { return json_to_val(api::targets_json(), Keys::CamelCase); });
}

val parse_tokens(const std::string& text, int input_dim) {
  return guarded("parseTokens", [&] { return tokens_result(api::parse_tokens(text, input_dim)); });
}

val parse_csv(const std::string& text, int input_dim) {
  return guarded("parseCsv", [&] { return tokens_result(api::parse_csv(text, input_dim)); });
}

val continuous_prompt(const std::string& fn_text, int input_dims, int cells_per_axis, const val& query) {
  return guarded("continuousPrompt", [&] {
    return tokens_result(api::continuous_prompt(fn_text, input_dims, cells_per_axis,
                                                emscripten::convertJSArrayToNumberVector<double>(query)));
  });
}

// pairs: a JS array of [key, value] arrays.
val dictionary_prompt(const std::string& query, const val& pairs, const std::string& vocab) {
  return guarded("dictionaryPrompt", [&] {
    std::vector<std::pair<std::string, std::string>> table;
    const int count = pairs["length"].as<int>();
    for (int i = 0; i < count; ++i) table.emplace_back(pairs[i][0].as<std::string>(), pairs[i][1].as<std::string>());
    return tokens_result(api::dictionary_prompt(query, table, vocab));
  });
}

// points: flat Float64Array of count x input_dims numbers in [0,1]^d.
val evaluate_function(const std::string& fn_text, int input_dims, const val& points, int count) {
  return guarded("evaluateFunction", [&] {
    Rows rows;
    std::string problem;
    if (!flat_to_rows(points, count, input_dims, rows, problem)) return failure("evaluateFunction: " + problem);
    const api::FunctionValues r = api::evaluate_function(fn_text, input_dims, rows);
    val out = result_head(r.ok, r.diagnostics);
    if (r.ok) out.set("outputDim", r.output_dim);
    if (r.ok) out.set("values", rows_to_flat(r.values));
    return out;
  });
}

// --- the session: compiled models by id -------------------------------------

// options: { target, params: [[name, value]], activations, linearChains,
// maxLength, filename } (docs/api.md); an option left out (or undefined)
// keeps the core's default. Values are handed to the core as their text; a
// maxLength that is no number as a quoted text, which no number reads from.
api::OptionTexts option_texts(const val& options) {
  api::OptionTexts texts;
  const auto given = [&](const char* name) { return options.hasOwnProperty(name) && !options[name].isUndefined(); };
  if (given("filename") && options["filename"].isString()) texts.filename = options["filename"].as<std::string>();
  if (given("target") && options["target"].isString()) texts.target = options["target"].as<std::string>();
  if (given("activations")) texts.activations = as_text(options["activations"]);
  if (given("linearChains")) texts.linear_chains = as_text(options["linearChains"]);
  if (given("maxLength")) {
    const val length = options["maxLength"];
    texts.max_length = length.isNumber() ? as_text(length) : "'" + as_text(length) + "'";
  }
  if (given("params") && options["params"].isArray()) {
    const int count = options["params"]["length"].as<int>();
    for (int i = 0; i < count; ++i) {
      texts.params[options["params"][i][0].as<std::string>()] = options["params"][i][1].as<std::string>();
    }
  }
  return texts;
}

// The noise lab's sweep (api::noise_sweep). options: the compile options of
// option_texts plus { forms: [names], sigmas: [numbers], trials, seed,
// prompt: { kind: 'dictionary', pairs: [[key, value]] } or { kind:
// 'continuous', function, cells, query: [numbers] } }. Result keys as
// noise_sweep_json writes them, in camelCase.
val noise_sweep(const std::string& source, const val& options) {
  return guarded("noiseSweep", [&] {
    const api::CompileOptionsResult read = api::read_compile_options(option_texts(options), api::kJavaScriptNames);
    if (!read.ok) return result_head(false, read.diagnostics);
    api::NoiseSweepOptions sweep;
    sweep.compile = read.options;
    const auto given = [&](const val& o, const char* name) { return o.hasOwnProperty(name) && !o[name].isUndefined(); };
    if (given(options, "forms")) {
      for (const std::string& form : emscripten::vecFromJSArray<std::string>(options["forms"])) sweep.forms.push_back(form);
    }
    if (given(options, "sigmas")) sweep.sigmas = emscripten::convertJSArrayToNumberVector<double>(options["sigmas"]);
    if (given(options, "trials")) {
      const double trials = options["trials"].as<double>();
      // Out of range or fractional: 0, which noise_sweep answers with its limits.
      sweep.trials = trials >= 1 && trials <= api::kMaxNoiseTrials && trials == static_cast<int>(trials) ? static_cast<int>(trials) : 0;
    }
    if (given(options, "seed")) {
      const double seed = options["seed"].as<double>();
      if (!(seed >= 0 && seed <= 9007199254740991.0 && seed == static_cast<double>(static_cast<std::uint64_t>(seed)))) {
        return failure("noiseSweep: the seed must be a whole number between 0 and 2^53 - 1");
      }
      sweep.seed = static_cast<std::uint64_t>(seed);
    }
    if (given(options, "prompt")) {
      const val prompt = options["prompt"];
      if (given(prompt, "kind")) sweep.kind = as_text(prompt["kind"]);
      if (given(prompt, "pairs")) {
        const int count = prompt["pairs"]["length"].as<int>();
        for (int i = 0; i < count; ++i) sweep.pairs.emplace_back(as_text(prompt["pairs"][i][0]), as_text(prompt["pairs"][i][1]));
      }
      if (given(prompt, "function")) sweep.function = as_text(prompt["function"]);
      if (given(prompt, "cells")) sweep.cells = prompt["cells"].as<int>();
      if (given(prompt, "query")) sweep.query = emscripten::convertJSArrayToNumberVector<double>(prompt["query"]);
    }
    const api::NoiseSweepResult r = api::noise_sweep(source, sweep);
    val out = json_to_val(api::noise_sweep_json(r), Keys::CamelCase);
    out.set("ok", val(r.ok));
    out.set("diagnostics", json_to_val(api::diagnostics_json(r.diagnostics)));
    return out;
  });
}

// Owns the compiled models of one worker. Ids start at `first_id` so that a
// restarted worker never reuses an id the page may still hold.
class Session {
 public:
  explicit Session(int first_id) : next_id_(first_id < 1 ? 1 : first_id) {}

  val compile(const std::string& source, const val& options) {
    return guarded("compile", [&] {
      const api::CompileOptionsResult read = api::read_compile_options(option_texts(options), api::kJavaScriptNames);
      const api::CompileResult result =
          read.ok ? api::compile(source, read.options) : api::CompileResult{false, read.diagnostics, nullptr};
      val out = result_head(result.ok, result.diagnostics);
      for (const char* key : {"modelId", "info", "summary", "graphs"}) out.set(key, val::null());
      if (!result.ok) {
        // The program may have built but failed for the target: its info
        // (params, widths) still drives the page's controls.
        const api::CheckResult checked = read.ok ? api::check(source, read.options) : api::CheckResult{};
        if (checked.ok) out.set("info", json_to_val(api::info_json(checked.info), Keys::CamelCase));
        return out;
      }
      const api::CompiledModel& m = *result.model;
      const int id = next_id_++;
      models_[id] = result.model;
      out.set("modelId", id);
      out.set("info", json_to_val(api::info_json(m.info), Keys::CamelCase));
      out.set("summary", summary_to_val(m));
      out.set("graphs", object({{"program", json_to_val(lsrl::graph_to_json(m.program))},
                                {"path", m.path && !m.report.path_graph.is_null() ? json_to_val(m.report.path_graph)
                                                                                   : val::null()}}));
      return out;
    });
  }

  // tokens: flat Float64Array of steps x dim; precision 'f64'|'f32'|'f16'.
  val run(int model_id, const val& tokens, int steps, int dim, const std::string& precision, bool trace) {
    return guarded("run", [&] {
      const auto model = find(model_id);
      if (!model) return unknown_model(model_id);
      api::RunOptions options;
      options.trace = trace;
      Diagnostic error;
      if (!api::read_precision(precision, api::kJavaScriptNames, options.precision, error)) {
        return result_head(false, {error});
      }
      Rows rows;
      std::string problem;
      if (!flat_to_rows(tokens, steps, dim, rows, problem)) return failure("run: " + problem);
      const api::RunResult r = api::run(*model, rows, options);
      val out = result_head(r.ok, r.diagnostics);
      out.set("outputs", rows_to_flat(r.outputs));
      out.set("text", optional_val(r.text));
      out.set("runMs", r.run_ms);
      out.set("fidelity", r.fidelity ? object({{"maxDeviation", val(r.fidelity->max_deviation)},
                                               {"wrongTokens", optional_val(r.fidelity->wrong_tokens)}})
                                     : val::null());
      out.set("trace", trace && r.ok ? trace_to_val(r.trace) : val::null());
      // Where and why a value first became NaN or infinite (ok is then false).
      out.set("numericFailure", r.numeric_failure
                                    ? json_to_val(api::numeric_failure_json(*r.numeric_failure), Keys::CamelCase)
                                    : val::null());
      return out;
    });
  }

  // Many prompts through one model (api::run_batch): tokens is one flat
  // Float64Array of every prompt's tokens in order, lengths a JS array of
  // each prompt's step count, dim the token width. Returns { ok,
  // diagnostics, outputs (flat, prompt after prompt), outputDim, lengths,
  // texts, fidelities, runMs }; outputs[k] of prompt i equals what run()
  // returns for prompt i alone, bit for bit. compareWithProgram false skips
  // the program's own evaluation beside each prompt (fidelities are null).
  val run_batch(int model_id, const val& tokens, const val& lengths, int dim, const std::string& precision,
                bool compare_with_program) {
    return guarded("runBatch", [&] {
      const auto model = find(model_id);
      if (!model) return unknown_model(model_id);
      api::RunOptions options;
      options.compare_with_program = compare_with_program;
      Diagnostic error;
      if (!api::read_precision(precision, api::kJavaScriptNames, options.precision, error)) {
        return result_head(false, {error});
      }
      const std::vector<double> steps = emscripten::convertJSArrayToNumberVector<double>(lengths);
      long long total = 0;
      for (const double n : steps) {
        if (!(n >= 0) || n != static_cast<double>(static_cast<long long>(n))) {
          return failure("runBatch: every length must be a whole number of steps");
        }
        total += static_cast<long long>(n);
      }
      if (total > std::numeric_limits<int>::max()) return failure("runBatch: too many tokens");
      Rows all;
      std::string problem;
      if (!flat_to_rows(tokens, static_cast<int>(total), dim, all, problem)) return failure("runBatch: " + problem);
      std::vector<Rows> prompts(steps.size());
      std::size_t next = 0;
      for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::size_t count = static_cast<std::size_t>(steps[i]);
        prompts[i].assign(std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(next)),
                          std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(next + count)));
        next += count;
      }
      const api::BatchRunResult r = api::run_batch(*model, prompts, options);
      val out = result_head(r.ok, r.diagnostics);
      Rows outputs;
      val texts = val::array();
      val fidelities = val::array();
      val out_lengths = val::array();
      for (const api::RunResult& one : r.results) {
        outputs.insert(outputs.end(), one.outputs.begin(), one.outputs.end());
        out_lengths.call<void>("push", val(static_cast<double>(one.outputs.size())));
        texts.call<void>("push", optional_val(one.text));
        fidelities.call<void>("push", one.fidelity ? object({{"maxDeviation", val(one.fidelity->max_deviation)},
                                                             {"wrongTokens", optional_val(one.fidelity->wrong_tokens)}})
                                                   : val::null());
      }
      out.set("outputs", rows_to_flat(outputs));
      out.set("outputDim", model->program.output_dim());
      out.set("lengths", out_lengths);
      out.set("texts", texts);
      out.set("fidelities", fidelities);
      out.set("runMs", r.run_ms);
      return out;
    });
  }

  val encode_text(const std::string& text, int model_id) {
    return guarded("encodeText", [&] {
      const auto model = find(model_id);
      return model ? tokens_result(api::encode_text(text, model->info)) : unknown_model(model_id);
    });
  }

  // format: 'json' | 'safetensors'.
  val export_model(int model_id, const std::string& format_text) {
    return guarded("exportModel", [&] {
      const auto model = find(model_id);
      if (!model) return unknown_model(model_id);
      api::ExportFormat format = api::ExportFormat::Json;
      Diagnostic error;
      if (!api::read_export_format(format_text, api::kJavaScriptNames, format, error)) return result_head(false, {error});
      const api::ExportResult r = api::export_model(*model, format);
      val out = result_head(r.ok, r.diagnostics);
      if (!r.ok) return out;
      out.set("bytes", val::global("Uint8Array").new_(emscripten::typed_memory_view(
                           r.bytes.size(), reinterpret_cast<const unsigned char*>(r.bytes.data()))));
      out.set("filename", r.filename);
      if (!r.loader.empty()) out.set("loader", r.loader);
      if (!r.loader.empty()) out.set("loaderFilename", r.loader_filename);
      return out;
    });
  }

  bool release(int model_id) { return models_.erase(model_id) > 0; }
  int model_count() const { return static_cast<int>(models_.size()); }

 private:
  std::shared_ptr<const api::CompiledModel> find(int id) const {
    const auto it = models_.find(id);
    return it == models_.end() ? nullptr : it->second;
  }
  static val unknown_model(int id) {
    return failure("model " + std::to_string(id) + " is not loaded (released, or the engine was restarted): compile again");
  }

  int next_id_;
  std::map<int, std::shared_ptr<const api::CompiledModel>> models_;
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
  emscripten::function("noiseSweep", &noise_sweep);
  emscripten::class_<Session>("Session")
      .constructor<int>()
      .function("compile", &Session::compile)
      .function("run", &Session::run)
      .function("runBatch", &Session::run_batch)
      .function("encodeText", &Session::encode_text)
      .function("exportModel", &Session::export_model)
      .function("release", &Session::release)
      .function("modelCount", &Session::model_count);
}
