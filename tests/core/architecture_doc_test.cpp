// docs/architecture.md is the map a newcomer reads first. These tests keep it
// true: every file or folder it names in backticks exists, every folder of
// core/ appears in it, and every compiler pass (one file per rewrite rule or
// optimisation) is named, so adding or renaming a pass without the map fails.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = LSRL_SOURCE_DIR;

std::string read_doc() {
  std::ifstream in(kRoot / "docs" / "architecture.md");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> backticked(const std::string& text) {
  std::vector<std::string> out;
  const std::regex code("`([^`\\n]+)`");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), code); it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_source_name(const std::string& s) {
  for (const char* ext : {".cpp", ".hpp", ".js", ".mjs", ".md", ".sh"}) {
    if (ends_with(s, ext)) return s.find(' ') == std::string::npos;
  }
  return false;
}

bool starts_in_repository(const std::string& s) {
  for (const char* top :
       {"core/", "cli/", "wasm/", "web/", "bench/", "fuzz/", "scripts/", "tests/", "docs/", "examples/"}) {
    if (s.rfind(top, 0) == 0) return true;
  }
  return false;
}

// A bare file name (no folder) names a file somewhere under the code folders.
bool bare_name_exists(const std::string& name) {
  for (const char* top : {"core", "cli", "wasm", "web/src", "bench", "fuzz", "scripts"}) {
    for (const auto& entry : fs::recursive_directory_iterator(kRoot / top)) {
      if (entry.path().filename() == name) return true;
    }
  }
  return false;
}

TEST(ArchitectureDoc, EveryNamedPathExists) {
  const std::string doc = read_doc();
  ASSERT_FALSE(doc.empty()) << "docs/architecture.md is missing";
  int checked = 0;
  for (const std::string& name : backticked(doc)) {
    if (starts_in_repository(name)) {
      EXPECT_TRUE(fs::exists(kRoot / name)) << "docs/architecture.md names `" << name << "`, which does not exist";
      ++checked;
    } else if (is_source_name(name) && name.find('/') == std::string::npos) {
      EXPECT_TRUE(bare_name_exists(name)) << "docs/architecture.md names `" << name << "`, found nowhere in the code";
      ++checked;
    }
  }
  EXPECT_GT(checked, 40) << "the map should name the files that hold each representation and pass";
}

TEST(ArchitectureDoc, NamesEveryCoreFolderAndEveryPass) {
  const std::string doc = read_doc();
  for (const auto& entry : fs::directory_iterator(kRoot / "core")) {
    if (!entry.is_directory()) continue;
    const std::string folder = "core/" + entry.path().filename().string() + "/";
    EXPECT_NE(doc.find(folder), std::string::npos) << folder << " is not in docs/architecture.md";
  }
  const std::regex pass_file("(case_.*|fuse_.*|fold_.*|concat_.*|opt_.*|merge_.*)\\.cpp");
  for (const auto& entry : fs::directory_iterator(kRoot / "core" / "compile")) {
    const std::string name = entry.path().filename().string();
    if (!std::regex_match(name, pass_file)) continue;
    // case_1_multi.cpp to case_10_mixed.cpp are named as a range.
    if (name.rfind("case_", 0) == 0 && name != "case_1_multi.cpp" && name != "case_10_mixed.cpp") continue;
    EXPECT_NE(doc.find(name), std::string::npos) << "the compiler pass " << name << " is not in docs/architecture.md";
  }
}

}  // namespace
