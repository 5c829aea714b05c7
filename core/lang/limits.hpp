// What one build may use. A program past any of these gets a "limit
// exceeded" error at the code responsible, so that no program, however
// written, can hang the compiler, exhaust its memory or overflow its stack
// (in a browser tab as much as on the command line).
#pragma once

#include <cstdint>

namespace lsrl::lang {

constexpr std::int64_t kMaxSourceBytes = 1'000'000;     // bytes of source text; the largest example has 4,300
constexpr std::int64_t kMaxLoopIterations = 1'000'000;  // for/while bodies and comprehension steps, in total
constexpr int kMaxCallDepth = 200;                      // nested calls of user functions
constexpr std::int64_t kMaxWidth = 100'000;             // Input dim, any matrix dimension, modulo divisor
constexpr std::int64_t kMaxMatrixEntries = 4'000'000;   // rows x cols of one compile-time matrix
constexpr std::int64_t kMaxNodes = 200'000;             // nodes in the program's graph
constexpr std::int64_t kMaxListLength = 1'000'000;      // elements of one list (range(...) included)
constexpr std::int64_t kMaxStringLength = 1'000'000;    // characters of one string
constexpr std::int64_t kMaxSteps = 10'000'000;          // evaluation work in total (expressions, entries);
                                                        // the paper's Listing 2 at n = 12 takes about 3,500

}  // namespace lsrl::lang
