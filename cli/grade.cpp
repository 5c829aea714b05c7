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

const char* const kGradeUsage =
    "usage: lsrlc grade EXERCISE.json FILE.lsrl...\n"
    "  Runs every FILE on every check of the exercise, on the target the exercise\n"
    "  names, and prints CSV: file,exercise,check,status,first_differing_step,\n"
    "  max_deviation,message (status pass, fail or error; steps count from 0).\n"
    "  Exit status 0 when it graded (failing programs included), 1 on a usage error.\n";

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
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
  std::string text;
  Diagnostic read_error;
  if (!read_file(argv[0], text, read_error)) {
    std::cerr << read_error.render() << "\n";
    return kUsageError;
  }
  const api::ExerciseResult parsed = api::parse_exercise(text, argv[0]);
  if (!parsed.ok) {
    for (const Diagnostic& d : parsed.diagnostics) std::cerr << d.file << ": error: " << d.message << "\n";
    return kUsageError;
  }
  const api::Exercise& exercise = parsed.exercise;
  std::cout << "file,exercise,check,status,first_differing_step,max_deviation,message\n";
  for (std::size_t f = 1; f < argv.size(); ++f) {
    const std::string& file = argv[f];
    std::string source;
    Diagnostic read_error;
    const bool readable = read_file(file, source, read_error);
    for (const api::ExerciseCheck& check : exercise.checks) {
      api::GradeOutcome outcome;
      if (readable) {
        outcome = api::grade_check(source, file, exercise, check);
      } else {
        outcome.status = "error";
        outcome.message = read_error.message;
      }
      std::ostringstream line;
      line << csv_field(file) << ',' << csv_field(exercise.id) << ',' << csv_field(check.name) << ',' << outcome.status
           << ',' << (outcome.first_differing_step ? std::to_string(*outcome.first_differing_step) : "") << ','
           << (outcome.max_deviation ? api::shortest_text(*outcome.max_deviation) : "") << ','
           << csv_field(outcome.message) << '\n';
      std::cout << line.str() << std::flush;
    }
  }
  return kGraded;
}

}  // namespace lsrl::cli
