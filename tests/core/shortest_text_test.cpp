// api::shortest_text writes a double as std::to_chars does (the CLI's CSV and
// tables, the graders' messages), with printf, because Emscripten's libc++
// has no floating-point std::to_chars: natively the two must agree.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "api/api.hpp"

namespace lsrl {
namespace {

std::string to_chars_text(double v) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  EXPECT_EQ(ec, std::errc());
  return std::string(buffer, end);
}

TEST(ShortestText, WritesWhatToCharsWrites) {
  for (double v : {0.0, -0.0, 1.0, 100.0, 0.1, 0.3, 1e-5, 0.001, 1e15, 1e16, 1e21, 5e-324,
                   std::numeric_limits<double>::max(), 123456789012345680.0, -2.5}) {
    EXPECT_EQ(api::shortest_text(v), to_chars_text(v)) << v;
  }
  for (int e = -320; e <= 308; ++e) {
    for (double m : {1.0, 1.5, 9.99, 123.456, 1.0 / 3}) {
      const double v = m * std::pow(10.0, e);
      EXPECT_EQ(api::shortest_text(v), to_chars_text(v)) << v;
    }
  }
  std::mt19937_64 rng(20261206);
  std::uniform_real_distribution<double> around(-1e6, 1e6);
  for (int i = 0; i < 100000; ++i) {
    std::uint64_t bits = rng();
    double v = 0;
    std::memcpy(&v, &bits, sizeof v);
    if (std::isfinite(v)) {
      ASSERT_EQ(api::shortest_text(v), to_chars_text(v)) << v;
    }
    const double w = around(rng);
    ASSERT_EQ(api::shortest_text(w), to_chars_text(w)) << w;
    ASSERT_EQ(api::shortest_text(std::round(w)), to_chars_text(std::round(w))) << w;
  }
  EXPECT_EQ(api::shortest_text(std::nan("")), "nan");
  EXPECT_EQ(api::shortest_text(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(api::shortest_text(-std::numeric_limits<double>::infinity()), "-inf");
}

}  // namespace
}  // namespace lsrl
