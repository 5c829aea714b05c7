// Embind bindings over core/api (docs/api.md). They convert types and
// nothing else: every check, message and answer's shape is core/api's ("The
// JavaScript API's door" in api.hpp). Option objects come in by
// JSON.stringify, answers (the schema's snake_case JSON) go out by
// JSON.parse, and large number arrays cross as typed arrays: one copy, not a
// JS call per number. Nothing throws into JS (a C++ exception crossing
// Embind arrives as a bare number): each entry point reports it instead.

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdlib>
#include <exception>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "api/api.hpp"

#ifndef LSRL_VERSION
#define LSRL_VERSION "0.0.0"
#endif

namespace {

namespace api = lsrl::api;
using emscripten::val;

// JSON of the core as a JS value: one JSON.parse, not a JS call per value.
val to_js(const nlohmann::json& j) { return val::global("JSON").call<val>("parse", j.dump()); }

// A JS value as JSON (what JSON.stringify writes; undefined keys are left
// out, as the API documents). A value it cannot write reads as null.
nlohmann::json from_js(const val& value) {
  const val text = val::global("JSON").call<val>("stringify", value);
  if (!text.isString()) return nullptr;
  // ordered_json: the parser the module links anyway (core/api/grade.cpp).
  const auto j = nlohmann::ordered_json::parse(text.as<std::string>(), nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json() : nlohmann::json(j);
}

// A typed array (or plain array) of numbers: one copy.
std::vector<double> numbers(const val& array) { return emscripten::convertJSArrayToNumberVector<double>(array); }

// A copy of `data` as a new Float64Array (the view into wasm memory would be
// invalidated by the next memory growth).
val float64_array(const double* data, std::size_t size) {
  return val::global("Float64Array").new_(emscripten::typed_memory_view(size, data));
}

// { rows, dim, data: Float64Array }.
val flat_to_js(const api::FlatRows& flat) {
  val out = to_js({{"rows", flat.rows}, {"dim", flat.dim}});
  out.set("data", float64_array(flat.data.data(), flat.data.size()));
  return out;
}

// A result that failed without a source position (an internal error, an
// unknown model).
val failure(const std::string& message) {
  lsrl::Diagnostic d;
  d.message = message;
  return to_js(api::reply_head(false, {d}));
}

// Room held back so that running out of memory can still be reported (the
// bad_alloc and its diagnostic need some): a failed allocation gives it back
// and throws; each entry point takes it again if it can. Per process, as the
// heap is: the one piece of state here.
void* spare_memory = nullptr;
void give_back_spare_memory() {
  std::free(spare_memory);
  spare_memory = nullptr;
  throw std::bad_alloc();
}
void hold_spare_memory() {
  if (!spare_memory) spare_memory = std::malloc(std::size_t{256} << 10);
  std::set_new_handler(give_back_spare_memory);
}

// Runs `body`; whatever escapes it becomes an ok:false result. The core's API
// never throws by contract; this is the last line of defence (bad_alloc, a bug).
template <class Body>
val guarded(const char* what, Body&& body) {
  hold_spare_memory();
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

// { ok, diagnostics, tokens: { rows, dim, data } }.
val tokens_result(const api::TokensResult& r) {
  val out = to_js(api::reply_head(r.ok, r.diagnostics));
  out.set("tokens", flat_to_js(api::flat_rows(r.tokens)));
  return out;
}

// --- free functions ----------------------------------------------------------

std::string version() { return LSRL_VERSION; }

val targets() {
  return guarded("targets", [] { return to_js(api::targets_json()); });
}

val parse_tokens(const std::string& text, int input_dim) {
  return guarded("parseTokens", [&] { return tokens_result(api::parse_tokens(text, input_dim)); });
}

val parse_csv(const std::string& text, int input_dim) {
  return guarded("parseCsv", [&] { return tokens_result(api::parse_csv(text, input_dim)); });
}

val continuous_prompt(const std::string& fn_text, int input_dims, int cells_per_axis, const val& query) {
  return guarded("continuousPrompt", [&] {
    return tokens_result(api::continuous_prompt(fn_text, input_dims, cells_per_axis, numbers(query)));
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
    const api::FunctionValues r = api::evaluate_function_flat(fn_text, input_dims, numbers(points), count);
    val out = to_js(api::function_values_reply_json(r));
    if (r.ok) out.set("values", flat_to_js(api::flat_rows(r.values)));
    return out;
  });
}

// The noise lab's sweep: options as api::noise_sweep_reply reads them.
val noise_sweep(const std::string& source, const val& options) {
  return guarded("noiseSweep", [&] { return to_js(api::noise_sweep_reply(source, from_js(options))); });
}

// The page's exercises: exercise is an exercise file's text; each result's
// outputs (the model's rows, when it ran) as { rows, dim, data }.
val grade_program(const std::string& source, const std::string& exercise, const std::string& filename) {
  return guarded("gradeProgram", [&] {
    const api::GradeReply reply = api::grade_reply(source, exercise, filename);
    val out = to_js(reply.json);
    for (std::size_t i = 0; i < reply.outcomes.size(); ++i) {
      out["results"][static_cast<int>(i)].set("outputs", flat_to_js(api::flat_rows(reply.outcomes[i].outputs)));
    }
    return out;
  });
}

// --- the session: compiled models by id -------------------------------------

// Owns the compiled models of one worker. Ids start at `first_id` so that a
// restarted worker never reuses an id the page may still hold.
class Session {
 public:
  explicit Session(int first_id) : next_id_(first_id < 1 ? 1 : first_id) {}

  // options: as api::read_compile_options reads them (docs/api.md).
  val compile(const std::string& source, const val& options) {
    return guarded("compile", [&] {
      api::CompileReply reply = api::compile_reply(source, from_js(options));
      if (reply.result.ok) {
        const int id = next_id_++;
        models_[id] = reply.result.model;
        reply.json["model_id"] = id;
      }
      return to_js(reply.json);
    });
  }

  // tokens: flat Float64Array of steps x dim; precision 'f64'|'f32'|'f16'.
  val run(int model_id, const val& tokens, int steps, int dim, const std::string& precision, bool trace) {
    return guarded("run", [&] {
      const auto model = find(model_id);
      if (!model) return unknown_model(model_id);
      const api::RunResult r = api::run_flat(*model, numbers(tokens), steps, dim, precision, trace);
      val out = to_js(api::run_reply_json(r, trace));
      out.set("outputs", flat_to_js(api::flat_rows(r.outputs)));
      for (std::size_t i = 0; !out["trace"].isNull() && i < r.trace.series.size(); ++i) {
        const auto& values = r.trace.series[i].values;
        out["trace"]["series"][static_cast<int>(i)].set("values", float64_array(values.data(), values.size()));
      }
      return out;
    });
  }

  // Many prompts through one model (api::run_batch): tokens is one flat
  // Float64Array of every prompt's tokens in order, lengths each prompt's
  // step count. outputs (flat, prompt after prompt) of prompt i equal what
  // run() returns for prompt i alone, bit for bit.
  val run_batch(int model_id, const val& tokens, const val& lengths, int dim, const std::string& precision,
                bool compare_with_program) {
    return guarded("runBatch", [&] {
      const auto model = find(model_id);
      if (!model) return unknown_model(model_id);
      const api::BatchRunResult r =
          api::run_batch_flat(*model, numbers(tokens), numbers(lengths), dim, precision, compare_with_program);
      val out = to_js(api::batch_reply_json(*model, r));
      out.set("outputs", flat_to_js(api::batch_outputs(r)));
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
  val export_model(int model_id, const std::string& format) {
    return guarded("exportModel", [&] {
      const auto model = find(model_id);
      if (!model) return unknown_model(model_id);
      const api::ExportResult r = api::export_model(*model, format);
      val out = to_js(api::export_reply_json(r));
      if (r.ok) {
        out.set("bytes", val::global("Uint8Array")
                             .new_(emscripten::typed_memory_view(
                                 r.bytes.size(), reinterpret_cast<const unsigned char*>(r.bytes.data()))));
      }
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
    return failure("model " + std::to_string(id) +
                   " is not loaded (released, or the engine was restarted): compile again");
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
  emscripten::function("gradeProgram", &grade_program);
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
