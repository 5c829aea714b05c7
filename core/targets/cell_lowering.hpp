// Lowering helpers shared by the recurrent-cell targets (rnn, gated-rnn, gru,
// lstm): assembling a layer's gates, the stack a lowering builds as
// lower_stages (logical_model.hpp) walks the stages, the positive/negative-part
// layout of a state (paper Eq. 11), the layers several targets build alike,
// and the linear regions of tanh and sigmoid that GRU and LSTM use in
// standard mode.
#pragma once

#include <algorithm>
#include <cmath>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "targets/cell_stack.hpp"

namespace lsrl {

// How a cell architecture lays out a layer: how many gate blocks it has
// (PyTorch's order), the candidate gate, whose activation carries a value
// into the hidden state (the RNN's only gate, GRU's n, LSTM's g), and
// whether it has a cell state, which then starts equal to the hidden one
// (LSTM).
struct CellGateLayout {
  int gates = 1;
  int candidate = 0;
  bool cell_state = false;
};

// The gate blocks of one layer, assembled unit by unit.
class CellLayerBuilder {
 public:
  CellLayerBuilder(const CellGateLayout& layout, int units, int inputs)
      : layout_(layout),
        units_(units),
        inputs_(inputs),
        gates_(static_cast<std::size_t>(layout.gates), GateBuilder(units, inputs)) {}
  GateBuilder& gate(int g) { return gates_[static_cast<std::size_t>(g)]; }
  GateBuilder& candidate() { return gate(layout_.candidate); }
  // The layer computing the stage `label`, read by the next stage as readout.W h + readout.b.
  CellLayer finish(Affine readout, Eigen::VectorXd h0, const std::string& role, const std::string& label) const {
    CellLayer l;
    l.units = units_;
    l.inputs = inputs_;
    for (const GateBuilder& g : gates_) l.gates.push_back(g.finish());
    l.h0 = std::move(h0);
    if (layout_.cell_state) l.c0 = l.h0;
    l.readout = std::move(readout);
    l.role = role;
    l.label = label;
    return l;
  }

 private:
  CellGateLayout layout_;
  int units_;
  int inputs_;
  std::vector<GateBuilder> gates_;
};

// What the lowering of every cell target (rnn, gru, lstm) keeps while
// lower_stages walks the stages: the layers built so far.
class CellStackLowering {
 public:
  std::vector<CellLayer> layers;

 protected:
  // Appends the layer computing a stage, which the next stage then reads
  // through the layer's readout; signed_pairs as in Upstream.
  Upstream append(CellLayer layer, int signed_pairs = -1) {
    Upstream next{layer.readout, layer.units, signed_pairs};
    layers.push_back(std::move(layer));
    return next;
  }
};

// A cell target's layers and head: `lowering` (a CellStackLowering with the
// target's state, relu and product) builds a layer per stage.
struct CellStack {
  std::vector<CellLayer> layers;
  Affine head;
};
template <typename Lowering>
CellStack lower_cell_stack(const LogicalModel& model, Lowering& lowering) {
  Affine head = lower_stages(model, lowering, Upstream{identity_affine(model.input_dim), model.input_dim, -1});
  return CellStack{std::move(lowering.layers), std::move(head)};
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
// reads that layer's positive half and costs no layer. nullopt when the
// stage is not such a ReLU (only a layer of pairs has a positive half:
// paper mode's and the rnn's State layers).
inline std::optional<Upstream> read_as_positive_part(const StageInput& in) {
  if (!is_plain_relu_of_previous(in.stage, in.from)) return std::nullopt;
  return Upstream{positive_part_readout(in.stage.out_dim), in.from.units, -1};
}

// ----------------------------------------------- layers several targets share --

// A State stage as the pairs of paper Eq. 11 (the rnn; GRU and LSTM in paper
// mode): the candidate gate computes them (add_signed_state), and
// `open_unit(builder, unit)` sets the unit's other gates so that its hidden
// state is the candidate's value. The layer holds out_dim signed pairs.
template <typename OpenUnit>
CellLayer signed_state_layer(const CellGateLayout& layout, const StageInput& in, OpenUnit open_unit) {
  const int n = in.stage.out_dim;
  CellLayerBuilder b(layout, 2 * n, in.from.units);
  for (int u = 0; u < 2 * n; ++u) open_unit(b, u);
  add_signed_state(b.candidate(), in.stage, in.pre);
  return b.finish(difference_readout(n), signed_parts(in.stage.init), "state", in.stage.label);
}

// A ReLU stage as the candidate gate's own ReLU, the other gates left at 0
// (the rnn; GRU in paper mode, where z = r = relu(0) = 0).
inline CellLayer candidate_relu_layer(const CellGateLayout& layout, const StageInput& in) {
  const int n = in.stage.out_dim;
  CellLayerBuilder b(layout, n, in.from.units);
  add_pre_activation(b.candidate(), in.pre);
  return b.finish(identity_affine(n), Eigen::VectorXd::Zero(n), "relu", in.stage.label);
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

// Standard mode (GRU, LSTM): a State stage carried as h = s v, the
// candidate gate computing tanh(s (A v + B x + b)) (add_scaled_state), with
// `open_unit(builder, unit)` saturating the unit's other gates so that the
// hidden state is the candidate's value; `magnitudes` bound the State's values.
template <typename OpenUnit>
CellLayer scaled_state_layer(const CellGateLayout& layout, const StageInput& in, const Eigen::VectorXd& magnitudes,
                             OpenUnit open_unit) {
  const int n = in.stage.out_dim;
  const Eigen::VectorXd scale = tanh_value_scales(magnitudes);
  CellLayerBuilder b(layout, n, in.from.units);
  for (int i = 0; i < n; ++i) open_unit(b, i);
  add_scaled_state(b.candidate(), in.stage, in.pre, scale);
  return b.finish(scaled_readout(scale), in.stage.init.cwiseProduct(scale), "state", in.stage.label);
}

// One term of kProductExtrapolation for output i of a standard-mode product
// a_i * b_i (extrapolated_product_layer).
struct ExtrapolatedProductTerm {
  int output;          // i
  int row_a, row_b;    // the factors' rows of the pre-activation: i and out_dim + i
  int first_unit;      // of the term's units
  double gate_scale;   // m e, e = linear_gate_scale of a's magnitude
  double value_scale;  // s_b = tanh_value_scale of b's magnitude
  double weight;       // the term's weight
};

// Standard mode (GRU, LSTM): a Product stage a * b in the sigmoid's linear
// region, extrapolated (kProductExtrapolation). Per output and term, the
// architecture's `add_term(builder, readout, pre, term)` places units_per_term
// units from term.first_unit, whose gates read m e a and whose values read
// s_b b, and adds term.weight times their estimate of a b to the output's
// readout. `pre_magnitudes` bound the pre-activation's rows.
template <typename AddTerm>
CellLayer extrapolated_product_layer(const CellGateLayout& layout, const StageInput& in,
                                     const Eigen::VectorXd& pre_magnitudes, int units_per_term, AddTerm add_term) {
  const int n = in.stage.out_dim;
  const int units_per_output = units_per_term * static_cast<int>(std::size(kProductExtrapolation));
  CellLayerBuilder b(layout, units_per_output * n, in.from.units);
  ReadoutBuilder r(n, units_per_output * n);
  for (int i = 0; i < n; ++i) {
    const double e = linear_gate_scale(pre_magnitudes[i]);
    const double sb = tanh_value_scale(pre_magnitudes[n + i]);
    int unit = units_per_output * i;
    for (const ExtrapolationTerm& term : kProductExtrapolation) {
      add_term(b, r, in.pre, ExtrapolatedProductTerm{i, i, n + i, unit, term.multiple * e, sb, term.weight});
      unit += units_per_term;
    }
  }
  return b.finish(r.finish(), Eigen::VectorXd::Zero(units_per_output * n), "product", in.stage.label);
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
