// Lowering helpers shared by the recurrent-cell targets (rnn, gated-rnn, gru,
// lstm): assembling a layer's gates, how the next stage reads the previous
// layer, the positive/negative-part layout of a state (paper Eq. 11), and
// the linear regions of tanh and sigmoid that GRU and LSTM use in standard
// mode.
#pragma once

#include <string>
#include <vector>

#include "targets/cell_stack.hpp"

namespace lsrl {

// The gate blocks of one layer (PyTorch's gate order), assembled unit by unit.
class CellLayerBuilder {
 public:
  CellLayerBuilder(int gates, int units, int inputs)
      : units_(units), inputs_(inputs), gates_(static_cast<std::size_t>(gates), GateBuilder(units, inputs)) {}
  GateBuilder& gate(int g) { return gates_[static_cast<std::size_t>(g)]; }
  // The layer computing the stage `label`, read by the next stage as readout.W h + readout.b.
  CellLayer finish(Affine readout, Eigen::VectorXd h0, const std::string& role, const std::string& label) const {
    CellLayer l;
    l.units = units_;
    l.inputs = inputs_;
    for (const GateBuilder& g : gates_) l.gates.push_back(g.finish());
    l.h0 = std::move(h0);
    l.readout = std::move(readout);
    l.role = role;
    l.label = label;
    return l;
  }

 private:
  int units_;
  int inputs_;
  std::vector<GateBuilder> gates_;
};

// What the next stage reads: its logical input = readout.W h + readout.b,
// where h is the last layer's hidden vector (or the model input).
struct Upstream {
  Affine readout;
  int units = 0;
  int signed_pairs = -1;  // >= 0: the last layer holds [s+; s-] of this width (a State stage)
};

// Appends a layer, which the next stage then reads; signed_pairs as in Upstream.
inline void append_layer(std::vector<CellLayer>& layers, Upstream& up, CellLayer layer, int signed_pairs = -1) {
  up = Upstream{layer.readout, layer.units, signed_pairs};
  layers.push_back(std::move(layer));
}

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

// Units [0, rows) of the gate compute the stage's pre-activation M x + c as is
// (a ReLU stage, through the gate's own ReLU).
inline void add_pre_activation(GateBuilder& g, const Affine& pre) {
  for (int i = 0; i < pre.W.rows(); ++i) g.input_row(i, pre, i, 1.0);
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

// relu(s+ - s-) = s+: a ReLU stage that is relu of the last layer's state
// reads that layer's positive half and costs no layer. Returns whether it does.
inline bool read_relu_as_positive_part(const LogicalStage& s, Upstream& up) {
  if (!is_plain_relu_of_previous(s, up)) return false;
  up = Upstream{positive_part_readout(s.out_dim), up.units, -1};
  return true;
}

// Standard mode (GRU, LSTM) carries a value v as s v, s a power of two with
// s |v| about 1e-12 at the probe's magnitude, where tanh(y) = y (1 - y^2/3)
// is exact to rounding even if the probe underestimates v a millionfold; a
// gate in the sigmoid's linear region reads e a with e |a| about 8e-6.
constexpr double kTanhValueDesign = 0x1p-40;
constexpr double kSigmoidGateDesign = 0x1p-17;

inline double tanh_value_scale(double magnitude) { return pow2_scale(kTanhValueDesign, magnitude); }
inline double linear_gate_scale(double magnitude) { return pow2_scale(kSigmoidGateDesign, magnitude); }

// tanh_value_scale of every unit.
inline Eigen::VectorXd tanh_value_scales(const Eigen::VectorXd& magnitudes) {
  Eigen::VectorXd scale(magnitudes.size());
  for (Eigen::Index i = 0; i < magnitudes.size(); ++i) scale[i] = tanh_value_scale(magnitudes[i]);
  return scale;
}

// A state carried as h = s v: unit i's candidate gate reads
// s_i (A v + B x + b)_i, with v = h / s from the layer's previous hidden state.
inline void add_scaled_state(GateBuilder& g, const LogicalStage& s, const Affine& pre, const Eigen::VectorXd& scale) {
  for (int i = 0; i < s.out_dim; ++i) g.input_row(i, pre, i, scale[i]);
  for (int i = 0; i < s.A.outerSize(); ++i)
    for (SparseD::InnerIterator it(s.A, i); it; ++it)
      g.recurrent(i, static_cast<int>(it.col()), scale[i] * it.value() / scale[it.col()]);
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
