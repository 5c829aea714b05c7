// Target `lstm` (paper App. D): a stack of LSTM layers in PyTorch's nn.LSTM
// convention plus a linear head,
//     i = sig(W_ii x + b_ii + W_hi h + b_hi)     f = sig(... f ...)
//     g = tanh(W_ig x + b_ig + W_hg h + b_hg)    o = sig(... o ...)
//     c' = f * c + i * g                          h' = o * tanh(c')
// One LSTM layer per stage of the path (targets/logical_model.hpp): the state
// layer, one per ReLU of the MLP, one per product; so a gated layer with k
// ReLU layers in its MLP takes k + 2 LSTM layers, the paper's count.
//
// Paper mode (--activations paper): sig and tanh are replaced by ReLU, as
// the paper assumes; every construction below is then exact.
// - State: f = 0, i = o = 1, g = the Eq. 11 positive/negative parts, so
//   c' = g and h' = relu(c') = g.
// - ReLU: f = 0, i = o = 1, g = relu(M x + c).
// - Product a * b: c' = i * g is a product of two input-driven values; with
//   i = relu(+-a), g = relu(+-b) four units give
//   a b = a+ b+ - a+ b- - a- b+ + a- b- exactly (units whose factor is known
//   to be zero, because its row is sign-definite on the non-negative hidden
//   values, are left out).
//
// Standard mode (real sigmoid and tanh): values travel in the linear region
// of tanh, each unit scaled by a power of two s with s |v| about 2^-64 at
// the magnitudes the lowering is given (targets/cell_lowering.hpp): there
// tanh(y) == y bit for bit in double (up to 2^-54, so a 700-fold
// underestimate is still exact; a loose upper bound costs nothing), and s v
// rounds as v does. Gates that must be 0 or 1 are saturated exactly:
// sig(+-1000) == 1.0, 0.0 (sig(-60) = 8.7e-27 would leak the old cell).
// - State: f = 0, i = o = 1, g = tanh(s (A v + B x + b)); c' = 0 c + g,
//   h' = tanh(tanh(.)) = s times the State's value, to the bit.
// - ReLU: i = sig(beta y - 800) (beta: cell_lowering.hpp step_gate_beta,
//   2^960 over the row's largest weight, so beta y is the program's y
//   scaled exactly; the shift is b_hi, added after it), f = 0, o = 1,
//   g = tanh(s y): i is exactly 0 for y <= 0 and exactly 1 for beta y > 837,
//   so c' = h' = s relu(y) to the bit, except 0 < y < 837 / beta (about
//   1e-240 here), where it is between 0 and s y.
// - Product: i = sig(+-e a) in the sigmoid's linear region (e |a| about 8e-6)
//   and g = tanh(s b): (c+ - c-) = tanh(e a / 2) tanh(s b) = (e s / 2) a b
//   (1 + O((e a)^2)); the rounding of sig near 1/2 limits it to about 1e-11
//   relative at the design magnitude.
#include <cmath>

#include "targets/architectures.hpp"
#include "targets/cell_lowering.hpp"
#include "targets/range_analysis.hpp"

namespace lsrl {

namespace {

constexpr double kSaturate = kExactSaturation;  // sig(1000) == 1.0, sig(-1000) == 0.0
// The ReLU unit's input-gate shift (recurrent bias, added after beta y):
// i = sig(beta y - 800) is exactly 0 for y <= 0 and exactly 1 from beta y > 837.
constexpr double kInputShift = -800.0;

enum Gate { kI = 0, kF = 1, kG = 2, kO = 3, kGates = 4 };
constexpr CellGateLayout kLstmLayout{kGates, kG, true};

// An LSTM layer's step (header), run by CellStackOf.
struct LstmCell {
  static std::vector<std::string> gate_names() { return {"i", "f", "g", "o"}; }
  static std::string layer_type() { return "LSTM"; }

  template <typename T, typename Act>
  static bool combine(CellPreparedLayer<T>& L, const T* const* pre, const T* const* rec) {
    const std::size_t units = L.h.size();
    // No array here overlaps another (pre and rec are the executor's
    // buffers or the layer's biases): said so, the loop vectorises.
    const T* __restrict pre_i = pre[kI];
    const T* __restrict pre_f = pre[kF];
    const T* __restrict pre_g = pre[kG];
    const T* __restrict pre_o = pre[kO];
    const T* __restrict rec_i = rec[kI];
    const T* __restrict rec_f = rec[kF];
    const T* __restrict rec_g = rec[kG];
    const T* __restrict rec_o = rec[kO];
    T* __restrict c = L.c.data();
    T* __restrict h = L.h.data();
    for (std::size_t u = 0; u < units; ++u) {
      const T i = Act::sigmoid(pre_i[u] + rec_i[u]);
      const T f = Act::sigmoid(pre_f[u] + rec_f[u]);
      const T g = Act::tanh(pre_g[u] + rec_g[u]);
      const T o = Act::sigmoid(pre_o[u] + rec_o[u]);
      c[u] = f * c[u] + i * g;
      h[u] = o * Act::tanh(c[u]);
    }
    return true;
  }

  template <typename T>
  static bool step(CellPreparedLayer<T>& L, const std::vector<T>& x, GateValues<T>& gate, const CellActivations<T>& act,
                   std::vector<T>& pre, std::vector<T>& rec) {
    for (int g = 0; g < kGates; ++g) {
      gate_parts(L.gates[static_cast<std::size_t>(g)], x, L.h, pre, rec);
      std::vector<T>& v = gate[static_cast<std::size_t>(g)];
      v.resize(pre.size());
      for (std::size_t u = 0; u < pre.size(); ++u)
        v[u] = g == kG ? act.tanh(pre[u] + rec[u]) : act.sigmoid(pre[u] + rec[u]);
    }
    for (std::size_t u = 0; u < L.h.size(); ++u) {
      L.c[u] = gate[kF][u] * L.c[u] + gate[kI][u] * gate[kG][u];
      L.h[u] = gate[kO][u] * act.tanh(L.c[u]);
    }
    return true;
  }
};

using LstmModel = CellStackOf<LstmCell>;

// Paper mode: gate value 1 through relu(1), 0 through relu(0).
void paper_pass(CellLayerBuilder& b, int unit) {
  b.gate(kI).input_bias(unit, 1.0);
  b.gate(kO).input_bias(unit, 1.0);
}

// Standard mode: i = o = 1, f = 0 by saturation.
void standard_pass(CellLayerBuilder& b, int unit) {
  b.gate(kI).input_bias(unit, kSaturate);
  b.gate(kF).input_bias(unit, -kSaturate);
  b.gate(kO).input_bias(unit, kSaturate);
}

// Standard mode's units for a term of a product (extrapolated_product_layer):
// two units, i = sig(+m e a) and sig(-m e a), both g = tanh(s b):
// c+ - c- = tanh(m e a / 2) s b.
void add_gate_pair_term(CellLayerBuilder& b, ReadoutBuilder& r, const Affine& pre, const ExtrapolatedProductTerm& t) {
  int u = t.first_unit;
  for (double side : {1.0, -1.0}) {
    b.gate(kI).input_row(u, pre, t.row_a, side * t.gate_scale);
    b.gate(kF).input_bias(u, -kSaturate);
    b.gate(kO).input_bias(u, kSaturate);
    b.gate(kG).input_row(u, pre, t.row_b, t.value_scale);
    r.add(t.output, u, side * 2.0 * t.weight / (t.gate_scale * t.value_scale));
    ++u;
  }
}

class LstmLowering : public CellStackLowering {
 public:
  LstmLowering(const LogicalModel& lm, const TargetOptions& options)
      : paper_(options.activations == Activations::Paper),
        mags_(paper_ ? StageMagnitudes{}
                     : overestimated(static_magnitudes(lm, options), options.magnitude_overestimate)) {}

  Upstream state(const StageInput& in) {
    if (paper_) return append(signed_state_layer(kLstmLayout, in, paper_pass), in.stage.out_dim);
    // g = tanh(s (A v_prev + B x + b)), v_prev = h / s.
    return append(scaled_state_layer(kLstmLayout, in, mags_.output[in.index], standard_pass));
  }

  Upstream relu(const StageInput& in) {
    if (std::optional<Upstream> free = read_as_positive_part(in)) return *free;
    const int n = in.stage.out_dim;
    const Affine& pre = in.pre;
    CellLayerBuilder b(kLstmLayout, n, in.from.units);
    Eigen::VectorXd scale = Eigen::VectorXd::Ones(n);
    for (int i = 0; i < n; ++i) {
      if (paper_) {
        paper_pass(b, i);
        b.gate(kG).input_row(i, pre, i, 1.0);
      } else {
        scale[i] = tanh_value_scale(mags_.pre[in.index][i]);
        b.gate(kI).input_row(i, pre, i, step_gate_beta(pre, i));
        b.gate(kI).recurrent_bias(i, kInputShift);
        b.gate(kF).input_bias(i, -kSaturate);
        b.gate(kO).input_bias(i, kSaturate);
        b.gate(kG).input_row(i, pre, i, scale[i]);
      }
    }
    return append(b.finish(scaled_readout(scale), Eigen::VectorXd::Zero(n), "relu", in.stage.label));
  }

  Upstream product(const StageInput& in) {
    if (paper_) return append(sign_split_product_layer(in));
    return append(extrapolated_product_layer(kLstmLayout, in, mags_.pre[in.index], 2, add_gate_pair_term));
  }

 private:
  // Paper mode (header): units for a+ b+, a+ b-, a- b+, a- b- (coefficients
  // +, -, -, +), leaving out those whose factor is known to be zero.
  static CellLayer sign_split_product_layer(const StageInput& in) {
    const int n = in.stage.out_dim;
    const Affine& pre = in.pre;
    struct Term {
      int out;
      double sa, sb;
    };
    std::vector<Term> terms;
    for (int i = 0; i < n; ++i) {
      const int sign_a = known_sign_on_nonnegative_inputs(pre, i);
      const int sign_b = known_sign_on_nonnegative_inputs(pre, n + i);
      if (sign_a == 2 || sign_b == 2) continue;  // a factor is identically zero
      for (double sa : {1.0, -1.0}) {
        if ((sa > 0 && sign_a == -1) || (sa < 0 && sign_a == 1)) continue;
        for (double sb : {1.0, -1.0}) {
          if ((sb > 0 && sign_b == -1) || (sb < 0 && sign_b == 1)) continue;
          terms.push_back(Term{i, sa, sb});
        }
      }
    }
    const int units = static_cast<int>(terms.size());
    CellLayerBuilder b(kLstmLayout, units, in.from.units);
    ReadoutBuilder r(n, units);
    for (int u = 0; u < units; ++u) {
      const Term& t = terms[static_cast<std::size_t>(u)];
      b.gate(kI).input_row(u, pre, t.out, t.sa);
      b.gate(kG).input_row(u, pre, n + t.out, t.sb);
      b.gate(kO).input_bias(u, 1.0);
      r.add(t.out, u, t.sa * t.sb);
    }
    return b.finish(r.finish(), Eigen::VectorXd::Zero(units), "product", in.stage.label);
  }

  bool paper_;
  StageMagnitudes mags_;
};

}  // namespace

std::unique_ptr<TargetModel> lower_to_lstm(const PathModel& path, const TargetOptions& options) {
  const LogicalModel lm = logical_model_from_path(path, options.keep_linear_chains());
  LstmLowering lowering(lm, options);
  CellStack stack = lower_cell_stack(lm, lowering);
  return std::make_unique<LstmModel>("lstm", "lstm", options.activations, lm.input_dim, lm.output_dim,
                                     std::move(stack.layers), std::move(stack.head), lm.budget);
}

}  // namespace lsrl
