// docs/testing.md maps each claim to the tests that hold it, and its mutation
// table says which tests caught each fault. This test keeps those names true:
// every test name the page mentions (Suite.Name, Prefix/Suite.Name/param,
// with * as a wildcard) matches at least one test registered in this binary,
// so renaming or deleting a test without the page fails here. The other docs
// are checked for the fully spelled test names they mention.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
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

// Every full test name of this binary: "Suite.Name", with instantiation
// prefixes and parameter suffixes as GoogleTest spells them.
std::vector<std::string> registered_tests() {
  std::vector<std::string> names;
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const ::testing::TestSuite& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j)
      names.push_back(std::string(suite.name()) + "." + suite.GetTestInfo(j)->name());
  }
  return names;
}

// Names shaped like GoogleTest's in `text`: an upper-case suite (perhaps with
// an instantiation prefix), a dot, an upper-case test name or *, perhaps a
// parameter. A match preceded by a word character, '/' or '.' is part of a
// path or a longer name, and is skipped.
std::vector<std::string> mentioned_tests(const std::string& text) {
  static const std::regex name(R"(((?:[A-Z][A-Za-z0-9]*/)?[A-Z][A-Za-z0-9]*\.(?:[A-Z][A-Za-z0-9_]*|\*)(?:/[A-Za-z0-9_*]+)?))");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator(); ++it) {
    const auto at = static_cast<std::size_t>(it->position(1));
    if (at > 0) {
      const char before = text[at - 1];
      if (std::isalnum(static_cast<unsigned char>(before)) || before == '_' || before == '/' || before == '.') continue;
    }
    out.push_back((*it)[1].str());
  }
  return out;
}

// GoogleTest's own filter syntax: * matches any run of characters.
bool glob_matches(const std::string& pattern, const std::string& text) {
  std::size_t p = 0, t = 0, star = std::string::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool names_a_test(const std::string& pattern, const std::vector<std::string>& tests) {
  for (const std::string& t : tests)
    if (glob_matches(pattern, t)) return true;
  return false;
}

TEST(TestingDoc, GlobMatchingIsGoogleTestsFilterSyntax) {
  EXPECT_TRUE(glob_matches("CompileRules.*", "CompileRules.FuseLinearLinear"));
  EXPECT_TRUE(glob_matches("Cells/TargetsCells.PaperMode*/*", "Cells/TargetsCells.PaperModeReproducesRandomPaths/gru"));
  EXPECT_FALSE(glob_matches("CompileRules.Fuse", "CompileRules.FuseLinearLinear"));
  EXPECT_FALSE(glob_matches("Compile*.X", "CompileRules.FuseLinearLinear"));
  EXPECT_EQ(mentioned_tests("see `A.B`, docs/X.Y and RangeAnalysis.ModelsRun/gru."),
            (std::vector<std::string>{"A.B", "RangeAnalysis.ModelsRun/gru"}));
}

TEST(TestingDoc, EveryTestItNamesExists) {
  const std::string text = read_text(fs::path(LSRL_SOURCE_DIR) / "docs" / "testing.md");
  ASSERT_FALSE(text.empty());
  const std::vector<std::string> tests = registered_tests();
  std::set<std::string> checked;
  for (const std::string& name : mentioned_tests(text)) {
    if (!checked.insert(name).second) continue;
    EXPECT_TRUE(names_a_test(name, tests)) << "docs/testing.md names " << name << ", which is no test";
  }
  EXPECT_GE(checked.size(), 30u) << "the page's tables name fewer tests than they did";
}

// The other docs name a few tests in full (no wildcard); those must exist too.
TEST(TestingDoc, TestsNamedInTheOtherDocsExist) {
  const std::vector<std::string> tests = registered_tests();
  std::vector<fs::path> docs{fs::path(LSRL_SOURCE_DIR) / "README.md"};
  for (const auto& entry : fs::directory_iterator(fs::path(LSRL_SOURCE_DIR) / "docs"))
    if (entry.path().extension() == ".md" && entry.path().filename() != "testing.md") docs.push_back(entry.path());
  int named = 0;
  for (const fs::path& doc : docs) {
    for (const std::string& name : mentioned_tests(read_text(doc))) {
      // Prose like "LinState.*" or "M.T" is not a test name: only full names
      // whose test part is a CamelCase phrase count.
      const std::size_t dot = name.find('.');
      if (name.find('*') != std::string::npos || name.size() - dot - 1 < 12) continue;
      ++named;
      EXPECT_TRUE(names_a_test(name, tests)) << doc.filename().string() << " names " << name << ", which is no test";
    }
  }
  EXPECT_GT(named, 0);
}

}  // namespace
