// Target `gru` (paper App. C): a stack of GRU layers in PyTorch's nn.GRU
// convention plus a linear head,
//     r = sig(W_ir x + b_ir + W_hr h + b_hr)     z = sig(W_iz x + b_iz + W_hz h + b_hz)
//     n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
//     h' = (1 - z) * n + z * h
// Note PyTorch's h' = (1 - z) n + z h is the reverse of the paper's
// h' = (1 - z) h + z n: "keep the old state" is z = 1 here. Every choice below
// is written for PyTorch's convention, and the executor evaluates the update
// in PyTorch's order, h' = (h - n) z + n.
//
// One GRU layer per stage of the path (targets/logical_model.hpp): k + 2 GRU
// layers for a gated layer whose MLP has k ReLU layers.
//
// Paper mode (sig and tanh replaced by ReLU; exact):
// - State: z = 0, r = 1, n = the Eq. 11 positive/negative parts.
// - ReLU: z = 0, n = relu(M x + c).
// - Product a * b: a GRU has exactly one product of two input-driven values,
//   (1 - z) n, and it comes with the term z h_{t-1}. We make that term
//   harmless instead of zero, with an accumulator and a lag unit:
//     A  z = relu(1 + a) = 1 + a, r = 1, n = relu(A_{t-1} - b)
//        => A_t = -a (A_{t-1} - b) + (1 + a) A_{t-1} = A_{t-1} + a b
//     L  z = 0, r = 1, n = relu(A_{t-1})  => L_t = A_{t-1}
//   so a b = A_t - L_t, read linearly by the next layer. The relus are the
//   identity on their arguments as long as a >= -1 and A_{t-1} >= b: A starts
//   at an offset K above every b (and above any drift, if products can be
//   negative). z takes the factor that stays >= -1/2 on the probe prompt;
//   when neither does, both are shifted by offsets S >= -min (the paper's own
//   assumption of known bounds, as its k_lb), with two more units carrying
//   U = a + S_a and V = b + S_b:  a b = (A_t - L_t) - S_a V - S_b U + S_a S_b.
//   Offsets are powers of two, 16 times what the probe prompt (or the
//   calibration prompt) shows; the largest per layer is in the metadata.
//
// Standard mode (real sig and tanh): values travel in tanh's linear region,
// each scaled by a power of two s with s |v| about 1e-12 at the magnitudes
// the probe prompt shows (tanh(y) = y (1 - y^2/3): far below rounding even
// when the probe underestimates a value a millionfold); gates that must be 0
// or 1 are saturated, sig(+-80).
// - State: z = 0, r = 1, n = tanh(s (A v + B x + b)).
// - ReLU and Product use a "lag product": the leftover z h_{t-1} of
//   h = (1 - z) n + z h_{t-1} is exactly what the reset gate can compute from
//   the layer's own previous state. Two units with the same gate row:
//     U1  z = sig(g), n = tanh(s v)              => U1_t = (1 - z) s v + z U1_{t-1}
//     U2  z = 0, r = sig(g), n = tanh(r U1_{t-1}) => U2_t = z U1_{t-1}
//   so U1 - U2 = (1 - z) s v, a clean product of a gate and a value, read
//   linearly by the next layer. All these values are tiny (tanh is exact on
//   them) and nothing accumulates over time.
//   ReLU: g = -beta y with beta = 2^100, so z is exactly 0 or 1 in double
//   except for |y| below 3e-29: U1 - U2 is then exactly s y (y > 0) or
//   exactly 0 (y < 0). (beta is absolute: a step scaled to the largest value
//   a unit takes would blur its small values.)
//   Product: two pairs with g = +e a and -e a (e |a| about 8e-6: the
//   sigmoid's linear region) and value b; their difference is
//   (sig(-e a) - sig(e a)) s b = -tanh(e a / 2) s b = -(e s / 2) a b
//   (1 + O((e a)^2)). The rounding of sig near 1/2 limits this to about
//   1e-16 / (e a) relatively (1e-11 at the design magnitude), the truncation
//   to (e a)^2 / 12.
// The product is the one place a GRU needs its gate's linear region; an LSTM
// has a clean one (c = i * g) and a Hawk or Mamba block an exact one.
#include <algorithm>
#include <cmath>

#include "targets/architectures.hpp"
#include "targets/cell_lowering.hpp"

namespace lsrl {

namespace {

constexpr double kSaturate = 80.0;  // sig(80) == 1.0, sig(-80) = 1.8e-35
constexpr double kValueDesign = 0x1p-40;  // s |v| for tanh-carried values
constexpr double kGateDesign = 0x1p-17;    // e |a| for linear-region gates
constexpr double kSharpStep = 0x1p100;  // beta of the ReLU's reset-gate step (absolute, not per magnitude)
constexpr double kFactorMargin = 16.0;

enum Gate { kR = 0, kZ = 1, kN = 2 };

double pow2_ceil(double x) { return x > 0.0 ? std::exp2(std::ceil(std::log2(x))) : 0.0; }

class GruModel final : public CellStackModel {
 public:
  GruModel(Activations activations, int input_dim, int output_dim, std::vector<CellLayer> layers, Affine head,
           LayerBudget budget, std::vector<double> offsets)
      : CellStackModel("gru", "gru", activations, input_dim, output_dim, std::move(layers), std::move(head), budget),
        offsets_(std::move(offsets)) {}

  OutputRows run(const std::vector<std::vector<double>>& tokens, Precision precision, Trace* trace) const override {
    check_token_widths(tokens, input_dim_);
    switch (precision) {
      case Precision::F64: return run_typed<double>(tokens, trace);
      case Precision::F32: return run_typed<float>(tokens, trace);
      case Precision::F16: return run_typed<F16>(tokens, trace);
    }
    return run_typed<double>(tokens, trace);
  }

  nlohmann::json metadata() const override {
    nlohmann::json m = CellStackModel::metadata();
    m["convention"] = "h' = (1 - z) * n + z * h (PyTorch), the reverse of the paper's";
    if (!offsets_.empty()) {
      m["product_offsets"] = offsets_;
      m["product_assumption"] =
          "paper-mode product layers assume |factor| <= its offset (the largest offset of each product layer is listed); "
          "offsets are powers of two 16 times the largest value seen on the probe prompt";
    }
    return m;
  }

 protected:
  std::vector<std::string> gate_names() const override { return {"r", "z", "n"}; }
  std::string torch_module() const override {
    return activations_ == Activations::Standard
               ? "torch.nn.GRU(batch_first=True) + nn.Linear head"
               : "ReluGRU (generated loader): nn.GRU's equations and parameter names with ReLU in place of sigmoid "
                 "and tanh";
  }
  std::string layer_type() const override { return "GRU"; }

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
    if (trace) layout = make_stack_trace(*trace, layers_, gate_names(), false, static_cast<int>(tokens.size()), "GRU");
    OutputRows outputs;
    std::vector<T> pre, rec, r, z, n;
    for (const auto& token : tokens) {
      std::vector<T> x(token.size());
      for (std::size_t i = 0; i < token.size(); ++i) x[i] = to_scalar<T>(token[i]);
      for (std::size_t k = 0; k < layers.size(); ++k) {
        CellPreparedLayer<T>& L = layers[k];
        const std::size_t units = L.h.size();
        r.resize(units);
        z.resize(units);
        n.resize(units);
        gate_parts(L.gates[kR], x, L.h, pre, rec);
        for (std::size_t u = 0; u < units; ++u) r[u] = sigma(pre[u] + rec[u]);
        gate_parts(L.gates[kZ], x, L.h, pre, rec);
        for (std::size_t u = 0; u < units; ++u) z[u] = sigma(pre[u] + rec[u]);
        gate_parts(L.gates[kN], x, L.h, pre, rec);
        for (std::size_t u = 0; u < units; ++u) n[u] = squash(pre[u] + r[u] * rec[u]);
        // PyTorch evaluates h' = (1 - z) n + z h as (h - n) z + n
        // (aten/src/ATen/native/RNN.cpp, GRUCell); the same order here keeps
        // the two bit for bit alike.
        for (std::size_t u = 0; u < units; ++u) L.h[u] = (L.h[u] - n[u]) * z[u] + n[u];
        if (trace) {
          record(trace->series[static_cast<std::size_t>(layout.state[k])], L.h);
          record(trace->series[static_cast<std::size_t>(layout.gates[k][0])], r);
          record(trace->series[static_cast<std::size_t>(layout.gates[k][1])], z);
          record(trace->series[static_cast<std::size_t>(layout.gates[k][2])], n);
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

  std::vector<double> offsets_;
};

struct GruBuilder {
  std::vector<GateBuilder> g;
  GruBuilder(int units, int inputs) : g(3, GateBuilder(units, inputs)) {}
  std::vector<GateBlock> finish() const {
    std::vector<GateBlock> out;
    for (const auto& b : g) out.push_back(b.finish());
    return out;
  }
};

CellLayer finish_layer(const GruBuilder& b, int units, int inputs, Affine readout, Eigen::VectorXd h0,
                       const std::string& role, const LogicalStage& s) {
  CellLayer l;
  l.units = units;
  l.inputs = inputs;
  l.gates = b.finish();
  l.h0 = std::move(h0);
  l.readout = std::move(readout);
  l.role = role;
  l.label = s.label;
  return l;
}

}  // namespace

std::unique_ptr<TargetModel> lower_to_gru(const PathModel& path, const TargetOptions& options) {
  const LogicalModel lm = logical_model_from_path(path, options.keep_linear_chains());
  const bool paper = options.activations == Activations::Paper;
  const StageMagnitudes mags = probe_magnitudes(lm, options);
  std::vector<CellLayer> layers;
  std::vector<double> offsets;
  Upstream up{identity_affine(lm.input_dim), lm.input_dim, -1};
  for (std::size_t k = 0; k < lm.stages.size(); ++k) {
    const LogicalStage& s = lm.stages[k];
    const int n = s.out_dim;
    switch (s.kind) {
      case LogicalStageKind::State: {
        const Affine pre = compose(s.B, s.bias, up.readout);
        if (paper) {
          GruBuilder b(2 * n, up.units);
          for (int u = 0; u < 2 * n; ++u) b.g[kR].input_bias(u, 1.0);  // r = relu(1) = 1, z = relu(0) = 0
          add_signed_state(b.g[kN], s, pre);
          CellLayer l = finish_layer(b, 2 * n, up.units, difference_readout(n), signed_parts(s.init), "state", s);
          up = Upstream{l.readout, l.units, n};
          layers.push_back(std::move(l));
        } else {
          Eigen::VectorXd scale(n);
          for (int i = 0; i < n; ++i) scale[i] = pow2_scale(kValueDesign, mags.output[k][i]);
          GruBuilder b(n, up.units);
          for (int i = 0; i < n; ++i) {
            b.g[kR].input_bias(i, kSaturate);
            b.g[kZ].input_bias(i, -kSaturate);
            b.g[kN].input_row(i, pre, i, scale[i]);
          }
          for (int i = 0; i < s.A.outerSize(); ++i)
            for (SparseD::InnerIterator it(s.A, i); it; ++it)
              b.g[kN].recurrent(i, static_cast<int>(it.col()), scale[i] * it.value() / scale[it.col()]);
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
        if (paper) {
          GruBuilder b(n, up.units);
          for (int i = 0; i < n; ++i) b.g[kN].input_row(i, pre, i, 1.0);  // z = r = relu(0) = 0
          CellLayer l = finish_layer(b, n, up.units, identity_affine(n), Eigen::VectorXd::Zero(n), "relu", s);
          up = Upstream{l.readout, l.units, -1};
          layers.push_back(std::move(l));
        } else {
          // Per output the "lag product" pair (header): U1 with z = sig(-beta y),
          // n = tanh(s y); U2 with z = 0, r = sig(-beta y), n = tanh(r U1_prev).
          // U1 - U2 = (1 - z) tanh(s y) = sig(beta y) s y.
          GruBuilder b(2 * n, up.units);
          ReadoutBuilder r(n, 2 * n);
          for (int i = 0; i < n; ++i) {
            const double scale = pow2_scale(kValueDesign, mags.pre[k][i]);
            const double beta = kSharpStep;
            const int u1 = 2 * i, u2 = u1 + 1;
            b.g[kZ].input_row(u1, pre, i, -beta);
            b.g[kN].input_row(u1, pre, i, scale);
            b.g[kZ].input_bias(u2, -kSaturate);
            b.g[kR].input_row(u2, pre, i, -beta);
            b.g[kN].recurrent(u2, u1, 1.0);
            r.add(i, u1, 1.0 / scale);
            r.add(i, u2, -1.0 / scale);
          }
          CellLayer l = finish_layer(b, 2 * n, up.units, r.finish(), Eigen::VectorXd::Zero(2 * n), "relu", s);
          up = Upstream{l.readout, l.units, -1};
          layers.push_back(std::move(l));
        }
        break;
      }
      case LogicalStageKind::Product: {
        const Affine pre = compose(s.M, s.c, up.readout);
        if (paper) {
          // Per output i: accumulator A and lag L, and when a factor can be
          // negative the shifted factors U = a + S_a, V = b + S_b (header).
          std::vector<int> first_unit(static_cast<std::size_t>(n) + 1, 0);
          struct Plan {
            int row_a, row_b;
            double Sa, Sb, K;
            bool u, v;
          };
          std::vector<Plan> plans;
          int units = 0;
          double largest_offset = 0;
          const double T = std::max(1, options.max_sequence_length);
          for (int i = 0; i < n; ++i) {
            // z takes the factor that is least negative on the probe.
            int ra = i, rb = n + i;
            if (mags.pre_lo[k][rb] > mags.pre_lo[k][ra]) std::swap(ra, rb);
            const double lo_a = mags.pre_lo[k][ra], hi_a = mags.pre_hi[k][ra];
            const double lo_b = mags.pre_lo[k][rb], hi_b = mags.pre_hi[k][rb];
            Plan plan{ra, rb, 0.0, 0.0, 0.0, false, false};
            if (lo_a < -0.5) {
              plan.Sa = pow2_ceil(kFactorMargin * -lo_a);
              plan.Sb = lo_b < 0.0 ? pow2_ceil(kFactorMargin * -lo_b) : 0.0;
            }
            plan.v = plan.Sa != 0.0;
            plan.u = plan.Sb != 0.0;
            // Increments (S_a + a)(S_b + b) can be negative only where the
            // probe saw a factor's shifted range cross 0; allow that drift
            // over the longest sequence.
            double min_increment = 0.0;
            for (double x : {plan.Sa + lo_a, plan.Sa + hi_a})
              for (double y : {plan.Sb + lo_b, plan.Sb + hi_b}) min_increment = std::min(min_increment, x * y);
            const double top = std::max({plan.Sb + hi_b, 0x1p-10 * std::max(std::fabs(lo_b), std::fabs(hi_b)), 1e-30});
            plan.K = pow2_ceil(kFactorMargin * top + T * -min_increment);
            largest_offset = std::max({largest_offset, plan.Sa, plan.Sb, plan.K});
            units += 2 + plan.u + plan.v;
            plans.push_back(plan);
          }
          GruBuilder b(units, up.units);
          ReadoutBuilder r(n, units);
          Eigen::VectorXd h0(units);
          int unit = 0;
          for (int i = 0; i < n; ++i) {
            const Plan& p = plans[static_cast<std::size_t>(i)];
            const int acc = unit++, lag = unit++;
            // A: z = relu(1 + S_a + a), r = 1, n = relu(A_prev - (S_b + b))
            b.g[kZ].input_row(acc, pre, p.row_a, 1.0, 1.0 + p.Sa);
            b.g[kR].input_bias(acc, 1.0);
            b.g[kN].input_row(acc, pre, p.row_b, -1.0, -p.Sb);
            b.g[kN].recurrent(acc, acc, 1.0);
            // L: z = 0, r = 1, n = relu(A_prev)
            b.g[kR].input_bias(lag, 1.0);
            b.g[kN].recurrent(lag, acc, 1.0);
            h0[acc] = p.K;
            h0[lag] = p.K;
            // a b = (A - L) - S_a V - S_b U + S_a S_b
            r.add(i, acc, 1.0);
            r.add(i, lag, -1.0);
            if (p.u) {
              const int ua = unit++;
              b.g[kN].input_row(ua, pre, p.row_a, 1.0, p.Sa);  // U = relu(a + S_a)
              r.add(i, ua, -p.Sb);
              h0[ua] = p.Sa;
            }
            if (p.v) {
              const int vb = unit++;
              b.g[kN].input_row(vb, pre, p.row_b, 1.0, p.Sb);  // V = relu(b + S_b)
              r.add(i, vb, -p.Sa);
              h0[vb] = p.Sb;
            }
            r.bias(i, p.Sa * p.Sb);
          }
          offsets.push_back(largest_offset);
          CellLayer l = finish_layer(b, units, up.units, r.finish(), h0, "product", s);
          up = Upstream{l.readout, l.units, -1};
          layers.push_back(std::move(l));
        } else {
          // Per output two lag-product pairs with z = sig(+e a) and sig(-e a),
          // both with n's input s b: (U1+ - U2+) - (U1- - U2-) =
          // (sig(-e a) - sig(e a)) s b = -tanh(e a / 2) s b.
          GruBuilder b(4 * n, up.units);
          ReadoutBuilder r(n, 4 * n);
          for (int i = 0; i < n; ++i) {
            const double e = pow2_scale(kGateDesign, mags.pre[k][i]);
            const double sb = pow2_scale(kValueDesign, mags.pre[k][n + i]);
            const double coefficient = -2.0 / (e * sb);
            for (int side = 0; side < 2; ++side) {
              const int u1 = 4 * i + 2 * side, u2 = u1 + 1;
              const double gate = side == 0 ? e : -e;
              b.g[kZ].input_row(u1, pre, i, gate);
              b.g[kN].input_row(u1, pre, n + i, sb);
              b.g[kZ].input_bias(u2, -kSaturate);
              b.g[kR].input_row(u2, pre, i, gate);
              b.g[kN].recurrent(u2, u1, 1.0);
              const double sign = side == 0 ? 1.0 : -1.0;
              r.add(i, u1, sign * coefficient);
              r.add(i, u2, -sign * coefficient);
            }
          }
          CellLayer l = finish_layer(b, 4 * n, up.units, r.finish(), Eigen::VectorXd::Zero(4 * n), "product", s);
          up = Upstream{l.readout, l.units, -1};
          layers.push_back(std::move(l));
        }
        break;
      }
    }
  }
  Affine head = compose(lm.head_W, lm.head_b, up.readout);
  return std::make_unique<GruModel>(options.activations, lm.input_dim, lm.output_dim, std::move(layers),
                                    std::move(head), lm.budget, std::move(offsets));
}

}  // namespace lsrl
