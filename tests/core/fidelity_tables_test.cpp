// docs/targets.md section 9 prints three fidelity tables and names the command
// that made each. These tests run that command (build/fidelity_table, built
// before the tests: stage 10 builds every target, and lsrl_tests depends on
// it) and compare its table with the page's, row by row, so a change to a
// construction that moves a cell, or a hand edit of the page, fails here with
// the differing rows and the command that regenerates the table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The lines of `text` that are rows of a Markdown table, from the first one at
// or after `from` to the end of that table.
std::vector<std::string> table_rows(const std::string& text, std::size_t from = 0) {
  std::vector<std::string> rows;
  std::istringstream in(text.substr(from));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("|", 0) == 0) {
      rows.push_back(line);
    } else if (!rows.empty()) {
      break;
    }
  }
  return rows;
}

// stdout of `command` (stderr, the tool's progress, is dropped), and whether
// it exited with status 0.
std::string run_command(const std::string& command, bool& ok) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  ok = pipe != nullptr;
  if (!pipe) return out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  ok = ::pclose(pipe) == 0;
  return out;
}

// The table docs/targets.md prints after "`build/fidelity_table ARGS`" must be
// the one `fidelity_table ARGS` prints now.
void expect_page_table_is_printed(const std::string& args) {
  const std::string page = read_text(fs::path(LSRL_SOURCE_DIR) / "docs" / "targets.md");
  const std::string named = "`build/fidelity_table " + args + "`";
  const std::size_t at = page.find(named);
  ASSERT_NE(at, std::string::npos) << "docs/targets.md no longer names the command " << named;
  const std::vector<std::string> on_page = table_rows(page, at);
  ASSERT_FALSE(on_page.empty()) << "no table after " << named << " in docs/targets.md";

  bool ok = false;
  const std::string printed_text = run_command(std::string("'") + LSRL_FIDELITY_TABLE + "' " + args, ok);
  ASSERT_TRUE(ok) << "fidelity_table " << args << " failed";
  const std::vector<std::string> printed = table_rows(printed_text);

  std::ostringstream diff;
  const std::size_t rows = std::max(on_page.size(), printed.size());
  int differing = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    const std::string page_row = i < on_page.size() ? on_page[i] : "(no row)";
    const std::string printed_row = i < printed.size() ? printed[i] : "(no row)";
    if (page_row == printed_row) continue;
    ++differing;
    diff << "- docs/targets.md: " << page_row << "\n+ printed now:     " << printed_row << "\n";
  }
  EXPECT_EQ(differing, 0) << "docs/targets.md section 9's table for `build/fidelity_table " << args
                          << "` is not what the command prints now:\n"
                          << diff.str() << "Regenerate it (Release build) with: build/fidelity_table " << args
                          << "\nand paste the table in place of the page's.";
}

TEST(FidelityTables, TableRowsAreReadUpToTheTablesEnd) {
  EXPECT_EQ(table_rows("text `cmd`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nmore\n| x |\n", 5),
            (std::vector<std::string>{"| a | b |", "|---|---|", "| 1 | 2 |"}));
  EXPECT_TRUE(table_rows("no table\n").empty());
}

TEST(FidelityTables, PaperModeChainsKeptIsWhatTheCommandPrints) { expect_page_table_is_printed("--paper --layers"); }

TEST(FidelityTables, PaperModeChainsFusedIsWhatTheCommandPrints) {
  expect_page_table_is_printed("--paper --linear-chains fuse --layers");
}

TEST(FidelityTables, StandardModeIsWhatTheCommandPrints) { expect_page_table_is_printed("--layers"); }

}  // namespace
