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

class LstmModel final : public CellStackModel {
 public:
  using CellStackModel::CellStackModel;

  OutputRows run(const std::vector<std::vector<double>>& tokens, Precision precision, Trace* trace) const override {
    check_token_widths(tokens, input_dim_);
    return run_in_precision(precision, [&](auto scalar) { return run_typed<decltype(scalar)>(tokens, trace); });
  }

 protected:
  std::vector<std::string> gate_names() const override { return {"i", "f", "g", "o"}; }
  std::string layer_type() const override { return "LSTM"; }

 private:
  template <typename T>
  OutputRows run_typed(const std::vector<std::vector<double>>& tokens, Trace* trace) const {
    if (!trace) {
      std::optional<OutputRows> outputs = activations_ == Activations::Paper ? run_chunked<T, true>(tokens)
                                                                             : run_chunked<T, false>(tokens);
      if (outputs) return std::move(*outputs);
    }
    return run_per_token<T>(tokens, trace);
  }

  // The same equations as run_per_token, one step of one layer at a time
  // (CellStackModel::run_stack_chunked), the activations fixed at compile time.
  template <typename T, bool kPaper>
  std::optional<OutputRows> run_chunked(const std::vector<std::vector<double>>& tokens) const {
    using act = FixedCellActivations<T, kPaper>;
    return run_stack_chunked<T>(tokens, [&](CellPreparedLayer<T>& L, const T* const* pre, const T* const* rec) {
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
        const T i = act::sigmoid(pre_i[u] + rec_i[u]);
        const T f = act::sigmoid(pre_f[u] + rec_f[u]);
        const T g = act::tanh(pre_g[u] + rec_g[u]);
        const T o = act::sigmoid(pre_o[u] + rec_o[u]);
        c[u] = f * c[u] + i * g;
        h[u] = o * act::tanh(c[u]);
      }
      return true;
    });
  }

  template <typename T>
  OutputRows run_per_token(const std::vector<std::vector<double>>& tokens, Trace* trace) const {
    const CellActivations<T> act{activations_ == Activations::Paper};
    std::vector<T> pre, rec;
    return run_stack<T>(tokens, trace, [&](CellPreparedLayer<T>& L, const std::vector<T>& x, GateValues<T>& gate) {
      for (int g = 0; g < kGates; ++g) {
        gate_parts(L.gates[static_cast<std::size_t>(g)], x, L.h, pre, rec);
        std::vector<T>& v = gate[static_cast<std::size_t>(g)];
        v.resize(pre.size());
        for (std::size_t u = 0; u < pre.size(); ++u) v[u] = g == kG ? act.tanh(pre[u] + rec[u]) : act.sigmoid(pre[u] + rec[u]);
      }
      for (std::size_t u = 0; u < L.h.size(); ++u) {
        L.c[u] = gate[kF][u] * L.c[u] + gate[kI][u] * gate[kG][u];
        L.h[u] = gate[kO][u] * act.tanh(L.c[u]);
      }
    });
  }
};

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

// An LSTM layer starts with its cell state equal to its hidden state.
CellLayer finish_layer(const CellLayerBuilder& b, Affine readout, Eigen::VectorXd h0, const std::string& role,
                       const std::string& label) {
  CellLayer l = b.finish(std::move(readout), std::move(h0), role, label);
  l.c0 = l.h0;
  return l;
}

}  // namespace

std::unique_ptr<TargetModel> lower_to_lstm(const PathModel& path, const TargetOptions& options) {
  const LogicalModel lm = logical_model_from_path(path, options.keep_linear_chains());
  const bool paper = options.activations == Activations::Paper;
  const StageMagnitudes mags =
      paper ? StageMagnitudes{} : overestimated(static_magnitudes(lm, options), options.magnitude_overestimate);
  std::vector<CellLayer> layers;
  Upstream up{identity_affine(lm.input_dim), lm.input_dim, -1};
  for (std::size_t k = 0; k < lm.stages.size(); ++k) {
    const LogicalStage& s = lm.stages[k];
    const int n = s.out_dim;
    switch (s.kind) {
      case LogicalStageKind::State: {
        const Affine pre = compose(s.B, s.bias, up.readout);
        if (paper) {
          CellLayerBuilder b(kGates, 2 * n, up.units);
          for (int u = 0; u < 2 * n; ++u) paper_pass(b, u);
          add_signed_state(b.gate(kG), s, pre);
          append_layer(layers, up, finish_layer(b, difference_readout(n), signed_parts(s.init), "state", s.label), n);
        } else {
          // g = tanh(s (A v_prev + B x + b)), v_prev = h / s.
          const Eigen::VectorXd scale = tanh_value_scales(mags.output[k]);
          CellLayerBuilder b(kGates, n, up.units);
          for (int i = 0; i < n; ++i) standard_pass(b, i);
          add_scaled_state(b.gate(kG), s, pre, scale);
          append_layer(layers, up,
                       finish_layer(b, scaled_readout(scale), s.init.cwiseProduct(scale), "state", s.label));
        }
        break;
      }
      case LogicalStageKind::ReLU: {
        if (paper && read_relu_as_positive_part(s, up)) break;
        const Affine pre = compose(s.M, s.c, up.readout);
        CellLayerBuilder b(kGates, n, up.units);
        Eigen::VectorXd scale = Eigen::VectorXd::Ones(n);
        for (int i = 0; i < n; ++i) {
          if (paper) {
            paper_pass(b, i);
            b.gate(kG).input_row(i, pre, i, 1.0);
          } else {
            scale[i] = tanh_value_scale(mags.pre[k][i]);
            b.gate(kI).input_row(i, pre, i, step_gate_beta(pre, i));
            b.gate(kI).recurrent_bias(i, kInputShift);
            b.gate(kF).input_bias(i, -kSaturate);
            b.gate(kO).input_bias(i, kSaturate);
            b.gate(kG).input_row(i, pre, i, scale[i]);
          }
        }
        append_layer(layers, up, finish_layer(b, scaled_readout(scale), Eigen::VectorXd::Zero(n), "relu", s.label));
        break;
      }
      case LogicalStageKind::Product: {
        const Affine pre = compose(s.M, s.c, up.readout);
        if (paper) {
          // Units for a+ b+, a+ b-, a- b+, a- b- (coefficients +, -, -, +).
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
          CellLayerBuilder b(kGates, units, up.units);
          ReadoutBuilder r(n, units);
          for (int u = 0; u < units; ++u) {
            const Term& t = terms[static_cast<std::size_t>(u)];
            b.gate(kI).input_row(u, pre, t.out, t.sa);
            b.gate(kG).input_row(u, pre, n + t.out, t.sb);
            b.gate(kO).input_bias(u, 1.0);
            r.add(t.out, u, t.sa * t.sb);
          }
          append_layer(layers, up, finish_layer(b, r.finish(), Eigen::VectorXd::Zero(units), "product", s.label));
        } else {
          // Per output and multiple m (kProductExtrapolation) two units,
          // i = sig(+m e a) and sig(-m e a), both g = tanh(s b):
          // c+ - c- = tanh(m e a / 2) s b.
          constexpr int kUnitsPerOutput = 4;
          CellLayerBuilder b(kGates, kUnitsPerOutput * n, up.units);
          ReadoutBuilder r(n, kUnitsPerOutput * n);
          for (int i = 0; i < n; ++i) {
            const double e = linear_gate_scale(mags.pre[k][i]);
            const double sb = tanh_value_scale(mags.pre[k][n + i]);
            int u = kUnitsPerOutput * i;
            for (const ExtrapolationTerm& term : kProductExtrapolation) {
              const double me = term.multiple * e;
              for (double side : {1.0, -1.0}) {
                b.gate(kI).input_row(u, pre, i, side * me);
                b.gate(kF).input_bias(u, -kSaturate);
                b.gate(kO).input_bias(u, kSaturate);
                b.gate(kG).input_row(u, pre, n + i, sb);
                r.add(i, u, side * 2.0 * term.weight / (me * sb));
                ++u;
              }
            }
          }
          append_layer(layers, up,
                       finish_layer(b, r.finish(), Eigen::VectorXd::Zero(kUnitsPerOutput * n), "product", s.label));
        }
        break;
      }
    }
  }
  Affine head = compose(lm.head_W, lm.head_b, up.readout);
  return std::make_unique<LstmModel>("lstm", "lstm", options.activations, lm.input_dim, lm.output_dim,
                                     std::move(layers), std::move(head), lm.budget);
}

}  // namespace lsrl
