// `lsrlc noise PROGRAM [--target T] [--param k=v]... [--sigmas S1,S2,...]
//  [--trials K] [--seed S] [--json]`
//
// Compiles PROGRAM (for every choice of its `form` parameter, unless --param
// form=... picks one), adds N(0, sigma^2) to the compiled model's non-zero
// weights and biases (api::with_weight_noise) for every sigma and trial, runs
// the companion prompts of PROGRAM's example file (PROGRAM with .lsrl
// replaced by .example.json) and prints one line per form, sigma and trial:
//  - a "dictionary" example (Listing 2): every key of its dictionary is asked
//    once; the measure is the number of wrong tokens among the last n outputs
//    of all queries (out of keys x n);
//  - a "continuous" example (Listing 1): the queries are the centres of a
//    4^d_in grid and the example's own query; the measure is the largest
//    |noisy output - noise-free output| over queries and components at the
//    last step (the noise-free model's answer is the program's, f at the
//    centre of the query's cell, so sigma = 0 measures 0).
// Trial k uses the seed S + k; the same seed gives the same noise directions
// for every sigma (compile/path_noise.hpp).
#include "noise.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "inputs.hpp"

namespace lsrl::cli {
namespace {

constexpr int kOk = 0;
constexpr int kError = 1;
constexpr int kUsage = 2;
constexpr int kMaxTrials = 1000;
constexpr std::size_t kMaxSigmas = 100;
constexpr int kGridPerAxis = 4;

const char* const kNoiseUsage =
    "usage: lsrlc noise PROGRAM [--target linear-rnn|gated-linear-rnn] [--param NAME=VALUE]...\n"
    "                   [--sigmas S1,S2,...] [--trials K] [--seed S] [--json]\n"
    "  Adds Gaussian noise of each standard deviation S to the compiled model's non-zero\n"
    "  weights and biases (K trials, seeds S, S+1, ...), runs the prompts of PROGRAM's\n"
    "  example file (NAME.example.json beside it) and prints form, sigma, trial and the\n"
    "  measure: wrong tokens (dictionary examples) or max error (continuous examples).\n"
    "  Without --param form=..., every choice of the program's `form` parameter is swept.\n"
    "  Defaults: --target gated-linear-rnn --sigmas 0,1e-9,1e-7,1e-5,1e-3 --trials 5 --seed 0\n";

struct NoiseArguments {
  std::string program_path;
  std::string target = "gated-linear-rnn";
  std::map<std::string, std::string> params;
  std::vector<double> sigmas{0, 1e-9, 1e-7, 1e-5, 1e-3};
  int trials = 5;
  std::uint64_t seed = 0;
  bool json = false;
};

int usage_error(const std::string& message) {
  std::cerr << "lsrlc noise: " << message << "\n" << kNoiseUsage;
  return kUsage;
}

int value_error(const std::string& message, const std::string& file = "") {
  Diagnostic d;
  d.file = file;
  d.message = message;
  std::cerr << render_all({d}) << std::flush;
  return kError;
}

std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return ec == std::errc() ? std::string(buffer, end) : "nan";
}

bool parse_double(const std::string& text, double& out) {
  const char* first = text.data();
  const char* last = first + text.size();
  auto [end, ec] = std::from_chars(first, last, out);
  return ec == std::errc() && end == last && !text.empty();
}

// Option values are checked here and reported as value errors (exit 1).
std::optional<int> parse_noise_arguments(const std::vector<std::string>& argv, NoiseArguments& args) {
  std::optional<std::string> sigmas_text, trials_text, seed_text;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argv.size()) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--json") {
      args.json = true;
    } else if (a == "--target" || a == "--param" || a == "--sigmas" || a == "--trials" || a == "--seed") {
      if (!value(v)) return usage_error(a + " needs a value");
      if (a == "--target") args.target = v;
      if (a == "--sigmas") sigmas_text = v;
      if (a == "--trials") trials_text = v;
      if (a == "--seed") seed_text = v;
      if (a == "--param") {
        const auto eq = v.find('=');
        if (eq == std::string::npos || eq == 0) return usage_error("--param takes NAME=VALUE, got '" + v + "'");
        args.params[v.substr(0, eq)] = v.substr(eq + 1);
      }
    } else if (a == "-h" || a == "--help") {
      std::cout << kNoiseUsage;
      return kOk;
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option '" + a + "'");
    } else if (args.program_path.empty()) {
      args.program_path = a;
    } else {
      return usage_error("one PROGRAM only, got a second: '" + a + "'");
    }
  }
  if (args.program_path.empty()) return usage_error("missing PROGRAM");
  if (sigmas_text) {
    args.sigmas.clear();
    std::stringstream list(*sigmas_text);
    std::string item;
    while (std::getline(list, item, ',')) {
      double sigma = 0;
      if (!parse_double(item, sigma) || !std::isfinite(sigma) || sigma < 0) {
        return value_error("--sigmas: '" + item + "' is not a standard deviation (a finite number >= 0); write e.g. --sigmas 0,1e-7,1e-5");
      }
      args.sigmas.push_back(sigma);
    }
    if (args.sigmas.empty() || args.sigmas.size() > kMaxSigmas) {
      return value_error("--sigmas takes 1 to " + std::to_string(kMaxSigmas) + " comma-separated values");
    }
  }
  if (trials_text) {
    double trials = 0;
    if (!parse_double(*trials_text, trials) || trials != std::floor(trials) || trials < 1 || trials > kMaxTrials) {
      return value_error("--trials '" + *trials_text + "' is not a whole number between 1 and " + std::to_string(kMaxTrials));
    }
    args.trials = static_cast<int>(trials);
  }
  if (seed_text) {
    const char* first = seed_text->data();
    const char* last = first + seed_text->size();
    auto [end, ec] = std::from_chars(first, last, args.seed);
    if (ec != std::errc() || end != last || seed_text->empty()) {
      return value_error("--seed '" + *seed_text + "' is not a whole number between 0 and 18446744073709551615");
    }
  }
  if (!api::supports_weight_noise(args.target)) {
    return value_error("--target '" + args.target +
                       "': the noise sweep perturbs the paper's own compiled form; use linear-rnn or gated-linear-rnn");
  }
  return std::nullopt;
}

// One prompt of the sweep and what its last outputs must be.
struct Query {
  std::vector<std::vector<double>> tokens;
  std::vector<double> expected_ids;  // dictionary: the value's token ids
};

struct Companion {
  std::string kind;  // "dictionary" | "continuous"
  std::map<std::string, std::string> params;  // the example's params (form aside)
  std::vector<Query> queries;
  int answer_tokens = 0;  // dictionary: n
};

std::string param_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return number_text(v.get<double>());
  return v.dump();
}

// Reads the example file's params; the prompts need the built program's
// vocabulary and widths, so they are made by build_queries.
bool read_companion(const std::string& path, nlohmann::json& example) {
  std::string text;
  Diagnostic error;
  if (!read_file(path, text, error)) {
    error.message = "the noise sweep runs the prompts of the example file beside PROGRAM, and this one cannot be read";
    std::cerr << render_all({error}) << std::flush;
    return false;
  }
  try {
    example = nlohmann::json::parse(text);
    if (!example.contains("prompt") || !example["prompt"].is_object() || !example["prompt"].contains("kind")) {
      value_error("the example file has no prompt.kind (dictionary or continuous)", path);
      return false;
    }
  } catch (const nlohmann::json::exception& e) {
    value_error(std::string("the example file is not valid JSON: ") + e.what(), path);
    return false;
  }
  return true;
}

bool build_queries(const nlohmann::json& example, const std::string& path, const ProgramInfo& info,
                   Companion& companion) {
  try {
    const nlohmann::json& prompt = example["prompt"];
    companion.kind = prompt["kind"].get<std::string>();
    if (companion.kind == "dictionary") {
      if (!info.vocab) {
        value_error("a dictionary example needs a program with a vocab(...)", path);
        return false;
      }
      std::vector<std::pair<std::string, std::string>> pairs;
      for (const auto& pair : prompt["pairs"]) pairs.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
      for (const auto& [key, value] : pairs) {
        api::TokensResult built = api::dictionary_prompt(key, pairs, *info.vocab);
        if (!built.ok) {
          std::cerr << render_all(built.diagnostics) << std::flush;
          return false;
        }
        Query q;
        q.tokens = std::move(built.tokens);
        for (char c : value) q.expected_ids.push_back(static_cast<double>(info.vocab->find(c)));
        companion.answer_tokens = static_cast<int>(value.size());
        companion.queries.push_back(std::move(q));
      }
    } else if (companion.kind == "continuous") {
      const int dims = static_cast<int>(prompt["query"].size());
      const std::string function = prompt["function"].get<std::string>();
      const int cells = prompt["cells"].get<int>();
      std::vector<std::vector<double>> points;
      int total = 1;
      for (int d = 0; d < dims; ++d) total *= kGridPerAxis;
      for (int index = 0; index < total; ++index) {
        std::vector<double> point(static_cast<std::size_t>(dims));
        int rest = index;
        for (int d = 0; d < dims; ++d) {
          point[static_cast<std::size_t>(d)] = (rest % kGridPerAxis + 0.5) / kGridPerAxis;
          rest /= kGridPerAxis;
        }
        points.push_back(point);
      }
      points.push_back(prompt["query"].get<std::vector<double>>());
      for (const auto& point : points) {
        api::TokensResult built = api::continuous_prompt(function, dims, cells, point);
        if (!built.ok) {
          for (auto& d : built.diagnostics) d.file = path;
          std::cerr << render_all(built.diagnostics) << std::flush;
          return false;
        }
        companion.queries.push_back(Query{std::move(built.tokens), {}});
      }
    } else {
      value_error("prompt.kind '" + companion.kind + "' has no noise measure; the sweep knows dictionary and continuous", path);
      return false;
    }
  } catch (const nlohmann::json::exception& e) {
    value_error(std::string("the example file's prompt is malformed: ") + e.what(), path);
    return false;
  }
  return true;
}

// NaN-aware: once a NaN is seen the result stays NaN (a NaN must never look small).
double nan_aware_max(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  return a > b ? a : b;
}

struct Row {
  std::string form;
  double sigma = 0;
  int trial = 0;
  double value = 0;
};

}  // namespace

int run_noise(const std::vector<std::string>& argv) {
  NoiseArguments args;
  if (const auto status = parse_noise_arguments(argv, args)) return *status;

  std::string source;
  Diagnostic read_error;
  if (!read_file(args.program_path, source, read_error)) {
    std::cerr << render_all({read_error}) << std::flush;
    return kError;
  }
  std::filesystem::path companion_path(args.program_path);
  companion_path.replace_extension(".example.json");
  nlohmann::json example;
  if (!read_companion(companion_path.string(), example)) return kError;

  // The example's params, then the command line's.
  std::map<std::string, std::string> params;
  if (example.contains("params") && example["params"].is_object()) {
    for (const auto& [name, value] : example["params"].items()) params[name] = param_text(value);
  }
  for (const auto& [name, value] : args.params) params[name] = value;

  api::CompileOptions options;
  options.filename = args.program_path;
  options.target = args.target;
  options.params = params;
  options.params.erase("form");
  api::CheckResult checked = api::check(source, options);
  if (!checked.ok) {
    std::cerr << render_all(checked.diagnostics) << std::flush;
    return kError;
  }
  std::vector<std::string> forms;
  if (args.params.count("form")) {
    forms.push_back(args.params.at("form"));
  } else {
    for (const auto& p : checked.info.params)
      if (p.name == "form") forms = p.choices;
  }
  if (forms.empty()) forms.push_back("");  // no form parameter: the program as it is

  Companion companion;
  if (!build_queries(example, companion_path.string(), checked.info, companion)) return kError;

  std::vector<Row> rows;
  for (const std::string& form : forms) {
    api::CompileOptions form_options = options;
    if (!form.empty()) form_options.params["form"] = form;
    api::CompileResult compiled = api::compile(source, form_options);
    if (!compiled.ok && forms.size() > 1) {
      // Sweeping every form: one the target cannot hold (a multiplicative
      // form on linear-rnn) is left out, and the user told so.
      std::cerr << "lsrlc noise: note: form " << form << " does not compile for " << args.target
                << ", left out of the sweep:\n" << render_all(compiled.diagnostics) << std::flush;
      continue;
    }
    if (!compiled.ok) {
      std::cerr << render_all(compiled.diagnostics) << std::flush;
      return kError;
    }
    api::RunOptions run_options;
    run_options.compare_with_program = false;
    auto run_all = [&](const api::CompiledModel& model, std::vector<OutputRows>& outputs) {
      outputs.clear();
      for (const Query& q : companion.queries) {
        api::RunResult r = api::run(model, q.tokens, run_options);
        if (!r.ok) {
          std::cerr << render_all(r.diagnostics) << std::flush;
          return false;
        }
        outputs.push_back(std::move(r.outputs));
      }
      return true;
    };
    std::vector<OutputRows> clean;
    if (!run_all(*compiled.model, clean)) return kError;
    for (double sigma : args.sigmas) {
      for (int trial = 0; trial < args.trials; ++trial) {
        api::CompileResult noisy = api::with_weight_noise(*compiled.model, sigma, args.seed + static_cast<std::uint64_t>(trial));
        if (!noisy.ok) {
          std::cerr << render_all(noisy.diagnostics) << std::flush;
          return kError;
        }
        std::vector<OutputRows> outputs;
        if (!run_all(*noisy.model, outputs)) return kError;
        double value = 0;
        for (std::size_t qi = 0; qi < companion.queries.size(); ++qi) {
          const OutputRows& out = outputs[qi];
          if (companion.kind == "dictionary") {
            const auto& expected = companion.queries[qi].expected_ids;
            const std::size_t first = out.size() - expected.size();
            for (std::size_t k = 0; k < expected.size(); ++k) {
              const double got = out[first + k][0];
              if (!(std::isfinite(got) && std::round(got) == expected[k])) value += 1;
            }
          } else {
            const auto& last = out.back();
            const auto& reference = clean[qi].back();
            for (std::size_t c = 0; c < last.size(); ++c) value = nan_aware_max(value, std::fabs(last[c] - reference[c]));
          }
        }
        rows.push_back(Row{form, sigma, trial, value});
      }
    }
  }

  if (rows.empty()) return value_error("no form of the program compiles for " + args.target + "; try --target gated-linear-rnn", args.program_path);
  const bool discrete = companion.kind == "dictionary";
  const std::string measure = discrete ? "wrong_tokens" : "max_error";
  const long long out_of = discrete ? static_cast<long long>(companion.queries.size()) * companion.answer_tokens : 0;
  if (args.json) {
    nlohmann::json j;
    j["program"] = args.program_path;
    j["target"] = args.target;
    j["measure"] = measure;
    j["queries"] = companion.queries.size();
    if (discrete) j["out_of"] = out_of;
    j["seed"] = args.seed;
    j["trials"] = args.trials;
    j["rows"] = nlohmann::json::array();
    for (const Row& r : rows) {
      nlohmann::json row{{"form", r.form}, {"sigma", r.sigma}, {"trial", r.trial}};
      // JSON has no NaN or Infinity: a blown-up error is written as null.
      if (std::isfinite(r.value)) row["value"] = r.value; else row["value"] = nullptr;
      j["rows"].push_back(row);
    }
    std::cout << j.dump() << "\n";
    return kOk;
  }
  std::ostringstream out;
  out << "# " << args.program_path << " on " << args.target << ": ";
  if (discrete) {
    out << "wrong tokens of " << out_of << " (" << companion.queries.size() << " queries x " << companion.answer_tokens
        << " tokens)";
  } else {
    out << "max |noisy - noise-free| of the last output over " << companion.queries.size() << " queries";
  }
  out << "; seeds " << args.seed << ".." << args.seed + static_cast<std::uint64_t>(args.trials - 1) << "\n";
  char line[160];
  std::snprintf(line, sizeof line, "%-26s %-8s %-5s %s\n", "form", "sigma", "trial", measure.c_str());
  out << line;
  for (const Row& r : rows) {
    std::snprintf(line, sizeof line, "%-26s %-8s %-5d %s\n", r.form.empty() ? "-" : r.form.c_str(),
                  number_text(r.sigma).c_str(), r.trial, number_text(r.value).c_str());
    out << line;
  }
  std::cout << out.str();
  return kOk;
}

}  // namespace lsrl::cli
