#include "compile/path_model.hpp"

#include <algorithm>

namespace lsrl {

const char* path_op_kind_name(PathOpKind kind) {
  switch (kind) {
    case PathOpKind::Linear:
      return "Linear";
    case PathOpKind::ReLU:
      return "ReLU";
    case PathOpKind::Multi:
      return "Multi";
  }
  return "?";
}

namespace {
long long entries(const NumSparse& m) { return static_cast<long long>(m.rows()) * static_cast<long long>(m.cols()); }
long long nonzeros(const NumSparse& m) {
  long long n = 0;
  for (int i = 0; i < m.outerSize(); ++i)
    for (NumSparse::InnerIterator it(m, i); it; ++it)
      if (!it.value().is_zero()) ++n;
  return n;
}
long long nonzeros(const NumVector& v) {
  long long n = 0;
  for (Eigen::Index i = 0; i < v.size(); ++i)
    if (!v[i].is_zero()) ++n;
  return n;
}
}  // namespace

long long PathModel::parameter_count() const {
  long long n = 0;
  for (const auto& l : layers) {
    n += entries(l.A) + entries(l.B) + l.bias.size() + l.init.size();
    for (const auto& op : l.ops)
      if (op.kind == PathOpKind::Linear) n += entries(op.A) + op.b.size();
  }
  return n;
}

long long PathModel::nonzero_count() const {
  long long n = 0;
  for (const auto& l : layers) {
    n += nonzeros(l.A) + nonzeros(l.B) + nonzeros(l.bias) + nonzeros(l.init);
    for (const auto& op : l.ops)
      if (op.kind == PathOpKind::Linear) n += nonzeros(op.A) + nonzeros(op.b);
  }
  return n;
}

int PathModel::max_width() const {
  int w = 0;
  for (const auto& l : layers) {
    w = std::max(w, l.state_dim);
    for (const auto& op : l.ops) w = std::max(w, op.out_dim);
  }
  return w;
}

}  // namespace lsrl
