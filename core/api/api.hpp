// The one facade over the core that the CLI (cli/), the WebAssembly bindings
// (wasm/) and the tests drive. Nothing here throws: every user-caused problem
// comes back as diagnostics in a result with ok == false. cli/ and wasm/
// include no other core header (ApiBoundary.DoorsIncludeOnlyTheApi checks):
// what they need of the core is declared here, so each decision (which
// option values are valid, what an export is called, how a prompt is built)
// is made once, for both doors.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostics.hpp"
#include "compile/compiler.hpp"
#include "compile/path_model.hpp"
#include "graph/program.hpp"
#include "lang/build.hpp"
#include "runtime/trace.hpp"
#include "targets/registry.hpp"
#include "targets/target_model.hpp"

namespace lsrl::api {

// What one compiled model and one run may cost (docs/reliability.md lists
// every limit). Past one, compile() or run() stops with a "limit exceeded"
// error that says what to change, before the memory or the time is spent:
// the model's size is checked on the PathModel before a target lowers it and
// on the target's model after; a run's work and its trace before it starts.
// CompileOptions and RunOptions carry them, so a door or a test can set them.
// The examples' largest model has 260,000 non-zeros and 84 layers
// (discrete_ua at n = 12 on mamba and lstm).
inline constexpr long long kDefaultMaxModelNonzeros = 10'000'000;
inline constexpr int kDefaultMaxModelLayers = 5'000;
// Work of one run: tokens x the model's non-zeros. Measured 2026-12-06 on
// the shared 2-core machine: discrete_ua at n = 12 on mamba (257,543
// non-zeros) over 4,000 tokens, 1.0e9, ran in 20 s with the comparison run,
// so the limit is about 40 s; the longest prompt of that model (4,096) fits.
inline constexpr double kDefaultMaxRunWork = 2e9;
// Values one trace may record: steps x traced units (160 MB of doubles).
inline constexpr long long kDefaultMaxTraceValues = 20'000'000;
// Prompts in one batched run.
inline constexpr int kDefaultMaxBatchSize = 10'000;

struct CompileOptions {
  std::string filename = "<input>";
  std::map<std::string, std::string> params;  // --param overrides
  std::string target = "dag";                 // "dag" = no compilation
  Activations activations = Activations::Paper;
  // See targets/target_model.hpp: Keep follows the program's f64 arithmetic,
  // Fuse gives the paper's layer count.
  LinearChains linear_chains = LinearChains::Keep;
  // The longest prompt the model is built for (T): Hawk, Griffin and Mamba
  // hold states whose transition they cannot diagonalise in a causal
  // convolution this wide (docs/targets.md), GRU and LSTM bound their values
  // over this many steps (static range analysis), and every run refuses a
  // longer prompt. Absent: the program's Input(..., max_length=...), else
  // kDefaultMaxSequenceLength. Given, it overrides the program's declaration.
  std::optional<int> max_sequence_length;
  // Test knob (TargetOptions::magnitude_overestimate): multiplies the value
  // magnitudes GRU's and LSTM's standard-activation lowerings are given.
  double magnitude_overestimate = 1.0;
  // Limits on the compiled model (see kDefaultMaxModelNonzeros).
  long long max_model_nonzeros = kDefaultMaxModelNonzeros;
  int max_model_layers = kDefaultMaxModelLayers;
  // The precision the model is meant to run in, when known at compile time
  // (`lsrlc compile --precision f16`): f32 and f16 add a warning, at the
  // node, for each program constant they cannot hold (PrecisionHazard).
  std::optional<Precision> precision;
};

// The range compile() accepts for CompileOptions::max_sequence_length (a
// convolution over 65,536 steps already costs megabytes per channel).
inline constexpr int kMaxSequenceLengthLimit = 65536;
inline constexpr int kDefaultMaxSequenceLength = 4096;

// Text forms of the option values ("paper" / "standard", "keep" / "fuse");
// false: not a valid name. The doors go through read_compile_options.
bool parse_activations(const std::string& text, Activations& out);
bool parse_linear_chains(const std::string& text, LinearChains& out);

// Every target compile accepts, in display order: the registry's rows
// (targets/registry.hpp), "dag" (the program itself, no compilation) first.
std::vector<TargetInfo> targets();

// How a door names its options in messages: the command line's flags or the
// JavaScript API's keys. The checks and their wording are the same for both.
struct OptionNames {
  const char* activations;
  const char* linear_chains;
  const char* max_length;
  const char* precision;
  const char* format;
};
inline constexpr OptionNames kCommandLineNames{"--activations", "--linear-chains", "--max-length", "--precision",
                                               "--format"};
inline constexpr OptionNames kJavaScriptNames{"activations", "linearChains", "maxLength", "precision", "format"};

// Compile options as a user gave them, before any check: each value is its
// text (a JavaScript value as String() writes it), absent when left out.
// The target's name is checked by compile() itself, with a suggestion.
struct OptionTexts {
  std::string filename = "<input>";
  std::map<std::string, std::string> params;
  std::optional<std::string> target;
  std::optional<std::string> activations;    // "paper" | "standard"; "" means paper
  std::optional<std::string> linear_chains;  // "keep" | "fuse"
  std::optional<std::string> max_length;     // a whole number of tokens, 1 .. kMaxSequenceLengthLimit
};

struct CompileOptionsResult {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;
  CompileOptions options;
};
// The one place option values are checked: an unknown name or a length that
// is no whole number in range gives ok == false and a diagnostic naming the
// option as `names` spells it.
CompileOptionsResult read_compile_options(const OptionTexts& texts, const OptionNames& names);

// A run's precision from its text ("f64", "f32", "f16"; "" means f64);
// false with `error` set otherwise.
bool read_precision(const std::string& text, const OptionNames& names, Precision& out, Diagnostic& error);

// A constant of the program that a lower precision cannot hold, found at
// compile time (core/api/numeric.cpp; docs/reliability.md states the rule):
// it overflows to an infinity, a non-zero underflows to zero, an integer is
// not held exactly (token ids, counters and thresholds are compared exactly),
// or a tiny value in the precision's subnormal range moves by more than 1%.
struct PrecisionHazard {
  Precision precision = Precision::F16;
  std::string problem;  // "overflow" | "underflow" | "inexact integer" | "subnormal"
  double value = 0;     // the constant, as f64 holds it
  double rounded = 0;   // what the precision makes of it
  SourceSpan span;      // the code that created the node
  std::string node;     // "variable 'x' (Linear)" or "a Linear"
};

// Where a run first produced NaN or an infinity (RunResult::numeric_failure).
struct NumericFailure {
  int step = 0;         // 1-based token at which a value first became non-finite
  int output_step = 0;  // 1-based token of the first non-finite output
  int output = 0;       // 1-based component of that output
  std::string value;    // "NaN", "inf" or "-inf"
  // The first value that became non-finite: a program variable (dag runs, or
  // the program's own run when it is the cause) or a layer quantity of the
  // compiled model ("layer 3 state"); empty when it could not be traced.
  std::string where;
  int layer = -1;     // compiled models: the layer of `where`
  SourceSpan span;    // the program node responsible, when known
  std::string cause;  // why, when known ("the constant 1e+10 does not fit f16")
};

// A built (and, unless target == "dag", compiled) program. Immutable; shared
// between runs.
struct CompiledModel {
  std::string filename;
  std::string source;
  std::string target;
  Program program;
  ProgramInfo info;
  std::optional<PathModel> path;             // absent for "dag"
  std::shared_ptr<const TargetModel> model;  // absent for "dag"
  CompileReport report;
  double build_ms = 0;    // source -> Program
  double compile_ms = 0;  // Program -> target weights
  // The prompts the model was built for and every run accepts: the
  // program's input domain (declared, from the vocabulary, or the default)
  // and T with where it came from ("option", "declared" or "default").
  InputDomain domain;
  int max_length = kDefaultMaxSequenceLength;
  std::string max_length_source = "default";
  Activations activations = Activations::Paper;
  // Every constant f32 or f16 cannot hold (at most kMaxPrecisionHazards per
  // precision are kept; the count says how many there are in all).
  std::vector<PrecisionHazard> precision_hazards;
  long long f32_hazard_count = 0;
  long long f16_hazard_count = 0;
};
// Hazards kept per precision: enough to point at every distinct constant of
// any example, bounded for programs of 200,000 nodes.
inline constexpr int kMaxPrecisionHazards = 100;

struct CheckResult {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;
  ProgramInfo info;
};
CheckResult check(const std::string& source, const CompileOptions& options);

struct CompileResult {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;
  std::shared_ptr<const CompiledModel> model;
};
CompileResult compile(const std::string& source, const CompileOptions& options);

struct RunOptions {
  Precision precision = Precision::F64;
  bool trace = false;
  // A compiled model's run also evaluates the program itself (the DAG, in
  // the same precision) on the same tokens and reports how far the model is
  // from it (RunResult::fidelity): the measured fidelity every run of a
  // standard-activation model owes its user. Off: the run alone (benchmarks).
  bool compare_with_program = true;
  // How a refusal names the maximum sequence length: the door's own option
  // (lsrlc's --max-length, the page's maxLength).
  OptionNames names = kCommandLineNames;
  // Limits on one run (see kDefaultMaxRunWork); a batched run also checks
  // the number of its prompts against max_batch_size.
  double max_run_work = kDefaultMaxRunWork;
  long long max_trace_values = kDefaultMaxTraceValues;
  int max_batch_size = kDefaultMaxBatchSize;
};

// How far a compiled model's outputs are from the program's own.
struct Fidelity {
  // max over steps and components of |model - program| / max(1, |program|)
  double max_deviation = 0;
  // With a vocabulary and 1-wide outputs: decoded tokens that differ.
  std::optional<int> wrong_tokens;
};

struct RunResult {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;
  OutputRows outputs;
  std::optional<std::string> text;  // decoded with the vocab when outputs are 1-wide
  Trace trace;
  double run_ms = 0;
  std::optional<Fidelity> fidelity;  // compiled models, with compare_with_program
  // Set when a value became NaN or infinite: the run is an error (ok ==
  // false, an error diagnostic says the same in words) and `outputs` holds
  // the rows before the first non-finite output.
  std::optional<NumericFailure> numeric_failure;
};
RunResult run(const CompiledModel& model, const std::vector<std::vector<double>>& tokens, const RunOptions& options);

// Many independent prompts through one compiled model (`lsrlc run --batch`,
// the page's runBatch): every prompt is checked (length, widths, input
// bounds) before any runs, then each runs from the model's initial state as
// run() runs it alone, so results[i] is bit for bit run(model, prompts[i],
// options). A batch records no trace (options.trace is refused). ok == false:
// the diagnostics name the first prompt at fault ("prompt 3: ...") and
// results is empty.
struct BatchRunResult {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;
  std::vector<RunResult> results;
  double run_ms = 0;  // the whole batch
};
BatchRunResult run_batch(const CompiledModel& model, const std::vector<std::vector<std::vector<double>>>& prompts,
                         const RunOptions& options);

// The paper's noise experiment (Sec. 5, Fig. 4; compile/path_noise.hpp): a
// copy of a compiled linear-rnn or gated-linear-rnn model (whose weights are
// its PathModel as is) with N(0, sigma^2) added to every non-zero weight and
// bias, drawn from `seed` (the same numbers natively and in wasm). sigma = 0
// gives the model back unchanged. Other targets, "dag", or a negative or
// non-finite sigma: ok == false with a diagnostic.
CompileResult with_weight_noise(const CompiledModel& model, double sigma, std::uint64_t seed);
// The targets with_weight_noise accepts.
bool supports_weight_noise(const std::string& target);

// The noise sweep of the paper's Fig. 4, shared by `lsrlc noise` and the
// page's noise lab: compiles the program once per form (every choice of its
// `form` parameter unless `forms` names some), adds noise of every sigma
// `trials` times (seeds seed, seed + 1, ...) and runs the prompts:
//  - dictionary (Listing 2): every key of `pairs` is asked once; the value of
//    a row is the number of wrong tokens among all answers (out of
//    keys x answer length);
//  - continuous (Listing 1): the centres of a 4^d grid and `query`; the value
//    is the largest |noisy - noise-free| of the last output (the noise-free
//    answer is the program's, so sigma = 0 gives 0).
// A form the target cannot hold is left out (left_out says why) when the
// sweep covers every form; a form named in `forms` must compile.
struct NoiseSweepOptions {
  CompileOptions compile;          // target (linear-rnn or gated-linear-rnn), params, filename
  std::vector<std::string> forms;  // empty: every choice of the `form` parameter (or the program as is)
  std::vector<double> sigmas{0, 1e-9, 1e-7, 1e-5, 1e-3};
  int trials = 5;
  std::uint64_t seed = 0;
  std::string kind;                                        // "dictionary" or "continuous"
  std::vector<std::pair<std::string, std::string>> pairs;  // dictionary
  std::string function;                                    // continuous: f in x1..xd, ';' between components
  int cells = 0;                                           // continuous: cells per axis
  std::vector<double> query;                               // continuous: the example's query point
};
struct NoiseSweepRow {
  std::string form;  // "" for a program without a form parameter
  double sigma = 0;
  int trial = 0;
  double value = 0;  // NaN or infinity when the noisy model blew up
};
struct NoiseSweepResult {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;
  std::string measure;   // "wrong_tokens" or "max_error"
  long long out_of = 0;  // wrong_tokens: queries x answer tokens
  int queries = 0;
  std::vector<NoiseSweepRow> rows;
  struct LeftOut {
    std::string form;
    std::vector<Diagnostic> why;  // the compiler's refusal
  };
  std::vector<LeftOut> left_out;
};
// Limits: at most 100 sigmas and 1000 trials (anything else: a diagnostic).
constexpr std::size_t kMaxNoiseSigmas = 100;
constexpr int kMaxNoiseTrials = 1000;
NoiseSweepResult noise_sweep(const std::string& source, const NoiseSweepOptions& options);
// `noise --json` and the page: {measure, out_of, queries, rows: [{form, sigma,
// trial, value}], left_out: [{form, message}]}; a non-finite value is null.
nlohmann::json noise_sweep_json(const NoiseSweepResult& result);

// Exercises (docs/exercises.md, format "lsrl-exercise/1"): a target, a
// tolerance and checks, each an input and the expected output rows (null: a
// step not graded). parse_exercise validates a file's text; grade_check
// compiles a student's program for the exercise's target, runs one check and
// compares: pass, fail (first differing step, expected against got) or error
// (does not build, compile or run, or the widths are wrong).
inline constexpr std::size_t kMaxExerciseBytes = 4u << 20;
struct ExerciseCheck {
  std::string name;
  std::vector<std::vector<double>> input;
  std::vector<std::optional<std::vector<double>>> expected;
};
struct Exercise {
  std::string id;
  std::string target;
  double tolerance = 1e-2;
  std::vector<ExerciseCheck> checks;
};
struct ExerciseResult {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;
  Exercise exercise;
};
ExerciseResult parse_exercise(const std::string& text, const std::string& filename);
struct GradeOutcome {
  std::string status;  // pass | fail | error
  std::optional<int> first_differing_step;
  std::optional<double> max_deviation;
  std::string message;
  OutputRows outputs;  // the model's, when it ran (the page shows them beside the expected rows)
};
GradeOutcome compare_with_expected(const ExerciseCheck& check, const OutputRows& outputs, double tolerance);
GradeOutcome grade_check(const std::string& source, const std::string& filename, const Exercise& exercise,
                         const ExerciseCheck& check);
// Every check of `exercise`, each graded as grade_check grades it, with one
// compiled model for them all (the weights never depend on a prompt).
std::vector<GradeOutcome> grade_program(const std::string& source, const std::string& filename,
                                        const Exercise& exercise);

// Input helpers (CLI's --input / --text / --input-file, the page's prompt box).
struct TokensResult {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;
  std::vector<std::vector<double>> tokens;
};
// A double as std::to_chars writes it (shortest round trip); "nan", "inf",
// "-inf" for the others. For text users read: CSV, tables, messages.
std::string shortest_text(double v);
// Tokens separated by whitespace or ';', components by ','.
TokensResult parse_tokens(const std::string& text, int input_dim);
// One token per line, components comma-separated; blank lines and '#' lines skipped.
TokensResult parse_csv(const std::string& csv, int input_dim);
// A batch of prompts (`lsrlc run --batch FILE`): one prompt per line, its
// tokens as parse_tokens reads them; blank lines and '#' lines skipped. A
// diagnostic says the line ("line 4: token 2 ...").
struct BatchTokensResult {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;
  std::vector<std::vector<std::vector<double>>> prompts;
};
BatchTokensResult parse_batch(const std::string& text, int input_dim);
// Each character -> its index in the vocab (input_dim must be 1).
TokensResult encode_text(const std::string& text, const ProgramInfo& info);
// Rounds each 1-wide output to the nearest id; an id outside the vocab is
// shown as U+FFFD (the replacement character) so a wrong output is visible.
std::string decode_text(const OutputRows& outputs, const std::string& vocab);

// A compiled model's weights as a file (`lsrlc export`, the page's download).
enum class ExportFormat { Json, Safetensors };
// "json" or "safetensors"; false with `error` set otherwise.
bool read_export_format(const std::string& text, const OptionNames& names, ExportFormat& out, Diagnostic& error);

struct ExportResult {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;
  std::string bytes;
  // A name for the file: the program's base name, the target and the
  // format's extension ("more_ones-gru.safetensors").
  std::string filename;
  // The PyTorch loader (export/pytorch_loader.cpp) that reads a safetensors
  // export, and a name for it; empty when the target has no torch module.
  std::string loader;
  std::string loader_filename;
};
// "dag" has no weights: ok == false with a diagnostic saying to compile for
// a target.
ExportResult export_model(const CompiledModel& model, ExportFormat format);

// Prompts for the paper's two universal approximation programs
// (prompts/prompts.hpp), and the target function they approximate.
// Listing 1 / Eq. 8 for f written in x1..x{input_dims} ("sin(3*x1)*x2"), N
// cells per axis, the query point first.
TokensResult continuous_prompt(const std::string& function, int input_dims, int cells_per_axis,
                               const std::vector<double>& query);
// Listing 2: the query, then each key followed by its value, encoded with `vocab`.
TokensResult dictionary_prompt(const std::string& query, const std::vector<std::pair<std::string, std::string>>& pairs,
                               const std::string& vocab);

struct FunctionValues {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;
  int output_dim = 0;
  std::vector<std::vector<double>> values;  // one row per point
};
// f (as continuous_prompt reads it) at each point of [0,1]^input_dims.
FunctionValues evaluate_function(const std::string& function, int input_dims,
                                 const std::vector<std::vector<double>>& points);

// The command line's forms of those prompts, checked against the built
// program: --prompt-fn with --cells and --query ("0.3,0.7"), and --dict (the
// text of a KEY,VALUE file read from `path`, an optional key,value header)
// with --query. Diagnostics point into the text the user typed.
TokensResult continuous_prompt_for(const ProgramInfo& info, const std::string& function, const std::string& cells,
                                   const std::string& query);
TokensResult dictionary_prompt_for(const ProgramInfo& info, const std::string& csv, const std::string& path,
                                   const std::string& query);

// `compile --json`: target, layers (type and sizes), parameter count,
// non-zeros, compile time in ms (and the rule counts).
nlohmann::json summary_json(const CompiledModel& model);
// `run --json`.
nlohmann::json run_json(const CompiledModel& model, const RunResult& result, bool with_trace);
nlohmann::json trace_json(const Trace& trace);
// What the program declares: widths, vocabulary, nodes and its params (their
// values as numbers for int and float params, text for choices).
nlohmann::json info_json(const ProgramInfo& info);
// The optimised PathModel layer by layer, each with its ops (what the page's
// hidden-state heatmaps of linear-rnn and gated-linear-rnn show).
nlohmann::json path_layers_json(const PathModel& path);
// targets() as JSON: each target's name, description, availability and
// which options change its model.
nlohmann::json targets_json();
nlohmann::json diagnostics_json(const std::vector<Diagnostic>& diagnostics);
// RunResult::numeric_failure and CompiledModel::precision_hazards as JSON.
nlohmann::json numeric_failure_json(const NumericFailure& failure);
nlohmann::json precision_hazards_json(const CompiledModel& model);

// --- The JavaScript API's door (wasm/bindings.cpp, docs/api.md) --------------
// The bindings hand over the page's option objects as JSON (as
// JSON.stringify writes them: a key left out or undefined keeps the core's
// default) and hand back what these functions write: the schema's objects
// (docs/schema/lsrl-result.schema.json), keys in snake_case as lsrlc writes
// them. Large numeric arrays (tokens, outputs, trace values) are left out of
// the JSON: the bindings attach them as typed arrays (FlatRows), so a
// million-token prompt costs one copy rather than a million JS calls.

// Rows of equal width in one row-major buffer.
struct FlatRows {
  std::size_t rows = 0;
  std::size_t dim = 0;
  std::vector<double> data;
};
FlatRows flat_rows(const std::vector<std::vector<double>>& rows);
// `steps` tokens of `dim` numbers from one flat buffer; a count that does not
// match is a diagnostic "WHAT: expected ...", WHAT naming the API call.
TokensResult tokens_from_flat(const std::vector<double>& flat, int steps, int dim, const std::string& what);
// Prompts of lengths[i] tokens each from one flat buffer of every prompt's
// tokens in order; a length that is no whole number is a diagnostic.
BatchTokensResult prompts_from_flat(const std::vector<double>& flat, const std::vector<double>& lengths, int dim,
                                    const std::string& what);

// {ok, diagnostics}: the head of every answer.
nlohmann::json reply_head(bool ok, const std::vector<Diagnostic>& diagnostics);

// The options object { target, params: [[name, value]], activations,
// linearChains, maxLength, filename }: each value as its text (as String()
// writes it), a maxLength that is no number quoted, which no number reads
// from; then checked by read_compile_options.
CompileOptionsResult read_compile_options(const nlohmann::json& options);

// compile() for the page; json is {ok, diagnostics, model_id: null, info,
// summary, graphs: {program, path}}. info is there also when compiling
// failed but the program builds: its params still drive the page's controls.
struct CompileReply {
  CompileResult result;
  nlohmann::json json;
};
CompileReply compile_reply(const std::string& source, const nlohmann::json& options);

// run() of steps x dim tokens in one flat buffer, in the precision named by
// `precision` ("f64" | "f32" | "f16").
RunResult run_flat(const CompiledModel& model, const std::vector<double>& flat, int steps, int dim,
                   const std::string& precision, bool trace);
// {ok, diagnostics, text, run_ms, fidelity, numeric_failure, trace: {steps,
// series: [{label, kind, layer, dim}]} or null}; outputs and each series'
// values are the caller's to attach.
nlohmann::json run_reply_json(const RunResult& result, bool with_trace);

// run_batch() of the prompts of prompts_from_flat.
BatchRunResult run_batch_flat(const CompiledModel& model, const std::vector<double>& flat,
                              const std::vector<double>& lengths, int dim, const std::string& precision,
                              bool compare_with_program);
// {ok, diagnostics, output_dim, lengths, texts, fidelities, run_ms}; the
// outputs of every prompt in order are batch_outputs.
nlohmann::json batch_reply_json(const CompiledModel& model, const BatchRunResult& result);
FlatRows batch_outputs(const BatchRunResult& result);

// evaluate_function() at `count` points of a flat buffer; json is {ok,
// diagnostics, output_dim} (values are the caller's to attach).
FunctionValues evaluate_function_flat(const std::string& function, int input_dims, const std::vector<double>& points,
                                      int count);
nlohmann::json function_values_reply_json(const FunctionValues& values);

// export_model() in the format named by `format` ("json" | "safetensors");
// json is {ok, diagnostics, filename, loader, loader_filename} (the last two
// only with a loader); the bytes are the caller's to attach.
ExportResult export_model(const CompiledModel& model, const std::string& format);
nlohmann::json export_reply_json(const ExportResult& result);

// The page's exercises: `exercise` is an exercise file's text (as
// parse_exercise reads it); json is {ok, diagnostics, results: [{name,
// status, first_differing_step, max_deviation, message}]}, one per check as
// grade_program grades them; each check's outputs are the caller's to attach.
struct GradeReply {
  std::vector<GradeOutcome> outcomes;
  nlohmann::json json;
};
GradeReply grade_reply(const std::string& source, const std::string& exercise, const std::string& filename);

// The noise lab's sweep: the compile options of read_compile_options plus
// { forms: [names], sigmas: [numbers], trials, seed, prompt: { kind:
// 'dictionary', pairs: [[key, value]] } or { kind: 'continuous', function,
// cells, query: [numbers] } }; the answer is reply_head with the keys of
// noise_sweep_json.
nlohmann::json noise_sweep_reply(const std::string& source, const nlohmann::json& options);

}  // namespace lsrl::api
