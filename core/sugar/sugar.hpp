// The sugar library: the reference library's f_* functions and the operator
// sugar on graph variables (x + y, x - c, c * x, ...), written against
// graph/program.hpp only. Each function builds its nodes from the primitives
// in the same arrangement as the reference implementation (lsrl/sugar_blocks.py
// and the Variable operators of lsrl/basic_blocks.py), so that a program reads
// and compiles the way it does there. Nodes made here are left unnamed; the
// language front end names the ones the user assigns. Every node gets the
// span of the call that asked for it; every width problem is an LsrlError.
#pragma once

#include <optional>
#include <string>

#include "graph/program.hpp"

namespace lsrl::sugar {

// What the arguments x, y, lb, ub, t and f of the sugar may be: a graph node
// or constants (one value broadcast over the node's width, or one per unit).
struct Operand {
  NodeId node = kNoNode;
  NumVector values;  // used when node == kNoNode

  static Operand of(NodeId id) {
    Operand o;
    o.node = id;
    return o;
  }
  static Operand scalar(Num value) {
    Operand o;
    o.values = NumVector::Constant(1, value);
    return o;
  }
  static Operand vector(NumVector values) {
    Operand o;
    o.values = std::move(values);
    return o;
  }
  bool is_node() const { return node != kNoNode; }
};

// "'ctr' (LinState, width 2)" or "a Linear of width 2": how errors name a node.
std::string describe_node(const Program& program, NodeId id);

// ---- operator sugar (reference: Variable.__add__, __sub__, __mul__, ...) ----
// x + y, x - y of equal widths: Concat([x, y]) then Linear [I, I] / [I, -I].
NodeId add(Program& program, NodeId x, NodeId y, SourceSpan span);
NodeId subtract(Program& program, NodeId x, NodeId y, SourceSpan span);
// x + c: Linear(x, I, c); c has one entry (broadcast) or one per unit.
NodeId add_constant(Program& program, NodeId x, const NumVector& c, SourceSpan span);
// c - x: Linear(x, -I, c).
NodeId constant_minus(Program& program, const NumVector& c, NodeId x, SourceSpan span);
// c * x, x * c, x / (1/c): Linear(x, c I, 0).
NodeId scale(Program& program, NodeId x, Num c, SourceSpan span);
// x + y and x - y where either side may be constants (at least one a node).
NodeId add(Program& program, const Operand& x, const Operand& y, SourceSpan span);
NodeId subtract(Program& program, const Operand& x, const Operand& y, SourceSpan span);

// ---- the f_* library (reference: lsrl/sugar_blocks.py) ----------------------
// Linear(x, 0, value): a constant of value's width; non-negative if every entry is.
NodeId f_constant(Program& program, NodeId x, const NumVector& value, SourceSpan span);
// ReLU(mu x) - mu ReLU(x - 1/mu): 0 for x <= 0, 1 for x >= 1/mu.
NodeId f_step(Program& program, NodeId x, Num mu, SourceSpan span);
// f_step(x - lb) - f_step(x - ub).
NodeId f_bump(Program& program, NodeId x, const Operand& lb, const Operand& ub, Num mu, SourceSpan span);
// 1 - x.
NodeId f_not(Program& program, NodeId x, SourceSpan span);
// ReLU(f_step(x) + f_step(y) - 1).
NodeId f_and(Program& program, NodeId x, NodeId y, Num mu, SourceSpan span);
// f_step(x + y).
NodeId f_or(Program& program, NodeId x, NodeId y, Num mu, SourceSpan span);
// f_step(x - y) and f_step(y - x).
NodeId f_larger(Program& program, const Operand& x, const Operand& y, Num mu, SourceSpan span);
NodeId f_smaller(Program& program, const Operand& x, const Operand& y, Num mu, SourceSpan span);
// f_step(-(f_step(x - y) + f_step(y - x) - 1)) and f_step(f_step(x - y) + f_step(y - x)).
NodeId f_eq(Program& program, const Operand& x, const Operand& y, Num mu, SourceSpan span);
NodeId f_neq(Program& program, const Operand& x, const Operand& y, Num mu, SourceSpan span);

// Conditional assignment: cond is 1 where t should be taken and 0 where f
// should. An absent t or f (None) means zero there; at least one is given.
// The original form (paper Eq. 7), lambda = large_constant.
NodeId f_ifelse(Program& program, NodeId cond, const std::optional<Operand>& t, const std::optional<Operand>& f,
                Num large_constant, SourceSpan span);
// Eq. 7 without the terms that are zero: those of an absent or zero branch,
// and ReLU(-lambda c - f) when f is known non-negative (same for t).
NodeId f_ifelse_opt(Program& program, NodeId cond, const std::optional<Operand>& t, const std::optional<Operand>& f,
                    Num large_constant, SourceSpan span);
// Eq. 9: the condition sharpened by f_step(c - 1/2) and f_step(1/2 - c).
NodeId f_ifelse_step(Program& program, NodeId cond, const std::optional<Operand>& t, const std::optional<Operand>& f,
                     Num large_constant, Num mu, SourceSpan span);
// Eq. 10: c t + (1 - c) f through Concat + Multi (+ Linear summing the halves);
// with t or f absent, the multiplicative optimized form (one product).
NodeId f_ifelse_mul(Program& program, NodeId cond, const std::optional<Operand>& t, const std::optional<Operand>& f,
                    SourceSpan span);
// f_ifelse(f_eq(x, y, mu), t, f, large_constant).
NodeId f_ifeq(Program& program, const Operand& x, const Operand& y, const std::optional<Operand>& t,
              const std::optional<Operand>& f, Num mu, Num large_constant, SourceSpan span);

// t mod n for the step counter t = 0, 1, 2, ...: a unit vector rotating by
// 2 pi / n per step in a 2-wide LinState (B = 0, so x only provides the
// input edge), projected onto the n positions, thresholded at cos(pi / n)
// into a one-hot, and weighted 0..n-1.
NodeId f_modulo_counter(Program& program, NodeId x, int n, SourceSpan span);
// ReLU(x) and ReLU(-x) stacked, then Linear [I, -I]: the identity through a ReLU layer.
NodeId f_relu_identity(Program& program, NodeId x, SourceSpan span);

// cos(pi p / q) and sin(pi p / q): exact where the value is rational (0,
// +-1/2, +-1), otherwise the closest double, computed after reducing the
// angle so that large p / q lose no accuracy.
Num cos_pi_fraction(std::int64_t p, std::int64_t q);
Num sin_pi_fraction(std::int64_t p, std::int64_t q);

}  // namespace lsrl::sugar
