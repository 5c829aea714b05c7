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
#include <deque>

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

struct MambaChannel {
  SparseD x_w;  // in_proj row (x part), over the stream
  SparseD z_w;  // in_proj row (z part)
  std::vector<double> kernel;  // conv taps by lag; empty: identity
  double lambda = 0;           // scan memory; 0: none
  std::vector<std::pair<int, double>> out;  // stream channel -> coefficient on y * silu(z)
  std::string role;
};

struct MambaBlock {
  int inner = 0;  // E
  int conv_width = 1;
  SparseD in_proj;          // 2E x D
  Eigen::MatrixXd conv_w;   // E x W, column W - 1 - k is lag k
  Eigen::VectorXd conv_b;   // E
  std::vector<int> taps;
  SparseD x_proj;           // 3 x E (dt, B, C)
  Eigen::VectorXd dt_proj_w;  // E x 1
  Eigen::VectorXd dt_bias;    // E
  Eigen::VectorXd A_log;      // E x 1
  Eigen::VectorXd D;          // E
  SparseD out_proj;           // D x E
  std::string role;
  std::string label;
  int width_after = 0;
  int slot_after = 0;
  bool needs_horizon = false;
  std::vector<std::string> notes;
};

template <typename T>
T mamba_act(T v, bool paper) {
  return paper ? act_relu<T>(v) : act_silu<T>(v);
}

class MambaModel final : public TargetModel {
 public:
  MambaModel(Activations activations, int input_dim, int output_dim, StreamLayout layout, Affine embed, Affine head,
             std::vector<MambaBlock> blocks, int horizon, LayerBudget budget)
      : activations_(activations), input_dim_(input_dim), output_dim_(output_dim), layout_(layout),
        embed_(std::move(embed)), head_(std::move(head)), blocks_(std::move(blocks)), horizon_(horizon),
        budget_(budget) {
    for (const auto& b : blocks_) needs_horizon_ = needs_horizon_ || b.needs_horizon;
  }

  std::string target() const override { return "mamba"; }
  int input_dim() const override { return input_dim_; }
  int output_dim() const override { return output_dim_; }

  std::vector<LayerSummary> layers() const override {
    std::vector<LayerSummary> out;
    for (const auto& b : blocks_) {
      LayerSummary s;
      s.type = "Mamba block (" + b.role + ")";
      s.input_dim = layout_.width;
      s.hidden_dim = b.inner;
      s.output_dim = layout_.width;
      s.params = block_params(b);
      s.nonzeros = block_nonzeros(b);
      s.detail = (b.label.empty() ? "" : "computes " + b.label + "; ") + "d_inner " + std::to_string(b.inner) +
                 ", d_conv " + std::to_string(b.conv_width) + ", d_state 1, dt_rank 1";
      out.push_back(std::move(s));
    }
    LayerSummary head;
    head.type = "Linear (lm_head)";
    head.input_dim = layout_.width;
    head.output_dim = output_dim_;
    head.params = static_cast<long long>(output_dim_) * (layout_.width + 1);
    head.nonzeros = count(head_.W) + count(head_.b);
    out.push_back(std::move(head));
    return out;
  }
  long long parameter_count() const override {
    long long n = static_cast<long long>(layout_.width) * (input_dim_ + 1) + static_cast<long long>(output_dim_) * (layout_.width + 1);
    for (const auto& b : blocks_) n += block_params(b);
    return n;
  }
  long long nonzero_count() const override {
    long long n = count(embed_.W) + count(embed_.b) + count(head_.W) + count(head_.b);
    for (const auto& b : blocks_) n += block_nonzeros(b);
    return n;
  }

  OutputRows run(const std::vector<std::vector<double>>& tokens, Precision precision, Trace* trace) const override {
    check_token_widths(tokens, input_dim_);
    if (needs_horizon_ && static_cast<int>(tokens.size()) > horizon_) {
      throw LsrlError(SourceSpan{}, "this mamba model holds some states with a convolution over the whole sequence, "
                                    "exact for at most " + std::to_string(horizon_) + " tokens, but the input has " +
                                    std::to_string(tokens.size()) + "; give a shorter input or compile with a larger "
                                    "maximum sequence length (lsrlc --max-length N; the page's max length)");
    }
    switch (precision) {
      case Precision::F64: return run_typed<double>(tokens, trace);
      case Precision::F32: return run_typed<float>(tokens, trace);
      case Precision::F16: return run_typed<F16>(tokens, trace);
    }
    return run_typed<double>(tokens, trace);
  }

  std::vector<NamedTensor> state_dict() const override {
    const int D = layout_.width;
    std::vector<NamedTensor> out;
    out.push_back({"backbone.embedding.weight", {D, input_dim_}, dense_row_major(embed_.W, D, input_dim_)});
    out.push_back({"backbone.embedding.bias", {D}, padded_vector(embed_.b, D)});
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      const MambaBlock& b = blocks_[i];
      const int E = b.inner;
      const std::string p = "backbone.layers." + std::to_string(i) + ".mixer.";
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
    out.push_back({"lm_head.weight", {output_dim_, D}, dense_row_major(head_.W, output_dim_, D)});
    out.push_back({"lm_head.bias", {output_dim_}, padded_vector(head_.b, output_dim_)});
    return out;
  }

  nlohmann::json metadata() const override {
    nlohmann::json m;
    m["format"] = "lsrl-playground";
    m["target"] = "mamba";
    m["architecture"] = "mamba";
    m["reference_implementation"] = "state-spaces/mamba (mamba_simple.Mamba, MambaLMHeadModel parameter names)";
    m["activations"] = activations_ == Activations::Paper ? "paper" : "standard";
    m["d_model"] = layout_.width;
    m["stream_layout"] = "channels 0.." + std::to_string(layout_.slot_width - 1) + " and " +
                         std::to_string(layout_.slot_width) + ".." + std::to_string(2 * layout_.slot_width - 1) +
                         ": two slots, the program's current value in one (each layer moves it to the other); channel " + std::to_string(layout_.constant_channel()) + ": the constant 1";
    m["input_size"] = input_dim_;
    m["output_size"] = output_dim_;
    m["num_layers"] = static_cast<int>(blocks_.size());
    m["path_layers"] = budget_.path_layers;
    m["layer_bound"] = layer_budget_json(budget_);
    m["d_state"] = 1;
    m["dt_rank"] = 1;
    m["norms"] = "omitted (RMSNorm would rescale the stream by a data-dependent factor)";
    m["embedding"] = "stream_0 = backbone.embedding.weight @ token + backbone.embedding.bias (its last channel is the constant 1)";
    m["head"] = "output = lm_head.weight @ stream + lm_head.bias";
    nlohmann::json blocks = nlohmann::json::array();
    for (const auto& b : blocks_) {
      nlohmann::json j;
      j["role"] = b.role;
      j["d_inner"] = b.inner;
      j["d_conv"] = b.conv_width;
      if (!b.notes.empty()) j["state_notes"] = b.notes;
      blocks.push_back(std::move(j));
    }
    m["layers"] = blocks;
    if (needs_horizon_) m["exact_up_to_tokens"] = horizon_;
    return m;
  }

 private:
  static long long count(const SparseD& m) {
    long long n = 0;
    for (int r = 0; r < m.outerSize(); ++r)
      for (SparseD::InnerIterator it(m, r); it; ++it) n += it.value() != 0.0;
    return n;
  }
  static long long count(const Eigen::VectorXd& v) { return (v.array() != 0.0).count(); }
  static long long count(const Eigen::MatrixXd& m) { return (m.array() != 0.0).count(); }
  long long block_params(const MambaBlock& b) const {
    const long long D = layout_.width, E = b.inner;
    return 2 * E * D + E * b.conv_width + E + 3 * E + E + E + E + E + D * E;
  }
  long long block_nonzeros(const MambaBlock& b) const {
    return count(b.in_proj) + count(b.conv_w) + count(b.conv_b) + count(b.x_proj) + count(b.dt_proj_w) +
           count(b.dt_bias) + count(b.A_log) + count(b.D) + count(b.out_proj);
  }

  template <typename T>
  struct Prepared {
    CsrMatrix<T> in_proj, x_proj, out_proj;
    std::vector<std::vector<T>> conv;  // per channel, taps by lag
    std::vector<T> conv_b, dt_w, dt_b, A, D;
    std::deque<std::vector<T>> history;
    std::vector<T> h;
  };

  template <typename T>
  OutputRows run_typed(const std::vector<std::vector<double>>& tokens, Trace* trace) const {
    const bool paper = activations_ == Activations::Paper;
    const int Dm = layout_.width;
    const CsrMatrix<T> embed_W = to_csr<T>(embed_.W);
    const std::vector<T> embed_b = to_scalars<T>(embed_.b);
    const CsrMatrix<T> head_W = to_csr<T>(head_.W);
    const std::vector<T> head_b = to_scalars<T>(head_.b);
    std::vector<Prepared<T>> blocks(blocks_.size());
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      const MambaBlock& b = blocks_[i];
      Prepared<T>& p = blocks[i];
      p.in_proj = to_csr<T>(b.in_proj);
      p.x_proj = to_csr<T>(b.x_proj);
      p.out_proj = to_csr<T>(b.out_proj);
      p.conv.resize(static_cast<std::size_t>(b.inner));
      for (int e = 0; e < b.inner; ++e) {
        auto& taps = p.conv[static_cast<std::size_t>(e)];
        taps.resize(static_cast<std::size_t>(b.taps[static_cast<std::size_t>(e)]));
        for (int k = 0; k < b.taps[static_cast<std::size_t>(e)]; ++k) taps[static_cast<std::size_t>(k)] = to_scalar<T>(b.conv_w(e, b.conv_width - 1 - k));
      }
      p.conv_b = to_scalars<T>(b.conv_b);
      p.dt_w = to_scalars<T>(b.dt_proj_w);
      p.dt_b = to_scalars<T>(b.dt_bias);
      p.A.resize(static_cast<std::size_t>(b.inner));
      for (int e = 0; e < b.inner; ++e) p.A[static_cast<std::size_t>(e)] = to_scalar<T>(-std::exp(b.A_log[e]));
      p.D = to_scalars<T>(b.D);
      p.h.assign(static_cast<std::size_t>(b.inner), to_scalar<T>(0.0));
    }
    std::vector<int> state_series, out_series;
    if (trace) {
      trace->steps = static_cast<int>(tokens.size());
      trace->series.clear();
      for (std::size_t i = 0; i < blocks_.size(); ++i) {
        const std::string prefix = "layer " + std::to_string(i) + " Mamba ";
        const int layer = static_cast<int>(i);
        state_series.push_back(static_cast<int>(trace->series.size()));
        trace->series.push_back(make_series(prefix + "scan h", "state", layer, blocks_[i].inner, trace->steps));
        out_series.push_back(static_cast<int>(trace->series.size()));
        const std::string label = blocks_[i].label.empty() ? prefix + "output" : prefix + "output (" + blocks_[i].label + ")";
        trace->series.push_back(make_series(label, "output", layer, blocks_[i].width_after, trace->steps));
      }
    }
    OutputRows outputs;
    for (const auto& token : tokens) {
      std::vector<T> x(token.size());
      for (std::size_t i = 0; i < x.size(); ++i) x[i] = to_scalar<T>(token[i]);
      std::vector<T> stream = affine(embed_W, embed_b, x);
      for (std::size_t i = 0; i < blocks_.size(); ++i) {
        const MambaBlock& b = blocks_[i];
        Prepared<T>& p = blocks[i];
        const std::size_t E = static_cast<std::size_t>(b.inner);
        std::vector<T> xz(2 * E, to_scalar<T>(0.0));
        multiply_add(p.in_proj, stream, xz);
        std::vector<T> xs(xz.begin(), xz.begin() + static_cast<std::ptrdiff_t>(E));
        p.history.push_front(xs);
        if (static_cast<int>(p.history.size()) > b.conv_width) p.history.pop_back();
        std::vector<T> u = p.conv_b;
        for (std::size_t e = 0; e < E; ++e) {
          const std::size_t lags = std::min(p.conv[e].size(), p.history.size());
          for (std::size_t k = 0; k < lags; ++k) u[e] = u[e] + p.conv[e][k] * p.history[k][e];
          u[e] = mamba_act<T>(u[e], paper);
        }
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
        const std::vector<T> delta = affine(p.out_proj, std::vector<T>(static_cast<std::size_t>(Dm), to_scalar<T>(0.0)), y);
        for (int j = 0; j < Dm; ++j) stream[static_cast<std::size_t>(j)] = stream[static_cast<std::size_t>(j)] + delta[static_cast<std::size_t>(j)];
        if (trace) {
          record(trace->series[static_cast<std::size_t>(state_series[i])], p.h);
          std::vector<T> logical(static_cast<std::size_t>(b.width_after));
          for (int j = 0; j < b.width_after; ++j) logical[static_cast<std::size_t>(j)] = stream[static_cast<std::size_t>(layout_.channel(b.slot_after, j))];
          record(trace->series[static_cast<std::size_t>(out_series[i])], logical);
        }
      }
      const std::vector<T> out = affine(head_W, head_b, stream);
      std::vector<double> row(out.size());
      for (std::size_t j = 0; j < out.size(); ++j) row[j] = from_scalar(out[j]);
      outputs.push_back(std::move(row));
    }
    return outputs;
  }

  Activations activations_;
  int input_dim_;
  int output_dim_;
  StreamLayout layout_;
  Affine embed_;
  Affine head_;
  std::vector<MambaBlock> blocks_;
  int horizon_;
  LayerBudget budget_;
  bool needs_horizon_ = false;
};

// ------------------------------------------------------------ lowering ----

// A row over the stream: `scale` times (pre row `row`), with its bias read
// from the stream's constant channel (in_proj has no bias).
SparseD stream_row(const Affine& pre, int row, double scale, int width) {
  SparseD r = single_row(pre, row, scale, width);
  const double b = row_bias(pre, row, scale);
  if (b != 0.0) r = SparseD(r + unit_row(width - 1, b, width));
  return r;
}

// The constant channel is the stream's last (StreamLayout::constant_channel).
SparseD constant_row(double value, int width) { return value == 0.0 ? empty_row(width) : unit_row(width - 1, value, width); }

// The pair of channels carrying a signed linear quantity q (given as a row
// over the stream) into stream channels with coefficient c each:
// silu(q) - silu(-q) = q, through a memoryless (or lambda) scan and a
// constant gate.
void add_pair(std::vector<MambaChannel>& channels, const SparseD& q, std::vector<std::pair<int, double>> out,
              double lambda, const std::vector<double>& kernel, const std::string& role, int width) {
  for (double sign : {1.0, -1.0}) {
    MambaChannel c;
    c.x_w = q * sign;
    c.z_w = constant_row(kConstantGate, width);
    c.lambda = lambda;
    for (double k : kernel) c.kernel.push_back(k);
    for (const auto& [row, coefficient] : out) c.out.emplace_back(row, sign * coefficient / kPairScale);
    c.role = role;
    channels.push_back(std::move(c));
  }
}

// Empties the slot the stage reads: -old through exact pass-through pairs.
void add_cancel(std::vector<MambaChannel>& channels, const StreamLayout& layout, int w_old, int in_slot) {
  for (int i = 0; i < w_old; ++i) {
    const int ch = layout.channel(in_slot, i);
    add_pair(channels, unit_row(ch, 1.0, layout.width), {{ch, -1.0}}, 0.0, {}, "pass", layout.width);
  }
}

MambaBlock block_from_channels(std::vector<MambaChannel> channels, int width, bool paper, const Eigen::VectorXd& out_bias) {
  // The last channel: the constant. x = act(64) = 64, z = 64; B = C = x_const / 64 = 1.
  // It is last so that its output-bias terms are summed after the others.
  MambaChannel constant;
  constant.x_w = constant_row(kConstantGate, width);
  constant.z_w = constant_row(kConstantGate, width);
  constant.role = "constant";
  // y_const * act(z_const) = 32 * 64 * 64: carries the output biases.
  for (Eigen::Index i = 0; i < out_bias.size(); ++i)
    if (out_bias[i] != 0.0) constant.out.emplace_back(static_cast<int>(i), out_bias[i] / (kPairScale * kConstantGate));
  channels.push_back(std::move(constant));
  MambaBlock b;
  const int E = static_cast<int>(channels.size());
  b.inner = E;
  std::vector<Eigen::Triplet<double>> in;
  for (int e = 0; e < E; ++e) {
    const MambaChannel& c = channels[static_cast<std::size_t>(e)];
    for (int r = 0; r < c.x_w.outerSize(); ++r)
      for (SparseD::InnerIterator it(c.x_w, r); it; ++it) in.emplace_back(e, static_cast<int>(it.col()), it.value());
    for (int r = 0; r < c.z_w.outerSize(); ++r)
      for (SparseD::InnerIterator it(c.z_w, r); it; ++it) in.emplace_back(E + e, static_cast<int>(it.col()), it.value());
  }
  b.in_proj = sparse_from_triplets(2 * E, width, in);
  int W = 1;
  for (const auto& c : channels) W = std::max<int>(W, static_cast<int>(c.kernel.size()));
  b.conv_width = W;
  b.conv_w = Eigen::MatrixXd::Zero(E, W);
  b.conv_b = Eigen::VectorXd::Zero(E);
  b.taps.resize(static_cast<std::size_t>(E));
  b.A_log = Eigen::VectorXd::Constant(E, kNoMemoryLogA);
  for (int e = 0; e < E; ++e) {
    const MambaChannel& c = channels[static_cast<std::size_t>(e)];
    if (c.kernel.empty()) {
      b.conv_w(e, W - 1) = 1.0;
      b.taps[static_cast<std::size_t>(e)] = 1;
    } else {
      int last = 0;
      for (std::size_t k = 0; k < c.kernel.size(); ++k) {
        b.conv_w(e, W - 1 - static_cast<int>(k)) = c.kernel[k];
        if (c.kernel[k] != 0.0) last = static_cast<int>(k) + 1;
      }
      b.taps[static_cast<std::size_t>(e)] = last;
    }
    if (c.lambda >= 1.0) b.A_log[e] = kUnitLogA;
    else if (c.lambda > 0.0) b.A_log[e] = std::log(-std::log(c.lambda) / kDelta);
  }
  // x_proj rows: dt (unused, weight 0), B and C read the constant channel.
  b.x_proj = sparse_from_triplets(3, E, {Eigen::Triplet<double>(1, E - 1, 1.0 / kConstantGate),
                                         Eigen::Triplet<double>(2, E - 1, 1.0 / kConstantGate)});
  b.dt_proj_w = Eigen::VectorXd::Zero(E);
  b.dt_bias = Eigen::VectorXd::Constant(E, kDelta);
  b.D = Eigen::VectorXd::Zero(E);
  std::vector<Eigen::Triplet<double>> out;
  for (int e = 0; e < E; ++e)
    for (const auto& [row, coefficient] : channels[static_cast<std::size_t>(e)].out) out.emplace_back(row, e, coefficient);
  b.out_proj = sparse_from_triplets(width, E, out);
  (void)paper;
  return b;
}

}  // namespace

std::unique_ptr<TargetModel> lower_to_mamba(const PathModel& path, const TargetOptions& options) {
  const LogicalModel lm = logical_model_from_path(path, options.keep_linear_chains());
  const bool paper = options.activations == Activations::Paper;
  const StageMagnitudes mags = paper ? StageMagnitudes{} : probe_magnitudes(lm, options);
  int widest = lm.input_dim;
  for (const auto& s : lm.stages) widest = std::max(widest, s.out_dim);
  const StreamLayout layout = StreamLayout::for_widest(widest);
  const int D = layout.width;
  const int horizon = std::max(1, options.max_sequence_length);
  Affine embed;
  {
    ReadoutBuilder e(D, lm.input_dim);
    for (int i = 0; i < lm.input_dim; ++i) e.add(layout.channel(0, i), i, 1.0);
    e.bias(layout.constant_channel(), 1.0);
    embed = e.finish();
  }
  std::vector<MambaBlock> blocks;
  int w = lm.input_dim;
  int slot = 0;
  // What each slot held last (its residue after being emptied, see below).
  int last_width[2] = {lm.input_dim, 0};
  for (std::size_t k = 0; k < lm.stages.size(); ++k) {
    const LogicalStage& s = lm.stages[k];
    std::vector<MambaChannel> channels;
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
          std::vector<Eigen::Triplet<double>> t;
          double bias = d.offset;
          for (int i = 0; i < n; ++i) {
            if (d.mix[i] == 0.0) continue;
            for (SparseD::InnerIterator it(pre.W, i); it; ++it) t.emplace_back(0, static_cast<int>(it.col()), d.mix[i] * it.value());
            bias += d.mix[i] * pre.b[i];
          }
          SparseD q = sparse_from_triplets(1, D, t);
          if (bias != 0.0) q = SparseD(q + constant_row(bias, D));
          std::vector<std::pair<int, double>> outs;
          for (int i = 0; i < n; ++i)
            if (d.out[i] != 0.0) outs.emplace_back(layout.channel(out, i), d.out[i]);
          add_pair(channels, q, outs, d.lambda, {}, d.lambda > 0.0 ? "state (scan)" : "state", D);
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
          MambaChannel c;
          c.x_w = stream_row(pre, i, beta, D);
          c.z_w = constant_row(kConstantGate, D);
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
              MambaChannel c;
              c.x_w = stream_row(pre, n + i, sb, D);
              c.z_w = stream_row(pre, i, sa, D);
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
    MambaBlock b = block_from_channels(std::move(channels), D, paper, out_bias);
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
  return std::make_unique<MambaModel>(options.activations, lm.input_dim, lm.output_dim, layout, std::move(embed), head,
                                      std::move(blocks), horizon, lm.budget);
}

}  // namespace lsrl
