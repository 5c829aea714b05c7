// How many random samples a property suite draws. The native stage runs every
// suite at full size; the sanitizer stage (scripts/test.d/20-sanitizers.sh)
// sets LSRL_TEST_SCALE=0.2 so the same tests run under ASan/UBSan within the
// CI budget, on fewer programs and prompts. A scale never takes a suite below
// one sample, and a malformed value counts as 1.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace lsrl::testing_support {

inline double test_scale() {
  const char* text = std::getenv("LSRL_TEST_SCALE");
  if (text == nullptr || *text == '\0') return 1.0;
  char* end = nullptr;
  const double scale = std::strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(scale) || scale <= 0.0) return 1.0;
  return std::min(scale, 1.0);
}

inline int scaled_count(int full_count) {
  return std::max(1, static_cast<int>(std::lround(full_count * test_scale())));
}

}  // namespace lsrl::testing_support
