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
// of tanh, each unit scaled by a power of two s so that s |v| is about 1e-12
// for the magnitudes seen on the probe (targets/logical_model.hpp); tanh(y)
// = y (1 - y^2/3 + ...), so that is exact to rounding even where the probe
// underestimates a value a millionfold (tanh keeps full relative precision
// near 0, so a small s costs nothing). Gates that
// must be 0 or 1 are saturated: sig(+-60) is 1 and 9e-27 in double.
// - State: f = 0, i = o = 1, g = tanh(s (A v + B x + b)); h' = tanh(tanh(.)).
// - ReLU: i = sig(beta a) is a step (beta = 2^60), g = tanh(s a):
//   c' = s a sig(beta a), the SiLU-like ramp, within 0.28 / beta = 2.4e-19 of
//   s relu(a) (beta is absolute: a step scaled to the largest value a unit
//   takes would blur its small values).
// - Product: i = sig(+-e a) in the sigmoid's linear region (e |a| about 8e-6)
//   and g = tanh(s b): (c+ - c-) = tanh(e a / 2) tanh(s b) = (e s / 2) a b
//   (1 + O((e a)^2)); the rounding of sig near 1/2 limits it to about 1e-11
//   relative at the design magnitude.
#include <cmath>

#include "targets/architectures.hpp"
#include "targets/cell_lowering.hpp"

namespace lsrl {

namespace {

constexpr double kSaturate = 60.0;          // sig(60) == 1.0, sig(-60) = 8.7e-27
constexpr double kValueDesign = 0x1p-40;    // s |v| for tanh-carried values
constexpr double kStep = 0x1p60;            // beta of the ReLU step gates (absolute)
constexpr double kGateDesign = 0x1p-17;     // e |a| for linear-region gates

enum Gate { kI = 0, kF = 1, kG = 2, kO = 3 };

class LstmModel final : public CellStackModel {
 public:
  using CellStackModel::CellStackModel;

  OutputRows run(const std::vector<std::vector<double>>& tokens, Precision precision, Trace* trace) const override {
    check_token_widths(tokens, input_dim_);
    switch (precision) {
      case Precision::F64: return run_typed<double>(tokens, trace);
      case Precision::F32: return run_typed<float>(tokens, trace);
      case Precision::F16: return run_typed<F16>(tokens, trace);
    }
    return run_typed<double>(tokens, trace);
  }

 protected:
  std::vector<std::string> gate_names() const override { return {"i", "f", "g", "o"}; }
  std::string torch_module() const override {
    return activations_ == Activations::Standard
               ? "torch.nn.LSTM(batch_first=True) + nn.Linear head"
               : "ReluLSTM (generated loader): nn.LSTM's equations and parameter names with ReLU in place of "
                 "sigmoid and tanh";
  }
  std::string layer_type() const override { return "LSTM"; }

 private:
  template <typename T>
  OutputRows run_typed(const std::vector<std::vector<double>>& tokens, Trace* trace) const {
    const bool paper = activations_ == Activations::Paper;
    auto sigma = [paper](T v) { return paper ? act_relu<T>(v) : act_sigmoid<T>(v); };
    auto squash = [paper](T v) { return paper ? act_relu<T>(v) : act_tanh<T>(v); };
    std::vector<CellPreparedLayer<T>> layers = prepare_layers<T>(layers_);
    const CsrMatrix<T> head_W = to_csr<T>(head_.W);
    const std::vector<T> head_b = to_scalars<T>(head_.b);
    StackTraceLayout layout;
    if (trace) layout = make_stack_trace(*trace, layers_, gate_names(), true, static_cast<int>(tokens.size()), "LSTM");
    OutputRows outputs;
    std::vector<T> pre, rec;
    std::vector<std::vector<T>> gate(4);
    for (const auto& token : tokens) {
      std::vector<T> x(token.size());
      for (std::size_t i = 0; i < token.size(); ++i) x[i] = to_scalar<T>(token[i]);
      for (std::size_t k = 0; k < layers.size(); ++k) {
        CellPreparedLayer<T>& L = layers[k];
        for (int g = 0; g < 4; ++g) {
          gate_parts(L.gates[static_cast<std::size_t>(g)], x, L.h, pre, rec);
          std::vector<T>& v = gate[static_cast<std::size_t>(g)];
          v.resize(pre.size());
          for (std::size_t u = 0; u < pre.size(); ++u) v[u] = g == kG ? squash(pre[u] + rec[u]) : sigma(pre[u] + rec[u]);
        }
        for (std::size_t u = 0; u < L.h.size(); ++u) {
          L.c[u] = gate[kF][u] * L.c[u] + gate[kI][u] * gate[kG][u];
          L.h[u] = gate[kO][u] * squash(L.c[u]);
        }
        if (trace) {
          record(trace->series[static_cast<std::size_t>(layout.state[k])], L.h);
          record(trace->series[static_cast<std::size_t>(layout.cell[k])], L.c);
          for (int g = 0; g < 4; ++g) record(trace->series[static_cast<std::size_t>(layout.gates[k][static_cast<std::size_t>(g)])], gate[static_cast<std::size_t>(g)]);
          record(trace->series[static_cast<std::size_t>(layout.output[k])], affine(L.readout_W, L.readout_b, L.h));
        }
        x = L.h;
      }
      const std::vector<T> y = affine(head_W, head_b, x);
      std::vector<double> row(y.size());
      for (std::size_t i = 0; i < y.size(); ++i) row[i] = from_scalar(y[i]);
      outputs.push_back(std::move(row));
    }
    return outputs;
  }
};

// Four gate builders of one layer.
struct LstmBuilder {
  std::vector<GateBuilder> g;
  LstmBuilder(int units, int inputs) : g(4, GateBuilder(units, inputs)) {}
  std::vector<GateBlock> finish() const {
    std::vector<GateBlock> out;
    for (const auto& b : g) out.push_back(b.finish());
    return out;
  }
};

// Paper mode: gate value 1 through relu(1), 0 through relu(0).
void paper_pass(LstmBuilder& b, int unit) {
  b.g[kI].input_bias(unit, 1.0);
  b.g[kO].input_bias(unit, 1.0);
}

// Standard mode: i = o = 1, f = 0 by saturation.
void standard_pass(LstmBuilder& b, int unit) {
  b.g[kI].input_bias(unit, kSaturate);
  b.g[kF].input_bias(unit, -kSaturate);
  b.g[kO].input_bias(unit, kSaturate);
}

CellLayer finish_layer(const LstmBuilder& b, int units, int inputs, Affine readout, Eigen::VectorXd h0,
                       const std::string& role, const LogicalStage& s) {
  CellLayer l;
  l.units = units;
  l.inputs = inputs;
  l.gates = b.finish();
  l.c0 = h0;
  l.h0 = std::move(h0);
  l.readout = std::move(readout);
  l.role = role;
  l.label = s.label;
  return l;
}

}  // namespace

std::unique_ptr<TargetModel> lower_to_lstm(const PathModel& path, const TargetOptions& options) {
  const LogicalModel lm = logical_model_from_path(path, options.keep_linear_chains());
  const bool paper = options.activations == Activations::Paper;
  const StageMagnitudes mags = paper ? StageMagnitudes{} : probe_magnitudes(lm, options);
  std::vector<CellLayer> layers;
  Upstream up{identity_affine(lm.input_dim), lm.input_dim, -1};
  for (std::size_t k = 0; k < lm.stages.size(); ++k) {
    const LogicalStage& s = lm.stages[k];
    const int n = s.out_dim;
    switch (s.kind) {
      case LogicalStageKind::State: {
        const Affine pre = compose(s.B, s.bias, up.readout);
        if (paper) {
          LstmBuilder b(2 * n, up.units);
          for (int u = 0; u < 2 * n; ++u) paper_pass(b, u);
          add_signed_state(b.g[kG], s, pre);
          CellLayer l = finish_layer(b, 2 * n, up.units, difference_readout(n), signed_parts(s.init), "state", s);
          up = Upstream{l.readout, l.units, n};
          layers.push_back(std::move(l));
        } else {
          // g = tanh(s (A v_prev + B x + b)), v_prev = h / s.
          Eigen::VectorXd scale(n);
          for (int i = 0; i < n; ++i) scale[i] = pow2_scale(kValueDesign, mags.output[k][i]);
          LstmBuilder b(n, up.units);
          for (int i = 0; i < n; ++i) {
            standard_pass(b, i);
            b.g[kG].input_row(i, pre, i, scale[i]);
          }
          for (int i = 0; i < s.A.outerSize(); ++i)
            for (SparseD::InnerIterator it(s.A, i); it; ++it)
              b.g[kG].recurrent(i, static_cast<int>(it.col()), scale[i] * it.value() / scale[it.col()]);
          CellLayer l = finish_layer(b, n, up.units, scaled_readout(scale), s.init.cwiseProduct(scale), "state", s);
          up = Upstream{l.readout, l.units, -1};
          layers.push_back(std::move(l));
        }
        break;
      }
      case LogicalStageKind::ReLU: {
        if (paper && is_plain_relu_of_previous(s, up)) {
          up = Upstream{positive_part_readout(n), up.units, -1};
          break;
        }
        const Affine pre = compose(s.M, s.c, up.readout);
        LstmBuilder b(n, up.units);
        Eigen::VectorXd scale = Eigen::VectorXd::Ones(n);
        for (int i = 0; i < n; ++i) {
          if (paper) {
            paper_pass(b, i);
            b.g[kG].input_row(i, pre, i, 1.0);
          } else {
            scale[i] = pow2_scale(kValueDesign, mags.pre[k][i]);
            const double beta = kStep;
            b.g[kI].input_row(i, pre, i, beta);
            b.g[kF].input_bias(i, -kSaturate);
            b.g[kO].input_bias(i, kSaturate);
            b.g[kG].input_row(i, pre, i, scale[i]);
          }
        }
        CellLayer l = finish_layer(b, n, up.units, scaled_readout(scale), Eigen::VectorXd::Zero(n), "relu", s);
        up = Upstream{l.readout, l.units, -1};
        layers.push_back(std::move(l));
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
          LstmBuilder b(units, up.units);
          ReadoutBuilder r(n, units);
          for (int u = 0; u < units; ++u) {
            const Term& t = terms[static_cast<std::size_t>(u)];
            b.g[kI].input_row(u, pre, t.out, t.sa);
            b.g[kG].input_row(u, pre, n + t.out, t.sb);
            b.g[kO].input_bias(u, 1.0);
            r.add(t.out, u, t.sa * t.sb);
          }
          CellLayer l = finish_layer(b, units, up.units, r.finish(), Eigen::VectorXd::Zero(units), "product", s);
          up = Upstream{l.readout, l.units, -1};
          layers.push_back(std::move(l));
        } else {
          // Units 2i (i = sig(+e a)) and 2i + 1 (i = sig(-e a)), both g = tanh(s b).
          LstmBuilder b(2 * n, up.units);
          ReadoutBuilder r(n, 2 * n);
          for (int i = 0; i < n; ++i) {
            const double e = pow2_scale(kGateDesign, mags.pre[k][i]);
            const double sb = pow2_scale(kValueDesign, mags.pre[k][n + i]);
            for (int side = 0; side < 2; ++side) {
              const int u = 2 * i + side;
              b.g[kI].input_row(u, pre, i, side == 0 ? e : -e);
              b.g[kF].input_bias(u, -kSaturate);
              b.g[kO].input_bias(u, kSaturate);
              b.g[kG].input_row(u, pre, n + i, sb);
              r.add(i, u, (side == 0 ? 2.0 : -2.0) / (e * sb));
            }
          }
          CellLayer l = finish_layer(b, 2 * n, up.units, r.finish(), Eigen::VectorXd::Zero(2 * n), "product", s);
          up = Upstream{l.readout, l.units, -1};
          layers.push_back(std::move(l));
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
