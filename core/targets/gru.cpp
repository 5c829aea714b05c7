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
//   negative). z takes the factor whose lower bound is larger; when it can
//   go below -1, both are shifted by offsets S >= -min (the paper's own
//   assumption of known bounds, as its k_lb), with two more units carrying
//   U = a + S_a and V = b + S_b:  a b = (A_t - L_t) - S_a V - S_b U + S_a S_b.
//   The bounds are the static range analysis's (targets/range_analysis.hpp:
//   sound over every prompt of the declared input domain and maximum length
//   T), so the weights never depend on a prompt. Offsets are the powers of
//   two at or above what the bounds need (K twice that, for the rounding of
//   the accumulator over T steps); the largest per layer is in the metadata.
//   The terms of that sum are of size S_a S_b, so their rounding grows with
//   the offsets (a product comes out within about K 2^-51): an offset beyond
//   2^32 (2e-6) is refused at compile time with what to declare instead. The
//   executor still checks every product layer's ReLUs at every step.
//
// Standard mode (real sig and tanh): values travel in tanh's linear region,
// each scaled by a power of two s with s |v| about 2^-64 at the magnitudes
// the lowering is given (targets/cell_lowering.hpp): there tanh(y) == y bit
// for bit in double, up to 2^-54, and s v rounds as v does. Gates that must
// be 0 or 1 are saturated exactly, sig(+-1000) == 1.0, 0.0.
// - State: z = 0, r = 1, n = tanh(s (A v + B x + b)), so h' = (h - n) 0 + n
//   = n: exactly s times the State's value (summed as (B x + b) + A v).
// - ReLU, one unit per output: z = sig(-beta y - 800), r = sig(-beta y -
//   2000), n = tanh(s y + 40 r) (the 40 is b_hn, which r gates; the shifts
//   are b_hz, b_hr, added after the exact -beta y). For y >= 0: z = r = 0,
//   h' = n = s y. For y < 0 (beta |y| > 2037): z = r = 1, n = tanh(s y + 40)
//   == 1.0, and h' = (h - 1) 1 + 1 == 0.0 exactly, because |h| <= 2^-54
//   makes h - 1 round to -1. So h' = s relu(y) to the bit, whatever the
//   previous state. beta (cell_lowering.hpp: step_gate_beta) is 2^960 over
//   the row's largest weight, so beta y is the program's y scaled exactly;
//   only 0 < -y < 2037 / beta (about 1e-240 here) falls in between and keeps
//   part of the old state. (A closing gate on a value carried by n, the
//   previous construction, leaves (h - n) + n, which is h only to the ulp of
//   n: 1e-16 of a 1e10 pre-activation, which the lambda forms amplify.)
// - Product: a "lag product" pair, since the leftover z h_{t-1} of
//   h = (1 - z) n + z h_{t-1} is what the reset gate can compute from the
//   layer's own previous state:
//     U1  z = sig(g), n = tanh(s v)              => U1_t = (1 - z) s v + z U1_{t-1}
//     U2  z = 0, r = sig(g), n = tanh(r U1_{t-1}) => U2_t = z U1_{t-1}
//   so U1 - U2 = (1 - z) s v, read linearly by the next layer. Two pairs
//   with g = +e a and -e a (e |a| about 8e-6: the sigmoid's linear region)
//   and value b differ by (sig(-e a) - sig(e a)) s b = -tanh(e a / 2) s b =
//   -(e s / 2) a b (1 + O((e a)^2)). The rounding of sig near 1/2 limits
//   this to about 1e-16 / (e a) relatively (1e-11 at the design magnitude),
//   the truncation to (e a)^2 / 12, and U1's own update (U1 - n) z + n
//   rounds to the ulp of the previous U1.
// The product is the one place a GRU needs its gate's linear region; an LSTM
// has a clean one (c = i * g) and a Hawk or Mamba block an exact one.
#include <algorithm>
#include <cmath>

#include "targets/architectures.hpp"
#include "targets/cell_lowering.hpp"
#include "targets/range_analysis.hpp"

namespace lsrl {

namespace {

constexpr double kSaturate = kExactSaturation;  // sig(1000) == 1.0, sig(-1000) == 0.0
// The ReLU unit's gate shifts (recurrent biases, added after beta y): z
// closes (keeps the state) from beta y < -837 and r from -2037, so z = 0
// and r = 0 exactly at y = 0 and above, and r is 0 wherever z is not 1.
constexpr double kUpdateShift = -800.0;
constexpr double kResetShift = -2000.0;
// b_hn of the ReLU unit: with r = 1, n = tanh(s y + 40) == 1.0 exactly.
constexpr double kCandidateSaturation = 40.0;
constexpr double kAccumulatorMargin = 2.0;  // K's slack for the accumulator's rounding over T steps
// The largest offset allowed: a product a b = A_t - L_t comes out within a
// few ulp of K, about K 2^-51, so 2^32 keeps it within 2e-6 (absolute), which
// later layers amplify: random paths drift up to 3e-3 (see docs/targets.md section 10).
constexpr double kLargestOffset = 0x1p32;

enum Gate { kR = 0, kZ = 1, kN = 2, kGates = 3 };
constexpr CellGateLayout kGruLayout{kGates, kN, false};

double pow2_ceil(double x) { return x > 0.0 ? std::exp2(std::ceil(std::log2(x))) : 0.0; }

// A GRU layer's step (header), run by CellStackOf.
struct GruCell {
  static std::vector<std::string> gate_names() { return {"r", "z", "n"}; }
  static std::string layer_type() { return "GRU"; }

  template <typename T, typename Act>
  static bool combine(CellPreparedLayer<T>& L, const T* const* pre, const T* const* rec) {
    const T zero = to_scalar<T>(0.0);
    const std::size_t units = L.h.size();
    // No array here overlaps another (pre and rec are the executor's
    // buffers or the layer's biases): said so, the loop vectorises.
    const T* __restrict pre_r = pre[kR];
    const T* __restrict pre_z = pre[kZ];
    const T* __restrict pre_n = pre[kN];
    const T* __restrict rec_r = rec[kR];
    const T* __restrict rec_z = rec[kZ];
    const T* __restrict rec_n = rec[kN];
    T* __restrict h = L.h.data();
    int outside = 0;
    for (std::size_t u = 0; u < units; ++u) {
      const T r = Act::sigmoid(pre_r[u] + rec_r[u]);
      const T z_pre = pre_z[u] + rec_z[u];
      const T n_pre = pre_n[u] + r * rec_n[u];
      outside |= static_cast<int>(z_pre < zero) | static_cast<int>(n_pre < zero);
      const T z = Act::sigmoid(z_pre);
      const T n = Act::tanh(n_pre);
      h[u] = (h[u] - n) * z + n;
    }
    return !(L.relus_must_be_identity && outside != 0);
  }

  template <typename T>
  static bool step(CellPreparedLayer<T>& L, const std::vector<T>& x, GateValues<T>& gate, const CellActivations<T>& act,
                   std::vector<T>& pre, std::vector<T>& rec) {
    const std::size_t units = L.h.size();
    std::vector<T>& r = gate[kR];
    std::vector<T>& z = gate[kZ];
    std::vector<T>& n = gate[kN];
    r.resize(units);
    z.resize(units);
    n.resize(units);
    // A product layer's ReLUs must act as the identity (header); a
    // negative pre-activation there means the input left the bounds the
    // offsets were built for.
    bool within_bounds = true;
    const auto check = [&](T pre_activation) {
      within_bounds = within_bounds && !(L.relus_must_be_identity && pre_activation < to_scalar<T>(0.0));
      return pre_activation;
    };
    gate_parts(L.gates[kR], x, L.h, pre, rec);
    for (std::size_t u = 0; u < units; ++u) r[u] = act.sigmoid(pre[u] + rec[u]);
    gate_parts(L.gates[kZ], x, L.h, pre, rec);
    for (std::size_t u = 0; u < units; ++u) z[u] = act.sigmoid(check(pre[u] + rec[u]));
    gate_parts(L.gates[kN], x, L.h, pre, rec);
    for (std::size_t u = 0; u < units; ++u) n[u] = act.tanh(check(pre[u] + r[u] * rec[u]));
    if (!within_bounds) return false;
    // PyTorch evaluates h' = (1 - z) n + z h as (h - n) z + n
    // (aten/src/ATen/native/RNN.cpp, GRUCell); the same order here keeps
    // the two bit for bit alike.
    for (std::size_t u = 0; u < units; ++u) L.h[u] = (L.h[u] - n[u]) * z[u] + n[u];
    return true;
  }
};

class GruModel final : public CellStackOf<GruCell> {
 public:
  GruModel(Activations activations, int input_dim, int output_dim, std::vector<CellLayer> layers, Affine head,
           LayerBudget budget, std::vector<double> offsets)
      : CellStackOf("gru", "gru", activations, input_dim, output_dim, std::move(layers), std::move(head), budget),
        offsets_(std::move(offsets)) {}

  nlohmann::json metadata() const override {
    nlohmann::json m = CellStackModel::metadata();
    m["convention"] = "h' = (1 - z) * n + z * h (PyTorch), the reverse of the paper's";
    if (!offsets_.empty()) {
      m["product_offsets"] = offsets_;
      m["product_assumption"] =
          "paper-mode product layers assume |factor| <= its offset (the largest offset of each product layer is "
          "listed); "
          "offsets are powers of two from the static range analysis's bounds over every prompt in the input domain "
          "and maximum length the model was built for; a run whose values leave these bounds is refused";
    }
    return m;
  }

 protected:
  [[noreturn]] void refuse_out_of_bounds(std::size_t layer, std::size_t step) const override {
    const CellLayer& l = layers_[layer];
    throw LsrlError(SourceSpan{}, "gru layer " + std::to_string(layer) + " (the product '" + l.label +
                                      "') was built for factors within the static bounds of its input domain, "
                                      "and at token " +
                                      std::to_string(step + 1) +
                                      " this input leaves them, so the model would no longer compute the program "
                                      "(the paper's App. C assumes such bounds too); run only prompts inside the "
                                      "domain the model was built for (Input(dim=..., bounds=[lo, hi]), "
                                      "max_length=), or use a target that needs no bounds (gated-rnn, lstm, hawk, "
                                      "griffin, mamba)");
  }

 private:
  std::vector<double> offsets_;
};

// Where one row of the pre-activation goes, and scaled by how much.
struct ScaledRow {
  int row;
  double scale;
};

// A "lag product" pair (header) from unit `u1`: U1 with z = sig(g),
// n = tanh(v), and U2 = u1 + 1 with z = 0, r = sig(g), n = tanh(r U1_prev),
// where g and v are scaled rows of pre; the readout adds
// coefficient * (U1 - U2) = coefficient * (1 - z) tanh(v) to `output`.
void add_lag_product_pair(CellLayerBuilder& b, ReadoutBuilder& r, const Affine& pre, int u1, ScaledRow gate,
                          ScaledRow value, int output, double coefficient) {
  const int u2 = u1 + 1;
  b.gate(kZ).input_row(u1, pre, gate.row, gate.scale);
  b.gate(kN).input_row(u1, pre, value.row, value.scale);
  b.gate(kZ).input_bias(u2, -kSaturate);
  b.gate(kR).input_row(u2, pre, gate.row, gate.scale);
  b.gate(kN).recurrent(u2, u1, 1.0);
  r.add(output, u1, coefficient);
  r.add(output, u2, -coefficient);
}

// Standard mode's units for a term of a product (extrapolated_product_layer):
// two lag-product pairs with z = sig(+m e a) and sig(-m e a), both with n's
// input s b: (U1+ - U2+) - (U1- - U2-) = (sig(-m e a) - sig(m e a)) s b
// = -tanh(m e a / 2) s b.
void add_lag_product_term(CellLayerBuilder& b, ReadoutBuilder& r, const Affine& pre, const ExtrapolatedProductTerm& t) {
  const double coefficient = -2.0 * t.weight / (t.gate_scale * t.value_scale);
  const ScaledRow value{t.row_b, t.value_scale};
  add_lag_product_pair(b, r, pre, t.first_unit, {t.row_a, t.gate_scale}, value, t.output, coefficient);
  add_lag_product_pair(b, r, pre, t.first_unit + 2, {t.row_a, -t.gate_scale}, value, t.output, -coefficient);
}

// Paper mode's product units for output i (header): the accumulator A and
// lag L, and when a factor can be negative the shifted factors U = a + S_a,
// V = b + S_b.
struct AccumulatorPlan {
  int row_a, row_b;  // the factors' rows of the pre-activation (z takes row_a)
  double Sa, Sb, K;  // offsets
  bool u, v;         // whether U and V are needed
  int units() const { return 2 + u + v; }
};

class GruLowering : public CellStackLowering {
 public:
  GruLowering(const LogicalModel& lm, const TargetOptions& options)
      : options_(options),
        paper_(options.activations == Activations::Paper),
        mags_(overestimated(static_magnitudes(lm, options), options.magnitude_overestimate)) {}

  // The largest offset of each paper-mode product layer (metadata).
  std::vector<double> offsets;

  Upstream state(const StageInput& in) {
    if (paper_) {  // r = relu(1) = 1, z = relu(0) = 0
      return append(
          signed_state_layer(kGruLayout, in, [](CellLayerBuilder& b, int u) { b.gate(kR).input_bias(u, 1.0); }),
          in.stage.out_dim);
    }
    return append(scaled_state_layer(kGruLayout, in, mags_.output[in.index], [](CellLayerBuilder& b, int i) {
      b.gate(kR).input_bias(i, kSaturate);
      b.gate(kZ).input_bias(i, -kSaturate);
    }));
  }

  Upstream relu(const StageInput& in) {
    if (std::optional<Upstream> free = read_as_positive_part(in)) return *free;
    if (paper_) return append(candidate_relu_layer(kGruLayout, in));  // z = r = relu(0) = 0
    // One unit per output (header): z = sig(-beta y - 800),
    // r = sig(-beta y - 2000), n = tanh(s y + 40 r), so h' = s y for
    // y >= 0 and h' = (h - 1) + 1 = 0 for y < 0.
    const int n = in.stage.out_dim;
    const Affine& pre = in.pre;
    CellLayerBuilder b(kGruLayout, n, in.from.units);
    Eigen::VectorXd scale(n);
    for (int i = 0; i < n; ++i) {
      scale[i] = tanh_value_scale(mags_.pre[in.index][i]);
      const double beta = step_gate_beta(pre, i);
      b.gate(kZ).input_row(i, pre, i, -beta);
      b.gate(kZ).recurrent_bias(i, kUpdateShift);
      b.gate(kR).input_row(i, pre, i, -beta);
      b.gate(kR).recurrent_bias(i, kResetShift);
      b.gate(kN).input_row(i, pre, i, scale[i]);
      b.gate(kN).recurrent_bias(i, kCandidateSaturation);
    }
    return append(b.finish(scaled_readout(scale), Eigen::VectorXd::Zero(n), "relu", in.stage.label));
  }

  Upstream product(const StageInput& in) {
    if (paper_) return append(accumulator_product_layer(in));
    return append(extrapolated_product_layer(kGruLayout, in, mags_.pre[in.index], 4, add_lag_product_term));
  }

 private:
  AccumulatorPlan plan_accumulator(const StageInput& in, int i) const;
  CellLayer accumulator_product_layer(const StageInput& in);

  const TargetOptions& options_;
  bool paper_;
  StageMagnitudes mags_;
};

// The offsets of output i's accumulator units: from the bounds of its
// factors and the drift of the accumulator over the longest sequence;
// refuses the stage when they exceed kLargestOffset.
AccumulatorPlan GruLowering::plan_accumulator(const StageInput& in, int i) const {
  const std::size_t k = in.index;
  const int n = in.stage.out_dim;
  const double T = std::max(1, options_.max_sequence_length);
  // z takes the factor whose lower bound is larger.
  int ra = i, rb = n + i;
  if (mags_.pre_lo[k][rb] > mags_.pre_lo[k][ra]) std::swap(ra, rb);
  const double lo_a = mags_.pre_lo[k][ra], hi_a = mags_.pre_hi[k][ra];
  const double lo_b = mags_.pre_lo[k][rb], hi_b = mags_.pre_hi[k][rb];
  AccumulatorPlan plan{ra, rb, 0.0, 0.0, 0.0, false, false};
  if (lo_a < -1.0) {  // z = relu(1 + a) needs a >= -1
    plan.Sa = pow2_ceil(-lo_a);
    plan.Sb = lo_b < 0.0 ? pow2_ceil(-lo_b) : 0.0;
  }
  plan.v = plan.Sa != 0.0;
  plan.u = plan.Sb != 0.0;
  // Increments (S_a + a)(S_b + b) can be negative only where a factor's
  // shifted range crosses 0; allow that drift over the longest sequence.
  double min_increment = 0.0;
  for (double x : {plan.Sa + lo_a, plan.Sa + hi_a})
    for (double y : {plan.Sb + lo_b, plan.Sb + hi_b}) min_increment = std::min(min_increment, x * y);
  const double top = std::max({plan.Sb + hi_b, 0x1p-10 * std::max(std::fabs(lo_b), std::fabs(hi_b)), 1e-30});
  plan.K = pow2_ceil(kAccumulatorMargin * (top + T * -min_increment));
  for (double offset : {plan.Sa, plan.Sb, plan.K}) {
    if (!std::isfinite(offset) || !(offset <= kLargestOffset)) {
      refuse_stage(in.stage, "gru",
                   "its paper-mode product units need offsets above their factors' bounds ([" + std::to_string(lo_a) +
                       ", " + std::to_string(hi_a) + "] and [" + std::to_string(lo_b) + ", " + std::to_string(hi_b) +
                       "]) and the drift of the accumulator over " + std::to_string(static_cast<long long>(T)) +
                       " steps, and that is beyond 2^32, where the product's rounding (about offset * 2^-51) "
                       "exceeds 2e-6",
                   declare_smaller_domain_hint(options_));
    }
  }
  return plan;
}

// Paper mode's product layer (header): per output, the units of its plan.
CellLayer GruLowering::accumulator_product_layer(const StageInput& in) {
  const int n = in.stage.out_dim;
  const Affine& pre = in.pre;
  std::vector<AccumulatorPlan> plans;
  int units = 0;
  double largest_offset = 0;
  for (int i = 0; i < n; ++i) {
    plans.push_back(plan_accumulator(in, i));
    const AccumulatorPlan& plan = plans.back();
    largest_offset = std::max({largest_offset, plan.Sa, plan.Sb, plan.K});
    units += plan.units();
  }
  CellLayerBuilder b(kGruLayout, units, in.from.units);
  ReadoutBuilder r(n, units);
  Eigen::VectorXd h0(units);
  int unit = 0;
  for (int i = 0; i < n; ++i) {
    const AccumulatorPlan& p = plans[static_cast<std::size_t>(i)];
    const int acc = unit++, lag = unit++;
    // A: z = relu(1 + S_a + a), r = 1, n = relu(A_prev - (S_b + b))
    b.gate(kZ).input_row(acc, pre, p.row_a, 1.0, 1.0 + p.Sa);
    b.gate(kR).input_bias(acc, 1.0);
    b.gate(kN).input_row(acc, pre, p.row_b, -1.0, -p.Sb);
    b.gate(kN).recurrent(acc, acc, 1.0);
    // L: z = 0, r = 1, n = relu(A_prev)
    b.gate(kR).input_bias(lag, 1.0);
    b.gate(kN).recurrent(lag, acc, 1.0);
    h0[acc] = p.K;
    h0[lag] = p.K;
    // a b = (A - L) - S_a V - S_b U + S_a S_b
    r.add(i, acc, 1.0);
    r.add(i, lag, -1.0);
    if (p.u) {
      const int ua = unit++;
      b.gate(kN).input_row(ua, pre, p.row_a, 1.0, p.Sa);  // U = relu(a + S_a)
      r.add(i, ua, -p.Sb);
      h0[ua] = p.Sa;
    }
    if (p.v) {
      const int vb = unit++;
      b.gate(kN).input_row(vb, pre, p.row_b, 1.0, p.Sb);  // V = relu(b + S_b)
      r.add(i, vb, -p.Sa);
      h0[vb] = p.Sb;
    }
    r.bias(i, p.Sa * p.Sb);
  }
  offsets.push_back(largest_offset);
  CellLayer layer = b.finish(r.finish(), h0, "product", in.stage.label);
  layer.relus_must_be_identity = true;
  return layer;
}

}  // namespace

std::unique_ptr<TargetModel> lower_to_gru(const PathModel& path, const TargetOptions& options) {
  const LogicalModel lm = logical_model_from_path(path, options.keep_linear_chains());
  GruLowering lowering(lm, options);
  CellStack stack = lower_cell_stack(lm, lowering);
  return std::make_unique<GruModel>(options.activations, lm.input_dim, lm.output_dim, std::move(stack.layers),
                                    std::move(stack.head), lm.budget, std::move(lowering.offsets));
}

}  // namespace lsrl
