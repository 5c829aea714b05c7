// Shared by the libFuzzer targets: every user-facing entry point must answer
// any input with ok or with diagnostics, never crash, hang or allocate without
// bound. A result that is neither ok nor carries a diagnostic is a finding too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace lsrl::fuzz {

// Aborts (a finding) when an API result says it failed without saying why.
template <typename Result>
void require_explained(const Result& result, const char* what) {
  if (!result.ok && result.diagnostics.empty()) {
    std::fprintf(stderr, "%s failed without a diagnostic\n", what);
    std::abort();
  }
}

// Splits the fuzzer's bytes: the first `n` bytes as selectors, the rest as text.
struct Split {
  std::vector<std::uint8_t> selectors;
  std::string text;
};
inline Split split_input(const std::uint8_t* data, std::size_t size, std::size_t n) {
  Split s;
  const std::size_t k = size < n ? size : n;
  s.selectors.assign(data, data + k);
  s.selectors.resize(n, 0);
  s.text.assign(reinterpret_cast<const char*>(data + k), size - k);
  return s;
}

}  // namespace lsrl::fuzz
