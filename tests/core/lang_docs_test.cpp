// docs/language.md describes every builtin: its "Every builtin" table has a
// row for each name in the builtin table (core/lang/builtins*.cpp,
// params.cpp) and no row for a name the language does not define.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "lang/builtins.hpp"

namespace lsrl {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The names a row of the table documents: each `NAME(` in its first cell.
std::set<std::string> documented_builtins(const std::string& doc) {
  const std::size_t start = doc.find("\n## Every builtin\n");
  EXPECT_NE(start, std::string::npos) << "docs/language.md has no section '## Every builtin'";
  if (start == std::string::npos) return {};
  const std::size_t end = doc.find("\n## ", start + 1);
  std::istringstream section(doc.substr(start, end == std::string::npos ? std::string::npos : end - start));
  std::set<std::string> names;
  const std::regex call("`([A-Za-z_][A-Za-z_0-9]*)\\(");
  for (std::string line; std::getline(section, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    const std::string first_cell = line.substr(1, line.find('|', 1) - 1);
    for (std::sregex_iterator it(first_cell.begin(), first_cell.end(), call), stop; it != stop; ++it)
      names.insert((*it)[1]);
  }
  return names;
}

TEST(LangDocs, EveryBuiltinHasARowInTheLanguageGuide) {
  const std::string doc = read_text(std::string(LSRL_SOURCE_DIR) + "/docs/language.md");
  ASSERT_FALSE(doc.empty()) << "cannot read docs/language.md";
  const std::set<std::string> documented = documented_builtins(doc);
  const std::set<std::string> defined(lang::builtin_names().begin(), lang::builtin_names().end());
  ASSERT_GT(defined.size(), 50u);
  for (const std::string& name : defined)
    EXPECT_TRUE(documented.count(name)) << "builtin '" << name << "' has no row in docs/language.md's builtin table";
  for (const std::string& name : documented)
    EXPECT_TRUE(defined.count(name)) << "docs/language.md documents '" << name << "', which is no builtin";
}

}  // namespace
}  // namespace lsrl
