#include "targets/range_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>
#include <unordered_map>

#include "graph/program.hpp"

namespace lsrl {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kUnitRoundoff = 0x1p-52;  // twice the f64 unit roundoff: gamma_n <= n * this for n u < 1/2
// Flops a state block may spend on exact powers of its transition before the
// norm-based tail takes over (about 0.05 s).
constexpr double kStatePowerBudget = 4e7;
// Terms of one ReLU group in one row beyond which the group's exact 1-D range
// (quadratic in the terms) gives way to plain intervals.
constexpr std::size_t kMaxGroupTerms = 256;
// Terms of a row composed back through carrying stages beyond which the
// composition stops (it costs the terms times the rows read per stage).
constexpr std::size_t kMaxComposedTerms = 1024;

struct Interval {
  double lo = 0.0;
  double hi = 0.0;
};

// A row of an affine map as (column, weight) pairs, in column order, no zeros.
using Terms = std::vector<std::pair<int, double>>;

// w * [lo, hi] for w != 0, with 0 * inf = 0 impossible (w != 0) and
// infinite bounds kept.
Interval scale(double w, double lo, double hi) { return w > 0.0 ? Interval{w * lo, w * hi} : Interval{w * hi, w * lo}; }

double product_or_zero(double a, double b) { return a == 0.0 || b == 0.0 ? 0.0 : a * b; }

double magnitude(double lo, double hi) { return std::max(std::fabs(lo), std::fabs(hi)); }

// The union of two bounds where a NaN (inf - inf, 0 * inf) means
// "unbounded" on that side.
double lower_of(double a, double b) { return std::isnan(a) || std::isnan(b) ? -kInf : std::min(a, b); }
double upper_of(double a, double b) { return std::isnan(a) || std::isnan(b) ? kInf : std::max(a, b); }

// NaN (inf - inf) means "unbounded" on that side.
Interval sanitized(Interval v) {
  if (std::isnan(v.lo)) v.lo = -kInf;
  if (std::isnan(v.hi)) v.hi = kInf;
  return v;
}

// ReLU rows that are exact multiples of one direction of the previous
// values: pre_i = a_i u_g + c_i, u_g = r_g . x (r_g the group's first row).
struct ReluGroups {
  std::vector<int> group;   // per unit
  std::vector<double> a;    // per unit
  std::vector<double> c;    // per unit
  std::vector<Interval> u;  // per group, the range of u_g
  std::vector<int> size;    // per group
};

// What the analysis keeps of a stage to bound the rows that read it.
struct StageRange {
  Eigen::VectorXd lo, hi;
  // ReLU stages: per unit, how far the f64 pre-activation can be from the
  // exact a_i u_g + c_i (dot-product rounding), and the groups.
  Eigen::VectorXd relu_error;
  bool has_groups = false;
  ReluGroups groups;
};

class RangeAnalyzer {
 public:
  RangeAnalyzer(const LogicalModel& model, const RangeDomain& domain) : model_(model), domain_(domain) {}

  StageMagnitudes run() {
    const std::size_t count = model_.stages.size();
    mags_.output.resize(count);
    mags_.pre.resize(count);
    mags_.pre_lo.resize(count);
    mags_.pre_hi.resize(count);
    mags_.output_lo.resize(count);
    mags_.output_hi.resize(count);
    ranges_.resize(count);
    for (std::size_t k = 0; k < count; ++k) {
      const LogicalStage& s = model_.stages[k];
      switch (s.kind) {
        case LogicalStageKind::State:
          bound_state(k, s);
          break;
        case LogicalStageKind::ReLU:
          bound_relu(k, s);
          break;
        case LogicalStageKind::Product:
          bound_product(k, s);
          break;
      }
      mags_.output_lo[k] = ranges_[k].lo;
      mags_.output_hi[k] = ranges_[k].hi;
      mags_.output[k] = ranges_[k].lo.cwiseAbs().cwiseMax(ranges_[k].hi.cwiseAbs());
    }
    return std::move(mags_);
  }

 private:
  // The bounds of the values a stage reads: the previous stage's output, or
  // the input domain for the first stage.
  double source_lo(int source, int j) const {
    return source < 0 ? domain_.lower[static_cast<std::size_t>(j)] : ranges_[static_cast<std::size_t>(source)].lo[j];
  }
  double source_hi(int source, int j) const {
    return source < 0 ? domain_.upper[static_cast<std::size_t>(j)] : ranges_[static_cast<std::size_t>(source)].hi[j];
  }

  // A row as (column, weight) pairs in column order, zeros left out.
  static Terms row_terms(const SparseD& W, int row) {
    Terms terms;
    for (SparseD::InnerIterator it(W, row); it; ++it) {
      if (it.value() != 0.0) terms.emplace_back(static_cast<int>(it.col()), it.value());
    }
    return terms;
  }

  // The range of sum_j w_j x_j + c over the f64 values x of stage `source`,
  // with the rounding of evaluating it in f64.
  Interval range_of(int source, const Terms& row, double c) const {
    Interval sum{0.0, 0.0};
    double terms_magnitude = 0.0;  // sum |w| max|x|: the dot product's rounding scale
    double carried_error = 0.0;    // ReLU pre-activations' own rounding, passed through
    int terms = 0;
    const StageRange* relu = source >= 0 && ranges_[static_cast<std::size_t>(source)].has_groups
                                 ? &ranges_[static_cast<std::size_t>(source)]
                                 : nullptr;
    // Group members of this row, per group (ReLU sources only; ordered, so
    // that the sums, and the weights built from them, are the same on every
    // platform).
    std::map<int, std::vector<std::pair<int, double>>> by_group;
    for (const auto& [j, w] : row) {
      ++terms;
      const double lo = source_lo(source, j), hi = source_hi(source, j);
      terms_magnitude += std::fabs(w) * magnitude(lo, hi);
      if (relu) {
        carried_error += std::fabs(w) * relu->relu_error[j];
        by_group[relu->groups.group[static_cast<std::size_t>(j)]].emplace_back(j, w);
        continue;
      }
      const Interval term = scale(w, lo, hi);
      sum.lo += term.lo;
      sum.hi += term.hi;
    }
    for (const auto& [g, members] : by_group) {
      const Interval part = group_range(*relu, g, members);
      sum.lo += part.lo;
      sum.hi += part.hi;
      // Breakpoints and values computed in f64: a few roundings of each term.
      if (members.size() > 1) {
        const Interval& u = relu->groups.u[static_cast<std::size_t>(g)];
        for (const auto& [j, w] : members) {
          const auto ju = static_cast<std::size_t>(j);
          terms_magnitude += 4.0 * std::fabs(w) *
                             (std::fabs(relu->groups.a[ju]) * magnitude(u.lo, u.hi) + std::fabs(relu->groups.c[ju]));
        }
      }
    }
    sum = sanitized(sum);
    const double widen = (terms + 2) * kUnitRoundoff * (terms_magnitude + std::fabs(c)) + carried_error;
    return sanitized(Interval{sum.lo + c - widen, sum.hi + c + widen});
  }

  // The exact range of sum_i w_i relu(a_i u + c_i) over u's interval: a
  // piecewise-linear function, extreme at an end or a breakpoint.
  Interval group_range(const StageRange& relu, int g, const std::vector<std::pair<int, double>>& members) const {
    const Interval& u = relu.groups.u[static_cast<std::size_t>(g)];
    const auto plain = [&] {
      Interval sum{0.0, 0.0};
      for (const auto& [j, w] : members) {
        const Interval term = scale(w, relu.lo[j], relu.hi[j]);
        sum.lo += term.lo;
        sum.hi += term.hi;
      }
      return sum;
    };
    if (members.size() == 1 || members.size() > kMaxGroupTerms || !std::isfinite(u.lo) || !std::isfinite(u.hi)) {
      return plain();
    }
    std::vector<double> points{u.lo, u.hi};
    for (const auto& [j, w] : members) {
      const auto ju = static_cast<std::size_t>(j);
      const double a = relu.groups.a[ju];
      if (a == 0.0) continue;
      const double kink = -relu.groups.c[ju] / a;
      if (kink > u.lo && kink < u.hi) points.push_back(kink);
    }
    Interval range{kInf, -kInf};
    for (double p : points) {
      double f = 0.0;
      for (const auto& [j, w] : members) {
        const auto ju = static_cast<std::size_t>(j);
        f += w * std::max(0.0, relu.groups.a[ju] * p + relu.groups.c[ju]);
      }
      range.lo = std::min(range.lo, f);
      range.hi = std::max(range.hi, f);
    }
    // Never looser than the plain sum (both are sound).
    const Interval loose = plain();
    const Interval both{std::max(range.lo, loose.lo), std::min(range.hi, loose.hi)};
    return both.lo <= both.hi ? both : loose;
  }

  // A row of stage k's affine map rewritten over an earlier stage's values
  // by composing it through the stages that only carry values: pass-through
  // pairs (read as v_j = y[2j] - y[2j+1], weights w and -w), the units of a
  // Product stage whose other factor is a constant (a value carried past a
  // Multi) and the units of a State stage whose row of A is zero (a value
  // carried past a LinState). A row stops at the first stage where one of
  // its terms is not carried. `error`: how far the f64 value of the original row can be from
  // the composed row's exact value over `source`'s f64 values.
  struct ComposedRow {
    int source = -1;
    Terms terms;
    double c = 0.0;
    double error = 0.0;
  };

  ComposedRow compose_row(int source, Terms terms, double c) const {
    ComposedRow row{source, std::move(terms), c, 0.0};
    while (row.source >= 0 && row.terms.size() <= kMaxComposedTerms) {
      const LogicalStage& stage = model_.stages[static_cast<std::size_t>(row.source)];
      CompositionStep step;
      step.next_c = row.c;
      bool composable = false;
      if (stage.pass_through_pair) {
        composable = compose_through_pair(row, stage, step);
      } else if (stage.kind == LogicalStageKind::Product) {
        composable = compose_through_product(row, stage, step);
      } else if (stage.kind == LogicalStageKind::State) {
        composable = compose_through_state(row, stage, step);
      }
      if (!composable) break;
      Terms composed;
      for (const auto& [col, w] : step.next) {
        if (w != 0.0) composed.emplace_back(col, w);
      }
      row.error +=
          step.added_error + (static_cast<double>(row.terms.size()) + 2.0) * kUnitRoundoff * step.composed_scale;
      row.terms = std::move(composed);
      row.c = step.next_c;
      row.source = row.source - 1;
    }
    return row;
  }

  // One step of compose_row: the unit values of a stage that the row reads,
  // as affine rows over the stage before (`next`, `next_c`), how much the
  // units' f64 values can differ from those rows' exact values
  // (`added_error`), and sum of |coefficient| * max|x| + |constant|, the
  // composition's rounding (`composed_scale`).
  struct CompositionStep {
    std::map<int, double> next;
    double next_c = 0.0;
    double added_error = 0.0;
    double composed_scale = 0.0;
  };

  // Adds factor * (row r of M over stage `stage_source`'s values + offset)
  // to the step; returns the row's scale (|offset| + sum |m| max|x|).
  double add_scaled(CompositionStep& step, int stage_source, double factor, const SparseD& M, int r,
                    double offset) const {
    double scale = std::fabs(offset);
    for (SparseD::InnerIterator it(M, r); it; ++it) {
      if (it.value() == 0.0) continue;
      const int col = static_cast<int>(it.col());
      step.next[col] += factor * it.value();
      scale += std::fabs(it.value()) * magnitude(source_lo(stage_source, col), source_hi(stage_source, col));
    }
    step.next_c += factor * offset;
    step.composed_scale += std::fabs(factor) * scale;
    return scale;
  }

  // Through pass-through pairs, read as v_j = y[2j] - y[2j+1] (weights w, -w).
  bool compose_through_pair(const ComposedRow& row, const LogicalStage& stage, CompositionStep& step) const {
    const StageRange& pair_range = ranges_[static_cast<std::size_t>(row.source)];
    std::map<int, double> by_column(row.terms.begin(), row.terms.end());
    for (const auto& [col, w] : row.terms) {
      const auto partner = by_column.find(col % 2 == 0 ? col + 1 : col - 1);
      if (partner == by_column.end() || partner->second != -w) return false;
      if (col % 2 != 0) continue;
      add_scaled(step, row.source - 1, w, stage.M, col, stage.c[col]);
      step.added_error += std::fabs(w) * pair_range.relu_error[col];
    }
    return true;
  }

  // Through the units of a Product stage whose other factor is a constant.
  bool compose_through_product(const ComposedRow& row, const LogicalStage& stage, CompositionStep& step) const {
    const int n = stage.out_dim;
    const StageRange& product_range = ranges_[static_cast<std::size_t>(row.source)];
    for (const auto& [j, w] : row.terms) {
      const bool left_constant = row_is_constant(stage.M, j), right_constant = row_is_constant(stage.M, n + j);
      if (!left_constant && !right_constant) return false;
      const int carried = right_constant ? j : n + j;
      const double factor = stage.c[right_constant ? n + j : j];
      if (factor == 0.0) continue;  // the unit is exactly 0
      const double scale = add_scaled(step, row.source - 1, w * factor, stage.M, carried, stage.c[carried]);
      // The carried row's dot product rounds, then the product does.
      const int carried_terms = static_cast<int>(stage.M.row(carried).nonZeros());
      step.added_error += std::fabs(w) * ((carried_terms + 2) * kUnitRoundoff * scale * std::fabs(factor) +
                                          kUnitRoundoff * magnitude(product_range.lo[j], product_range.hi[j]));
    }
    return true;
  }

  // Through the units of a State stage whose row of A is zero: such a unit
  // holds B x_t + bias, this step's input carried through the state layer,
  // nothing of the past.
  bool compose_through_state(const ComposedRow& row, const LogicalStage& stage, CompositionStep& step) const {
    for (const auto& [j, w] : row.terms) {
      if (!row_is_constant(stage.A, j)) return false;
      const double scale = add_scaled(step, row.source - 1, w, stage.B, j, stage.bias[j]);
      const int input_terms = static_cast<int>(stage.B.row(j).nonZeros());
      step.added_error += std::fabs(w) * (input_terms + 2) * kUnitRoundoff * scale;
    }
    return true;
  }

  static bool row_is_constant(const SparseD& M, int r) {
    for (SparseD::InnerIterator it(M, r); it; ++it) {
      if (it.value() != 0.0) return false;
    }
    return true;
  }

  // The f64 rounding of evaluating `row` + c over stage `source`'s values.
  double dot_rounding(int source, const Terms& row, double c) const {
    double terms_magnitude = std::fabs(c);
    for (const auto& [j, w] : row)
      terms_magnitude += std::fabs(w) * magnitude(source_lo(source, j), source_hi(source, j));
    return (static_cast<double>(row.size()) + 2.0) * kUnitRoundoff * terms_magnitude;
  }

  // The range of row + c over stage `source`'s values, taken both directly
  // and composed back through the stages that only carry values
  // (compose_row): a pair or a Multi forgets that its values are steps of
  // one scalar (f_step's relu(mu x) and mu relu(x - 1/mu) carried apart,
  // [0, mu X] each, whose difference is in [0, 1]); the composed row reaches
  // the ReLU stage behind them, with its groups. Both ranges are sound, so
  // their intersection is.
  // A row as a stage reads it: composed back (compose_row), and the f64
  // rounding of its own dot product over the stage it reads.
  struct ReadRow {
    ComposedRow composed;
    double rounding = 0.0;
  };

  ReadRow read_row(int source, const Terms& row, double c) const {
    return ReadRow{compose_row(source, row, c), dot_rounding(source, row, c)};
  }

  Interval tightest_row_range(int source, const Terms& row, double c, const ReadRow& read) const {
    const Interval direct = range_of(source, row, c);
    const ComposedRow& composed_row = read.composed;
    if (composed_row.source == source) return direct;
    Interval composed = range_of(composed_row.source, composed_row.terms, composed_row.c);
    const double widen = read.rounding + composed_row.error;
    composed = sanitized(Interval{composed.lo - widen, composed.hi + widen});
    const Interval both{std::max(direct.lo, composed.lo), std::min(direct.hi, composed.hi)};
    return both.lo <= both.hi ? both : direct;
  }

  // The pre-activation rows of a ReLU or Product stage; returns them as read
  // (bound_relu groups them).
  std::vector<ReadRow> bound_pre(std::size_t k, const LogicalStage& s) {
    const auto rows = static_cast<int>(s.M.rows());
    const int source = static_cast<int>(k) - 1;
    mags_.pre_lo[k].resize(rows);
    mags_.pre_hi[k].resize(rows);
    std::vector<ReadRow> read(static_cast<std::size_t>(rows));
    for (int i = 0; i < rows; ++i) {
      const Terms direct = row_terms(s.M, i);
      read[static_cast<std::size_t>(i)] = read_row(source, direct, s.c[i]);
      const Interval r = tightest_row_range(source, direct, s.c[i], read[static_cast<std::size_t>(i)]);
      mags_.pre_lo[k][i] = r.lo;
      mags_.pre_hi[k][i] = r.hi;
    }
    mags_.pre[k] = mags_.pre_lo[k].cwiseAbs().cwiseMax(mags_.pre_hi[k].cwiseAbs());
    return read;
  }

  // A ReLU stage: its bounds, and its groups: rows that are exact multiples
  // a_i u + c_i of one direction u of an earlier stage's values, seen through
  // the stages that only carry values (compose_row), so that rows proportional
  // there are steps of one scalar even where the compiler kept the Linear
  // ops apart (f_step's mu x and x - 1/mu as two pairs).
  void bound_relu(std::size_t k, const LogicalStage& s) {
    std::vector<ReadRow> read = bound_pre(k, s);
    StageRange& out = ranges_[k];
    out.lo = mags_.pre_lo[k].cwiseMax(0.0);
    out.hi = mags_.pre_hi[k].cwiseMax(0.0);
    const auto rows = static_cast<int>(s.M.rows());
    out.relu_error = Eigen::VectorXd::Zero(rows);
    out.has_groups = true;
    ReluGroups& groups = out.groups;
    groups.group.assign(static_cast<std::size_t>(rows), -1);
    groups.a.assign(static_cast<std::size_t>(rows), 0.0);
    groups.c.assign(static_cast<std::size_t>(rows), 0.0);
    std::vector<ComposedRow> representative;
    std::unordered_map<std::string, std::vector<int>> candidates;  // source + normalised pattern -> groups
    for (int i = 0; i < rows; ++i) {
      const auto iu = static_cast<std::size_t>(i);
      ComposedRow& composed = read[iu].composed;
      groups.c[iu] = composed.c;
      // Rounding of this row's dot product in f64 (over the stage it reads),
      // plus what reading through the carrying stages adds.
      out.relu_error[i] = read[iu].rounding + composed.error;
      if (composed.terms.empty()) {  // a constant: its own group, a = 0
        groups.group[iu] = static_cast<int>(representative.size());
        representative.push_back(std::move(composed));
        continue;
      }
      std::string key;
      key.append(reinterpret_cast<const char*>(&composed.source), sizeof composed.source);
      const double first = composed.terms.front().second;
      for (const auto& [j, w] : composed.terms) {
        const double normalised = w / first;
        key.append(reinterpret_cast<const char*>(&j), sizeof j);
        key.append(reinterpret_cast<const char*>(&normalised), sizeof normalised);
      }
      auto& list = candidates[key];
      for (int g : list) {
        if (exact_multiple(composed.terms, representative[static_cast<std::size_t>(g)].terms, groups.a[iu])) {
          groups.group[iu] = g;
          break;
        }
      }
      if (groups.group[iu] < 0) {
        groups.group[iu] = static_cast<int>(representative.size());
        groups.a[iu] = 1.0;
        list.push_back(groups.group[iu]);
        representative.push_back(std::move(composed));
      }
    }
    groups.u.resize(representative.size());
    groups.size.assign(representative.size(), 0);
    for (int i = 0; i < rows; ++i) ++groups.size[static_cast<std::size_t>(groups.group[static_cast<std::size_t>(i)])];
    for (std::size_t g = 0; g < representative.size(); ++g) {
      // u_g = r_g . x: only needed for groups of two or more.
      groups.u[g] =
          groups.size[g] > 1 ? range_of(representative[g].source, representative[g].terms, 0.0) : Interval{-kInf, kInf};
    }
  }

  // row == a * reference exactly (same pattern, every entry), a from the
  // first entries.
  static bool exact_multiple(const Terms& row, const Terms& reference, double& a) {
    if (row.size() != reference.size() || row.empty()) return false;
    a = row.front().second / reference.front().second;
    for (std::size_t t = 0; t < row.size(); ++t) {
      if (row[t].first != reference[t].first || a * reference[t].second != row[t].second) return false;
    }
    return true;
  }

  void bound_product(std::size_t k, const LogicalStage& s) {
    bound_pre(k, s);
    const int n = s.out_dim;
    StageRange& out = ranges_[k];
    out.lo.resize(n);
    out.hi.resize(n);
    for (int i = 0; i < n; ++i) {
      const double alo = mags_.pre_lo[k][i], ahi = mags_.pre_hi[k][i];
      const double blo = mags_.pre_lo[k][n + i], bhi = mags_.pre_hi[k][n + i];
      const double corners[] = {product_or_zero(alo, blo), product_or_zero(alo, bhi), product_or_zero(ahi, blo),
                                product_or_zero(ahi, bhi)};
      Interval r{*std::min_element(std::begin(corners), std::end(corners)),
                 *std::max_element(std::begin(corners), std::end(corners))};
      r = sanitized(r);
      const double widen = kUnitRoundoff * magnitude(r.lo, r.hi);
      out.lo[i] = r.lo - widen;
      out.hi[i] = r.hi + widen;
    }
  }

  void bound_state(std::size_t k, const LogicalStage& s) {
    const int n = s.out_dim;
    const int source = static_cast<int>(k) - 1;
    Eigen::VectorXd ulo(n), uhi(n);
    for (int i = 0; i < n; ++i) {
      const Terms row = row_terms(s.B, i);
      const Interval u = tightest_row_range(source, row, s.bias[i], read_row(source, row, s.bias[i]));
      ulo[i] = u.lo;
      uhi[i] = u.hi;
    }
    StageRange& out = ranges_[k];
    out.lo = Eigen::VectorXd::Constant(n, kInf);
    out.hi = Eigen::VectorXd::Constant(n, -kInf);
    for (const std::vector<int>& block : state_blocks(s.A, n)) bound_state_block(s, block, ulo, uhi, out);
  }

  // Connected components of A's pattern (i ~ j if A_ij or A_ji is non-zero):
  // A is block diagonal over them, so each evolves on its own.
  static std::vector<std::vector<int>> state_blocks(const SparseD& A, int n) {
    std::vector<int> parent(static_cast<std::size_t>(n));
    std::iota(parent.begin(), parent.end(), 0);
    const auto find = [&](int x) {
      while (parent[static_cast<std::size_t>(x)] != x) {
        parent[static_cast<std::size_t>(x)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
        x = parent[static_cast<std::size_t>(x)];
      }
      return x;
    };
    for (int r = 0; r < A.outerSize(); ++r) {
      for (SparseD::InnerIterator it(A, r); it; ++it) {
        if (it.value() != 0.0) parent[static_cast<std::size_t>(find(r))] = find(static_cast<int>(it.col()));
      }
    }
    std::vector<std::vector<int>> blocks;
    std::vector<int> block_of(static_cast<std::size_t>(n), -1);
    for (int i = 0; i < n; ++i) {
      const int root = find(i);
      if (block_of[static_cast<std::size_t>(root)] < 0) {
        block_of[static_cast<std::size_t>(root)] = static_cast<int>(blocks.size());
        blocks.emplace_back();
      }
      blocks[static_cast<std::size_t>(block_of[static_cast<std::size_t>(root)])].push_back(i);
    }
    return blocks;
  }

  // One block of a State stage on its own units: its transition, the
  // bounds of its input u = B x + bias, and its initial state.
  struct BlockSystem {
    Eigen::MatrixXd A;
    Eigen::VectorXd ulo, uhi, s0;
  };

  static BlockSystem block_system(const LogicalStage& s, const std::vector<int>& block, const Eigen::VectorXd& ulo_all,
                                  const Eigen::VectorXd& uhi_all) {
    const auto n = static_cast<int>(block.size());
    std::vector<int> local(static_cast<std::size_t>(s.out_dim), -1);
    for (int i = 0; i < n; ++i) local[static_cast<std::size_t>(block[static_cast<std::size_t>(i)])] = i;
    BlockSystem sys{Eigen::MatrixXd::Zero(n, n), Eigen::VectorXd(n), Eigen::VectorXd(n), Eigen::VectorXd(n)};
    for (int i = 0; i < n; ++i) {
      const int row = block[static_cast<std::size_t>(i)];
      for (SparseD::InnerIterator it(s.A, row); it; ++it)
        sys.A(i, local[static_cast<std::size_t>(it.col())]) = it.value();
      sys.ulo[i] = ulo_all[row];
      sys.uhi[i] = uhi_all[row];
      sys.s0[i] = s.init[row];
    }
    return sys;
  }

  // The bounds bound_state_block has after its exact steps t = 1..steps.
  struct StateSums {
    Eigen::MatrixXd P;  // A^steps
    Eigen::VectorXd sum_lo, sum_hi, sum_magnitude;
    Eigen::VectorXd lo, hi;
    Eigen::VectorXd largest;      // the magnitude the sum reaches (rounding scale)
    double power_norm_max = 1.0;  // max_{r <= t} ||A^r||_inf
    bool settled = false;         // nilpotent: no later step goes beyond [lo, hi]
    int steps = 0;
  };

  // Steps t = 1 .. cap exactly, up to a nilpotent A's last or an unbounded sum.
  static StateSums exact_state_steps(const BlockSystem& sys, const Eigen::VectorXd& umax, int cap) {
    const auto n = static_cast<int>(sys.s0.size());
    StateSums r;
    r.P = Eigen::MatrixXd::Identity(n, n);
    r.sum_lo = r.sum_hi = r.sum_magnitude = r.largest = Eigen::VectorXd::Zero(n);
    r.lo = Eigen::VectorXd::Constant(n, kInf);
    r.hi = Eigen::VectorXd::Constant(n, -kInf);
    while (r.steps < cap) {
      ++r.steps;
      // the term k = t - 1: A^(t-1) u
      const Eigen::MatrixXd positive = r.P.cwiseMax(0.0), negative = (-r.P).cwiseMax(0.0);
      r.sum_lo += positive * sys.ulo - negative * sys.uhi;
      r.sum_hi += positive * sys.uhi - negative * sys.ulo;
      r.sum_magnitude += r.P.cwiseAbs() * umax;
      r.P = sys.A * r.P;  // A^t
      r.power_norm_max = std::max(r.power_norm_max, r.P.cwiseAbs().rowwise().sum().maxCoeff());
      const Eigen::VectorXd from_init = r.P * sys.s0;
      const Eigen::VectorXd init_magnitude = r.P.cwiseAbs() * sys.s0.cwiseAbs();
      for (int i = 0; i < n; ++i) {
        r.lo[i] = lower_of(r.lo[i], r.sum_lo[i] + from_init[i]);
        r.hi[i] = upper_of(r.hi[i], r.sum_hi[i] + from_init[i]);
        r.largest[i] = upper_of(r.largest[i], r.sum_magnitude[i] + init_magnitude[i]);
      }
      if ((r.P.array() == 0.0).all()) {  // nilpotent: every later s_t lies in [sum_lo, sum_hi]
        r.settled = true;
        break;
      }
      if (!r.sum_lo.allFinite() || !r.sum_hi.allFinite()) break;  // unbounded already
    }
    return r;
  }

  // Steps beyond the exact ones, up to T: ||A^(j cap + r)|| <= q^j
  // max_r ||A^r||, q = ||A^cap||.
  static void add_later_steps(const BlockSystem& sys, const Eigen::VectorXd& umax, int T, StateSums& r) {
    const int t = r.steps;
    const double q = r.P.cwiseAbs().rowwise().sum().maxCoeff();
    const double cycles = std::ceil(static_cast<double>(T - t) / std::max(1, t));
    double geometric;  // sum_{j=1}^{cycles} q^j
    if (q < 1.0)
      geometric = q / (1.0 - q);
    else if (q == 1.0)
      geometric = cycles;
    else
      geometric = (std::pow(q, cycles + 1.0) - q) / (q - 1.0);
    const double tail = umax.maxCoeff() * r.power_norm_max * t * geometric +
                        sys.s0.cwiseAbs().maxCoeff() * r.power_norm_max * std::max(1.0, std::pow(q, cycles + 1.0));
    for (Eigen::Index i = 0; i < r.lo.size(); ++i) {
      r.lo[i] = lower_of(r.lo[i], r.sum_lo[i] - tail);
      r.hi[i] = upper_of(r.hi[i], r.sum_hi[i] + tail);
      r.largest[i] = upper_of(r.largest[i], r.sum_magnitude[i] + tail);
    }
  }

  // s_t = A^t s_0 + sum_{k<t} A^k u_{t-k} over t = 1..T for one block
  // (header), written into out.lo/hi at the block's rows.
  void bound_state_block(const LogicalStage& s, const std::vector<int>& block, const Eigen::VectorXd& ulo_all,
                         const Eigen::VectorXd& uhi_all, StageRange& out) const {
    const auto n = static_cast<int>(block.size());
    const int T = std::max(1, domain_.max_length);
    const BlockSystem sys = block_system(s, block, ulo_all, uhi_all);
    const Eigen::VectorXd umax = sys.ulo.cwiseAbs().cwiseMax(sys.uhi.cwiseAbs());
    const double step_cost = static_cast<double>(n) * n * n + 4.0 * n * n;
    const int cap = static_cast<int>(std::clamp(kStatePowerBudget / step_cost, 1.0, static_cast<double>(T)));
    StateSums sums = exact_state_steps(sys, umax, cap);
    if (!sums.settled && sums.steps < T) add_later_steps(sys, umax, T, sums);
    for (int i = 0; i < n; ++i) {
      const int row = block[static_cast<std::size_t>(i)];
      const double widen = 8.0 * (n + 2) * static_cast<double>(T) * kUnitRoundoff * sums.largest[i];
      Interval r = sanitized(Interval{sums.lo[i] - widen, sums.hi[i] + widen});
      out.lo[row] = r.lo;
      out.hi[row] = r.hi;
    }
  }

  const LogicalModel& model_;
  const RangeDomain& domain_;
  StageMagnitudes mags_;
  std::vector<StageRange> ranges_;
};

std::string number_text(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}

}  // namespace

RangeDomain range_domain(const TargetOptions& options, int input_dim) {
  RangeDomain domain;
  domain.max_length = std::max(1, options.max_sequence_length);
  if (options.input_lower.empty() && options.input_upper.empty()) {
    domain.lower.assign(static_cast<std::size_t>(input_dim), -kDefaultInputBound);
    domain.upper.assign(static_cast<std::size_t>(input_dim), kDefaultInputBound);
  } else {
    domain.lower = options.input_lower;
    domain.upper = options.input_upper;
  }
  return domain;
}

StageMagnitudes analyze_ranges(const LogicalModel& model, const RangeDomain& domain) {
  if (static_cast<int>(domain.lower.size()) != model.input_dim ||
      static_cast<int>(domain.upper.size()) != model.input_dim) {
    throw LsrlError(SourceSpan{}, "internal error: the input domain has " + std::to_string(domain.lower.size()) +
                                      " bounds but the model's input has width " + std::to_string(model.input_dim) +
                                      "; please report this program");
  }
  return RangeAnalyzer(model, domain).run();
}

StageMagnitudes static_magnitudes(const LogicalModel& model, const TargetOptions& options) {
  return analyze_ranges(model, range_domain(options, model.input_dim));
}

std::string declare_smaller_domain_hint(const TargetOptions& options) {
  std::string bounds;
  if (options.input_lower.empty()) {
    bounds = "|x| <= " + number_text(kDefaultInputBound) + " (the default)";
  } else {
    double lo = kInf, hi = -kInf;
    for (double v : options.input_lower) lo = std::min(lo, v);
    for (double v : options.input_upper) hi = std::max(hi, v);
    // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive)
    // on "[" + std::string&& here.
    bounds.append("[").append(number_text(lo)).append(", ").append(number_text(hi)).append("]");
  }
  return "these bounds hold for every prompt of at most " + std::to_string(std::max(1, options.max_sequence_length)) +
         " tokens with components in " + bounds +
         "; declare tighter input bounds (Input(dim=..., bounds=[lo, hi])) or a shorter maximum length "
         "(Input(..., max_length=...) or --max-length)";
}

}  // namespace lsrl
