// check / compile / run: the stages of the pipeline behind one wall that no
// exception crosses. Core code throws LsrlError for anything a user caused;
// here each stage's errors become diagnostics with the program's source line
// attached, and anything else (a bug, an allocation failure) becomes an
// "internal error" diagnostic rather than a crash.
#include "api/api.hpp"

#include <chrono>
#include <cmath>
#include <exception>
#include <new>
#include <optional>
#include <sstream>
#include <string>

#include "api/numeric.hpp"
#include "runtime/dag_eval.hpp"
#include "targets/logical_model.hpp"
#include "targets/registry.hpp"

namespace lsrl::api {
namespace {

double milliseconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

Diagnostic diagnostic_from(const LsrlError& error, const std::string& filename, const std::string& source) {
  std::vector<Diagnostic> one{error.to_diagnostic(filename)};
  attach_source_lines(one, source);
  return one.front();
}

Diagnostic internal_error(const std::string& stage, const std::string& filename, const char* what) {
  Diagnostic d;
  d.file = filename;
  d.message = "internal error while " + stage + " (" + what +
              "); this is a bug in the LSRL core, please report it with the program";
  return d;
}

Diagnostic out_of_memory(const std::string& stage, const std::string& filename) {
  Diagnostic d;
  d.file = filename;
  d.message = "ran out of memory while " + stage + "; the program or its input is too large (lower its parameters)";
  return d;
}

// Runs `body`; turns whatever it throws into one diagnostic. Returns true if
// it finished.
template <typename Body>
bool guarded(const std::string& stage, const std::string& filename, const std::string& source,
             std::vector<Diagnostic>& diagnostics, Body&& body) {
  try {
    body();
    return true;
  } catch (const LsrlError& e) {
    diagnostics.push_back(diagnostic_from(e, filename, source));
  } catch (const std::bad_alloc&) {
    diagnostics.push_back(out_of_memory(stage, filename));
  } catch (const std::exception& e) {
    diagnostics.push_back(internal_error(stage, filename, e.what()));
  } catch (...) {
    diagnostics.push_back(internal_error(stage, filename, "unknown exception"));
  }
  return false;
}

BuildOptions build_options_from(const CompileOptions& options) {
  BuildOptions b;
  b.filename = options.filename;
  b.params = options.params;
  return b;
}

// The registry's row of `target`, checked before any work: a typo gets a
// suggestion and the list of names; a listed but unavailable target says why.
std::optional<TargetInfo> find_available_target(const std::string& target, const std::string& filename,
                                                std::vector<Diagnostic>& diagnostics) {
  std::vector<TargetInfo> targets;
  if (!guarded("listing the targets", filename, "", diagnostics, [&] { targets = list_targets(); }))
    return std::nullopt;
  std::vector<std::string> names;
  for (const auto& t : targets) {
    if (t.name == target) {
      if (t.available) return t;
      Diagnostic d;
      d.file = filename;
      d.message = "target '" + target + "' (" + t.description + ") is not available: " + t.reason;
      diagnostics.push_back(d);
      return std::nullopt;
    }
    names.push_back(t.name);
  }
  Diagnostic d;
  d.file = filename;
  d.message = "unknown target '" + target + "'";
  const std::string suggestion = closest_name(target, names);
  if (!suggestion.empty()) d.message += "; did you mean '" + suggestion + "'?";
  d.message += " Targets are:";
  for (std::size_t i = 0; i < names.size(); ++i) d.message += (i ? ", " : " ") + names[i];
  diagnostics.push_back(d);
  return std::nullopt;
}

std::string bound_text(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

// The prompts the model is built for: the program's input domain (declared,
// from the vocabulary, or the default: the front end settles which) and T,
// the option over the declaration over the default.
void settle_domain(CompiledModel& model, const CompileOptions& options) {
  InputDomain domain = model.program.input_domain();
  const int dim = model.program.input_dim();
  if (static_cast<int>(domain.lower.size()) != dim || static_cast<int>(domain.upper.size()) != dim) {
    throw LsrlError(domain.origin, "internal error: the input domain has " + std::to_string(domain.lower.size()) +
                                       " bounds for an input of width " + std::to_string(dim) +
                                       "; please report this program");
  }
  for (int i = 0; i < dim; ++i) {
    const double lo = domain.lower[static_cast<std::size_t>(i)], hi = domain.upper[static_cast<std::size_t>(i)];
    if (!(lo <= hi) || !std::isfinite(lo) || !std::isfinite(hi)) {
      throw LsrlError(domain.origin, "the input bounds of component " + std::to_string(i + 1) + " are [" +
                                         bound_text(lo) + ", " + bound_text(hi) +
                                         "]; give finite bounds with lo <= hi, as Input(dim=..., bounds=[lo, hi])");
    }
  }
  if (options.max_sequence_length) {
    model.max_length = *options.max_sequence_length;
    model.max_length_source = "option";
  } else if (domain.max_length) {
    if (*domain.max_length < 1 || *domain.max_length > kMaxSequenceLengthLimit) {
      throw LsrlError(domain.origin, "max_length must be between 1 and " + std::to_string(kMaxSequenceLengthLimit) +
                                         " tokens (got " + std::to_string(*domain.max_length) + ")");
    }
    model.max_length = *domain.max_length;
    model.max_length_source = "declared";
  } else {
    model.max_length = kDefaultMaxSequenceLength;
    model.max_length_source = "default";
  }
  model.domain = std::move(domain);
}

// A prompt the model was not built for is refused before it runs: longer
// than T, or a component outside the input domain (NaN included).
void check_prompt(const CompiledModel& model, const std::vector<std::vector<double>>& tokens,
                  const OptionNames& names) {
  const std::string what = model.model ? "the model was built for" : "the program declares";
  if (static_cast<long long>(tokens.size()) > model.max_length) {
    // The page's users set maxLength in its "max length" box; lsrlc's pass --max-length.
    const bool page = names.max_length != std::string(kCommandLineNames.max_length);
    const std::string where = page ? ", the page's max length" : "";
    const std::string from = model.max_length_source == "option"     ? "set by " + std::string(names.max_length) + where
                             : model.max_length_source == "declared" ? "declared by Input(..., max_length=...)"
                                                                     : "the default";
    const std::string needed = std::to_string(tokens.size());
    throw LsrlError(SourceSpan{}, "the prompt has " + needed + " tokens but " + what + " at most " +
                                      std::to_string(model.max_length) + " (" + from +
                                      "); declare a longer one with Input(dim=..., max_length=" + needed +
                                      ") or raise the maximum sequence length (" + names.max_length + " " + needed +
                                      where + ")");
  }
  const InputDomain& domain = model.domain;
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    for (std::size_t i = 0; i < tokens[t].size() && i < domain.lower.size(); ++i) {
      const double v = tokens[t][i];
      if (v >= domain.lower[i] && v <= domain.upper[i]) continue;
      const std::string from = domain.bounds_source == "declared"     ? "declared by Input(..., bounds=...)"
                               : domain.bounds_source == "vocabulary" ? "the vocabulary's token ids"
                                                                      : "the default for undeclared inputs";
      throw LsrlError(domain.origin, "token " + std::to_string(t + 1) + ", component " + std::to_string(i + 1) +
                                         " is " + bound_text(v) + ", outside the input bounds [" +
                                         bound_text(domain.lower[i]) + ", " + bound_text(domain.upper[i]) + "] " +
                                         what + " (" + from + "); declare the range your prompts use, as " +
                                         "Input(dim=" + std::to_string(domain.lower.size()) +
                                         ", bounds=[lo, hi]), and compile again");
    }
  }
}

std::string count_text(double v) {
  std::ostringstream os;
  os.precision(3);
  os << v;
  return os.str();
}

// A compiled model past the size limits is refused at the program's output
// (the node the model computes), saying which limit and what to change.
void check_model_size(const std::string& what, long long nonzeros, std::size_t layers, const CompileOptions& options,
                      const Program& program) {
  const SourceSpan at = program.output() == kNoNode ? SourceSpan{} : program.node(program.output()).origin;
  if (nonzeros > options.max_model_nonzeros) {
    throw LsrlError(at, "limit exceeded: " + what + " has " + std::to_string(nonzeros) +
                            " non-zero weights, more than the limit of " + std::to_string(options.max_model_nonzeros) +
                            " (the examples' largest has 260,000); make the program's variables narrower or fewer, "
                            "or lower its params");
  }
  if (layers > static_cast<std::size_t>(options.max_model_layers)) {
    throw LsrlError(at, "limit exceeded: " + what + " has " + std::to_string(layers) +
                            " layers, more than the limit of " + std::to_string(options.max_model_layers) +
                            " (the examples' deepest has 84); shorten the program's chains of states and ReLUs");
  }
}

// The program's own weights, the work of one dag step.
double program_nonzeros(const Program& program) {
  double total = 0;
  for (NodeId id : program.topological_order()) {
    const Node& n = program.node(id);
    total += static_cast<double>(n.A.nonZeros() + n.B.nonZeros()) + n.dim;
  }
  return total;
}

// What a run would cost, checked before it starts: its multiply-adds and the
// values its trace would hold.
void check_run_limits(const CompiledModel& model, const std::vector<std::vector<double>>& tokens,
                      const RunOptions& options) {
  const double steps = static_cast<double>(tokens.size());
  const double per_step =
      model.model ? static_cast<double>(model.model->nonzero_count()) : program_nonzeros(model.program);
  if (steps * per_step > options.max_run_work) {
    throw LsrlError(SourceSpan{}, "limit exceeded: this run would take about " + count_text(steps * per_step) +
                                      " multiply-adds (" + std::to_string(tokens.size()) + " tokens x " +
                                      count_text(per_step) + " non-zero weights), more than the limit of " +
                                      count_text(options.max_run_work) +
                                      "; run a shorter prompt, or a smaller program");
  }
  if (!options.trace) return;
  double units = 0;
  if (model.model) {
    for (const LayerSummary& layer : model.model->layers()) {
      units += static_cast<double>(layer.input_dim) + 4.0 * layer.hidden_dim + layer.output_dim;
    }
  } else {
    for (NodeId id : model.program.topological_order()) {
      const Node& n = model.program.node(id);
      if (id == model.program.input() || id == model.program.output() || !n.name.empty()) units += n.dim;
    }
  }
  if (steps * units > static_cast<double>(options.max_trace_values)) {
    throw LsrlError(SourceSpan{}, "limit exceeded: the trace of this run would record about " +
                                      count_text(steps * units) + " values (" + std::to_string(tokens.size()) +
                                      " steps x " + count_text(units) + " units), more than the limit of " +
                                      count_text(static_cast<double>(options.max_trace_values)) +
                                      "; run without the trace, or on a shorter prompt");
  }
}

}  // namespace

CheckResult check(const std::string& source, const CompileOptions& options) {
  CheckResult result;
  guarded("building the program", options.filename, source, result.diagnostics, [&] {
    BuildResult built = build_program(source, build_options_from(options));
    result.ok = built.ok;
    result.info = std::move(built.info);
    for (auto& d : built.diagnostics) result.diagnostics.push_back(std::move(d));
  });
  if (!result.diagnostics.empty()) {
    for (const auto& d : result.diagnostics) {
      if (d.severity == Severity::Error) result.ok = false;
    }
  }
  return result;
}

bool parse_activations(const std::string& text, Activations& out) {
  if (text == "paper")
    out = Activations::Paper;
  else if (text == "standard")
    out = Activations::Standard;
  else
    return false;
  return true;
}

bool parse_linear_chains(const std::string& text, LinearChains& out) {
  if (text == "keep")
    out = LinearChains::Keep;
  else if (text == "fuse")
    out = LinearChains::Fuse;
  else
    return false;
  return true;
}

CompileResult compile(const std::string& source, const CompileOptions& options) {
  CompileResult result;
  const std::optional<TargetInfo> target = find_available_target(options.target, options.filename, result.diagnostics);
  if (!target) return result;
  if (options.max_sequence_length &&
      (*options.max_sequence_length < 1 || *options.max_sequence_length > kMaxSequenceLengthLimit)) {
    Diagnostic d;
    d.file = options.filename;
    d.message = "the maximum sequence length must be between 1 and " + std::to_string(kMaxSequenceLengthLimit) +
                " tokens (got " + std::to_string(*options.max_sequence_length) +
                "); give the length of the longest input the model will run";
    result.diagnostics.push_back(std::move(d));
    return result;
  }

  auto model = std::make_shared<CompiledModel>();
  model->filename = options.filename;
  model->source = source;
  model->target = options.target;
  model->activations = options.activations;

  bool built_ok = false;
  const auto build_start = std::chrono::steady_clock::now();
  guarded("building the program", options.filename, source, result.diagnostics, [&] {
    BuildResult built = build_program(source, build_options_from(options));
    built_ok = built.ok;
    for (auto& d : built.diagnostics) {
      if (d.severity == Severity::Error) built_ok = false;
      result.diagnostics.push_back(std::move(d));
    }
    if (built_ok) {
      model->program = std::move(built.program);
      model->info = std::move(built.info);
    }
  });
  model->build_ms = milliseconds_since(build_start);
  if (!built_ok) {
    if (result.diagnostics.empty()) {
      Diagnostic d;
      d.file = options.filename;
      d.message = "the program could not be built";
      result.diagnostics.push_back(d);
    }
    return result;
  }

  if (!guarded("checking the input domain", options.filename, source, result.diagnostics,
               [&] { settle_domain(*model, options); })) {
    return result;
  }
  if (!guarded("checking the constants' precision", options.filename, source, result.diagnostics,
               [&] { find_precision_hazards(*model); })) {
    return result;
  }
  if (options.precision) {
    for (Diagnostic& d : precision_warnings(*model, *options.precision)) result.diagnostics.push_back(std::move(d));
  }

  if (target->has_model) {
    const auto compile_start = std::chrono::steady_clock::now();
    const bool compiled = guarded("compiling the program", options.filename, source, result.diagnostics, [&] {
      PathModel path = compile_to_path(model->program, CompilerOptions{}, &model->report);
      check_model_size("the compiled path", path.nonzero_count(), path.layers.size(), options, model->program);
      TargetOptions target_options;
      target_options.activations = options.activations;
      target_options.linear_chains = options.linear_chains;
      target_options.max_sequence_length = model->max_length;
      target_options.input_lower = model->domain.lower;
      target_options.input_upper = model->domain.upper;
      target_options.magnitude_overestimate = options.magnitude_overestimate;
      std::unique_ptr<TargetModel> lowered = lower_to_target(path, options.target, target_options);
      check_model_size("the " + options.target + " model", lowered->nonzero_count(), lowered->layers().size(), options,
                       model->program);
      model->path = std::move(path);
      model->model = std::shared_ptr<const TargetModel>(std::move(lowered));
    });
    model->compile_ms = milliseconds_since(compile_start);
    if (!compiled) return result;
  }
  result.ok = true;
  result.model = std::move(model);
  return result;
}

namespace {

Fidelity measure_fidelity(const CompiledModel& model, const OutputRows& program, const RunResult& run) {
  Fidelity f;
  for (std::size_t t = 0; t < program.size() && t < run.outputs.size(); ++t) {
    for (std::size_t i = 0; i < program[t].size() && i < run.outputs[t].size(); ++i) {
      const double want = program[t][i], got = run.outputs[t][i];
      const double deviation = want == got ? 0.0 : std::fabs(got - want) / std::max(1.0, std::fabs(want));
      // A non-finite mismatch (inf against a number, NaN) is as far as it gets.
      f.max_deviation = std::max(f.max_deviation, std::isnan(deviation) ? INFINITY : deviation);
    }
  }
  if (run.text) {
    // Token by token, as decode_text reads them (the nearest id, or none when
    // it falls outside the vocabulary); not byte by byte of the decoded text,
    // where one replacement character is three bytes.
    std::size_t vocab_size = 0;  // code points: every byte but UTF-8 continuation bytes
    for (const char c : *model.info.vocab) vocab_size += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    const auto token_of = [&](const std::vector<double>& row) -> long {
      if (row.size() != 1 || !std::isfinite(row[0])) return -1;
      const double id = std::round(row[0]);
      return id >= 0 && id < static_cast<double>(vocab_size) ? static_cast<long>(id) : -1;
    };
    int wrong = 0;
    for (std::size_t t = 0; t < program.size() || t < run.outputs.size(); ++t) {
      wrong += t >= program.size() || t >= run.outputs.size() || token_of(program[t]) != token_of(run.outputs[t]);
    }
    f.wrong_tokens = wrong;
  }
  return f;
}

}  // namespace

RunResult run(const CompiledModel& model, const std::vector<std::vector<double>>& tokens, const RunOptions& options) {
  RunResult result;
  if (std::optional<Diagnostic> refused = refuse_precision(model, options.precision)) {
    result.diagnostics.push_back(std::move(*refused));
    return result;
  }
  const auto start = std::chrono::steady_clock::now();
  Trace* trace = options.trace ? &result.trace : nullptr;
  const bool finished = guarded("running the program", model.filename, model.source, result.diagnostics, [&] {
    check_prompt(model, tokens, options.names);
    check_run_limits(model, tokens, options);
    if (model.model) {
      result.outputs = model.model->run(tokens, options.precision, trace);
    } else {
      result.outputs = evaluate_program(model.program, tokens, options.precision, trace);
    }
  });
  result.run_ms = milliseconds_since(start);
  if (!finished) {
    result.outputs.clear();
    result.trace = Trace{};
    return result;
  }
  // NaN or an infinity stops the run: where it first appeared and why, the
  // rows before it kept.
  std::optional<NumericFailure> failure;
  if (!guarded("looking for the run's first non-finite value", model.filename, model.source, result.diagnostics,
               [&] { failure = find_numeric_failure(model, tokens, options.precision, result.outputs, trace); })) {
    result.outputs.clear();
    result.trace = Trace{};
    return result;
  }
  if (failure) {
    result.diagnostics.push_back(numeric_failure_diagnostic(model, *failure, options.precision));
    result.outputs.resize(static_cast<std::size_t>(failure->output_step - 1));
    result.trace = Trace{};
    result.numeric_failure = std::move(failure);
    return result;
  }
  for (Diagnostic& d : precision_warnings(model, options.precision)) result.diagnostics.push_back(std::move(d));
  if (model.info.vocab && model.program.output_dim() == 1) result.text = decode_text(result.outputs, *model.info.vocab);
  if (model.model && options.compare_with_program) {
    guarded("running the program for comparison", model.filename, model.source, result.diagnostics, [&] {
      const OutputRows program = evaluate_program(model.program, tokens, options.precision, nullptr);
      result.fidelity = measure_fidelity(model, program, result);
    });
  }
  result.ok = true;
  return result;
}

BatchRunResult run_batch(const CompiledModel& model, const std::vector<std::vector<std::vector<double>>>& prompts,
                         const RunOptions& options) {
  BatchRunResult batch;
  const auto start = std::chrono::steady_clock::now();
  auto refuse = [&](const std::string& message) {
    batch.diagnostics.push_back(file_error(model.filename, message));
    return batch;
  };
  if (options.trace) {
    return refuse("a batch records no trace; run one prompt with a trace to see its hidden states");
  }
  if (prompts.size() > static_cast<std::size_t>(options.max_batch_size)) {
    return refuse("limit exceeded: the batch has " + std::to_string(prompts.size()) +
                  " prompts, more than the limit of " + std::to_string(options.max_batch_size) +
                  "; split it into smaller batches");
  }
  // The whole batch is held to one run's work bound: a batch runs in one
  // call (one worker message in the page), so it must end as soon as a
  // single run does.
  double steps = 0;
  for (const auto& prompt : prompts) steps += static_cast<double>(prompt.size());
  const double per_step =
      model.model ? static_cast<double>(model.model->nonzero_count()) : program_nonzeros(model.program);
  if (steps * per_step > options.max_run_work) {
    return refuse("limit exceeded: this batch would take about " + count_text(steps * per_step) + " multiply-adds (" +
                  count_text(steps) + " tokens over its prompts x " + count_text(per_step) +
                  " non-zero weights), more than the limit of " + count_text(options.max_run_work) +
                  "; split it into smaller batches");
  }
  // Every prompt is checked before any runs, so a bad line costs no work.
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    std::vector<Diagnostic> found;
    const bool fits = guarded("checking the prompts", model.filename, model.source, found, [&] {
      check_token_widths(prompts[i], model.program.input_dim());
      check_prompt(model, prompts[i], options.names);
    });
    if (!fits) {
      for (Diagnostic& d : found) d.message = "prompt " + std::to_string(i + 1) + ": " + d.message;
      batch.diagnostics = std::move(found);
      return batch;
    }
  }
  batch.results.reserve(prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    RunResult one = run(model, prompts[i], options);
    if (!one.ok) {
      for (Diagnostic& d : one.diagnostics) d.message = "prompt " + std::to_string(i + 1) + ": " + d.message;
      batch.diagnostics = std::move(one.diagnostics);
      batch.results.clear();
      return batch;
    }
    batch.results.push_back(std::move(one));
  }
  batch.run_ms = milliseconds_since(start);
  batch.ok = true;
  return batch;
}

}  // namespace lsrl::api
