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
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "api/api.hpp"
#include "inputs.hpp"

namespace lsrl::cli {
namespace {

constexpr int kOk = 0;
constexpr int kError = 1;
constexpr int kUsage = 2;
constexpr int kMaxTrials = api::kMaxNoiseTrials;
constexpr std::size_t kMaxSigmas = api::kMaxNoiseSigmas;

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
        return value_error("--sigmas: '" + item +
                           "' is not a standard deviation (a finite number >= 0); write e.g. --sigmas 0,1e-7,1e-5");
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
      return value_error("--trials '" + *trials_text + "' is not a whole number between 1 and " +
                         std::to_string(kMaxTrials));
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

std::string param_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return api::shortest_text(v.get<double>());
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

// The example file's prompt as the sweep's options: a dictionary's pairs, or
// a continuous example's function, cells and query.
bool read_prompt(const nlohmann::json& example, const std::string& path, api::NoiseSweepOptions& sweep) {
  try {
    const nlohmann::json& prompt = example["prompt"];
    sweep.kind = prompt["kind"].get<std::string>();
    if (sweep.kind == "dictionary") {
      for (const auto& pair : prompt["pairs"])
        sweep.pairs.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    } else if (sweep.kind == "continuous") {
      sweep.function = prompt["function"].get<std::string>();
      sweep.cells = prompt["cells"].get<int>();
      sweep.query = prompt["query"].get<std::vector<double>>();
    }
  } catch (const nlohmann::json::exception& e) {
    value_error(std::string("the example file's prompt is malformed: ") + e.what(), path);
    return false;
  }
  return true;
}

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

  api::NoiseSweepOptions sweep;
  sweep.compile.filename = args.program_path;
  sweep.compile.target = args.target;
  sweep.compile.params = params;
  if (args.params.count("form")) sweep.forms.push_back(args.params.at("form"));
  sweep.sigmas = args.sigmas;
  sweep.trials = args.trials;
  sweep.seed = args.seed;
  if (!read_prompt(example, companion_path.string(), sweep)) return kError;

  const api::NoiseSweepResult swept = api::noise_sweep(source, sweep);
  for (const auto& left : swept.left_out) {
    std::cerr << "lsrlc noise: note: form " << left.form << " does not compile for " << args.target
              << ", left out of the sweep:\n"
              << render_all(left.why) << std::flush;
  }
  if (!swept.ok) {
    std::cerr << render_all(swept.diagnostics) << std::flush;
    return kError;
  }
  const bool discrete = swept.measure == "wrong_tokens";
  if (args.json) {
    nlohmann::json j = api::noise_sweep_json(swept);
    j["program"] = args.program_path;
    j["target"] = args.target;
    j["seed"] = args.seed;
    j["trials"] = args.trials;
    std::cout << j.dump() << "\n";
    return kOk;
  }
  std::ostringstream out;
  out << "# " << args.program_path << " on " << args.target << ": ";
  if (discrete) {
    out << "wrong tokens of " << swept.out_of << " (" << swept.queries << " queries x "
        << (swept.queries ? swept.out_of / swept.queries : 0) << " tokens)";
  } else {
    out << "max |noisy - noise-free| of the last output over " << swept.queries << " queries";
  }
  out << "; seeds " << args.seed << ".." << args.seed + static_cast<std::uint64_t>(args.trials - 1) << "\n";
  char line[160];
  std::snprintf(line, sizeof line, "%-26s %-8s %-5s %s\n", "form", "sigma", "trial", swept.measure.c_str());
  out << line;
  for (const api::NoiseSweepRow& r : swept.rows) {
    std::snprintf(line, sizeof line, "%-26s %-8s %-5d %s\n", r.form.empty() ? "-" : r.form.c_str(),
                  api::shortest_text(r.sigma).c_str(), r.trial, api::shortest_text(r.value).c_str());
    out << line;
  }
  std::cout << out.str();
  return kOk;
}

}  // namespace lsrl::cli
