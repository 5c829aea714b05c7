// Targets `hawk` and `griffin` (paper App. E; De et al. 2024): residual
// blocks, each a temporal block followed by a gated MLP block, on a residual
// stream (layout in targets/stream_blocks.hpp), with the equations and
// parameter names of the public reference implementation
// (google-deepmind/recurrentgemma, torch/modules.py and layers.py):
//   recurrent block  y = gelu(linear_y(x));  u = conv_1d(linear_x(x));
//                    h = rg_lru(u);  out = linear_out(h * y)
//   rg_lru           gate_x = sig(input_gate(u)), gate_a = sig(a_gate(u)),
//                    log a = -8 gate_a softplus(a_param),
//                    h_t = a h_{t-1} + sqrt(1 - a^2) (gate_x u_t)
//                    (at the first token a = 0 and the sqrt factor is 1)
//   mlp block        out = ffw_down(gelu(ffw_up[0](x)) * ffw_up[1](x))
//   residual block   x += temporal(x);  x += mlp(x)      (norms omitted)
// Griffin replaces every third temporal block (blocks 2, 5, 8, ...) by local
// multi-query attention; here its output projection is zero, so the residual
// connection carries the stream past it unchanged ("set to pass its input
// through").
//
// Stages (targets/logical_model.hpp) are placed greedily: a recurrent block
// takes the next stage of any kind, the MLP block after it takes the next
// stage if it is a ReLU or a product. So a gated layer with k ReLU layers
// needs at most k + 2 residual blocks, usually about half of that.
//
// Channels (value = linear_x / ffw_up[1] row, gate = linear_y / ffw_up[0] row):
// - pass-through of v (cancelling the old stream value, carrying states):
//   value v, gate the constant 64: gelu(64) = 64 exactly; the RG-LRU passes
//   with gate_x = 1, a = 0 (a_param = 1000, gate_a = 1).
// - relu(v): value 1, gate beta v; gelu(beta v) / beta (exact in paper mode).
// - product a b: (value b, gate a) + (value -b, gate -a)
//   = b (gelu(a) - gelu(-a)) = a b exactly.
// - state: targets/state_decomposition.hpp. Decay channels use the RG-LRU
//   with a = lambda (a_param = softplus^-1(-ln(lambda) / 8), gate_a = 1) and
//   the input divided by m = sqrt(1 - a^2) computed exactly as the executor
//   computes it; the first token, which the RG-LRU does not scale, gets
//   gate_x = m through a first-token indicator channel (conv taps [1, -1] on
//   the constant 1, which the convolution's zero padding turns into 1 at the
//   first token and 0 after). Convolution channels use conv_1d's taps.
// Paper mode replaces sigmoid and GeLU by ReLU (softplus stays: it only
// parametrises the constant a); all of the above is then exact.
#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>

#include "targets/architectures.hpp"
#include "targets/cell_stack.hpp"
#include "targets/state_decomposition.hpp"
#include "targets/stream_blocks.hpp"

namespace lsrl {

namespace {

constexpr double kSaturate = 60.0;     // sig(60) == 1.0
constexpr double kOpenParam = 1000.0;  // softplus(1000) = 1000: a = exp(-8000) = 0
constexpr int kAttentionWindow = 2048;

struct RecurrentWeights {
  int lru_width = 0;
  int conv_width = 1;
  SparseD linear_y;
  Eigen::VectorXd linear_y_b;
  SparseD linear_x;
  Eigen::VectorXd linear_x_b;
  Eigen::MatrixXd conv_w;  // conv_width x lru_width; row conv_width - 1 - k is lag k
  Eigen::VectorXd conv_b;
  Eigen::VectorXd a_param;
  SparseD input_gate;  // out x in (applied as input_gate * u)
  Eigen::VectorXd input_gate_b;
  SparseD a_gate;
  Eigen::VectorXd a_gate_b;
  SparseD linear_out;
  Eigen::VectorXd linear_out_b;
};

struct MlpWeights {
  int expanded = 0;
  SparseD gate;  // ffw_up[0]
  Eigen::VectorXd gate_b;
  SparseD value;  // ffw_up[1]
  Eigen::VectorXd value_b;
  SparseD down;
  Eigen::VectorXd down_b;
};

struct AttentionWeights {
  int window = kAttentionWindow;
  SparseD q, k, v, final_w;
  Eigen::VectorXd final_b;
};

struct ResidualBlock : StreamBlockOutcome {
  bool attention = false;
  RecurrentWeights rec;
  AttentionWeights att;
  MlpWeights mlp;
  std::string temporal_role = "pass";
  std::string mlp_role = "pass";
  std::string temporal_label;
  std::string mlp_label;
};

class HawkModel final : public StreamModelOf<HawkModel, ResidualBlock> {
 public:
  HawkModel(std::string target, Activations activations, int input_dim, int output_dim, StreamLayout layout,
            Affine embed, Affine head, std::vector<ResidualBlock> blocks, int horizon, LayerBudget budget)
      : StreamModelOf(std::move(target), {"embedder", "head", "blocks"}, activations, input_dim, output_dim, layout,
                      std::move(embed), std::move(head), std::move(blocks), horizon, budget) {}

  nlohmann::json metadata() const override {
    nlohmann::json m = StreamModel::metadata();
    m["reference_implementation"] =
        "google-deepmind/recurrentgemma (torch): parameter names of ResidualBlock, "
        "RecurrentBlock, RGLRU, Conv1D, MLPBlock, LocalAttentionBlock";
    m["width"] = layout_.width;
    m["stream_layout"] = layout_.description("stage");
    m["embedder"] = "stream_0 = embedder.weight @ token + embedder.bias (its channel 0 is the constant 1)";
    m["gelu"] = "tanh approximation (recurrentgemma's gelu)";
    m["rg_lru_heads"] = 1;
    return m;
  }

 protected:
  nlohmann::json block_metadata(std::size_t block) const override {
    const ResidualBlock& b = blocks_[block];
    nlohmann::json j;
    j["temporal"] = b.attention ? "local_attention" : "recurrent";
    j["temporal_role"] = b.temporal_role;
    j["mlp_role"] = b.mlp_role;
    j["mlp_expanded_width"] = b.mlp.expanded;
    if (b.attention) {
      j["attention_window"] = b.att.window;
      j["attention_heads"] = 1;
    } else {
      j["lru_width"] = b.rec.lru_width;
      j["conv1d_temporal_width"] = b.rec.conv_width;
    }
    return j;
  }

  LayerSummary block_summary(std::size_t block) const override {
    const ResidualBlock& b = blocks_[block];
    LayerSummary s;
    s.type = std::string(b.attention ? "residual block (local attention" : "residual block (RG-LRU") + " + gated MLP)";
    s.hidden_dim = b.attention ? layout_.width : b.rec.lru_width;
    s.detail = "temporal: " + b.temporal_role + (b.temporal_label.empty() ? "" : " (" + b.temporal_label + ")");
    if (!b.attention) s.detail += ", conv width " + std::to_string(b.rec.conv_width);
    s.detail += "; mlp: " + b.mlp_role + (b.mlp_label.empty() ? "" : " (" + b.mlp_label + ")") + ", width " +
                std::to_string(b.mlp.expanded);
    return s;
  }

  long long block_parameters(std::size_t block) const override {
    const ResidualBlock& b = blocks_[block];
    const long long D = layout_.width;
    long long n = 0;
    if (b.attention) {
      n += 4 * D * D + D;
    } else {
      const long long L = b.rec.lru_width;
      n += 2 * (L * D + L) + b.rec.conv_width * L + L + L + 2 * (L * L + L) + D * L + D;
    }
    const long long M = b.mlp.expanded;
    n += 2 * (D * M + M) + D * M + D;
    return n;
  }

  long long block_nonzeros(std::size_t block) const override {
    const ResidualBlock& b = blocks_[block];
    long long n = 0;
    if (b.attention) {
      n += count_nonzeros(b.att.q) + count_nonzeros(b.att.k) + count_nonzeros(b.att.v) + count_nonzeros(b.att.final_w) +
           count_nonzeros(b.att.final_b);
    } else {
      const RecurrentWeights& r = b.rec;
      n += count_nonzeros(r.linear_y) + count_nonzeros(r.linear_y_b) + count_nonzeros(r.linear_x) +
           count_nonzeros(r.linear_x_b) + count_nonzeros(r.conv_w) + count_nonzeros(r.conv_b) +
           count_nonzeros(r.a_param) + count_nonzeros(r.input_gate) + count_nonzeros(r.input_gate_b) +
           count_nonzeros(r.a_gate) + count_nonzeros(r.a_gate_b) + count_nonzeros(r.linear_out) +
           count_nonzeros(r.linear_out_b);
    }
    n += count_nonzeros(b.mlp.gate) + count_nonzeros(b.mlp.gate_b) + count_nonzeros(b.mlp.value) +
         count_nonzeros(b.mlp.value_b) + count_nonzeros(b.mlp.down) + count_nonzeros(b.mlp.down_b);
    return n;
  }

  void append_block_tensors(std::size_t block, std::vector<NamedTensor>& out) const override {
    const ResidualBlock& b = blocks_[block];
    const int D = layout_.width;
    const std::string p = "blocks." + std::to_string(block) + ".";
    if (b.attention) {
      const std::string a = p + "attention_block.";
      out.push_back({a + "proj_q.weight", {D, D}, dense_row_major(b.att.q, D, D)});
      out.push_back({a + "proj_k.weight", {D, D}, dense_row_major(b.att.k, D, D)});
      out.push_back({a + "proj_v.weight", {D, D}, dense_row_major(b.att.v, D, D)});
      append_linear_tensors(out, a + "proj_final", b.att.final_w, b.att.final_b, D, D);
    } else {
      const RecurrentWeights& r = b.rec;
      const int L = r.lru_width;
      const std::string q = p + "recurrent_block.";
      append_linear_tensors(out, q + "linear_y", r.linear_y, r.linear_y_b, L, D);
      append_linear_tensors(out, q + "linear_x", r.linear_x, r.linear_x_b, L, D);
      NamedTensor conv{q + "conv_1d.w", {r.conv_width, L}, {}};
      for (int k = 0; k < r.conv_width; ++k)
        for (int j = 0; j < L; ++j) conv.data.push_back(r.conv_w(k, j));
      out.push_back(std::move(conv));
      out.push_back({q + "conv_1d.b", {L}, padded_vector(r.conv_b, L)});
      out.push_back({q + "rg_lru.a_param", {L}, padded_vector(r.a_param, L)});
      // BlockDiagonalLinear with one block: y_j = sum_i x_i w[0][i][j] + b[0][j].
      out.push_back({q + "rg_lru.input_gate.w", {1, L, L}, dense_row_major(SparseD(r.input_gate.transpose()), L, L)});
      out.push_back({q + "rg_lru.input_gate.b", {1, L}, padded_vector(r.input_gate_b, L)});
      out.push_back({q + "rg_lru.a_gate.w", {1, L, L}, dense_row_major(SparseD(r.a_gate.transpose()), L, L)});
      out.push_back({q + "rg_lru.a_gate.b", {1, L}, padded_vector(r.a_gate_b, L)});
      append_linear_tensors(out, q + "linear_out", r.linear_out, r.linear_out_b, D, L);
    }
    const MlpWeights& m = b.mlp;
    const int M = m.expanded;
    NamedTensor up{p + "mlp_block.ffw_up.w", {2, D, M}, {}};
    // Einsum "...td,cdD->c...tD": w[c][d][e] maps input d to output e.
    for (const SparseD* w : {&m.gate, &m.value}) {
      const std::vector<double> t = dense_row_major(SparseD(w->transpose()), D, M);
      up.data.insert(up.data.end(), t.begin(), t.end());
    }
    out.push_back(std::move(up));
    NamedTensor upb{p + "mlp_block.ffw_up.b", {2, 1, 1, M}, padded_vector(m.gate_b, M)};
    const std::vector<double> vb = padded_vector(m.value_b, M);
    upb.data.insert(upb.data.end(), vb.begin(), vb.end());
    out.push_back(std::move(upb));
    append_linear_tensors(out, p + "mlp_block.ffw_down", m.down, m.down_b, D, M);
  }

 private:
  friend class StreamModelOf<HawkModel, ResidualBlock>;

  template <typename T>
  struct PreparedRecurrent {
    CsrMatrix<T> ly, lx, ig, ag, lo;
    std::vector<T> lyb, lxb, igb, agb, lob, a_param_softplus;
    CausalConvolution<T> conv;
    std::vector<T> h;
  };
  template <typename T>
  struct PreparedMlp {
    CsrMatrix<T> g, v, d;
    std::vector<T> gb, vb, db;
  };
  template <typename T>
  struct PreparedAttention {
    CsrMatrix<T> q, k, v, f;
    std::vector<T> fb;
    std::deque<std::vector<T>> keys, values;
  };

  // RoPE on the first half of a vector (recurrentgemma's _apply_rope).
  template <typename T>
  static void apply_rope(std::vector<T>& x, int position) {
    const std::size_t rope = x.size() / 2;
    const std::size_t half = rope / 2;
    for (std::size_t i = 0; i < half; ++i) {
      const double timescale = std::pow(10000.0, 2.0 * static_cast<double>(i) / static_cast<double>(rope));
      const double angle = position / timescale;
      const double a = from_scalar(x[i]);
      const double b = from_scalar(x[half + i]);
      x[i] = to_scalar<T>(a * std::cos(angle) - b * std::sin(angle));
      x[half + i] = to_scalar<T>(b * std::cos(angle) + a * std::sin(angle));
    }
  }

  template <typename T>
  struct PreparedBlock {
    PreparedRecurrent<T> rec;
    PreparedAttention<T> att;
    PreparedMlp<T> mlp;
  };

  // The series a block records: its temporal block's (the RG-LRU's state,
  // or the attention's output) and the block's output.
  struct BlockSeries {
    std::vector<int> temporal;
    std::vector<int> output;
  };

  template <typename T>
  OutputRows run_typed(const std::vector<std::vector<double>>& tokens, Trace* trace) const {
    const bool paper = activations_ == Activations::Paper;
    std::vector<PreparedBlock<T>> blocks(blocks_.size());
    for (std::size_t i = 0; i < blocks_.size(); ++i) prepare_block(blocks_[i], blocks[i]);
    BlockSeries series;
    if (trace) series = begin_block_trace(*trace, static_cast<int>(tokens.size()));
    return run_stream<T>(tokens, [&](std::size_t position, std::vector<T>& stream) {
      for (std::size_t i = 0; i < blocks_.size(); ++i) {
        const ResidualBlock& b = blocks_[i];
        PreparedBlock<T>& p = blocks[i];
        if (b.attention) {
          const std::vector<T> delta = attention_output(p.att, b.att.window, stream, position);
          if (trace) record(*trace, series.temporal[i], delta);
          add_to_stream(stream, delta);
        } else {
          const std::vector<T> delta = recurrent_output(p.rec, stream, position, paper);
          if (trace) record(*trace, series.temporal[i], p.rec.h);
          add_to_stream(stream, delta);
        }
        add_to_stream(stream, mlp_output(p.mlp, stream, paper));
        if (trace) record(*trace, series.output[i], layout_.slot_values(stream, b.slot_after, b.width_after));
      }
    });
  }

  // A block's weights rounded to T, and its temporal block's initial state.
  template <typename T>
  static void prepare_block(const ResidualBlock& b, PreparedBlock<T>& p) {
    if (b.attention) {
      p.att.q = to_csr<T>(b.att.q);
      p.att.k = to_csr<T>(b.att.k);
      p.att.v = to_csr<T>(b.att.v);
      p.att.f = to_csr<T>(b.att.final_w);
      p.att.fb = to_scalars<T>(b.att.final_b);
    } else {
      const RecurrentWeights& r = b.rec;
      p.rec.ly = to_csr<T>(r.linear_y);
      p.rec.lx = to_csr<T>(r.linear_x);
      p.rec.ig = to_csr<T>(r.input_gate);
      p.rec.ag = to_csr<T>(r.a_gate);
      p.rec.lo = to_csr<T>(r.linear_out);
      p.rec.lyb = to_scalars<T>(r.linear_y_b);
      p.rec.lxb = to_scalars<T>(r.linear_x_b);
      p.rec.igb = to_scalars<T>(r.input_gate_b);
      p.rec.agb = to_scalars<T>(r.a_gate_b);
      p.rec.lob = to_scalars<T>(r.linear_out_b);
      p.rec.a_param_softplus.resize(static_cast<std::size_t>(r.lru_width));
      for (int j = 0; j < r.lru_width; ++j)
        p.rec.a_param_softplus[static_cast<std::size_t>(j)] = act_softplus<T>(to_scalar<T>(r.a_param[j]));
      p.rec.conv = CausalConvolution<T>(r.conv_w.transpose().rowwise().reverse(),
                                        r.conv_b);  // row k of conv_w: lag width - 1 - k
      p.rec.h.assign(static_cast<std::size_t>(r.lru_width), to_scalar<T>(0.0));
    }
    p.mlp.g = to_csr<T>(b.mlp.gate);
    p.mlp.v = to_csr<T>(b.mlp.value);
    p.mlp.d = to_csr<T>(b.mlp.down);
    p.mlp.gb = to_scalars<T>(b.mlp.gate_b);
    p.mlp.vb = to_scalars<T>(b.mlp.value_b);
    p.mlp.db = to_scalars<T>(b.mlp.down_b);
  }

  BlockSeries begin_block_trace(Trace& trace, int steps) const {
    BlockSeries series;
    begin_layer_trace(trace, steps, blocks_.size(), "block", [&](int i, const std::string& prefix) {
      const ResidualBlock& b = blocks_[static_cast<std::size_t>(i)];
      series.temporal.push_back(b.attention
                                    ? add_series(trace, prefix + "attention output", "gate:attention", i, layout_.width)
                                    : add_series(trace, prefix + "RG-LRU h", "state", i, b.rec.lru_width));
      const std::string label = b.mlp_label.empty() ? b.temporal_label : b.mlp_label;
      series.output.push_back(add_output_series(trace, prefix, label, i, b.width_after));
    });
    return series;
  }

  // The local attention block's output at `position` (its window of keys
  // and values moves on by one token).
  template <typename T>
  std::vector<T> attention_output(PreparedAttention<T>& a, int window, const std::vector<T>& stream,
                                  std::size_t position) const {
    // The output projection stores no weight (the construction's
    // pass-through attention): multiply_add reads stored entries only, so
    // the block's output is its bias whatever the softmax gives, NaN
    // included. Skipping the window's O(window x width) work per token keeps
    // every output bit for bit.
    if (a.f.value.empty()) return a.fb;
    const int D = layout_.width;
    const T zero = to_scalar<T>(0.0);
    std::vector<T> q(static_cast<std::size_t>(D), zero), k(static_cast<std::size_t>(D), zero),
        v(static_cast<std::size_t>(D), zero);
    multiply_add(a.q, stream, q);
    multiply_add(a.k, stream, k);
    multiply_add(a.v, stream, v);
    apply_rope(q, static_cast<int>(position));
    apply_rope(k, static_cast<int>(position));
    a.keys.push_back(k);
    a.values.push_back(v);
    while (static_cast<int>(a.keys.size()) > window + 1) {
      a.keys.pop_front();
      a.values.pop_front();
    }
    return affine(a.f, a.fb, attend(q, a, D));
  }

  // Softmax attention of query q over the window's keys, in double.
  template <typename T>
  static std::vector<T> attend(const std::vector<T>& q, const PreparedAttention<T>& a, int D) {
    std::vector<double> logits;
    double top = -INFINITY;
    for (const auto& key : a.keys) {
      double dot = 0;
      for (int j = 0; j < D; ++j)
        dot += from_scalar(q[static_cast<std::size_t>(j)]) * from_scalar(key[static_cast<std::size_t>(j)]);
      logits.push_back(dot / std::sqrt(static_cast<double>(D)));
      top = std::max(top, logits.back());
    }
    double total = 0;
    for (double& l : logits) total += (l = std::exp(l - top));
    std::vector<T> encoded(static_cast<std::size_t>(D), to_scalar<T>(0.0));
    for (std::size_t s = 0; s < logits.size(); ++s)
      for (int j = 0; j < D; ++j)
        encoded[static_cast<std::size_t>(j)] =
            encoded[static_cast<std::size_t>(j)] +
            to_scalar<T>(logits[s] / total) * a.values[s][static_cast<std::size_t>(j)];
    return encoded;
  }

  // The recurrent block's output at `position` (header): the RG-LRU's state
  // moves on by one token.
  template <typename T>
  static std::vector<T> recurrent_output(PreparedRecurrent<T>& r, const std::vector<T>& stream, std::size_t position,
                                         bool paper) {
    const T zero = to_scalar<T>(0.0);
    const T one = to_scalar<T>(1.0);
    const std::size_t L = r.h.size();
    std::vector<T> y = affine(r.ly, r.lyb, stream);
    for (T& v : y) v = gated_channel_act<T, act_gelu<T>>(v, paper);
    const std::vector<T> u = r.conv.step(affine(r.lx, r.lxb, stream));
    std::vector<T> gx = affine(r.ig, r.igb, u);
    std::vector<T> ga = affine(r.ag, r.agb, u);
    for (std::size_t j = 0; j < L; ++j) {
      const T gate_x = paper ? act_relu<T>(gx[j]) : act_sigmoid<T>(gx[j]);
      const T gate_a = paper ? act_relu<T>(ga[j]) : act_sigmoid<T>(ga[j]);
      const double log_a = -8.0 * from_scalar(gate_a) * from_scalar(r.a_param_softplus[j]);
      T a = to_scalar<T>(std::exp(log_a));
      T multiplier = to_scalar<T>(std::sqrt(1.0 - std::exp(2.0 * log_a)));
      if (position == 0) {
        a = zero;
        multiplier = one;
      }
      r.h[j] = a * r.h[j] + multiplier * (u[j] * gate_x);
    }
    std::vector<T> o(L);
    for (std::size_t j = 0; j < L; ++j) o[j] = r.h[j] * y[j];
    return affine(r.lo, r.lob, o);
  }

  // The gated MLP block's output: ffw_down(act(ffw_up[0] x) * ffw_up[1] x).
  template <typename T>
  static std::vector<T> mlp_output(const PreparedMlp<T>& m, const std::vector<T>& stream, bool paper) {
    std::vector<T> g = affine(m.g, m.gb, stream);
    const std::vector<T> v = affine(m.v, m.vb, stream);
    for (std::size_t j = 0; j < g.size(); ++j) g[j] = gated_channel_act<T, act_gelu<T>>(g[j], paper) * v[j];
    return affine(m.d, m.db, g);
  }
};

// ------------------------------------------------------------ lowering ----

// value * act(gate) with a constant gate: a linear channel.
GatedChannel linear_channel(SparseD value_w, double value_b, std::vector<std::pair<int, double>> out, int width,
                            const std::string& role) {
  GatedChannel c;
  c.value_w = std::move(value_w);
  c.value_b = value_b;
  c.gate_w = empty_row(width);
  c.gate_b = kConstantGate;
  for (auto& [row, coefficient] : out) c.out.emplace_back(row, coefficient / kConstantGate);
  c.role = role;
  return c;
}

// Channels computing a non-state stage's output into stream channels 1..n
// (plus cancelling the old value), for either sub-block.
void add_stage_channels(std::vector<GatedChannel>& channels, const LogicalStage& s, const Affine& pre,
                        const StreamLayout& layout, int out_slot, bool paper) {
  const int D = layout.width;
  const int n = s.out_dim;
  if (s.kind == LogicalStageKind::ReLU) {
    for (int i = 0; i < n; ++i) {
      const double beta = paper ? 1.0 : kReluStep;
      GatedChannel c;
      c.value_w = empty_row(D);
      c.value_b = 1.0;
      c.gate_w = single_row(pre, i, beta, D);
      c.gate_b = row_bias(pre, i, beta);
      c.out.emplace_back(layout.channel(out_slot, i), 1.0 / beta);
      c.role = "relu";
      channels.push_back(std::move(c));
    }
  } else {  // Product
    for (int i = 0; i < n; ++i) {
      for (double sign : {1.0, -1.0}) {
        GatedChannel c;
        c.value_w = single_row(pre, n + i, sign, D);
        c.value_b = row_bias(pre, n + i, sign);
        c.gate_w = single_row(pre, i, sign, D);
        c.gate_b = row_bias(pre, i, sign);
        c.out.emplace_back(layout.channel(out_slot, i), 1.0);
        c.role = "product";
        channels.push_back(std::move(c));
      }
    }
  }
}

// Empties the slot the stage reads: -old through exact pass-through channels.
void add_cancel(std::vector<GatedChannel>& channels, const StreamLayout& layout, int w_old, int in_slot) {
  for (int i = 0; i < w_old; ++i) {
    const int ch = layout.channel(in_slot, i);
    channels.push_back(linear_channel(unit_row(ch, 1.0, layout.width), 0.0, {{ch, -1.0}}, layout.width, "pass"));
  }
}

MlpWeights mlp_from_channels(const std::vector<GatedChannel>& channels, int width) {
  MlpWeights m;
  m.expanded = static_cast<int>(channels.size());
  m.gate = stack_gate_rows(channels, width);
  m.gate_b = gate_biases(channels);
  m.value = stack_value_rows(channels, width);
  m.value_b = value_biases(channels);
  m.down = output_projection(channels, width);
  m.down_b = Eigen::VectorXd::Zero(width);
  return m;
}

// The executor's own a and sqrt(1 - a^2) for a decay channel.
struct LruDecay {
  double a_param;
  double a;
  double multiplier;
};
LruDecay lru_decay(double lambda) {
  // softplus(a_param) = -ln(lambda) / 8 (gate_a = 1).
  const double target = -std::log(lambda) / 8.0;
  const double a_param = target > 20.0 ? target : std::log(std::expm1(target));
  const double log_a = -8.0 * 1.0 * softplus_double(a_param);
  return LruDecay{a_param, std::exp(log_a), std::sqrt(1.0 - std::exp(2.0 * log_a))};
}

double logit(double p) { return std::log(p / (1.0 - p)); }

RecurrentWeights recurrent_from_channels(const std::vector<GatedChannel>& channels, int width, bool paper,
                                         Eigen::VectorXd out_bias) {
  RecurrentWeights r;
  // Channel 0 is the first-token indicator when a decay channel needs it.
  bool needs_indicator = false;
  for (const auto& c : channels) needs_indicator = needs_indicator || c.lambda > 0.0;
  std::vector<GatedChannel> all;
  if (needs_indicator) {
    GatedChannel ind;
    ind.value_w = empty_row(width);
    ind.value_b = 1.0;
    ind.gate_w = empty_row(width);
    ind.gate_b = 0.0;  // act(0) = 0: contributes nothing to the output
    ind.kernel = {1.0, -1.0};
    ind.role = "first-token indicator";
    all.push_back(std::move(ind));
  }
  all.insert(all.end(), channels.begin(), channels.end());
  const int L = static_cast<int>(all.size());
  r.lru_width = L;
  r.linear_y = stack_gate_rows(all, width);
  r.linear_y_b = gate_biases(all);
  r.linear_x = stack_value_rows(all, width);
  r.linear_x_b = value_biases(all);
  r.linear_out = output_projection(all, width);
  r.linear_out_b = std::move(out_bias);
  const Eigen::MatrixXd taps = conv_taps_by_lag(all);
  r.conv_width = static_cast<int>(taps.cols());
  r.conv_w = taps.rowwise().reverse().transpose();  // row conv_width - 1 - k: lag k
  r.conv_b = Eigen::VectorXd::Zero(L);
  r.a_param = Eigen::VectorXd::Constant(L, kOpenParam);
  r.input_gate_b = Eigen::VectorXd::Constant(L, paper ? 1.0 : kSaturate);
  r.a_gate_b = Eigen::VectorXd::Constant(L, paper ? 1.0 : kSaturate);
  std::vector<Eigen::Triplet<double>> ig;
  for (int j = 0; j < L; ++j) {
    const GatedChannel& c = all[static_cast<std::size_t>(j)];
    if (c.lambda > 0.0) {
      const LruDecay d = lru_decay(c.lambda);
      r.a_param[j] = d.a_param;
      // gate_x = m at the first token (indicator = 1), 1 afterwards.
      if (paper) {
        ig.emplace_back(j, 0, d.multiplier - 1.0);
      } else {
        ig.emplace_back(j, 0, logit(d.multiplier) - kSaturate);
      }
    }
  }
  r.input_gate = sparse_from_triplets(L, L, ig);
  r.a_gate = SparseD(L, L);
  return r;
}

// The channels of a state stage held by a recurrent block.
std::vector<GatedChannel> state_channels(const LogicalStage& s, const Affine& pre, const StateDecomposition& dec,
                                         const StreamLayout& layout, int out_slot) {
  const int width = layout.width;
  std::vector<GatedChannel> out;
  for (const DecayChannel& d : dec.decays) {
    const DecayChannelInput input = decay_channel_input(d, pre, width);
    double scale = 1.0;
    if (d.lambda > 0.0) scale = 1.0 / lru_decay(d.lambda).multiplier;
    GatedChannel c =
        linear_channel(input.row * scale, input.constant * scale, decay_channel_outputs(d, layout, out_slot), width,
                       d.lambda > 0.0 ? "state (RG-LRU decay)" : "state");
    c.lambda = d.lambda;
    out.push_back(std::move(c));
  }
  for (const ConvChannel& cv : dec.convs) {
    SparseD row = cv.source >= 0 ? single_row(pre, cv.source, 1.0, width) : empty_row(width);
    const double bias = cv.source >= 0 ? pre.b[cv.source] : 1.0;
    GatedChannel c = linear_channel(row, bias, {{layout.channel(out_slot, cv.row), 1.0}}, width, "state (conv)");
    c.kernel = cv.kernel;
    out.push_back(std::move(c));
  }
  return out;
}

// Hawk's and Griffin's blocks (header): stages are placed greedily, a
// recurrent block taking the next stage of any kind and the MLP block after
// it the next stage if that is a ReLU or a product. The block being filled
// stays open until its MLP has a stage or the next stage cannot go there.
class HawkLowering {
 public:
  HawkLowering(const LogicalModel& lm, const TargetOptions& options, const StreamLayout& layout, bool griffin)
      : paper_(options.activations == Activations::Paper),
        griffin_(griffin),
        horizon_(std::max(1, options.max_sequence_length)),
        layout_(layout),
        width_(lm.input_dim) {}

  // How a stage reads the program's value: from the slot that holds it
  // (the model input, in slot 0, before the first block).
  Upstream current_value() const { return Upstream{layout_.logical(width_, slot_), layout_.width, -1}; }

  Upstream state(const StageInput& in) { return place(in); }
  Upstream relu(const StageInput& in) { return place(in); }
  Upstream product(const StageInput& in) { return place(in); }

  // Every block, the last one closed.
  std::vector<ResidualBlock> finish() {
    close_block();
    return std::move(blocks_);
  }

 private:
  Upstream place(const StageInput& in) {
    const bool fits_mlp = in.stage.kind != LogicalStageKind::State;
    if (open_ && fits_mlp) return place_in_mlp(in);
    close_block();
    for (;;) {
      open_.emplace();
      // Griffin: every third temporal block is a local attention block.
      if (!(griffin_ && blocks_.size() % 3 == 2)) return place_in_recurrent(in);
      ResidualBlock& b = *open_;
      b.attention = true;
      b.att.window = std::min(kAttentionWindow, horizon_);
      b.att.q = b.att.k = b.att.v = b.att.final_w = SparseD(layout_.width, layout_.width);
      b.att.final_b = Eigen::VectorXd::Zero(layout_.width);
      b.temporal_role = "local attention (output projection zero: the residual passes the stream)";
      if (fits_mlp) return place_in_mlp(in);
      close_block();
    }
  }

  // The open block's recurrent block computes the stage.
  Upstream place_in_recurrent(const StageInput& in) {
    const LogicalStage& s = in.stage;
    const int D = layout_.width;
    ResidualBlock& b = *open_;
    std::vector<GatedChannel> channels;
    Eigen::VectorXd out_bias = Eigen::VectorXd::Zero(D);
    add_cancel(channels, layout_, width_, slot_);
    if (s.kind == LogicalStageKind::State) {
      const StateDecomposition dec = decompose_state(s, false, horizon_);
      std::vector<GatedChannel> st = state_channels(s, in.pre, dec, layout_, 1 - slot_);
      channels.insert(channels.end(), st.begin(), st.end());
      for (int i = 0; i < s.out_dim; ++i) out_bias[layout_.channel(1 - slot_, i)] += dec.bias[i];
      b.needs_horizon = dec.needs_horizon;
      b.notes = dec.notes;
      b.temporal_role = "state";
    } else {
      add_stage_channels(channels, s, in.pre, layout_, 1 - slot_, paper_);
      b.temporal_role = s.kind == LogicalStageKind::ReLU ? "relu" : "product";
    }
    b.temporal_label = s.label;
    b.rec = recurrent_from_channels(channels, D, paper_, out_bias);
    return move_value(s.out_dim);
  }

  // The open block's MLP computes the stage (a ReLU or a product); the block is then full.
  Upstream place_in_mlp(const StageInput& in) {
    const LogicalStage& s = in.stage;
    add_cancel(mlp_channels_, layout_, width_, slot_);
    add_stage_channels(mlp_channels_, s, in.pre, layout_, 1 - slot_, paper_);
    open_->mlp_role = s.kind == LogicalStageKind::ReLU ? "relu" : "product";
    open_->mlp_label = s.label;
    const Upstream next = move_value(s.out_dim);
    close_block();
    return next;
  }

  // The stage's value, `width` wide, is now in the other slot.
  Upstream move_value(int width) {
    width_ = width;
    slot_ = 1 - slot_;
    return current_value();
  }

  void close_block() {
    if (!open_) return;
    ResidualBlock& b = *open_;
    b.mlp = mlp_from_channels(mlp_channels_, layout_.width);
    b.width_after = width_;
    b.slot_after = slot_;
    blocks_.push_back(std::move(b));
    open_.reset();
    mlp_channels_.clear();
  }

  bool paper_;
  bool griffin_;
  int horizon_;
  StreamLayout layout_;
  int width_;  // of the program's value, in slot_
  int slot_ = 0;
  std::vector<ResidualBlock> blocks_;
  std::optional<ResidualBlock> open_;
  std::vector<GatedChannel> mlp_channels_;  // the open block's MLP channels
};

std::unique_ptr<TargetModel> lower_stream(const PathModel& path, const TargetOptions& options, bool griffin) {
  const LogicalModel lm = logical_model_from_path(path, options.keep_linear_chains());
  const StreamLayout layout = StreamLayout::for_model(lm);
  HawkLowering lowering(lm, options, layout, griffin);
  const Affine head = lower_stages(lm, lowering, lowering.current_value());
  return std::make_unique<HawkModel>(griffin ? "griffin" : "hawk", options.activations, lm.input_dim, lm.output_dim,
                                     layout, layout.embedding(lm.input_dim), head, lowering.finish(),
                                     std::max(1, options.max_sequence_length), lm.budget);
}

}  // namespace

std::unique_ptr<TargetModel> lower_to_hawk(const PathModel& path, const TargetOptions& options) {
  return lower_stream(path, options, false);
}

std::unique_ptr<TargetModel> lower_to_griffin(const PathModel& path, const TargetOptions& options) {
  return lower_stream(path, options, true);
}

}  // namespace lsrl
