// Fuzz target: exercise file text -> parsed exercise -> graded checks
// (fuzz/entry_points.hpp, check_exercise).
#include "entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lsrl::fuzz::check_exercise(data, size);
  return 0;
}
