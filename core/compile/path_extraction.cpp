// Debranched WorkGraph (a path) -> PathModel: every LinState opens a layer;
// the Linear / ReLU / Multi nodes after it are that layer's ops. A path that
// starts with an op gets a pass-through LinState (A = 0, B = I) first.
#include "compile/path_extraction.hpp"

#include "compile/num_ops.hpp"

namespace lsrl {

namespace {

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

PathLayer pass_through_layer(int width) {
  PathLayer l;
  l.in_dim = width;
  l.state_dim = width;
  l.A = NumSparse(width, width);
  l.B = sparse_identity(width);
  l.bias = zero_vector(width);
  l.init = zero_vector(width);
  l.label = "pass-through";
  return l;
}

}  // namespace

PathModel extract_path_model(const WorkGraph& g) {
  PathModel model;
  const std::vector<WorkId> chain = g.path();
  model.input_dim = g.node(g.input()).dim;
  model.output_dim = g.node(g.output()).dim;
  int width = model.input_dim;
  for (std::size_t k = 1; k < chain.size(); ++k) {
    const WorkNode& n = g.node(chain[k]);
    if (n.kind == NodeKind::LinState) {
      PathLayer l;
      l.in_dim = width;
      l.state_dim = n.dim;
      l.A = n.A;
      l.B = n.B;
      l.bias = n.b;
      l.init = n.init;
      l.label = join_names(n.names);
      model.layers.push_back(std::move(l));
      width = n.dim;
      continue;
    }
    if (model.layers.empty()) model.layers.push_back(pass_through_layer(width));
    PathOp op;
    op.in_dim = width;
    op.out_dim = n.dim;
    op.label = join_names(n.names);
    op.origin = n.origin;
    switch (n.kind) {
      case NodeKind::Linear:
      case NodeKind::Slice:
        op.kind = PathOpKind::Linear;
        op.A = g.affine_matrix(chain[k]);
        op.b = g.affine_bias(chain[k]);
        break;
      case NodeKind::Concat: {
        // Only Concat(x, x, ...) can stand on a path: a duplicating Linear.
        op.kind = PathOpKind::Linear;
        const NumSparse eye = sparse_identity(width);
        std::vector<const NumSparse*> blocks(n.inputs.size(), &eye);
        op.A = vstack(blocks);
        op.b = zero_vector(n.dim);
        break;
      }
      case NodeKind::ReLU:
        op.kind = PathOpKind::ReLU;
        break;
      case NodeKind::Multi:
        op.kind = PathOpKind::Multi;
        break;
      default:
        break;
    }
    model.layers.back().ops.push_back(std::move(op));
    width = n.dim;
  }
  if (model.layers.empty()) model.layers.push_back(pass_through_layer(width));
  return model;
}

}  // namespace lsrl
