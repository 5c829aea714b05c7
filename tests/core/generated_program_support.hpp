// Runs one LSRL source program on the DAG and on every target it fits and
// compares element-wise with output_comparison.hpp (shape, NaN and Inf
// aware, per entry |m - p| / max(1, |p|)). Used by the generated-program
// suite and the regression programs (tests/programs/regressions/).
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "api/api.hpp"
#include "compile/compiler.hpp"
#include "output_comparison.hpp"
#include "runtime/dag_eval.hpp"
#include "targets/registry.hpp"

namespace lsrl::gen {

// Paper mode is documented exact for the examples (docs/targets.md); the
// generated programs are held to 1e-9 relative.
inline constexpr double kTolerance = 1e-9;
// A prompt whose program output is non-finite or above this is not
// compared (the targets' exactness claims are for finite, moderate values).
inline constexpr double kLargestCompared = 1e12;

// Empty when `got` matches `expected`; else what differs first (the shared
// comparison of output_comparison.hpp).
inline std::string compare_outputs(const OutputRows& expected, const OutputRows& got, double tolerance) {
  return output_comparison::first_difference(expected, got, tolerance);
}

inline bool comparable(const OutputRows& expected) {
  for (const auto& row : expected)
    for (double v : row)
      if (!std::isfinite(v) || std::fabs(v) > kLargestCompared) return false;
  return true;
}

inline std::string render_prompt(const std::vector<std::vector<double>>& tokens) {
  std::ostringstream os;
  os.precision(17);
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    os << (t ? " " : "");
    for (std::size_t i = 0; i < tokens[t].size(); ++i) os << (i ? "," : "") << tokens[t][i];
  }
  return os.str();
}

struct RunTally {
  std::map<std::string, long long> rule_hits;  // over all compilations
  long long programs = 0;
  long long comparisons = 0;      // (target, prompt) pairs compared
  long long skipped_prompts = 0;  // program output non-finite or > 1e12
  long long refusals = 0;         // documented Multi refusals seen
  long long bound_refusals = 0;   // GRU paper-mode products refused for their static bounds
  long long max_rewrites = 0;     // most rule applications of one compilation
  std::vector<std::string> failures;
  // Deviations on targets with a known numerical problem of their own
  // (`known_targets`), kept apart from the failures: by target, and the texts.
  std::map<std::string, long long> target_findings;          // deviating prompts
  std::map<std::string, long long> target_finding_programs;  // programs with at least one
  std::map<std::string, long long> last_program_with_finding;
  std::vector<std::string> target_finding_texts;
};

// Compiles `source` through the front end, debranches it once and runs it on
// every available target over `prompts`. Failures (with the source and the
// prompt) go to tally.failures.
// Deviations on a target named in `known_targets` are target findings
// (tally.target_findings), not failures.
inline void check_program_on_every_target(const std::string& source,
                                          const std::vector<std::vector<std::vector<double>>>& prompts, RunTally& tally,
                                          const std::vector<std::string>& known_targets = {},
                                          double tolerance = kTolerance) {
  ++tally.programs;
  auto fail = [&](const std::string& what) { tally.failures.push_back(what + "\n--- program ---\n" + source); };
  auto deviation = [&](const std::string& target, const std::string& what) {
    if (std::find(known_targets.begin(), known_targets.end(), target) == known_targets.end()) {
      fail(what);
    } else {
      ++tally.target_findings[target];
      if (tally.last_program_with_finding[target] != tally.programs) {
        tally.last_program_with_finding[target] = tally.programs;
        ++tally.target_finding_programs[target];
      }
      tally.target_finding_texts.push_back(what + "\n--- program ---\n" + source);
    }
  };
  api::CompileOptions front;
  front.target = "dag";
  const api::CompileResult built = api::compile(source, front);
  if (!built.ok) {
    fail("front end rejected the program: " + render_all(built.diagnostics));
    return;
  }
  const Program& program = built.model->program;
  PathModel path;
  CompileReport report;
  try {
    path = compile_to_path(program, CompilerOptions{}, &report);
  } catch (const LsrlError& e) {
    fail("compiler error: " + e.message());
    return;
  }
  long long rewrites = 0;
  for (const auto& [rule, n] : report.rule_counts) {
    tally.rule_hits[rule] += n;
    rewrites += n;
  }
  tally.max_rewrites = std::max(tally.max_rewrites, rewrites);

  std::vector<OutputRows> expected;
  for (const auto& tokens : prompts) expected.push_back(evaluate_program(program, tokens, Precision::F64, nullptr));

  for (const TargetInfo& target : list_targets()) {
    if (!target.available || !target.has_model) continue;
    TargetOptions options;
    options.max_sequence_length = 64;  // prompts are at most 12 tokens; keeps Hawk/Mamba kernels small
    if (path.has_multi() && !target.supports_multi) {
      try {
        lower_to_target(path, target.name, options);
        fail(target.name + " accepted a program with a Multi");
      } catch (const LsrlError& e) {
        // The documented refusal: names the Multi and the gated way out.
        if (e.message().find("Multi") == std::string::npos || e.message().find("gated") == std::string::npos)
          fail(target.name + " refused with an undocumented message: " + e.message());
        else
          ++tally.refusals;
      }
      continue;
    }
    // One model per program and target, built before any prompt (the weights
    // never depend on one): the static range analysis bounds every value over
    // the default input domain (|x| <= 1e6) and 64 tokens. GRU's paper-mode
    // products may need offsets beyond what it accepts: that documented
    // compile-time refusal is counted, not a failure.
    std::unique_ptr<TargetModel> shared;
    try {
      shared = lower_to_target(path, target.name, options);
    } catch (const LsrlError& e) {
      if (e.message().find("declare tighter input bounds") != std::string::npos) {
        ++tally.bound_refusals;
      } else {
        fail(target.name + " refused a valid program: " + e.message());
      }
      continue;
    }
    for (std::size_t k = 0; k < prompts.size(); ++k) {
      if (!comparable(expected[k])) {
        ++tally.skipped_prompts;
        continue;
      }
      try {
        const TargetModel& model = *shared;
        const OutputRows got = model.run(prompts[k], Precision::F64, nullptr);
        ++tally.comparisons;
        const std::string diff = compare_outputs(expected[k], got, tolerance);
        if (!diff.empty())
          deviation(target.name,
                    target.name + " differs from the program on prompt \"" + render_prompt(prompts[k]) + "\": " + diff);
      } catch (const LsrlError& e) {
        fail(target.name + " failed on prompt \"" + render_prompt(prompts[k]) + "\": " + e.message());
      }
    }
  }
}

}  // namespace lsrl::gen
