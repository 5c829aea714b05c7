// See path_noise.hpp for what is perturbed and how the draws are made.
#include "compile/path_noise.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace lsrl {

double StandardNormalSampler::next() {
  constexpr double kTwoToMinus53 = 1.0 / 9007199254740992.0;
  const double u1 = static_cast<double>((engine_() >> 11) + 1) * kTwoToMinus53;  // (0, 1]
  const double u2 = static_cast<double>(engine_() >> 11) * kTwoToMinus53;        // [0, 1)
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

namespace {

// Calls visit(entry) on every non-zero entry of the weights and biases, in
// the order path_noise.hpp documents.
template <typename PathT, typename Visit>
void for_each_weight(PathT& path, Visit&& visit) {
  auto sparse = [&](auto& matrix) {
    for (Eigen::Index r = 0; r < matrix.outerSize(); ++r)
      for (typename std::remove_reference_t<decltype(matrix)>::InnerIterator it(matrix, r); it; ++it)
        if (!it.value().is_zero()) visit(it.valueRef());
  };
  auto dense = [&](auto& vector) {
    for (Eigen::Index i = 0; i < vector.size(); ++i)
      if (!vector[i].is_zero()) visit(vector[i]);
  };
  for (auto& layer : path.layers) {
    sparse(layer.A);
    sparse(layer.B);
    dense(layer.bias);
    for (auto& op : layer.ops) {
      if (op.kind != PathOpKind::Linear) continue;
      sparse(op.A);
      dense(op.b);
    }
  }
}

}  // namespace

PathModel add_weight_noise(const PathModel& path, double sigma, std::uint64_t seed) {
  if (!std::isfinite(sigma) || sigma < 0) throw std::invalid_argument("noise sigma must be finite and >= 0");
  PathModel noisy = path;
  if (sigma == 0) return noisy;
  StandardNormalSampler normal(seed);
  for_each_weight(noisy, [&](Num& entry) { entry = Num::inexact(entry.to_double() + sigma * normal.next()); });
  return noisy;
}

long long noisy_entry_count(const PathModel& path) {
  long long count = 0;
  PathModel copy = path;  // for_each_weight hands out mutable references
  for_each_weight(copy, [&](Num&) { ++count; });
  return count;
}

}  // namespace lsrl
