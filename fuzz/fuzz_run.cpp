// Fuzz target: a compiled example + an arbitrary prompt -> run at every
// precision (fuzz/entry_points.hpp, run_prompt).
#include "entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lsrl::fuzz::run_prompt(data, size, LSRL_SOURCE_DIR);
  return 0;
}
