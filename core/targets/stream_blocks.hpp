// What the residual-stream targets (hawk, griffin, mamba) share: the layout of
// the residual stream, the "gated channels" their blocks are made of, the
// causal convolution both run, and the model around the blocks (embedding,
// head, input checks, export).
//
// Stream layout (width D = 2 W + 1): channel 0 holds the constant 1 (the
// embedding's bias puts it there and no block writes to it); channels
// 1 .. W and W+1 .. 2W are two slots, one of which holds the current logical
// value of the program (the last stage's output) while the other is 0. The
// constant comes first so that a layer without a bias of its own (Mamba's
// in_proj) adds the constant term first and the other terms after it in
// column order, which is how the program sums a Linear (bias first,
// runtime/dag_eval); programs with 1000-fold steps and 1e10 selectors amplify
// a one-ulp difference in that order. A block that computes a stage reads the
// value from its slot and, through
// the residual connection, writes delta = -old into that slot and +new into
// the other one. So no channel ever holds old + (new - old): a value of 1e10
// (the f_ifelse forms' lambda) leaving a channel cannot round away the small
// value that replaces it. The old value reaches the block's output through
// pass-through channels that are exact (see below), so the emptied slot is
// exactly 0 again. Norm layers are not used (the paper's App. E omits them
// too): a norm rescales the stream by a data-dependent factor that no fixed
// weights can undo.
//
// A gated channel computes  value' * act(gate) * coefficient  into chosen
// stream channels, where value and gate are affine in the stream, act is the
// architecture's gate activation (GeLU for Hawk, SiLU for Mamba; ReLU in
// paper mode) and value' is the value itself (Hawk's x-branch is linear) or
// act(value) (Mamba's x-branch goes through SiLU). Every act used here has
// the form x * phi(x) with phi(x) + phi(-x) = 1 (GeLU with erf or tanh, SiLU,
// ReLU), hence the exact identity
//     act(x) - act(-x) = x,
// which gives exact pass-through, exact products and, with the constant gate
// act(64) = 64 (exact in double for all three), exact linear channels. Only
// ReLU itself is approximated in standard mode: act(beta a) / beta is within
// 0.17 / beta (GeLU) or 0.28 / beta (SiLU) of relu(a), with beta = 2^60 (an
// absolute step: scaled to the largest value a unit takes, it would blur the
// unit's small values).
#pragma once

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "targets/logical_model.hpp"
#include "targets/model_support.hpp"

namespace lsrl {

constexpr double kConstantGate = 64.0;  // relu(64), gelu_tanh(64) and silu(64) are all exactly 64.0 in double
constexpr double kReluStep = 0x1p60;    // absolute: relu(a) ~ act(beta a) / beta within 0.28 / beta = 2.4e-19

struct StreamLayout {
  int slot_width = 0;  // W
  int width = 0;       // D = 1 + 2 W
  // Slots as wide as the model's input and every stage's output.
  static StreamLayout for_model(const LogicalModel& model);
  int channel(int slot, int i) const { return 1 + slot * slot_width + i; }
  static constexpr int constant_channel() { return 0; }
  // Readout of the logical value of width w held in `slot`.
  Affine logical(int w, int slot) const;
  // The embedding: the token into slot 0, the constant 1 into its channel.
  Affine embedding(int input_dim) const;
  // The layout in words, for metadata; `mover` is what moves the value from slot to slot.
  std::string description(const std::string& mover) const;
  // The logical value of width w a stream holds in `slot`.
  template <typename T>
  std::vector<T> slot_values(const std::vector<T>& stream, int slot, int w) const {
    std::vector<T> out(static_cast<std::size_t>(w));
    for (int i = 0; i < w; ++i) out[static_cast<std::size_t>(i)] = stream[static_cast<std::size_t>(channel(slot, i))];
    return out;
  }
};

// The activation of a stream target's gated channels: ReLU in paper mode,
// else the architecture's own, `standard` (GeLU for Hawk, SiLU for Mamba).
template <typename T, T (*standard)(T)>
T gated_channel_act(T v, bool paper) {
  return paper ? act_relu<T>(v) : standard(v);
}

// The residual connection: stream += delta.
template <typename T>
void add_to_stream(std::vector<T>& stream, const std::vector<T>& delta) {
  for (std::size_t j = 0; j < stream.size(); ++j) stream[j] = stream[j] + delta[j];
}

// One channel of a gated block, as rows over the stream.
struct GatedChannel {
  SparseD value_w;  // 1 x D
  double value_b = 0;
  SparseD gate_w;  // 1 x D
  double gate_b = 0;
  std::vector<std::pair<int, double>> out;  // stream channel -> coefficient on value * act(gate)
  // Temporal extras (Hawk's recurrent block / Mamba's conv and scan).
  std::vector<double> kernel;  // conv taps by lag; empty: identity
  double lambda = 0;           // recurrence decay; 0: no memory
  std::string role;            // "pass", "relu", "product", "state", "conv", "const"
};

// Row `row` of pre scaled, as a 1 x width matrix, and its bias scaled.
SparseD single_row(const Affine& pre, int row, double scale, int width);
double row_bias(const Affine& pre, int row, double scale);
// A 1 x width row with a single entry.
SparseD unit_row(int column, double value, int width);
SparseD empty_row(int width);

// Assembles [channels x D] matrices from channel rows.
SparseD stack_value_rows(const std::vector<GatedChannel>& channels, int width);
SparseD stack_gate_rows(const std::vector<GatedChannel>& channels, int width);
// [2 channels x D]: the value rows, then the gate rows (Mamba's in_proj: x, then z).
SparseD stack_value_and_gate_rows(const std::vector<GatedChannel>& channels, int width);
Eigen::VectorXd value_biases(const std::vector<GatedChannel>& channels);
Eigen::VectorXd gate_biases(const std::vector<GatedChannel>& channels);
// [D x channels] output projection.
SparseD output_projection(const std::vector<GatedChannel>& channels, int width);

// The channels' convolution taps, channels x width, column k = lag k (a
// channel without a kernel passes its input: tap 1 at lag 0).
Eigen::MatrixXd conv_taps_by_lag(const std::vector<GatedChannel>& channels);

// A causal depthwise convolution (Hawk's conv_1d, Mamba's conv1d) as the
// executors run it in T: each channel applies its taps up to its last
// non-zero one to the latest inputs, zero before the first token.
template <typename T>
class CausalConvolution {
 public:
  CausalConvolution() = default;
  // taps: channels x width, column k = lag k.
  CausalConvolution(const Eigen::MatrixXd& taps, const Eigen::VectorXd& bias)
      : width_(static_cast<std::size_t>(taps.cols())),
        taps_(static_cast<std::size_t>(taps.rows())),
        bias_(to_scalars<T>(bias)) {
    for (Eigen::Index c = 0; c < taps.rows(); ++c) {
      Eigen::Index lags = 0;
      for (Eigen::Index k = 0; k < taps.cols(); ++k)
        if (taps(c, k) != 0.0) lags = k + 1;
      std::vector<T>& channel = taps_[static_cast<std::size_t>(c)];
      channel.resize(static_cast<std::size_t>(lags));
      for (Eigen::Index k = 0; k < lags; ++k) channel[static_cast<std::size_t>(k)] = to_scalar<T>(taps(c, k));
    }
  }

  // The output at the next token, whose input is `input`.
  std::vector<T> step(std::vector<T> input) {
    history_.push_front(std::move(input));
    if (history_.size() > width_) history_.pop_back();
    std::vector<T> out = bias_;
    for (std::size_t c = 0; c < out.size(); ++c) {
      const std::vector<T>& channel = taps_[c];
      const std::size_t lags = std::min(channel.size(), history_.size());
      for (std::size_t k = 0; k < lags; ++k) out[c] = out[c] + channel[k] * history_[k][c];
    }
    return out;
  }

 private:
  std::size_t width_ = 0;
  std::vector<std::vector<T>> taps_;  // per channel, by lag
  std::vector<T> bias_;
  std::deque<std::vector<T>> history_;  // the latest input first
};

// What a block of a residual-stream model leaves behind besides its
// weights: where the program's value is after it, and how it holds the
// states it computes.
struct StreamBlockOutcome {
  int width_after = 0;
  int slot_after = 0;
  bool needs_horizon = false;      // some state is a convolution over the whole sequence
  std::vector<std::string> notes;  // per state block: how it is held and why
};

// The model around the blocks of a residual-stream target: a linear
// embedding into the stream, the blocks, a linear head; and, when a block
// holds a state with a convolution over the whole sequence, the longest
// input it runs exactly.
class StreamModel : public NamedTargetModel {
 public:
  // The reference implementation's names: the tensors at either end and what
  // it calls its blocks ("embedder", "head", "blocks" in recurrentgemma;
  // "backbone.embedding", "lm_head", "layers" in mamba_ssm).
  struct ReferenceNames {
    std::string embedding;
    std::string head;
    std::string blocks;
  };

  std::vector<LayerSummary> layers() const override;
  long long parameter_count() const override;
  long long nonzero_count() const override;
  std::vector<NamedTensor> state_dict() const override;
  // What every stream model says about itself; each architecture adds its own.
  nlohmann::json metadata() const override;

 protected:
  StreamModel(std::string target, ReferenceNames names, Activations activations, int input_dim, int output_dim,
              StreamLayout layout, Affine embed, Affine head, int horizon, LayerBudget budget);

  virtual std::size_t block_count() const = 0;
  virtual const StreamBlockOutcome& block_outcome(std::size_t block) const = 0;
  // A block's summary row: its type, hidden_dim and detail (the stream fills in the rest).
  virtual LayerSummary block_summary(std::size_t block) const = 0;
  virtual long long block_parameters(std::size_t block) const = 0;
  virtual long long block_nonzeros(std::size_t block) const = 0;
  // The architecture's own description of a block (the stream adds its state notes).
  virtual nlohmann::json block_metadata(std::size_t block) const = 0;
  virtual void append_block_tensors(std::size_t block, std::vector<NamedTensor>& out) const = 0;

  // Throws LsrlError for tokens of the wrong width, or for more tokens than
  // a convolution over the whole sequence holds exactly.
  void check_input(const std::vector<std::vector<double>>& tokens) const;

  // Embeds each token (rounded to T) into a stream, lets
  // `blocks(position, stream)` add every block's output to it, and applies
  // the head.
  template <typename T, typename Blocks>
  OutputRows run_stream(const std::vector<std::vector<double>>& tokens, Blocks blocks) const {
    const CsrMatrix<T> embed_W = to_csr<T>(embed_.W);
    const std::vector<T> embed_b = to_scalars<T>(embed_.b);
    return run_tokens<T>(tokens, head_, [&](std::size_t position, const std::vector<T>& x) {
      std::vector<T> stream = affine(embed_W, embed_b, x);
      blocks(position, stream);
      return stream;
    });
  }

  Activations activations_;
  StreamLayout layout_;

 private:
  // Some block holds a state with a convolution over the whole sequence.
  bool needs_horizon() const;

  ReferenceNames names_;
  Affine embed_;
  Affine head_;
  int horizon_;
  LayerBudget budget_;
};

// A stream model made of `Block`s (each a StreamBlockOutcome), run in every
// precision by its own executor, Model::run_typed<T>(tokens, trace), once
// the tokens pass check_input.
template <typename Model, typename Block>
class StreamModelOf : public StreamModel {
 public:
  OutputRows run(const std::vector<std::vector<double>>& tokens, Precision precision, Trace* trace) const override {
    check_input(tokens);
    const Model& model = static_cast<const Model&>(*this);
    return run_in_precision(precision,
                            [&](auto scalar) { return model.template run_typed<decltype(scalar)>(tokens, trace); });
  }

 protected:
  StreamModelOf(std::string target, ReferenceNames names, Activations activations, int input_dim, int output_dim,
                StreamLayout layout, Affine embed, Affine head, std::vector<Block> blocks, int horizon,
                LayerBudget budget)
      : StreamModel(std::move(target), std::move(names), activations, input_dim, output_dim, layout, std::move(embed),
                    std::move(head), horizon, budget),
        blocks_(std::move(blocks)) {}

  std::size_t block_count() const override { return blocks_.size(); }
  const StreamBlockOutcome& block_outcome(std::size_t block) const override { return blocks_[block]; }

  std::vector<Block> blocks_;
};

}  // namespace lsrl
