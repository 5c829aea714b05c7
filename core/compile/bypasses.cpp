// Bypasses: ways to carry a value unchanged through a ReLU layer or past a
// Linear, used by debranching cases 6-10 (paper App. A, f_relu_identity).
#include "compile/num_ops.hpp"
#include "compile/passes.hpp"

namespace lsrl {

namespace {
// [I, -I]: ReLU(v) - ReLU(-v) = v, exactly in floating point too (one of the
// two terms is zero).
NumSparse plus_minus_columns(int n) {
  const NumSparse eye = sparse_identity(n);
  const NumSparse neg = negate(eye);
  return hstack(std::vector<const NumSparse*>{&eye, &neg});
}
}  // namespace

WorkId add_relu_identity(WorkGraph& g, WorkId x, const WorkNode& provenance) {
  const int n = g.node(x).dim;
  const NumSparse eye = sparse_identity(n);
  const NumSparse neg = negate(eye);
  const WorkId split =
      g.add_linear(x, vstack(std::vector<const NumSparse*>{&eye, &neg}), zero_vector(2 * n), provenance);
  const WorkId relu = g.add_relu(split, provenance);
  return g.add_linear(relu, plus_minus_columns(n), zero_vector(n), provenance);
}

WorkId add_relu_identity_of_affine(WorkGraph& g, WorkId affine) {
  const WorkNode& a = g.node(affine);
  const int n = a.dim;
  const NumSparse A = g.affine_matrix(affine);
  const NumSparse negA = negate(A);
  const NumVector b = g.affine_bias(affine);
  const NumVector negb = negate(b);
  const WorkNode prov = WorkGraph::provenance({&a});
  const WorkId split =
      g.add_linear(a.inputs[0], vstack(std::vector<const NumSparse*>{&A, &negA}), stack_vectors({&b, &negb}), prov);
  const WorkId relu = g.add_relu(split, prov);
  const WorkId joined = g.add_linear(relu, plus_minus_columns(n), zero_vector(n), prov);
  g.replace_uses(affine, joined);
  return joined;
}

WorkId add_identity_linear(WorkGraph& g, WorkId x, const WorkNode& provenance) {
  const int n = g.node(x).dim;
  return g.add_linear(x, sparse_identity(n), zero_vector(n), provenance);
}

bool is_constant_node(const WorkNode& n) {
  if (n.kind != NodeKind::Linear) return false;
  for (int i = 0; i < n.A.outerSize(); ++i)
    for (NumSparse::InnerIterator it(n.A, i); it; ++it)
      if (!it.value().is_zero()) return false;
  return true;
}

void relink_constant(WorkGraph& g, WorkId c, WorkId source) {
  g.node(c).A = NumSparse(g.node(c).dim, g.node(source).dim);
  g.set_inputs(c, {source});
  g.touch(c);
}

bool followed_only_by_relu(const WorkGraph& g, WorkId n) {
  // Through a chain of Linears that nothing else reads (they stay separate
  // ops where fusing them would round differently).
  for (WorkId at = n;;) {
    const auto& users = g.node(at).users;
    if (users.size() != 1 || at == g.output()) return false;
    const WorkNode& u = g.node(users[0]);
    if (u.kind == NodeKind::ReLU) return true;
    if (!WorkGraph::is_affine(u)) return false;
    at = users[0];
  }
}

}  // namespace lsrl
