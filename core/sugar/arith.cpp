// Operator sugar on graph variables, arranged as the reference's Variable
// operators arrange it: sums and differences of two variables go through a
// Concat and a Linear [I, +-I]; everything with a constant is one Linear.
#include <sstream>

#include "sugar/sugar.hpp"

namespace lsrl::sugar {

std::string describe_node(const Program& program, NodeId id) {
  const Node& n = program.node(id);
  std::ostringstream os;
  if (!n.name.empty()) {
    os << "'" << n.name << "' (" << node_kind_name(n.kind) << ", width " << n.dim << ")";
  } else {
    os << (n.kind == NodeKind::Input ? "an " : "a ") << node_kind_name(n.kind) << " of width " << n.dim;
  }
  return os.str();
}

namespace {

// [I, sign * I]: the matrix that adds (or subtracts) the two halves of a Concat.
NumSparse stacked_identities(int dim, int sign) {
  NumSparse m(dim, 2 * dim);
  m.reserve(Eigen::VectorXi::Constant(dim, 2));
  for (int i = 0; i < dim; ++i) {
    m.insert(i, i) = Num(1);
    m.insert(i, dim + i) = Num(sign);
  }
  m.makeCompressed();
  return m;
}

NumSparse scaled_identity(int dim, Num c) {
  NumSparse m(dim, dim);
  if (c.is_zero()) return m;
  m.reserve(Eigen::VectorXi::Constant(dim, 1));
  for (int i = 0; i < dim; ++i) m.insert(i, i) = c;
  m.makeCompressed();
  return m;
}

void require_equal_widths(const Program& program, const char* op, NodeId x, NodeId y, SourceSpan span) {
  if (program.node(x).dim == program.node(y).dim) return;
  throw LsrlError(span, std::string("'") + op + "' needs two variables of the same width, but the left side is " +
                            describe_node(program, x) + " and the right side is " + describe_node(program, y));
}

// c broadcast (one entry) or checked against the width (one entry per unit).
NumVector broadcast(const Program& program, const NumVector& c, NodeId x, const char* what, SourceSpan span) {
  const int dim = program.node(x).dim;
  if (c.size() == 1) return NumVector::Constant(dim, c(0));
  if (c.size() == dim) return c;
  throw LsrlError(span, std::string(what) + ": a list of " + std::to_string(c.size()) + " numbers does not fit " +
                            describe_node(program, x) + "; give one number, or one per unit (" + std::to_string(dim) +
                            ")");
}

bool all_non_negative(const NumVector& v) {
  for (Eigen::Index i = 0; i < v.size(); ++i)
    if (v(i).sign() < 0) return false;
  return true;
}

}  // namespace

NodeId add(Program& program, NodeId x, NodeId y, SourceSpan span) {
  require_equal_widths(program, "+", x, y, span);
  const int dim = program.node(x).dim;
  NodeId both = program.add_concat({x, y}, span);
  NodeId sum = program.add_linear(both, stacked_identities(dim, 1), zero_vector(dim), span);
  program.node(sum).always_positive = program.node(x).always_positive && program.node(y).always_positive;
  return sum;
}

NodeId subtract(Program& program, NodeId x, NodeId y, SourceSpan span) {
  require_equal_widths(program, "-", x, y, span);
  const int dim = program.node(x).dim;
  NodeId both = program.add_concat({x, y}, span);
  return program.add_linear(both, stacked_identities(dim, -1), zero_vector(dim), span);
}

NodeId add_constant(Program& program, NodeId x, const NumVector& c, SourceSpan span) {
  NumVector bias = broadcast(program, c, x, "adding constants to a variable", span);
  const int dim = program.node(x).dim;
  const bool positive = program.node(x).always_positive && all_non_negative(bias);
  NodeId r = program.add_linear(x, scaled_identity(dim, Num(1)), std::move(bias), span);
  program.node(r).always_positive = positive;
  return r;
}

NodeId constant_minus(Program& program, const NumVector& c, NodeId x, SourceSpan span) {
  NumVector bias = broadcast(program, c, x, "subtracting a variable from constants", span);
  const int dim = program.node(x).dim;
  return program.add_linear(x, scaled_identity(dim, Num(-1)), std::move(bias), span);
}

NodeId scale(Program& program, NodeId x, Num c, SourceSpan span) {
  const int dim = program.node(x).dim;
  const bool positive = program.node(x).always_positive && c.sign() >= 0;
  NodeId r = program.add_linear(x, scaled_identity(dim, c), zero_vector(dim), span);
  program.node(r).always_positive = positive;
  return r;
}

NodeId add(Program& program, const Operand& x, const Operand& y, SourceSpan span) {
  if (x.is_node() && y.is_node()) return add(program, x.node, y.node, span);
  if (x.is_node()) return add_constant(program, x.node, y.values, span);
  if (y.is_node()) return add_constant(program, y.node, x.values, span);
  throw LsrlError(span, "'+' of two constants has no graph variable to build on");
}

NodeId subtract(Program& program, const Operand& x, const Operand& y, SourceSpan span) {
  if (x.is_node() && y.is_node()) return subtract(program, x.node, y.node, span);
  if (x.is_node()) return add_constant(program, x.node, NumVector(-y.values), span);
  if (y.is_node()) return constant_minus(program, x.values, y.node, span);
  throw LsrlError(span, "'-' of two constants has no graph variable to build on; one side must be a graph variable");
}

}  // namespace lsrl::sugar
