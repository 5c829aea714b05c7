// Fuzz target: source text -> Program (fuzz/entry_points.hpp, check_source).
#include "entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lsrl::fuzz::check_source(data, size);
  return 0;
}
