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
  static const std::regex name(
      R"(((?:[A-Z][A-Za-z0-9]*/)?[A-Z][A-Za-z0-9]*\.(?:[A-Z][A-Za-z0-9_]*|\*)(?:/[A-Za-z0-9_*]+)?))");
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

// The titles of the node:test tests a .mjs file registers: the string literal
// after each `test(` ('...', "..." or `...`, backslash escapes undone; a
// template literal's ${...} kept as written, which is how the page names it).
std::set<std::string> node_test_titles(const std::string& source) {
  std::set<std::string> titles;
  std::size_t at = 0;
  while ((at = source.find("test(", at)) != std::string::npos) {
    const bool word_before = at > 0 && (std::isalnum(static_cast<unsigned char>(source[at - 1])) ||
                                        source[at - 1] == '_' || source[at - 1] == '.');
    at += 5;
    if (word_before) continue;
    while (at < source.size() && std::isspace(static_cast<unsigned char>(source[at]))) ++at;
    if (at >= source.size()) break;
    const char quote = source[at];
    if (quote != '\'' && quote != '"' && quote != '`') continue;
    std::string title;
    std::size_t i = at + 1;
    for (; i < source.size() && source[i] != quote; ++i) {
      if (source[i] == '\\' && i + 1 < source.size()) ++i;
      title += source[i];
    }
    if (i < source.size()) titles.insert(title);
    at = i;
  }
  return titles;
}

// The test methods a Python file defines (`def test_name(`).
std::set<std::string> python_test_methods(const std::string& source) {
  static const std::regex def(R"(\bdef (test_[A-Za-z0-9_]*)\s*\()");
  std::set<std::string> names;
  for (auto it = std::sregex_iterator(source.begin(), source.end(), def); it != std::sregex_iterator(); ++it)
    names.insert((*it)[1].str());
  return names;
}

// A test the page names outside GoogleTest: the file it lives in and its title
// or method.
struct FileTest {
  std::string file;
  std::string title;
};

// The page spells them `tests/DIR/FILE.test.mjs`: `title`, `other title` (one
// file, several titles, up to the next `tests/...`, a GoogleTest name or the
// cell's end) and
// `tests/python/FILE.py::method`.
std::vector<FileTest> mentioned_file_tests(const std::string& text) {
  std::vector<FileTest> out;
  // A title is any backticked text after the file but the next file's name or
  // a GoogleTest name (no spaces, Suite.Name), which the other check reads.
  static const std::regex node(
      R"(`(tests/[A-Za-z0-9_/.-]+\.test\.mjs)`:((?:\s*`(?!tests/)(?![A-Z][A-Za-z0-9/]*\.[A-Z*][^` ]*`)[^`]+`,?)+))");
  static const std::regex title(R"(`([^`]+)`)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), node); it != std::sregex_iterator(); ++it) {
    const std::string titles = (*it)[2].str();
    for (auto t = std::sregex_iterator(titles.begin(), titles.end(), title); t != std::sregex_iterator(); ++t) {
      out.push_back({(*it)[1].str(), (*t)[1].str()});
    }
  }
  static const std::regex python(R"(`(tests/[A-Za-z0-9_/.-]+\.py)::([A-Za-z0-9_]+)`)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), python); it != std::sregex_iterator(); ++it)
    out.push_back({(*it)[1].str(), (*it)[2].str()});
  return out;
}

// Why `test` is not in `file` under `root`, or "" when it is.
std::string missing_file_test(const fs::path& root, const FileTest& test) {
  const fs::path path = root / test.file;
  if (!fs::is_regular_file(path)) return test.file + " does not exist";
  const std::string source = read_text(path);
  const bool python = path.extension() == ".py";
  const std::set<std::string> names = python ? python_test_methods(source) : node_test_titles(source);
  if (names.count(test.title)) return "";
  return test.file + " has no " + (python ? "method " : "test titled ") + "'" + test.title + "'";
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

namespace {

// The readers of the page's Node and Python names, on text made up here: a
// title that is in its file passes, a misspelt one, a missing file or method
// is reported (so the check below can fail).
TEST(TestingDoc, NodeAndPythonNamesAreReadAndCheckedAgainstTheirFiles) {
  EXPECT_EQ(node_test_titles("test('a \\'b\\' c', () => {});\n  test(`${x} on ${y}: z`, t);\nawait t.test('sub');\n"),
            (std::set<std::string>{"a 'b' c", "${x} on ${y}: z"}));
  EXPECT_EQ(python_test_methods("    def test_one(self):\n    def helper(self):\ndef test_two():\n"),
            (std::set<std::string>{"test_one", "test_two"}));
  const std::vector<FileTest> named = mentioned_file_tests(
      "| c | `tests/wasm/client.test.mjs`: `release frees a model`, `no such title`, `tests/web/units.test.mjs`: "
      "`the diverging colour scale is centred at zero`, `Sugar.BumpIsOneBetweenItsBounds` and "
      "`tests/python/test_torch_export.py::test_examples`, "
      "`tests/python/test_torch_export.py::test_nothing` |");
  ASSERT_EQ(named.size(), 5u);
  const fs::path root(LSRL_SOURCE_DIR);
  EXPECT_EQ(missing_file_test(root, named[0]), "");
  EXPECT_EQ(missing_file_test(root, named[1]), "tests/wasm/client.test.mjs has no test titled 'no such title'");
  EXPECT_EQ(named[2].file, "tests/web/units.test.mjs");
  EXPECT_EQ(missing_file_test(root, named[2]), "");
  EXPECT_EQ(missing_file_test(root, named[3]), "");
  EXPECT_EQ(missing_file_test(root, named[4]), "tests/python/test_torch_export.py has no method 'test_nothing'");
  EXPECT_EQ(missing_file_test(root, {"tests/wasm/gone.test.mjs", "x"}), "tests/wasm/gone.test.mjs does not exist");
}

// docs/testing.md's claims table names Node (tests/wasm), browser (tests/web)
// and Python (tests/python) tests by file and title; each must be a test its
// file registers, so a renamed or deleted test fails here, not silently.
TEST(TestingDoc, EveryNodeAndPythonTestItNamesExists) {
  const fs::path root(LSRL_SOURCE_DIR);
  const std::vector<FileTest> named = mentioned_file_tests(read_text(root / "docs" / "testing.md"));
  std::set<std::string> files;
  for (const FileTest& test : named) {
    files.insert(test.file);
    const std::string missing = missing_file_test(root, test);
    EXPECT_EQ(missing, "") << "docs/testing.md names a test that does not exist: " << missing;
  }
  // The claims table names tests in all three places; fewer would mean the
  // page's spelling changed and this reader no longer sees them.
  EXPECT_GE(named.size(), 60u);
  EXPECT_TRUE(files.count("tests/python/test_torch_export.py"));
  EXPECT_TRUE(files.count("tests/wasm/examples.test.mjs"));
  EXPECT_TRUE(files.count("tests/web/playground.test.mjs"));
}

}  // namespace
