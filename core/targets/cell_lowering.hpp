// Lowering helpers shared by the recurrent-cell targets (rnn, gated-rnn, gru,
// lstm): assembling a layer's gates, how the next stage reads the previous
// layer, the positive/negative-part layout of a state (paper Eq. 11), and
// the linear regions of tanh and sigmoid that GRU and LSTM use in standard
// mode.
#pragma once

#include <algorithm>
#include <cmath>
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
  int signed_pairs = -1;  // >= 0: the last layer holds the pairs (s+, s-) of this width (a State stage)
};

// Appends a layer, which the next stage then reads; signed_pairs as in Upstream.
inline void append_layer(std::vector<CellLayer>& layers, Upstream& up, CellLayer layer, int signed_pairs = -1) {
  up = Upstream{layer.readout, layer.units, signed_pairs};
  layers.push_back(std::move(layer));
}

// A signed value s is held as the pair (s+, s-) = (relu(s), relu(-s)) (paper
// Eq. 11), the pairs interleaved: unit 2i is s_i+, unit 2i + 1 is s_i-. A row
// that reads s through s+ - s- then meets its non-zero terms in the order of
// s's own columns (one unit of every pair is an exact zero), so it sums them
// in the program's order; with the halves in two blocks, a negative s_j would
// be added after every non-negative s_k, k > j, and round differently.
inline int positive_unit(int i) { return 2 * i; }
inline int negative_unit(int i) { return 2 * i + 1; }

inline Eigen::VectorXd signed_parts(const Eigen::VectorXd& v) {
  Eigen::VectorXd out(2 * v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    out[positive_unit(static_cast<int>(i))] = std::max(v[i], 0.0);
    out[negative_unit(static_cast<int>(i))] = std::max(-v[i], 0.0);
  }
  return out;
}

// s = s+ - s-.
inline Affine difference_readout(int n) {
  ReadoutBuilder r(n, 2 * n);
  for (int i = 0; i < n; ++i) {
    r.add(i, positive_unit(i), 1.0);
    r.add(i, negative_unit(i), -1.0);
  }
  return r.finish();
}

// relu(s) = s+.
inline Affine positive_part_readout(int n) {
  ReadoutBuilder r(n, 2 * n);
  for (int i = 0; i < n; ++i) r.add(i, positive_unit(i), 1.0);
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

// Paper Eq. 11 into a gate: the pairs (s+, s-) = (relu(A s + B x + b),
// relu(-(A s + B x + b))), units 2i and 2i + 1, reading s = s+ - s- from the
// layer's own previous hidden state. The bias goes with the recurrent side:
// the cell adds (b_ih + W_ih x) + (b_hh + W_hh h), and the program's LinState
// adds (b + A s) + B x, so with b in b_hh the two round alike whenever B x is
// one term (with b in b_ih, b + B x would round first, and a non-dyadic bias
// such as 1/3 would differ from the program in the last bit).
inline void add_signed_state(GateBuilder& g, const LogicalStage& s, const Affine& pre) {
  const int n = s.out_dim;
  for (int i = 0; i < n; ++i) {
    g.input_weights(positive_unit(i), pre, i, 1.0);
    g.input_weights(negative_unit(i), pre, i, -1.0);
    g.recurrent_bias(positive_unit(i), pre.b[i]);
    g.recurrent_bias(negative_unit(i), -pre.b[i]);
  }
  for (int i = 0; i < s.A.outerSize(); ++i) {
    for (SparseD::InnerIterator it(s.A, i); it; ++it) {
      const int j = static_cast<int>(it.col());
      const double a = it.value();
      g.recurrent(positive_unit(i), positive_unit(j), a);
      g.recurrent(positive_unit(i), negative_unit(j), -a);
      g.recurrent(negative_unit(i), positive_unit(j), -a);
      g.recurrent(negative_unit(i), negative_unit(j), a);
    }
  }
}

// A ReLU stage that is exactly relu of the previous State stage's output
// (M = I, c = 0): it is the positive units s+ of the pairs, so it costs no layer.
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
// s |v| about 2^-64 at the magnitude the lowering is given. Below 2^-54,
// tanh(y) == y exactly in double (glibc returns y (1 + y) under 2^-55 and
// rounds to y up to 2^-54; at 1e-12, a fifth of all tanh(y) are one ulp off
// y, which the lambda forms amplify by 1e13), so tanh and tanh(tanh) are the
// identity bit for bit even where the magnitude underestimates a value
// 700-fold; overestimating costs nothing until values near 1e-290. s is a
// power of two, so s v and every product of the next layer's weights with it
// round exactly as the program's v does. A gate in the sigmoid's linear
// region reads e a with e |a| about 2^-10 at the magnitude (see
// kProductExtrapolation).
constexpr double kTanhValueDesign = 0x1p-64;
constexpr double kSigmoidGateDesign = 0x1p-10;

// Products in the sigmoid's linear region (GRU, LSTM standard mode) read
// T(m) = 2 tanh(m e a / 2) / (m e) = a (1 - (m e a)^2 / 12 + (m e a)^4 / 120 ...)
// at m = 1 and m = 2 and combine them as (4 T(1) - T(2)) / 3 = a (1 - (e a)^4
// / 30 + ...) (Richardson): the cubic term cancels, so e a can be 2^-10
// instead of 8e-6, where the truncation is 3e-14 and the rounding of the
// sigmoids near 1/2, about 4e-16 / (e |a|), is 4e-13 relative. The rounding
// grows in proportion to how much the magnitude overestimates |a|
// (docs/targets.md section 9 measures it).
struct ExtrapolationTerm {
  double multiple;  // m
  double weight;    // of T(m)
};
constexpr ExtrapolationTerm kProductExtrapolation[2] = {{1.0, 4.0 / 3.0}, {2.0, -1.0 / 3.0}};

inline double tanh_value_scale(double magnitude) { return pow2_scale(kTanhValueDesign, magnitude); }
inline double linear_gate_scale(double magnitude) { return pow2_scale(kSigmoidGateDesign, magnitude); }

// A gate bias that saturates the sigmoid exactly in double and float:
// exp(1000) overflows, so sig(-1000) == 0.0 and sig(1000) == 1.0 (sig(-60)
// is 8.7e-27, which a carried value would leak through).
constexpr double kExactSaturation = 1000.0;

// The steepness beta of a step gate sig(beta y + shift) on row `row` of pre:
// a power of two as large as keeps every weight and term of the gate row
// below 2^960 (so no sum overflows), i.e. 2^960 over the row's largest
// coefficient. beta y is then the row's own value scaled exactly (same bits
// as the program's y, times a power of two), so the gate is exactly 0 or 1
// unless 0 < |beta y| < 2100, a band of |y| below about 1e-240 at the
// magnitudes of the examples.
inline double step_gate_beta(const Affine& pre, int row) {
  double largest = std::fabs(pre.b[row]);
  for (SparseD::InnerIterator it(pre.W, row); it; ++it) largest = std::max(largest, std::fabs(it.value()));
  if (!(largest > 0.0) || !std::isfinite(largest)) return 1.0;
  return std::exp2(960.0 - std::ceil(std::log2(largest)));
}

// Test knob (TargetOptions::magnitude_overestimate): the standard-mode
// lowering must stay exact when the magnitudes it is given overestimate the
// real values by large factors, as a sound static range analysis does.
inline StageMagnitudes overestimated(StageMagnitudes m, double factor) {
  if (factor == 1.0) return m;
  for (auto* list : {&m.output, &m.pre})
    for (Eigen::VectorXd& v : *list) v *= factor;
  return m;
}

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
