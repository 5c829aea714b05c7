// `lsrlc grade` end to end: the built binary (LSRL_LSRLC) on the shipped
// exercises (exercises/*.json) with the reference solutions of the tests
// (tests/exercises/solutions/) and each exercise's starter code; a wrong
// program's first differing step; programs that do not build; usage errors.
// The expected outputs in the exercise files come from independent functions
// (scripts/make-exercises.mjs), not from these solutions.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "lsrlc_process.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kSourceDir = LSRL_SOURCE_DIR;

using namespace lsrl::cli_process;

// RFC 4180 lines: fields separated by commas, "quoted" with "" for a quote.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
    } else {
      field += c;
    }
  }
  return rows;
}

const char* const kHeader = "file,exercise,check,status,first_differing_step,max_deviation,message";
enum Column { kFile, kExercise, kCheck, kStatus, kStep, kDeviation, kMessage };

std::string exercise_file(const std::string& id) { return kSourceDir + "/exercises/" + id + ".json"; }
std::string solution_file(const std::string& id) { return kSourceDir + "/tests/exercises/solutions/" + id + ".lsrl"; }

std::vector<std::string> exercise_ids() {
  const nlohmann::json index = nlohmann::json::parse(read_file(kSourceDir + "/exercises/index.json"));
  std::vector<std::string> ids;
  for (const auto& file : index["exercises"]) {
    const std::string name = file.get<std::string>();
    ids.push_back(name.substr(0, name.size() - 5));  // without ".json"
  }
  return ids;
}

// Every line of a successful grade: the header, then 7 fields each.
std::vector<std::vector<std::string>> graded_rows(const Outcome& o, const std::string& context) {
  EXPECT_EQ(o.signal, 0) << context;
  EXPECT_EQ(o.exit_code, 0) << context << "\nstderr: " << o.err;
  EXPECT_EQ(o.out.rfind(std::string(kHeader) + "\n", 0), 0u) << context << "\n" << o.out;
  std::vector<std::vector<std::string>> rows = parse_csv(o.out);
  if (!rows.empty()) rows.erase(rows.begin());
  for (const auto& row : rows) EXPECT_EQ(row.size(), 7u) << context << "\n" << o.out;
  return rows;
}

TEST(Grade, ReferenceSolutionsPassEveryCheckAndStarterCodesFailOne) {
  const std::vector<std::string> ids = exercise_ids();
  ASSERT_GE(ids.size(), 12u);
  for (const std::string& id : ids) {
    const nlohmann::json exercise = nlohmann::json::parse(read_file(exercise_file(id)));
    const std::size_t checks = exercise["checks"].size();
    const fs::path starter = scratch() / (id + "_starter.lsrl");
    write_file(starter, exercise["starter"].get<std::string>());
    const Outcome o = lsrlc({"grade", exercise_file(id), solution_file(id), starter.string()});
    const auto rows = graded_rows(o, id);
    ASSERT_EQ(rows.size(), 2 * checks) << id << "\n" << o.out;
    int starter_failures = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& row = rows[i];
      EXPECT_EQ(row[kExercise], id);
      if (i < checks) {
        EXPECT_EQ(row[kFile], solution_file(id));
        EXPECT_EQ(row[kStatus], "pass") << id << " solution, " << row[kCheck] << ": " << row[kMessage];
        EXPECT_EQ(row[kStep], "");
      } else {
        EXPECT_EQ(row[kFile], starter.string());
        if (row[kStatus] != "pass") ++starter_failures;
      }
    }
    EXPECT_GE(starter_failures, 1) << id << ": the starter code passes every check\n" << o.out;
  }
}

TEST(Grade, AWrongProgramGetsItsFirstDifferingStepAndDeviation) {
  // The sum of the tokens before this one: 0 1 3 where 1 3 6 is expected.
  const fs::path wrong = scratch() / "off_by_one.lsrl";
  write_file(wrong, "input = Input(dim=1)\nreturn LinState(input, A=[[1]], B=[[1]], init_state=[[0]]) - input\n");
  const Outcome o = lsrlc({"grade", exercise_file("running_sum"), wrong.string()});
  const auto rows = graded_rows(o, "off by one");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][kCheck], "check 1");
  EXPECT_EQ(rows[0][kStatus], "fail");
  EXPECT_EQ(rows[0][kStep], "0");  // the first token is step 0
  EXPECT_EQ(rows[0][kDeviation], "3");
  EXPECT_EQ(rows[0][kMessage], "step 0: expected 1, got 0");
  for (const auto& row : rows) EXPECT_EQ(row[kStatus], "fail");
}

TEST(Grade, ProgramsThatDoNotBuildOrRunAreErrorsForEveryCheck) {
  const fs::path typo = scratch() / "typo.lsrl";
  write_file(typo, "input = Input(dim=1)\nreturn LinStat(input, A=[[1]], B=[[1]], init_state=[[0]])\n");
  const fs::path gated = scratch() / "multi, \"quoted\".lsrl";  // needs CSV quoting
  write_file(gated, "input = Input(dim=1)\nreturn f_ifelse_mul(input, input, None)\n");
  const fs::path wide = scratch() / "wide.lsrl";
  write_file(wide, "input = Input(dim=1)\nreturn Concat([input, input])\n");
  const fs::path narrow_input = scratch() / "narrow_input.lsrl";
  write_file(narrow_input, "input = Input(dim=2)\nreturn input[0]\n");
  const std::string missing = (scratch() / "missing.lsrl").string();
  const Outcome o = lsrlc({"grade", exercise_file("count_zeros"), typo.string(), gated.string(), wide.string(),
                           narrow_input.string(), missing});
  const auto rows = graded_rows(o, "broken programs");
  ASSERT_EQ(rows.size(), 15u) << o.out;
  for (const auto& row : rows) {
    EXPECT_EQ(row[kStatus], "error") << row[kFile];
    EXPECT_FALSE(row[kMessage].empty()) << row[kFile];
  }
  EXPECT_NE(rows[0][kMessage].find("line 2:"), std::string::npos) << rows[0][kMessage];
  EXPECT_NE(rows[0][kMessage].find("LinState"), std::string::npos) << rows[0][kMessage];
  EXPECT_EQ(rows[3][kFile], gated.string());
  EXPECT_NE(rows[3][kMessage].find("line 2:"), std::string::npos) << rows[3][kMessage];
  EXPECT_NE(rows[6][kMessage].find("wide"), std::string::npos) << rows[6][kMessage];
  EXPECT_NE(rows[9][kMessage].find("Input is 2 wide"), std::string::npos) << rows[9][kMessage];
  EXPECT_EQ(rows[12][kFile], missing);
  EXPECT_EQ(o.err.find("internal error"), std::string::npos) << o.err;
}

TEST(Grade, UsageErrorsExitOneWithAMessageAndNothingOnStdout) {
  const fs::path not_exercise = scratch() / "not_exercise.json";
  write_file(not_exercise, "{\"format\": \"something else\"}");
  const fs::path short_expected = scratch() / "short_expected.json";
  write_file(short_expected,
             "{\"format\": \"lsrl-exercise/1\", \"id\": \"x\", \"target\": \"dag\", "
             "\"checks\": [{\"input\": [[1], [2]], \"expected\": [[1]]}]}");
  const fs::path broken = scratch() / "broken.json";
  write_file(broken, "{\"format\": ");
  const std::string solution = solution_file("running_sum");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"grade"}, "needs an exercise file"},
      {{"grade", exercise_file("running_sum")}, "at least one program"},
      {{"grade", exercise_file("running_sum"), solution, "--target", "rnn"}, "takes no options"},
      {{"grade", not_exercise.string(), solution}, "\"format\" must be \"lsrl-exercise/1\""},
      {{"grade", short_expected.string(), solution}, "\"expected\" has 1 rows but \"input\" has 2 tokens"},
      {{"grade", broken.string(), solution}, "not a JSON object"},
      {{"grade", (scratch() / "nowhere.json").string(), solution}, "error: "},
  };
  for (const auto& [args, needle] : cases) {
    const Outcome o = lsrlc(args);
    std::string context;
    for (const auto& a : args) context += a + " ";
    EXPECT_EQ(o.signal, 0) << context;
    EXPECT_EQ(o.exit_code, 1) << context << "\nstderr: " << o.err;
    EXPECT_EQ(o.out, "") << context;
    EXPECT_NE(o.err.find(needle), std::string::npos) << context << "\nexpected '" << needle << "' in: " << o.err;
  }
  const Outcome help = lsrlc({"grade", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("file,exercise,check,status"), std::string::npos);
}

}  // namespace
