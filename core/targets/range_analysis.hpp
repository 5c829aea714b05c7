// Static range analysis of a LogicalModel's stage chain: sound bounds on
// every unit over every prompt of at most T tokens whose components lie in
// the program's input domain (graph/program.hpp, InputDomain). The targets
// size their constructions from these bounds (GRU's paper-mode product
// offsets; the standard activations' scales), never from a prompt, so the
// weights are a function of the program and the compile options alone.
//
// One forward pass over the stages, each from the previous one's bounds:
//  - State blocks (connected components of A's pattern, each independent):
//      s_t = A^t s_0 + sum_{k<t} A^k u_{t-k},  u = B x + bias in a box,
//    the sum taken as sign-aware intervals (positive and negative parts of
//    A^k against the box), term by term for t = 1..T, the union over t. A
//    nilpotent block stops when A^k is exactly 0; a block whose powers cost
//    too much (dense n x n per step, at most kStatePowerBudget flops per
//    block) stops at step m and bounds the rest by norms:
//    ||A^(jm+r)|| <= ||A^m||^j max_{r<m} ||A^r|| (a geometric tail for a
//    contraction, linear growth for ||A^m|| = 1, honest blow-up above).
//    Cost: O(min(T, m) n^3) per block of width n.
//  - Affine rows (the pre-activations M x + c, the states' inputs B x + b):
//    interval arithmetic, positive and negative weights separately. Rows
//    that read a ReLU stage are tighter: the ReLU rows that are exact
//    multiples a_i u + c_i of ONE direction u = r . x of the previous values
//    (f_step's relu(mu x) - mu relu(x - 1/mu), f_bump, f_and, the
//    pass-through pair relu(v) - relu(-v)) form a group, and a row's
//    contribution from a group is a 1-D piecewise-linear function of u whose
//    exact range over u's interval is taken at its breakpoints. f_step's
//    output stays in [0, 1] instead of [-mu X, mu X]. A row is first
//    composed back through the stages that only carry values (pass-through
//    pairs, a Multi's units whose other factor is a constant, a state's
//    units whose row of A is zero), so a step the compiler carries apart
//    across several stages is still seen as one: discrete_ua's conditions
//    are bounded by [0, 1] where a Multi reads them, not by [0, 2 mu - 1].
//    Each row's range is the intersection of the direct and the composed
//    one (both are sound).
//  - Products: interval products of the two factor rows.
// Every bound is widened for f64 rounding: a row by gamma_(n+2) times the sum
// of its terms' magnitudes (Higham's dot-product bound), a state by
// 8 (n + 2) T 2^-52 times the magnitude its sum reaches, so the values the
// chain takes in f64 lie inside them, not only the exact ones.
//
// Bounds can be infinite or astronomically large (a counter of unbounded
// inputs over a long prompt): the analysis reports them as they are; a
// target that needs a finite bound refuses the program (refuse_stage) and
// names what to declare.
#pragma once

#include <string>
#include <vector>

#include "targets/logical_model.hpp"

namespace lsrl {

// The prompts a model is built for: per input component [lower, upper], and
// at most max_length tokens.
struct RangeDomain {
  std::vector<double> lower;
  std::vector<double> upper;
  int max_length = 1;
};

// The domain the options describe (TargetOptions::input_lower/upper, empty:
// the default |x| <= kDefaultInputBound; TargetOptions::max_sequence_length).
RangeDomain range_domain(const TargetOptions& options, int input_dim);

// Sound bounds for every stage of the chain (StageMagnitudes: output, pre,
// pre_lo, pre_hi, output_lo, output_hi). Throws LsrlError if the domain's
// width differs from the model's input.
StageMagnitudes analyze_ranges(const LogicalModel& model, const RangeDomain& domain);
// The same, with the domain taken from the target options.
StageMagnitudes static_magnitudes(const LogicalModel& model, const TargetOptions& options);

// "prompts of at most T tokens with components in [lo, hi]": the end of a
// refusal message that says what the bounds were computed for and what to
// declare instead.
std::string declare_smaller_domain_hint(const TargetOptions& options);

}  // namespace lsrl
