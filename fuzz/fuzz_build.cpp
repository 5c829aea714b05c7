// Fuzz target: source text -> Program (lexer, parser, evaluator, builtins),
// through the API's check(), the first thing the page and `lsrlc check` do
// with a stranger's text.
#include "api/api.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string source(reinterpret_cast<const char*>(data), size);
  lsrl::api::CompileOptions options;
  options.filename = "fuzz.lsrl";
  const auto result = lsrl::api::check(source, options);
  lsrl::fuzz::require_explained(result, "check");
  return 0;
}
