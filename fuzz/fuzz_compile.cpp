// Fuzz target: source text -> compiled model on every target, then a run
// (fuzz/entry_points.hpp, compile_and_run). A program the compiler loops on
// shows up as a timeout.
#include "entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lsrl::fuzz::compile_and_run(data, size);
  return 0;
}
