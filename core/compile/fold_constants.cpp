// Preparation fusion: constants. A Linear with A = 0 (f_constant, and what
// other fusions leave behind) has the same value at every step. Its value is
// folded into whatever reads it (a Linear's or LinState's bias, a ReLU or
// Multi of constants is a constant, a Concat keeps only its varying inputs),
// and a LinState that ignores its input (B = 0) reads the Input, so it does
// not wait for a value it does not use. Folding computes in the rationals;
// it is done only where the program's floating-point steps are exact too
// (small binary fractions, the usual f_constant(x, 1)), so the compiled
// model still rounds as the program does.
//
// During debranching a fold never gives a node more readers than it had:
// the constant folded into its reader must have no other reader (it then
// disappears and its source trades one reader for another), and a LinState
// that ignores its input keeps reading what it reads. Folding a constant
// that others still read would add a reader to its source, which can make
// an earlier node branch again; case 5B stacking two constant readers and
// this fold splitting the stack again looped forever that way.
#include <algorithm>

#include "compile/num_ops.hpp"
#include "compile/passes.hpp"

namespace lsrl {

namespace {

bool is_constant(const WorkNode& n) { return n.kind == NodeKind::Linear && n.A.nonZeros() == 0; }

// May `at`'s read of the constant `c` be folded away? Always in
// preparation; during debranching only if `at` is c's one reader.
bool may_fold(const WorkGraph& g, WorkId c, WorkId at) {
  if (g.phase() == WorkGraph::Phase::Preparation) return true;
  const std::vector<WorkId>& users = g.node(c).users;
  return users.size() == 1 && users[0] == at && c != g.output();
}

// Turns node `at` into the constant `value` (A = 0) reading `source`.
void make_constant(WorkGraph& g, WorkId at, NumVector value, WorkId source) {
  WorkNode& n = g.node(at);
  g.set_kind(at, NodeKind::Linear);
  n.A = NumSparse(n.dim, g.node(source).dim);
  n.b = std::move(value);
  n.B = NumSparse();
  n.init = NumVector();
  g.set_inputs(at, {source});
  g.touch(at);
}

}  // namespace

bool fold_constants(WorkGraph& g, WorkId at, RuleCounter& counts) {
  WorkNode& n = g.node(at);
  if (!n.alive || n.kind == NodeKind::Input) return false;
  const WorkId input = g.input();
  const int input_dim = g.node(input).dim;

  // A LinState that ignores its input reads the Input.
  if (n.inputs.size() == 1 && n.inputs[0] != input && g.phase() == WorkGraph::Phase::Preparation) {
    if (n.kind == NodeKind::LinState && n.B.nonZeros() == 0) {
      n.B = NumSparse(n.dim, input_dim);
      g.set_inputs(at, {input});
      g.touch(at);
      counts.count("fold_constants");
      return true;
    }
  }

  if (n.kind == NodeKind::Concat) {
    std::vector<WorkId> varying;
    for (WorkId in : n.inputs)
      if (!is_constant(g.node(in))) varying.push_back(in);
    if (varying.size() == n.inputs.size()) return false;
    NumVector value = zero_vector(n.dim);
    if (varying.empty()) {
      for (WorkId in : n.inputs)
        if (!may_fold(g, in, at)) return false;
      int row = 0;
      for (WorkId in : n.inputs) {
        const WorkNode& c = g.node(in);
        for (int i = 0; i < c.dim; ++i) value[row++] = c.b[i];
      }
      make_constant(g, at, std::move(value), g.node(n.inputs[0]).inputs[0]);
      counts.count("fold_constants");
      return true;
    }
    // Linear(Concat(varying inputs)) with the constants in the bias.
    int width = 0;
    for (WorkId in : varying) width += g.node(in).dim;
    SparseAssembler select(n.dim, width);
    int row = 0;
    int col = 0;
    for (WorkId in : n.inputs) {
      const WorkNode& c = g.node(in);
      if (is_constant(c)) {
        for (int i = 0; i < c.dim; ++i) value[row++] = c.b[i];
      } else {
        for (int i = 0; i < c.dim; ++i) select.add(row++, col++, Num(1));
      }
    }
    const WorkId inner = g.add_concat(varying, WorkGraph::provenance({&n}));
    WorkNode& m = g.node(at);
    g.set_kind(at, NodeKind::Linear);
    m.A = select.finish();
    m.b = std::move(value);
    g.set_inputs(at, {inner});
    g.touch(at);
    counts.count("fold_constants");
    return true;
  }

  if (n.inputs.size() != 1) return false;
  const WorkNode& c = g.node(n.inputs[0]);
  if (!is_constant(c) || !may_fold(g, n.inputs[0], at)) return false;
  switch (n.kind) {
    case NodeKind::Linear:
    case NodeKind::Slice: {
      const NumSparse A = g.affine_matrix(at);
      const NumVector b = g.affine_bias(at);
      for (int i = 0; i < A.outerSize(); ++i) {
        std::vector<Num> terms;
        for (NumSparse::InnerIterator it(A, i); it; ++it) terms.push_back(it.value() * c.b[it.col()]);
        if (!sum_is_double_exact(b[i], terms)) return false;
      }
      NumVector value = add(multiply(A, c.b), b);
      make_constant(g, at, std::move(value), c.inputs[0]);
      break;
    }
    case NodeKind::ReLU: {
      NumVector value(n.dim);
      for (int i = 0; i < n.dim; ++i) value[i] = c.b[i].sign() > 0 ? c.b[i] : Num(0);
      make_constant(g, at, std::move(value), c.inputs[0]);
      break;
    }
    case NodeKind::Multi: {
      NumVector value(n.dim);
      for (int i = 0; i < n.dim; ++i) {
        value[i] = c.b[i] * c.b[i + n.dim];
        if (!value[i].is_zero() && !is_double_exact(value[i])) return false;
      }
      make_constant(g, at, std::move(value), c.inputs[0]);
      break;
    }
    case NodeKind::LinState: {
      // The program adds bias, then A s, then B c; folding B c into the bias
      // rounds alike when the bias is 0, A s is one term and B c is exact.
      for (int i = 0; i < n.B.outerSize(); ++i) {
        std::vector<Num> terms;
        for (NumSparse::InnerIterator it(n.B, i); it; ++it) terms.push_back(it.value() * c.b[it.col()]);
        if (terms.empty()) continue;
        int state_terms = 0;
        for (NumSparse::InnerIterator it(n.A, i); it; ++it) state_terms += it.value().is_zero() ? 0 : 1;
        if (!n.b[i].is_zero() || state_terms > 1 || !sum_is_double_exact(Num(0), terms)) return false;
      }
      // In preparation the state reads the Input; while debranching it
      // reads the constant's source, which trades c for it as a reader.
      const WorkId source = g.phase() == WorkGraph::Phase::Preparation ? input : c.inputs[0];
      n.b = add(multiply(n.B, c.b), n.b);
      n.B = NumSparse(n.dim, g.node(source).dim);
      g.set_inputs(at, {source});
      g.touch(at);
      break;
    }
    default:
      return false;
  }
  counts.count("fold_constants");
  return true;
}

}  // namespace lsrl
