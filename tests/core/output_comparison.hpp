// The one comparison of two runs' outputs that the tests share: the program's
// (or a reference's) rows against a model's, entry by entry.
//
// - Shape aware: a different number of steps or a different width at any
//   step is a failure, never "every compared entry matched".
// - NaN and Inf aware: NaN against NaN and an infinity against the same
//   infinity are equal; anything else involving a non-finite value is an
//   infinite deviation (std::max would silently drop a NaN).
// - Per entry relative: |model - program| / max(1, |program|), the measure
//   docs/targets.md states its fidelity in (section 9), so a large output
//   elsewhere in the run never excuses a wrong small one.
// - Tolerance 0 means bit for bit: the claims the docs call exact are held
//   to exactly that.
// No GoogleTest here: results come back as numbers and text.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace lsrl::output_comparison {

using Rows = std::vector<std::vector<double>>;

// The deviation of one entry: 0 for equal values (including NaN against NaN
// and equal infinities), +inf when only one side is finite or the
// infinities differ, else the per-entry relative difference.
inline double entry_deviation(double program, double model) {
  if (std::isnan(program) || std::isnan(model))
    return std::isnan(program) && std::isnan(model) ? 0.0 : std::numeric_limits<double>::infinity();
  if (std::isinf(program) || std::isinf(model)) return program == model ? 0.0 : std::numeric_limits<double>::infinity();
  return std::fabs(model - program) / std::max(1.0, std::fabs(program));
}

// Empty when the shapes agree and every entry is within `tolerance`;
// otherwise the first difference, saying where and by how much.
inline std::string first_difference(const Rows& program, const Rows& model, double tolerance) {
  if (model.size() != program.size())
    return "rows: " + std::to_string(model.size()) + " instead of " + std::to_string(program.size());
  for (std::size_t t = 0; t < program.size(); ++t) {
    if (model[t].size() != program[t].size())
      return "step " + std::to_string(t) + ": width " + std::to_string(model[t].size()) + " instead of " +
             std::to_string(program[t].size());
    for (std::size_t i = 0; i < program[t].size(); ++i) {
      const double deviation = entry_deviation(program[t][i], model[t][i]);
      if (deviation <= tolerance) continue;
      std::ostringstream os;
      os.precision(17);
      os << "step " << t << " unit " << i << ": model " << model[t][i] << ", program " << program[t][i] << " (relative "
         << deviation << ", allowed " << tolerance << ")";
      return os.str();
    }
  }
  return {};
}

// The largest entry deviation over the run; +inf when the shapes differ.
inline double max_deviation(const Rows& program, const Rows& model) {
  if (model.size() != program.size()) return std::numeric_limits<double>::infinity();
  double worst = 0.0;
  for (std::size_t t = 0; t < program.size(); ++t) {
    if (model[t].size() != program[t].size()) return std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < program[t].size(); ++i) {
      const double deviation = entry_deviation(program[t][i], model[t][i]);
      if (deviation > worst) worst = deviation;  // an infinite deviation is kept, never dropped
    }
  }
  return worst;
}

}  // namespace lsrl::output_comparison
