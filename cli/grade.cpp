// `lsrlc grade EXERCISE.json FILES...`: runs each student program on each
// check of an exercise (docs/exercises.md) on the target the exercise names,
// and prints one CSV line per file and check:
//   file,exercise,check,status,first_differing_step,max_deviation,message
// status is pass, fail (the outputs differ from the expected ones by more
// than the tolerance) or error (the program does not build, compile or run
// on the target, or its output width is wrong). Steps count from 0 (the first token is step
// 0), as in the page's outputs table and trace.
// The page grades the same way (web/src/ui/grading.js); keep the two in step.
#include "grade.hpp"

#include <charconv>
#include <cmath>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>

#include "api/api.hpp"
#include "inputs.hpp"

namespace lsrl::cli {
namespace {

constexpr int kGraded = 0;
constexpr int kUsageError = 1;
constexpr const char* kFormat = "lsrl-exercise/1";

const char* const kGradeUsage =
    "usage: lsrlc grade EXERCISE.json FILE.lsrl...\n"
    "  Runs every FILE on every check of the exercise, on the target the exercise\n"
    "  names, and prints CSV: file,exercise,check,status,first_differing_step,\n"
    "  max_deviation,message (status pass, fail or error; steps count from 0).\n"
    "  Exit status 0 when it graded (failing programs included), 1 on a usage error.\n";

struct Check {
  std::string name;
  std::vector<std::vector<double>> input;
  std::vector<std::optional<std::vector<double>>> expected;  // nullopt: step not graded
};

struct Exercise {
  std::string id;
  std::string target;
  double tolerance = 1e-2;
  std::vector<Check> checks;
};

struct Outcome {
  std::string status;  // pass | fail | error
  std::optional<int> first_differing_step;
  std::optional<double> max_deviation;
  std::string message;
};

std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return ec == std::errc() ? std::string(buffer, end) : "nan";
}

std::string row_text(const std::vector<double>& row) {
  std::string text;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i) text += ',';  // appended, not "," + ...: GCC 12 warns (-Wrestrict) on the temporary
    text += number_text(row[i]);
  }
  return text;
}

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// One line: the diagnostic without its source excerpt.
std::string one_line(const Diagnostic& d) {
  std::string where = d.span.known() ? "line " + std::to_string(d.span.line) + ":" + std::to_string(d.span.col) + ": " : "";
  return where + d.message;
}

std::string first_error(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) {
    if (d.severity == Severity::Error) return one_line(d);
  }
  return diagnostics.empty() ? std::string("failed") : one_line(diagnostics.front());
}

bool numbers_row(const nlohmann::json& j, std::vector<double>& row) {
  if (!j.is_array()) return false;
  row.clear();
  for (const auto& v : j) {
    if (!v.is_number()) return false;
    row.push_back(v.get<double>());
  }
  return true;
}

// Reads and validates the exercise; on failure sets `error` to what is wrong and where.
bool load_exercise(const std::string& path, Exercise& exercise, std::string& error) {
  std::string text;
  Diagnostic read_error;
  if (!read_file(path, text, read_error)) {
    error = read_error.render();
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const std::string where = path + ": error: ";
  if (j.is_discarded() || !j.is_object()) {
    error = where + "not a JSON object; an exercise file is described in docs/exercises.md";
    return false;
  }
  if (!j.contains("format") || j["format"] != kFormat) {
    error = where + "\"format\" must be \"" + kFormat + "\" (docs/exercises.md)";
    return false;
  }
  if (!j.contains("id") || !j["id"].is_string() || !j.contains("target") || !j["target"].is_string()) {
    error = where + "\"id\" and \"target\" must be strings";
    return false;
  }
  exercise.id = j["id"].get<std::string>();
  exercise.target = j["target"].get<std::string>();
  if (j.contains("tolerance")) {
    if (!j["tolerance"].is_number() || !(j["tolerance"].get<double>() >= 0)) {
      error = where + "\"tolerance\" must be a number >= 0";
      return false;
    }
    exercise.tolerance = j["tolerance"].get<double>();
  }
  if (!j.contains("checks") || !j["checks"].is_array() || j["checks"].empty()) {
    error = where + "\"checks\" must be a non-empty array";
    return false;
  }
  int index = 0;
  for (const auto& c : j["checks"]) {
    ++index;
    const std::string at = where + "check " + std::to_string(index) + ": ";
    if (!c.is_object() || !c.contains("input") || !c["input"].is_array() || c["input"].empty() ||
        !c.contains("expected") || !c["expected"].is_array()) {
      error = at + "needs \"input\" (a non-empty array of tokens) and \"expected\" (one row or null per token)";
      return false;
    }
    Check check;
    check.name = c.contains("name") && c["name"].is_string() ? c["name"].get<std::string>() : "check " + std::to_string(index);
    for (const auto& token : c["input"]) {
      std::vector<double> row;
      if (!numbers_row(token, row) || row.empty() || (!check.input.empty() && row.size() != check.input.front().size())) {
        error = at + "every input token must be a non-empty array of numbers, all of the same width";
        return false;
      }
      check.input.push_back(std::move(row));
    }
    if (c["expected"].size() != check.input.size()) {
      error = at + "\"expected\" has " + std::to_string(c["expected"].size()) + " rows but \"input\" has " +
              std::to_string(check.input.size()) + " tokens; give one row (or null) per token";
      return false;
    }
    for (const auto& expected : c["expected"]) {
      std::vector<double> row;
      if (expected.is_null()) {
        check.expected.emplace_back(std::nullopt);
      } else if (numbers_row(expected, row) && !row.empty()) {
        check.expected.emplace_back(std::move(row));
      } else {
        error = at + "every expected row must be an array of numbers or null (not graded)";
        return false;
      }
    }
    exercise.checks.push_back(std::move(check));
  }
  return true;
}

// Compares the outputs with the expected rows: a NaN or an infinity never
// passes, whatever the tolerance.
Outcome compare(const Check& check, const OutputRows& outputs, double tolerance) {
  Outcome outcome;
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
      const double deviation = std::isfinite(got[u]) ? std::abs(got[u] - expected[u]) : std::numeric_limits<double>::infinity();
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

Outcome grade_check(const std::string& file, const std::string& source, const Exercise& exercise, const Check& check) {
  Outcome outcome;
  outcome.status = "error";
  api::CompileOptions options;
  options.filename = file;
  options.target = exercise.target;
  api::CompileResult compiled = api::compile(source, options);
  if (!compiled.ok) {
    outcome.message = first_error(compiled.diagnostics);
    return outcome;
  }
  if (compiled.model->info.input_dim != static_cast<int>(check.input.front().size())) {
    outcome.message = "the program's Input is " + std::to_string(compiled.model->info.input_dim) +
                      " wide but the exercise's tokens are " + std::to_string(check.input.front().size());
    return outcome;
  }
  api::RunOptions run_options;
  run_options.compare_with_program = false;
  api::RunResult ran = api::run(*compiled.model, check.input, run_options);
  if (!ran.ok) {
    outcome.message = first_error(ran.diagnostics);
    return outcome;
  }
  return compare(check, ran.outputs, exercise.tolerance);
}

}  // namespace

int run_grade(const std::vector<std::string>& argv) {
  if (argv.size() == 1 && (argv[0] == "--help" || argv[0] == "-h")) {
    std::cout << kGradeUsage;
    return kGraded;
  }
  for (const auto& a : argv) {
    if (a.size() > 1 && a[0] == '-') {
      std::cerr << "lsrlc: grade takes no options ('" << a << "')\n" << kGradeUsage;
      return kUsageError;
    }
  }
  if (argv.size() < 2) {
    std::cerr << "lsrlc: grade needs an exercise file and at least one program\n" << kGradeUsage;
    return kUsageError;
  }
  Exercise exercise;
  std::string error;
  if (!load_exercise(argv[0], exercise, error)) {
    std::cerr << error << (error.empty() || error.back() == '\n' ? "" : "\n");
    return kUsageError;
  }
  std::cout << "file,exercise,check,status,first_differing_step,max_deviation,message\n";
  for (std::size_t f = 1; f < argv.size(); ++f) {
    const std::string& file = argv[f];
    std::string source;
    Diagnostic read_error;
    const bool readable = read_file(file, source, read_error);
    for (const Check& check : exercise.checks) {
      Outcome outcome;
      if (readable) {
        outcome = grade_check(file, source, exercise, check);
      } else {
        outcome.status = "error";
        outcome.message = read_error.message;
      }
      std::ostringstream line;
      line << csv_field(file) << ',' << csv_field(exercise.id) << ',' << csv_field(check.name) << ',' << outcome.status << ','
           << (outcome.first_differing_step ? std::to_string(*outcome.first_differing_step) : "") << ','
           << (outcome.max_deviation ? number_text(*outcome.max_deviation) : "") << ',' << csv_field(outcome.message) << '\n';
      std::cout << line.str() << std::flush;
    }
  }
  return kGraded;
}

}  // namespace lsrl::cli
