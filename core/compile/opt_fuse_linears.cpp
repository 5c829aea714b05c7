// Optimisation: consecutive Linears, A2 (A1 x + b1) + b2, become one Linear,
// and a Linear just before a state folds into its B, whenever the product
// rounds as the two steps do (composition_rounds_alike) and has no more
// non-zeros than the two factors (so the model only shrinks and loses a
// stage). An identity Linear is always removed.
#include "compile/num_ops.hpp"
#include "compile/optimize.hpp"

namespace lsrl {

namespace {
long long nnz(const NumSparse& m) { return m.nonZeros(); }
long long nnz(const NumVector& v) {
  long long n = 0;
  for (Eigen::Index i = 0; i < v.size(); ++i) n += v[i].is_zero() ? 0 : 1;
  return n;
}
std::string join_labels(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty() || a == b) return a;
  return a + ", " + b;
}
}  // namespace

int fuse_linear_stages(StagedModel& model) {
  auto& st = model.stages;
  int fused = 0;
  for (std::size_t k = 1; k < st.size();) {
    Stage& s = st[k];
    if (s.kind != StageKind::Linear) {
      ++k;
      continue;
    }
    if (is_identity(s.A) && is_zero_vector(s.b)) {
      if (k + 1 < st.size())
        st[k + 1].label = join_labels(st[k + 1].label, s.label);
      else
        st[k - 1].label = join_labels(st[k - 1].label, s.label);
      st.erase(st.begin() + static_cast<long>(k));
      ++fused;
      continue;
    }
    if (k + 1 >= st.size()) {
      ++k;
      continue;
    }
    Stage& next = st[k + 1];
    if (next.kind == StageKind::Linear && composition_rounds_alike(next.A, next.b, s.A, s.b)) {
      NumSparse A = multiply(next.A, s.A);
      NumVector b = add(multiply(next.A, s.b), next.b);
      if (nnz(A) + nnz(b) <= nnz(s.A) + nnz(s.b) + nnz(next.A) + nnz(next.b)) {
        next.A = std::move(A);
        next.b = std::move(b);
        next.in_dim = s.in_dim;
        next.label = join_labels(s.label, next.label);
        st.erase(st.begin() + static_cast<long>(k));
        ++fused;
        continue;
      }
    } else if (next.kind == StageKind::State && state_input_rounds_alike(next.B, s.A, s.b)) {
      NumSparse B = multiply(next.B, s.A);
      NumVector b = add(multiply(next.B, s.b), next.b);
      if (nnz(B) + nnz(b) <= nnz(s.A) + nnz(s.b) + nnz(next.B) + nnz(next.b)) {
        next.B = std::move(B);
        next.b = std::move(b);
        next.in_dim = s.in_dim;
        st.erase(st.begin() + static_cast<long>(k));
        ++fused;
        continue;
      }
    }
    ++k;
  }
  return fused;
}

}  // namespace lsrl
