// api::parse_exercise and api::grade_check: the exercise files of
// docs/exercises.md, read and graded in one place for `lsrlc grade` and for
// the page (through grade_reply and the wasm bindings: web/src/ui/grading.js
// keeps no rules of its own).
#include <cmath>
#include <limits>

#include "api/api.hpp"

namespace lsrl::api {
namespace {

constexpr const char* kExerciseFormat = "lsrl-exercise/1";

bool numbers_row(const nlohmann::ordered_json& j, std::vector<double>& row) {
  if (!j.is_array()) return false;
  row.clear();
  for (const auto& v : j) {
    if (!v.is_number()) return false;
    row.push_back(v.get<double>());
  }
  return true;
}

std::string row_text(const std::vector<double>& row) {
  std::string text;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i) text += ',';  // appended, not "," + ...: GCC 12 warns (-Wrestrict) on the temporary
    text += shortest_text(row[i]);
  }
  return text;
}

// One line: the diagnostic without its source excerpt (a CSV field, a table cell).
std::string one_line(const Diagnostic& d) {
  std::string where =
      d.span.known() ? "line " + std::to_string(d.span.line) + ":" + std::to_string(d.span.col) + ": " : "";
  return where + d.message;
}

std::string first_error(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) {
    if (d.severity == Severity::Error) return one_line(d);
  }
  return diagnostics.empty() ? std::string("failed") : one_line(diagnostics.front());
}

}  // namespace

ExerciseResult parse_exercise(const std::string& text, const std::string& filename) {
  ExerciseResult result;
  auto fail = [&](const std::string& message) {
    Diagnostic d;
    d.file = filename;
    d.message = message;
    result.diagnostics.push_back(std::move(d));
    result.ok = false;
    return result;
  };
  if (text.size() > kMaxExerciseBytes) {
    return fail("the exercise file has " + std::to_string(text.size()) + " bytes, more than the limit of " +
                std::to_string(kMaxExerciseBytes) + "; split it into several exercises");
  }
  // ordered_json: the one JSON parser the WebAssembly module links (the
  // weights export has it already; a second for nlohmann::json costs KBs).
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return fail("not a JSON object; an exercise file is described in docs/exercises.md");
  if (!j.contains("format") || j["format"] != kExerciseFormat) {
    return fail(std::string("\"format\" must be \"") + kExerciseFormat + "\" (docs/exercises.md)");
  }
  if (!j.contains("id") || !j["id"].is_string() || !j.contains("target") || !j["target"].is_string()) {
    return fail("\"id\" and \"target\" must be strings");
  }
  Exercise& exercise = result.exercise;
  exercise.id = j["id"].get<std::string>();
  exercise.target = j["target"].get<std::string>();
  if (j.contains("tolerance")) {
    if (!j["tolerance"].is_number() || !(j["tolerance"].get<double>() >= 0))
      return fail("\"tolerance\" must be a number >= 0");
    exercise.tolerance = j["tolerance"].get<double>();
  }
  if (!j.contains("checks") || !j["checks"].is_array() || j["checks"].empty()) {
    return fail("\"checks\" must be a non-empty array");
  }
  int index = 0;
  for (const auto& c : j["checks"]) {
    ++index;
    const std::string at = "check " + std::to_string(index) + ": ";
    if (!c.is_object() || !c.contains("input") || !c["input"].is_array() || c["input"].empty() ||
        !c.contains("expected") || !c["expected"].is_array()) {
      return fail(at + "needs \"input\" (a non-empty array of tokens) and \"expected\" (one row or null per token)");
    }
    ExerciseCheck check;
    check.name =
        c.contains("name") && c["name"].is_string() ? c["name"].get<std::string>() : "check " + std::to_string(index);
    for (const auto& token : c["input"]) {
      std::vector<double> row;
      if (!numbers_row(token, row) || row.empty() ||
          (!check.input.empty() && row.size() != check.input.front().size())) {
        return fail(at + "every input token must be a non-empty array of numbers, all of the same width");
      }
      check.input.push_back(std::move(row));
    }
    if (c["expected"].size() != check.input.size()) {
      return fail(at + "\"expected\" has " + std::to_string(c["expected"].size()) + " rows but \"input\" has " +
                  std::to_string(check.input.size()) + " tokens; give one row (or null) per token");
    }
    for (const auto& expected : c["expected"]) {
      std::vector<double> row;
      if (expected.is_null()) {
        check.expected.emplace_back(std::nullopt);
      } else if (numbers_row(expected, row) && !row.empty()) {
        check.expected.emplace_back(std::move(row));
      } else {
        return fail(at + "every expected row must be an array of numbers or null (not graded)");
      }
    }
    exercise.checks.push_back(std::move(check));
  }
  result.ok = true;
  return result;
}

GradeOutcome compare_with_expected(const ExerciseCheck& check, const OutputRows& outputs, double tolerance) {
  GradeOutcome outcome;
  if (outputs.size() != check.expected.size()) {
    outcome.status = "error";
    outcome.message = "the model gave " + std::to_string(outputs.size()) + " outputs for " +
                      std::to_string(check.expected.size()) + " tokens";
    return outcome;
  }
  double max_deviation = 0;
  for (std::size_t t = 0; t < outputs.size(); ++t) {
    if (!check.expected[t]) continue;
    const std::vector<double>& expected = *check.expected[t];
    const std::vector<double>& got = outputs[t];
    if (got.size() != expected.size()) {
      outcome.status = "error";
      outcome.first_differing_step = static_cast<int>(t);
      outcome.message = "the output is " + std::to_string(got.size()) + " wide but the exercise expects " +
                        std::to_string(expected.size());
      return outcome;
    }
    bool differs = false;
    for (std::size_t u = 0; u < got.size(); ++u) {
      // A NaN or an infinity never passes, whatever the tolerance.
      const double deviation =
          std::isfinite(got[u]) ? std::abs(got[u] - expected[u]) : std::numeric_limits<double>::infinity();
      if (!(deviation <= tolerance)) differs = true;
      if (!(deviation <= max_deviation)) max_deviation = deviation;
    }
    if (differs && !outcome.first_differing_step) {
      outcome.first_differing_step = static_cast<int>(t);
      outcome.message = "step " + std::to_string(t) + ": expected " + row_text(expected) + ", got " + row_text(got);
    }
  }
  outcome.max_deviation = max_deviation;
  outcome.status = outcome.first_differing_step ? "fail" : "pass";
  return outcome;
}

namespace {

// A check on a compiled program (or on the compiler's refusal of it).
GradeOutcome grade_compiled(const CompileResult& compiled, const Exercise& exercise, const ExerciseCheck& check) {
  GradeOutcome outcome;
  outcome.status = "error";
  if (!compiled.ok) {
    outcome.message = first_error(compiled.diagnostics);
    return outcome;
  }
  if (compiled.model->info.input_dim != static_cast<int>(check.input.front().size())) {
    outcome.message = "the program's Input is " + std::to_string(compiled.model->info.input_dim) +
                      " wide but the exercise's tokens are " + std::to_string(check.input.front().size());
    return outcome;
  }
  RunOptions run_options;
  run_options.compare_with_program = false;
  RunResult ran = run(*compiled.model, check.input, run_options);
  if (!ran.ok) {
    outcome.message = first_error(ran.diagnostics);
    return outcome;
  }
  outcome = compare_with_expected(check, ran.outputs, exercise.tolerance);
  outcome.outputs = std::move(ran.outputs);
  return outcome;
}

CompileResult compile_for(const std::string& source, const std::string& filename, const Exercise& exercise) {
  CompileOptions options;
  options.filename = filename;
  options.target = exercise.target;
  return compile(source, options);
}

}  // namespace

GradeOutcome grade_check(const std::string& source, const std::string& filename, const Exercise& exercise,
                         const ExerciseCheck& check) {
  return grade_compiled(compile_for(source, filename, exercise), exercise, check);
}

std::vector<GradeOutcome> grade_program(const std::string& source, const std::string& filename,
                                        const Exercise& exercise) {
  const CompileResult compiled = compile_for(source, filename, exercise);
  std::vector<GradeOutcome> outcomes;
  for (const ExerciseCheck& check : exercise.checks) outcomes.push_back(grade_compiled(compiled, exercise, check));
  return outcomes;
}

}  // namespace lsrl::api
