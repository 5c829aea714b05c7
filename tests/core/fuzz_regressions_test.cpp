// Replays every input the fuzzers or the hostile corpus once found slow or
// crashing (fuzz/regressions/<target>/) through the same entry points the
// libFuzzer targets call (fuzz/entry_points.hpp), in the ordinary test build:
// each must be answered (ok or a diagnostic; the entry points abort
// otherwise) within the fuzzers' own per-input bound of CPU time.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../../fuzz/entry_points.hpp"

namespace {

namespace fs = std::filesystem;

// The per-input bound scripts/test.d/25-fuzz.sh gives libFuzzer, which runs
// these same inputs under ASan and UBSan.
constexpr double kMaxCpuSeconds = 10.0;

std::vector<fs::path> kept_inputs(const std::string& target) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(LSRL_SOURCE_DIR) / "fuzz" / "regressions" / target)) {
    if (entry.is_regular_file() && entry.path().filename() != ".keep") files.push_back(entry.path());
  }
  return files;
}

template <typename EntryPoint>
void replay(const std::string& target, EntryPoint entry_point) {
  for (const fs::path& file : kept_inputs(target)) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string data = bytes.str();
    const std::clock_t start = std::clock();
    entry_point(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    const double seconds = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
    EXPECT_LE(seconds, kMaxCpuSeconds) << file;
  }
}

TEST(FuzzRegressions, TheKeptBuildInputsAreAnsweredInTime) {
  ASSERT_FALSE(kept_inputs("build").empty());
  replay("build", lsrl::fuzz::check_source);
}

TEST(FuzzRegressions, TheKeptCompileInputsAreAnsweredInTime) {
  ASSERT_FALSE(kept_inputs("compile").empty());
  replay("compile", lsrl::fuzz::compile_and_run);
}

TEST(FuzzRegressions, TheKeptExerciseInputsAreAnsweredInTime) {
  ASSERT_FALSE(kept_inputs("exercise").empty());
  replay("exercise", lsrl::fuzz::check_exercise);
}

TEST(FuzzRegressions, TheKeptRunInputsAreAnsweredInTime) {
  replay("run",
         [](const std::uint8_t* data, std::size_t size) { lsrl::fuzz::run_prompt(data, size, LSRL_SOURCE_DIR); });
}

}  // namespace
