// core/api is the only door into the core: cli/ and wasm/ include no core
// header but api/api.hpp, so every check and decision they need is made once,
// in core/api, for both. A quoted include in cli/ or wasm/ must name a file
// of the same folder or api/api.hpp; anything else (export/export.hpp,
// targets/registry.hpp, ...) fails here with the file and line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = LSRL_SOURCE_DIR;

// The quoted includes of `text` that reach past the door: neither api/api.hpp
// nor a file that exists in `folder`. Each as "LINE: the include".
std::vector<std::string> includes_past_the_door(const std::string& text, const fs::path& folder) {
  std::vector<std::string> found;
  const std::regex include(R"re(^\s*#\s*include\s*"([^"]+)")re");
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    std::smatch m;
    if (!std::regex_search(line, m, include)) continue;
    const std::string name = m[1].str();
    if (name == "api/api.hpp") continue;
    if (name.find('/') == std::string::npos && fs::exists(folder / name)) continue;
    found.push_back(std::to_string(number) + ": " + line);
  }
  return found;
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ApiBoundary, TheScannerFindsACoreHeaderBesideTheApi) {
  const fs::path cli = kRoot / "cli";
  const std::string text =
      "#include \"api/api.hpp\"\n#include \"args.hpp\"\n#include <string>\n"
      "  #  include \"export/export.hpp\"\n#include \"nonexistent_local.hpp\"\n";
  const std::vector<std::string> found = includes_past_the_door(text, cli);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], "4:   #  include \"export/export.hpp\"");
  EXPECT_EQ(found[1], "5: #include \"nonexistent_local.hpp\"");
}

TEST(ApiBoundary, DoorsIncludeOnlyTheApi) {
  int files = 0;
  for (const char* door : {"cli", "wasm"}) {
    const fs::path folder = kRoot / door;
    ASSERT_TRUE(fs::is_directory(folder)) << folder;
    for (const auto& entry : fs::directory_iterator(folder)) {
      const std::string ext = entry.path().extension().string();
      if (ext != ".cpp" && ext != ".hpp") continue;
      ++files;
      for (const auto& include : includes_past_the_door(read(entry.path()), folder)) {
        ADD_FAILURE() << fs::relative(entry.path(), kRoot).string() << ":" << include
                      << "\n  cli/ and wasm/ reach the core through api/api.hpp only: declare what they need there";
      }
    }
  }
  EXPECT_GT(files, 5) << "the doors' sources were not found under " << kRoot;
}

}  // namespace
