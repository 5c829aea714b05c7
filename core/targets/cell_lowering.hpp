// Lowering helpers shared by the recurrent-cell targets (rnn, gated-rnn, gru,
// lstm): how the next stage reads the previous layer, and the
// positive/negative-part layout of a state (paper Eq. 11).
#pragma once

#include "targets/cell_stack.hpp"

namespace lsrl {

// What the next stage reads: its logical input = readout.W h + readout.b,
// where h is the last layer's hidden vector (or the model input).
struct Upstream {
  Affine readout;
  int units = 0;
  int signed_pairs = -1;  // >= 0: the last layer holds [s+; s-] of this width (a State stage)
};

inline Eigen::VectorXd signed_parts(const Eigen::VectorXd& v) {
  Eigen::VectorXd out(2 * v.size());
  out << v.cwiseMax(0.0), (-v).cwiseMax(0.0);
  return out;
}

// s = s+ - s-.
inline Affine difference_readout(int n) {
  ReadoutBuilder r(n, 2 * n);
  for (int i = 0; i < n; ++i) {
    r.add(i, i, 1.0);
    r.add(i, n + i, -1.0);
  }
  return r.finish();
}

// relu(s) = s+.
inline Affine positive_part_readout(int n) {
  ReadoutBuilder r(n, 2 * n);
  for (int i = 0; i < n; ++i) r.add(i, i, 1.0);
  return r.finish();
}

// A diagonal readout value = h / scale.
inline Affine scaled_readout(const Eigen::VectorXd& scale) {
  ReadoutBuilder r(static_cast<int>(scale.size()), static_cast<int>(scale.size()));
  for (Eigen::Index i = 0; i < scale.size(); ++i) r.add(static_cast<int>(i), static_cast<int>(i), 1.0 / scale[i]);
  return r.finish();
}

// Paper Eq. 11 into a gate: units [0, n) compute s+ = relu(A s + B x + b) and
// [n, 2n) compute s- = relu(-(A s + B x + b)), reading s = s+ - s- from the
// layer's own previous hidden state.
inline void add_signed_state(GateBuilder& g, const LogicalStage& s, const Affine& pre) {
  const int n = s.out_dim;
  for (int i = 0; i < n; ++i) {
    g.input_row(i, pre, i, 1.0);
    g.input_row(n + i, pre, i, -1.0);
  }
  for (int i = 0; i < s.A.outerSize(); ++i) {
    for (SparseD::InnerIterator it(s.A, i); it; ++it) {
      const int j = static_cast<int>(it.col());
      const double a = it.value();
      g.recurrent(i, j, a);
      g.recurrent(i, n + j, -a);
      g.recurrent(n + i, j, -a);
      g.recurrent(n + i, n + j, a);
    }
  }
}

// A ReLU stage that is exactly relu of the previous State stage's output
// (M = I, c = 0): with the [s+; s-] layout it is s+, so it costs no layer.
inline bool is_plain_relu_of_previous(const LogicalStage& s, const Upstream& up) {
  if (up.signed_pairs != s.in_dim || s.M.rows() != s.in_dim || s.M.cols() != s.in_dim) return false;
  if (s.c.size() && s.c.cwiseAbs().maxCoeff() != 0.0) return false;
  SparseD eye(s.in_dim, s.in_dim);
  eye.setIdentity();
  return SparseD(s.M - eye).norm() == 0.0;
}

// Sign of a row of a pre-activation when every input is non-negative:
// +1 if the row is >= 0 for all such inputs, -1 if <= 0, 0 if unknown.
inline int known_sign_on_nonnegative_inputs(const Affine& pre, int row) {
  bool nonneg = pre.b[row] >= 0.0;
  bool nonpos = pre.b[row] <= 0.0;
  for (SparseD::InnerIterator it(pre.W, row); it; ++it) {
    nonneg = nonneg && it.value() >= 0.0;
    nonpos = nonpos && it.value() <= 0.0;
  }
  if (nonneg && nonpos) return 2;  // identically zero
  return nonneg ? 1 : nonpos ? -1 : 0;
}

}  // namespace lsrl
