// Target `mamba`: our own construction for the Mamba (S6) block (Gu & Dao
// 2023), with the equations and parameter names of the reference
// implementation (state-spaces/mamba, mamba_ssm/modules/mamba_simple.py):
//   xz = in_proj(x)  (no bias);  x, z = xz[:E], xz[E:]
//   x = silu(conv1d(x))            causal depthwise conv, width W, with bias
//   dt, B, C = split(x_proj(x))    (no bias; dt_rank R, d_state N)
//   dt = softplus(dt_proj(dt) + dt_proj.bias)
//   A = -exp(A_log)
//   h[e,n] = exp(dt[e] A[e,n]) h[e,n] + dt[e] B[n] x[e]      (from h = 0)
//   y[e] = sum_n C[n] h[e,n] + D[e] x[e]
//   out = out_proj(y * silu(z))    (no bias)
// on a residual stream (layout and the act(x) - act(-x) = x identity in
// targets/stream_blocks.hpp; norms omitted). The derivation and correctness
// argument are in docs/targets.md, "Mamba". In brief, with N = R = 1:
// - One channel carries the constant: in_proj reads the stream's constant
//   channel, so x = silu(64) = 64 and z = 64; B = C = x_const / 64 = 1 exactly
//   for every token; dt_proj's weight is 0 and its bias 32, so
//   dt = softplus(32) = 32 exactly (PyTorch's softplus is the identity above
//   20). Every channel's scan input is therefore dt B x = 32 x.
// - A channel without memory has A = -exp(700) (exp(32 A) = 0), so
//   y = 32 x. A channel with memory lambda in (0, 1] has
//   A = ln(lambda) / 32 (A_log = -1000 gives A = -0 and exp(0) = 1 exactly:
//   the scan holds an undecayed sum, which Hawk's RG-LRU cannot).
// - Signed values pass silu in pairs: silu(v) - silu(-v) = v, so every
//   linear quantity uses two channels with opposite signs, and the scan,
//   being linear, keeps the difference.
// - relu(v) = silu(beta v) / beta, within 0.28 / beta (exact in paper mode).
// - a b = sum over s, t in {+1, -1} of s t silu(t b) silu(s a): four channels
//   with x = t b and z = s a.
// - States: targets/state_decomposition.hpp (decay channels in the scan,
//   eigenvalue 1 included; the rest through conv1d's taps).
// Paper mode replaces silu and softplus by ReLU; everything is then exact.
#include <algorithm>
#include <cmath>

#include "targets/architectures.hpp"
#include "targets/cell_stack.hpp"
#include "targets/state_decomposition.hpp"
#include "targets/stream_blocks.hpp"

namespace lsrl {

namespace {

constexpr double kDelta = 32.0;          // dt = softplus(32) = 32 = relu(32)
constexpr double kNoMemoryLogA = 700.0;  // A = -exp(700): exp(32 A) = 0
constexpr double kUnitLogA = -1000.0;    // A = -exp(-1000) = -0: exp(32 A) = 1
constexpr double kPairScale = kDelta * kConstantGate;  // y * silu(z) = 32 x * 64 on a plain channel

struct MambaBlock : StreamBlockOutcome {
  int inner = 0;  // E
  int conv_width = 1;
  SparseD in_proj;          // 2E x D
  Eigen::MatrixXd conv_w;   // E x W, column W - 1 - k is lag k
  Eigen::VectorXd conv_b;   // E
  SparseD x_proj;           // 3 x E (dt, B, C)
  Eigen::VectorXd dt_proj_w;  // E x 1
  Eigen::VectorXd dt_bias;    // E
  Eigen::VectorXd A_log;      // E x 1
  Eigen::VectorXd D;          // E
  SparseD out_proj;           // D x E
  std::string role;
  std::string label;
};

template <typename T>
T mamba_act(T v, bool paper) {
  return paper ? act_relu<T>(v) : act_silu<T>(v);
}

class MambaModel final : public StreamModel {
 public:
  MambaModel(Activations activations, int input_dim, int output_dim, StreamLayout layout, Affine embed, Affine head,
             std::vector<MambaBlock> blocks, int horizon, LayerBudget budget)
      : StreamModel("mamba", {"backbone.embedding", "lm_head", "layers"}, activations, input_dim, output_dim, layout,
                    std::move(embed), std::move(head), horizon, budget),
        blocks_(std::move(blocks)) {}

  OutputRows run(const std::vector<std::vector<double>>& tokens, Precision precision, Trace* trace) const override {
    check_input(tokens);
    return run_in_precision(precision, [&](auto scalar) { return run_typed<decltype(scalar)>(tokens, trace); });
  }

  nlohmann::json metadata() const override {
    nlohmann::json m = StreamModel::metadata();
    m["reference_implementation"] = "state-spaces/mamba (mamba_simple.Mamba, MambaLMHeadModel parameter names)";
    m["d_model"] = layout_.width;
    m["stream_layout"] = layout_.description("layer");
    m["d_state"] = 1;
    m["dt_rank"] = 1;
    m["embedding"] = "stream_0 = backbone.embedding.weight @ token + backbone.embedding.bias (its channel 0 is the constant 1)";
    return m;
  }

 protected:
  std::size_t block_count() const override { return blocks_.size(); }
  const StreamBlockOutcome& block_outcome(std::size_t block) const override { return blocks_[block]; }

  nlohmann::json block_metadata(std::size_t block) const override {
    const MambaBlock& b = blocks_[block];
    return {{"role", b.role}, {"d_inner", b.inner}, {"d_conv", b.conv_width}};
  }

  LayerSummary block_summary(std::size_t block) const override {
    const MambaBlock& b = blocks_[block];
    LayerSummary s;
    s.type = "Mamba block (" + b.role + ")";
    s.hidden_dim = b.inner;
    s.detail = (b.label.empty() ? "" : "computes " + b.label + "; ") + "d_inner " + std::to_string(b.inner) +
               ", d_conv " + std::to_string(b.conv_width) + ", d_state 1, dt_rank 1";
    return s;
  }

  long long block_parameters(std::size_t block) const override {
    const MambaBlock& b = blocks_[block];
    const long long D = layout_.width, E = b.inner;
    return 2 * E * D + E * b.conv_width + E + 3 * E + E + E + E + E + D * E;
  }

  long long block_nonzeros(std::size_t block) const override {
    const MambaBlock& b = blocks_[block];
    return count_nonzeros(b.in_proj) + count_nonzeros(b.conv_w) + count_nonzeros(b.conv_b) + count_nonzeros(b.x_proj) +
           count_nonzeros(b.dt_proj_w) + count_nonzeros(b.dt_bias) + count_nonzeros(b.A_log) + count_nonzeros(b.D) +
           count_nonzeros(b.out_proj);
  }

  void append_block_tensors(std::size_t block, std::vector<NamedTensor>& out) const override {
    const MambaBlock& b = blocks_[block];
    const int D = layout_.width;
    const int E = b.inner;
    const std::string p = "backbone.layers." + std::to_string(block) + ".mixer.";
    out.push_back({p + "in_proj.weight", {2 * E, D}, dense_row_major(b.in_proj, 2 * E, D)});
    NamedTensor conv{p + "conv1d.weight", {E, 1, b.conv_width}, {}};
    for (int e = 0; e < E; ++e)
      for (int k = 0; k < b.conv_width; ++k) conv.data.push_back(b.conv_w(e, k));
    out.push_back(std::move(conv));
    out.push_back({p + "conv1d.bias", {E}, padded_vector(b.conv_b, E)});
    out.push_back({p + "x_proj.weight", {3, E}, dense_row_major(b.x_proj, 3, E)});
    out.push_back({p + "dt_proj.weight", {E, 1}, padded_vector(b.dt_proj_w, E)});
    out.push_back({p + "dt_proj.bias", {E}, padded_vector(b.dt_bias, E)});
    out.push_back({p + "A_log", {E, 1}, padded_vector(b.A_log, E)});
    out.push_back({p + "D", {E}, padded_vector(b.D, E)});
    out.push_back({p + "out_proj.weight", {D, E}, dense_row_major(b.out_proj, D, E)});
  }

 private:
  template <typename T>
  struct Prepared {
    CsrMatrix<T> in_proj, x_proj, out_proj;
    CausalConvolution<T> conv;
    std::vector<T> dt_w, dt_b, A, D;
    std::vector<T> h;
  };

  template <typename T>
  OutputRows run_typed(const std::vector<std::vector<double>>& tokens, Trace* trace) const {
    const bool paper = activations_ == Activations::Paper;
    const int Dm = layout_.width;
    std::vector<Prepared<T>> blocks(blocks_.size());
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      const MambaBlock& b = blocks_[i];
      Prepared<T>& p = blocks[i];
      p.in_proj = to_csr<T>(b.in_proj);
      p.x_proj = to_csr<T>(b.x_proj);
      p.out_proj = to_csr<T>(b.out_proj);
      p.conv = CausalConvolution<T>(b.conv_w.rowwise().reverse(), b.conv_b);  // column k of conv_w: lag width - 1 - k
      p.dt_w = to_scalars<T>(b.dt_proj_w);
      p.dt_b = to_scalars<T>(b.dt_bias);
      p.A.resize(static_cast<std::size_t>(b.inner));
      for (int e = 0; e < b.inner; ++e) p.A[static_cast<std::size_t>(e)] = to_scalar<T>(-std::exp(b.A_log[e]));
      p.D = to_scalars<T>(b.D);
      p.h.assign(static_cast<std::size_t>(b.inner), to_scalar<T>(0.0));
    }
    std::vector<int> state_series, out_series;
    if (trace) {
      begin_trace(*trace, static_cast<int>(tokens.size()));
      for (std::size_t i = 0; i < blocks_.size(); ++i) {
        const std::string prefix = "layer " + std::to_string(i) + " Mamba ";
        const int layer = static_cast<int>(i);
        state_series.push_back(add_series(*trace, prefix + "scan h", "state", layer, blocks_[i].inner));
        out_series.push_back(
            add_series(*trace, output_series_label(prefix, blocks_[i].label), "output", layer, blocks_[i].width_after));
      }
    }
    return run_stream<T>(tokens, [&](std::size_t, std::vector<T>& stream) {
      for (std::size_t i = 0; i < blocks_.size(); ++i) {
        const MambaBlock& b = blocks_[i];
        Prepared<T>& p = blocks[i];
        const std::size_t E = static_cast<std::size_t>(b.inner);
        std::vector<T> xz(2 * E, to_scalar<T>(0.0));
        multiply_add(p.in_proj, stream, xz);
        std::vector<T> u = p.conv.step(std::vector<T>(xz.begin(), xz.begin() + static_cast<std::ptrdiff_t>(E)));
        for (std::size_t e = 0; e < E; ++e) u[e] = mamba_act<T>(u[e], paper);
        std::vector<T> dbc(3, to_scalar<T>(0.0));
        multiply_add(p.x_proj, u, dbc);
        std::vector<T> y(E);
        for (std::size_t e = 0; e < E; ++e) {
          const T pre_dt = p.dt_w[e] * dbc[0] + p.dt_b[e];
          const T dt = paper ? act_relu<T>(pre_dt) : act_softplus<T>(pre_dt);
          const T decay = to_scalar<T>(std::exp(from_scalar(dt) * from_scalar(p.A[e])));
          p.h[e] = decay * p.h[e] + dt * dbc[1] * u[e];
          y[e] = dbc[2] * p.h[e] + p.D[e] * u[e];
          y[e] = y[e] * mamba_act<T>(xz[E + e], paper);
        }
        add_to_stream(stream, affine(p.out_proj, std::vector<T>(static_cast<std::size_t>(Dm), to_scalar<T>(0.0)), y));
        if (trace) {
          record(*trace, state_series[i], p.h);
          record(*trace, out_series[i], layout_.slot_values(stream, b.slot_after, b.width_after));
        }
      }
    });
  }

  std::vector<MambaBlock> blocks_;
};

// ------------------------------------------------------------ lowering ----
//
// Each block is made of GatedChannels (stream_blocks.hpp) with x the value
// and z the gate. Their biases stay 0, as in_proj has none: a constant term
// is read from the stream's constant channel instead (stream_row).

// A row over the stream: `scale` times (pre row `row`), with its bias read
// from the stream's constant channel (in_proj has no bias).
SparseD stream_row(const Affine& pre, int row, double scale, int width) {
  SparseD r = single_row(pre, row, scale, width);
  const double b = row_bias(pre, row, scale);
  if (b != 0.0) r = SparseD(r + unit_row(StreamLayout::constant_channel(), b, width));
  return r;
}

SparseD constant_row(double value, int width) {
  return value == 0.0 ? empty_row(width) : unit_row(StreamLayout::constant_channel(), value, width);
}

// The pair of channels carrying a signed linear quantity q (given as a row
// over the stream) into stream channels with coefficient c each:
// silu(q) - silu(-q) = q, through a memoryless (or lambda) scan and a
// constant gate.
void add_pair(std::vector<GatedChannel>& channels, const SparseD& q, std::vector<std::pair<int, double>> out,
              double lambda, const std::vector<double>& kernel, const std::string& role, int width) {
  for (double sign : {1.0, -1.0}) {
    GatedChannel c;
    c.value_w = q * sign;
    c.gate_w = constant_row(kConstantGate, width);
    c.lambda = lambda;
    c.kernel = kernel;
    for (const auto& [row, coefficient] : out) c.out.emplace_back(row, sign * coefficient / kPairScale);
    c.role = role;
    channels.push_back(std::move(c));
  }
}

// Empties the slot the stage reads: -old through exact pass-through pairs.
void add_cancel(std::vector<GatedChannel>& channels, const StreamLayout& layout, int w_old, int in_slot) {
  for (int i = 0; i < w_old; ++i) {
    const int ch = layout.channel(in_slot, i);
    add_pair(channels, unit_row(ch, 1.0, layout.width), {{ch, -1.0}}, 0.0, {}, "pass", layout.width);
  }
}

MambaBlock block_from_channels(std::vector<GatedChannel> channels, int width, const Eigen::VectorXd& out_bias) {
  // The first channel: the constant. x = act(64) = 64, z = 64; B = C = x_const / 64 = 1.
  // It is first so that out_proj adds its output-bias terms before the
  // others, the program's order (a row's bias, then its terms).
  GatedChannel constant;
  constant.value_w = constant_row(kConstantGate, width);
  constant.gate_w = constant_row(kConstantGate, width);
  constant.role = "constant";
  // y_const * act(z_const) = 32 * 64 * 64: carries the output biases.
  for (Eigen::Index i = 0; i < out_bias.size(); ++i)
    if (out_bias[i] != 0.0) constant.out.emplace_back(static_cast<int>(i), out_bias[i] / (kPairScale * kConstantGate));
  channels.insert(channels.begin(), std::move(constant));
  MambaBlock b;
  const int E = static_cast<int>(channels.size());
  b.inner = E;
  b.in_proj = stack_value_and_gate_rows(channels, width);
  const Eigen::MatrixXd taps = conv_taps_by_lag(channels);
  b.conv_width = static_cast<int>(taps.cols());
  b.conv_w = taps.rowwise().reverse();  // column conv_width - 1 - k: lag k
  b.conv_b = Eigen::VectorXd::Zero(E);
  b.A_log = Eigen::VectorXd::Constant(E, kNoMemoryLogA);
  for (int e = 0; e < E; ++e) {
    const GatedChannel& c = channels[static_cast<std::size_t>(e)];
    if (c.lambda >= 1.0) b.A_log[e] = kUnitLogA;
    else if (c.lambda > 0.0) b.A_log[e] = std::log(-std::log(c.lambda) / kDelta);
  }
  // x_proj rows: dt (unused, weight 0), B and C read the constant channel.
  b.x_proj = sparse_from_triplets(3, E, {Eigen::Triplet<double>(1, 0, 1.0 / kConstantGate),
                                         Eigen::Triplet<double>(2, 0, 1.0 / kConstantGate)});
  b.dt_proj_w = Eigen::VectorXd::Zero(E);
  b.dt_bias = Eigen::VectorXd::Constant(E, kDelta);
  b.D = Eigen::VectorXd::Zero(E);
  b.out_proj = output_projection(channels, width);
  return b;
}

}  // namespace

std::unique_ptr<TargetModel> lower_to_mamba(const PathModel& path, const TargetOptions& options) {
  const LogicalModel lm = logical_model_from_path(path, options.keep_linear_chains());
  const bool paper = options.activations == Activations::Paper;
  const StreamLayout layout = StreamLayout::for_model(lm);
  const int D = layout.width;
  const int horizon = std::max(1, options.max_sequence_length);
  std::vector<MambaBlock> blocks;
  int w = lm.input_dim;
  int slot = 0;
  // What each slot held last (its residue after being emptied, see below).
  int last_width[2] = {lm.input_dim, 0};
  for (std::size_t k = 0; k < lm.stages.size(); ++k) {
    const LogicalStage& s = lm.stages[k];
    std::vector<GatedChannel> channels;
    Eigen::VectorXd out_bias = Eigen::VectorXd::Zero(D);
    const int out = 1 - slot;
    // Empty the input slot, and clear what the last emptying left in the
    // output slot: silu(v) - silu(-v) is v up to rounding, so an emptied slot
    // keeps about 1e-16 |v|; clearing it once more leaves 1e-32 |v|, where it
    // cannot disturb the value written next (1e10-sized values pass through
    // the lambda-based f_ifelse forms).
    add_cancel(channels, layout, w, slot);
    add_cancel(channels, layout, last_width[out], out);
    const int n = s.out_dim;
    bool needs_horizon = false;
    std::vector<std::string> notes;
    std::string role;
    switch (s.kind) {
      case LogicalStageKind::State: {
        const Affine pre = compose(s.B, s.bias, layout.logical(w, slot));
        const StateDecomposition dec = decompose_state(s, true, horizon);
        for (const DecayChannel& d : dec.decays) {
          const DecayChannelInput input = decay_channel_input(d, pre, D);
          SparseD q = input.row;
          if (input.constant != 0.0) q = SparseD(q + constant_row(input.constant, D));
          add_pair(channels, q, decay_channel_outputs(d, layout, out), d.lambda, {}, d.lambda > 0.0 ? "state (scan)" : "state",
                   D);
        }
        for (const ConvChannel& cv : dec.convs) {
          const SparseD q = cv.source >= 0 ? stream_row(pre, cv.source, 1.0, D) : constant_row(1.0, D);
          add_pair(channels, q, {{layout.channel(out, cv.row), 1.0}}, 0.0, cv.kernel, "state (conv)", D);
        }
        for (int i = 0; i < n; ++i) out_bias[layout.channel(out, i)] += dec.bias[i];
        needs_horizon = dec.needs_horizon;
        notes = dec.notes;
        role = "state";
        break;
      }
      case LogicalStageKind::ReLU: {
        const Affine pre = compose(s.M, s.c, layout.logical(w, slot));
        for (int i = 0; i < n; ++i) {
          const double beta = paper ? 1.0 : kReluStep;
          GatedChannel c;
          c.value_w = stream_row(pre, i, beta, D);
          c.gate_w = constant_row(kConstantGate, D);
          c.out.emplace_back(layout.channel(out, i), 1.0 / (beta * kPairScale));
          c.role = "relu";
          channels.push_back(std::move(c));
        }
        role = "relu";
        break;
      }
      case LogicalStageKind::Product: {
        const Affine pre = compose(s.M, s.c, layout.logical(w, slot));
        for (int i = 0; i < n; ++i) {
          for (double sa : {1.0, -1.0}) {
            for (double sb : {1.0, -1.0}) {
              GatedChannel c;
              c.value_w = stream_row(pre, n + i, sb, D);
              c.gate_w = stream_row(pre, i, sa, D);
              c.out.emplace_back(layout.channel(out, i), sa * sb / kDelta);
              c.role = "product";
              channels.push_back(std::move(c));
            }
          }
        }
        role = "product";
        break;
      }
    }
    MambaBlock b = block_from_channels(std::move(channels), D, out_bias);
    b.role = role;
    b.label = s.label;
    b.width_after = n;
    b.slot_after = out;
    b.needs_horizon = needs_horizon;
    b.notes = std::move(notes);
    blocks.push_back(std::move(b));
    last_width[out] = n;
    w = n;
    slot = out;
  }
  const Affine head = compose(lm.head_W, lm.head_b, layout.logical(w, slot));
  return std::make_unique<MambaModel>(options.activations, lm.input_dim, lm.output_dim, layout,
                                      layout.embedding(lm.input_dim), head, std::move(blocks), horizon, lm.budget);
}

}  // namespace lsrl
