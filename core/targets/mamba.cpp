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

constexpr double kDelta = 32.0;                        // dt = softplus(32) = 32 = relu(32)
constexpr double kNoMemoryLogA = 700.0;                // A = -exp(700): exp(32 A) = 0
constexpr double kUnitLogA = -1000.0;                  // A = -exp(-1000) = -0: exp(32 A) = 1
constexpr double kPairScale = kDelta * kConstantGate;  // y * silu(z) = 32 x * 64 on a plain channel

struct MambaBlock : StreamBlockOutcome {
  int inner = 0;  // E
  int conv_width = 1;
  SparseD in_proj;            // 2E x D
  Eigen::MatrixXd conv_w;     // E x W, column W - 1 - k is lag k
  Eigen::VectorXd conv_b;     // E
  SparseD x_proj;             // 3 x E (dt, B, C)
  Eigen::VectorXd dt_proj_w;  // E x 1
  Eigen::VectorXd dt_bias;    // E
  Eigen::VectorXd A_log;      // E x 1
  Eigen::VectorXd D;          // E
  SparseD out_proj;           // D x E
  std::string role;
  std::string label;
};

class MambaModel final : public StreamModelOf<MambaModel, MambaBlock> {
 public:
  MambaModel(Activations activations, int input_dim, int output_dim, StreamLayout layout, Affine embed, Affine head,
             std::vector<MambaBlock> blocks, int horizon, LayerBudget budget)
      : StreamModelOf("mamba", {"backbone.embedding", "lm_head", "layers"}, activations, input_dim, output_dim, layout,
                      std::move(embed), std::move(head), std::move(blocks), horizon, budget) {}

  nlohmann::json metadata() const override {
    nlohmann::json m = StreamModel::metadata();
    m["reference_implementation"] = "state-spaces/mamba (mamba_simple.Mamba, MambaLMHeadModel parameter names)";
    m["d_model"] = layout_.width;
    m["stream_layout"] = layout_.description("layer");
    m["d_state"] = 1;
    m["dt_rank"] = 1;
    m["embedding"] =
        "stream_0 = backbone.embedding.weight @ token + backbone.embedding.bias (its channel 0 is the constant 1)";
    return m;
  }

 protected:
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
  friend class StreamModelOf<MambaModel, MambaBlock>;

  template <typename T>
  struct Prepared {
    CsrMatrix<T> in_proj, x_proj, out_proj;
    CausalConvolution<T> conv;
    std::vector<T> dt_w, dt_b, A, D;
    std::vector<T> h;
  };

  template <typename T>
  static Prepared<T> prepare(const MambaBlock& b) {
    Prepared<T> p;
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
    return p;
  }

  template <typename T>
  OutputRows run_typed(const std::vector<std::vector<double>>& tokens, Trace* trace) const {
    const bool paper = activations_ == Activations::Paper;
    std::vector<Prepared<T>> blocks;
    for (const MambaBlock& b : blocks_) blocks.push_back(prepare<T>(b));
    std::vector<int> state_series, out_series;
    if (trace) {
      begin_layer_trace(*trace, static_cast<int>(tokens.size()), blocks_.size(), "layer",
                        [&](int i, const std::string& layer_prefix) {
                          const MambaBlock& b = blocks_[static_cast<std::size_t>(i)];
                          const std::string prefix = layer_prefix + "Mamba ";
                          state_series.push_back(add_series(*trace, prefix + "scan h", "state", i, b.inner));
                          out_series.push_back(add_output_series(*trace, prefix, b.label, i, b.width_after));
                        });
    }
    return run_stream<T>(tokens, [&](std::size_t, std::vector<T>& stream) {
      for (std::size_t i = 0; i < blocks_.size(); ++i) {
        const MambaBlock& b = blocks_[i];
        add_to_stream(stream, block_output(blocks[i], stream, paper));
        if (trace) {
          record(*trace, state_series[i], blocks[i].h);
          record(*trace, out_series[i], layout_.slot_values(stream, b.slot_after, b.width_after));
        }
      }
    });
  }

  // One token through a block (header): the scan's update, and the block's
  // output, which the residual connection adds to the stream.
  template <typename T>
  std::vector<T> block_output(Prepared<T>& p, const std::vector<T>& stream, bool paper) const {
    const std::size_t E = p.h.size();
    std::vector<T> xz(2 * E, to_scalar<T>(0.0));
    multiply_add(p.in_proj, stream, xz);
    std::vector<T> u = p.conv.step(std::vector<T>(xz.begin(), xz.begin() + static_cast<std::ptrdiff_t>(E)));
    for (std::size_t e = 0; e < E; ++e) u[e] = gated_channel_act<T, act_silu<T>>(u[e], paper);
    std::vector<T> dbc(3, to_scalar<T>(0.0));
    multiply_add(p.x_proj, u, dbc);
    std::vector<T> y(E);
    for (std::size_t e = 0; e < E; ++e) {
      const T pre_dt = p.dt_w[e] * dbc[0] + p.dt_b[e];
      const T dt = paper ? act_relu<T>(pre_dt) : act_softplus<T>(pre_dt);
      const T decay = to_scalar<T>(std::exp(from_scalar(dt) * from_scalar(p.A[e])));
      p.h[e] = decay * p.h[e] + dt * dbc[1] * u[e];
      y[e] = dbc[2] * p.h[e] + p.D[e] * u[e];
      y[e] = y[e] * gated_channel_act<T, act_silu<T>>(xz[E + e], paper);
    }
    return affine(p.out_proj, std::vector<T>(static_cast<std::size_t>(layout_.width), to_scalar<T>(0.0)), y);
  }
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
    if (c.lambda >= 1.0)
      b.A_log[e] = kUnitLogA;
    else if (c.lambda > 0.0)
      b.A_log[e] = std::log(-std::log(c.lambda) / kDelta);
  }
  // x_proj rows: dt (unused, weight 0), B and C read the constant channel.
  b.x_proj = sparse_from_triplets(
      3, E, {Eigen::Triplet<double>(1, 0, 1.0 / kConstantGate), Eigen::Triplet<double>(2, 0, 1.0 / kConstantGate)});
  b.dt_proj_w = Eigen::VectorXd::Zero(E);
  b.dt_bias = Eigen::VectorXd::Constant(E, kDelta);
  b.D = Eigen::VectorXd::Zero(E);
  b.out_proj = output_projection(channels, width);
  return b;
}

// Mamba's block for each stage (header): one block a stage, moving the
// program's value from one slot of the stream to the other.
class MambaLowering {
 public:
  MambaLowering(const LogicalModel& lm, const TargetOptions& options, const StreamLayout& layout)
      : paper_(options.activations == Activations::Paper),
        horizon_(std::max(1, options.max_sequence_length)),
        layout_(layout),
        width_(lm.input_dim),
        last_width_{lm.input_dim, 0} {}

  std::vector<MambaBlock> blocks;

  // How a stage reads the program's value: from the slot that holds it
  // (the model input, in slot 0, before the first block).
  Upstream current_value() const { return Upstream{layout_.logical(width_, slot_), layout_.width, -1}; }

  Upstream state(const StageInput& in) {
    const int D = layout_.width;
    const int out = 1 - slot_;
    std::vector<GatedChannel> channels = start_channels();
    Eigen::VectorXd out_bias = Eigen::VectorXd::Zero(D);
    const StateDecomposition dec = decompose_state(in.stage, true, horizon_);
    for (const DecayChannel& d : dec.decays) {
      const DecayChannelInput input = decay_channel_input(d, in.pre, D);
      SparseD q = input.row;
      if (input.constant != 0.0) q = SparseD(q + constant_row(input.constant, D));
      add_pair(channels, q, decay_channel_outputs(d, layout_, out), d.lambda, {},
               d.lambda > 0.0 ? "state (scan)" : "state", D);
    }
    for (const ConvChannel& cv : dec.convs) {
      const SparseD q = cv.source >= 0 ? stream_row(in.pre, cv.source, 1.0, D) : constant_row(1.0, D);
      add_pair(channels, q, {{layout_.channel(out, cv.row), 1.0}}, 0.0, cv.kernel, "state (conv)", D);
    }
    for (int i = 0; i < in.stage.out_dim; ++i) out_bias[layout_.channel(out, i)] += dec.bias[i];
    MambaBlock& b = append(in, std::move(channels), out_bias, "state");
    b.needs_horizon = dec.needs_horizon;
    b.notes = dec.notes;
    return current_value();
  }

  // relu(v) = act(beta v) / beta (exact in paper mode, where beta = 1).
  Upstream relu(const StageInput& in) {
    const int D = layout_.width;
    std::vector<GatedChannel> channels = start_channels();
    for (int i = 0; i < in.stage.out_dim; ++i) {
      const double beta = paper_ ? 1.0 : kReluStep;
      GatedChannel c;
      c.value_w = stream_row(in.pre, i, beta, D);
      c.gate_w = constant_row(kConstantGate, D);
      c.out.emplace_back(layout_.channel(1 - slot_, i), 1.0 / (beta * kPairScale));
      c.role = "relu";
      channels.push_back(std::move(c));
    }
    append(in, std::move(channels), Eigen::VectorXd::Zero(D), "relu");
    return current_value();
  }

  // a b = sum over s, t in {+1, -1} of s t act(t b) act(s a).
  Upstream product(const StageInput& in) {
    const int D = layout_.width;
    const int n = in.stage.out_dim;
    std::vector<GatedChannel> channels = start_channels();
    for (int i = 0; i < n; ++i) {
      for (double sa : {1.0, -1.0}) {
        for (double sb : {1.0, -1.0}) {
          GatedChannel c;
          c.value_w = stream_row(in.pre, n + i, sb, D);
          c.gate_w = stream_row(in.pre, i, sa, D);
          c.out.emplace_back(layout_.channel(1 - slot_, i), sa * sb / kDelta);
          c.role = "product";
          channels.push_back(std::move(c));
        }
      }
    }
    append(in, std::move(channels), Eigen::VectorXd::Zero(D), "product");
    return current_value();
  }

 private:
  // A block's first channels: they empty the input slot and clear what the
  // last emptying left in the output slot. silu(v) - silu(-v) is v up to
  // rounding, so an emptied slot keeps about 1e-16 |v|; clearing it once
  // more leaves 1e-32 |v|, where it cannot disturb the value written next
  // (1e10-sized values pass through the lambda-based f_ifelse forms).
  std::vector<GatedChannel> start_channels() const {
    std::vector<GatedChannel> channels;
    add_cancel(channels, layout_, width_, slot_);
    add_cancel(channels, layout_, last_width_[1 - slot_], 1 - slot_);
    return channels;
  }

  // The block computing the stage into the other slot, which then holds the program's value.
  MambaBlock& append(const StageInput& in, std::vector<GatedChannel> channels, const Eigen::VectorXd& out_bias,
                     const std::string& role) {
    const int n = in.stage.out_dim;
    const int out = 1 - slot_;
    MambaBlock b = block_from_channels(std::move(channels), layout_.width, out_bias);
    b.role = role;
    b.label = in.stage.label;
    b.width_after = n;
    b.slot_after = out;
    blocks.push_back(std::move(b));
    last_width_[out] = n;
    width_ = n;
    slot_ = out;
    return blocks.back();
  }

  bool paper_;
  int horizon_;
  StreamLayout layout_;
  int width_;  // of the program's value, in slot_
  int slot_ = 0;
  int last_width_[2];  // what each slot held last (its residue after being emptied)
};

}  // namespace

std::unique_ptr<TargetModel> lower_to_mamba(const PathModel& path, const TargetOptions& options) {
  const LogicalModel lm = logical_model_from_path(path, options.keep_linear_chains());
  const StreamLayout layout = StreamLayout::for_model(lm);
  MambaLowering lowering(lm, options, layout);
  const Affine head = lower_stages(lm, lowering, lowering.current_value());
  return std::make_unique<MambaModel>(options.activations, lm.input_dim, lm.output_dim, layout,
                                      layout.embedding(lm.input_dim), head, std::move(lowering.blocks),
                                      std::max(1, options.max_sequence_length), lm.budget);
}

}  // namespace lsrl
