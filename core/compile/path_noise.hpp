// Weight noise for the paper's robustness experiment (Sec. 5, Fig. 4): a copy
// of a compiled PathModel with N(0, sigma^2) added to every NON-ZERO entry of
// the weights and biases, i.e. each layer's A, B and bias and each Linear op's
// matrix and bias. Zero entries stay zero (the paper perturbs the stored
// entries of its sparse matrices) and the initial states are not weights, so
// they are left alone.
//
// The draws are reproducible on every platform: std::mt19937_64 (fully
// specified by the standard) seeded with `seed`, and our own Box-Muller
// transform (std::normal_distribution is implementation-defined, so libstdc++
// and the wasm build's libc++ would disagree). The entries are visited in a
// fixed order (layer by layer: A, B, bias, then each Linear op's matrix and
// bias, row-major), and the noise is sigma * z with the same standard normal
// z for a given seed, whatever sigma: a sweep over sigma perturbs every weight
// in the same direction, only further.
#pragma once

#include <cstdint>
#include <random>

#include "compile/path_model.hpp"

namespace lsrl {

// Standard normal draws: z = sqrt(-2 ln u1) * cos(2 pi u2) with u1 in (0, 1]
// and u2 in [0, 1) taken from the top 53 bits of two consecutive mt19937_64
// outputs (one z per pair; the sine half is not used, so every draw costs
// the same two outputs).
class StandardNormalSampler {
 public:
  explicit StandardNormalSampler(std::uint64_t seed) : engine_(seed) {}
  double next();

 private:
  std::mt19937_64 engine_;
};

// sigma == 0 returns the model unchanged, bit for bit. sigma must be finite
// and non-negative (the caller checks; others throw std::invalid_argument).
// The perturbed entries become inexact Nums (they are doubles from here on).
PathModel add_weight_noise(const PathModel& path, double sigma, std::uint64_t seed);

// How many entries add_weight_noise perturbs (the non-zeros of the weights
// and biases it visits).
long long noisy_entry_count(const PathModel& path);

}  // namespace lsrl
