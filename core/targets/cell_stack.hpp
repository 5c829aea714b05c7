// What the rnn, gru and lstm targets have in common: a stack of PyTorch-style
// recurrent layers (nn.RNN / nn.GRU / nn.LSTM), each made of gate blocks
//   pre_g = W_ih[g] x_t + b_ih[g] + (W_hh[g] h_{t-1} + b_hh[g])
// followed by a linear output head. The layer equations themselves (how the
// gates combine) live in each architecture's own file (rnn.cpp, gru.cpp,
// lstm.cpp) beside the lowering that chooses the weights.
//
// Layers have their own widths here; PyTorch's stacked modules need one
// hidden size for every layer, so export pads every layer to the widest with
// units whose weights and initial states are zero (such a unit stays exactly
// 0 under all three layer equations: relu(0) = 0, and tanh(0) = 0 times any
// gate). The executor runs the unpadded layers; the padding changes nothing.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "targets/logical_model.hpp"
#include "targets/model_support.hpp"
#include "targets/target_model.hpp"

namespace lsrl {

struct GateBlock {
  SparseD W_ih;  // units x inputs
  SparseD W_hh;  // units x units
  Eigen::VectorXd b_ih;
  Eigen::VectorXd b_hh;
};

struct CellLayer {
  int units = 0;
  int inputs = 0;
  std::vector<GateBlock> gates;  // PyTorch order: RNN {h}, GRU {r, z, n}, LSTM {i, f, g, o}
  Eigen::VectorXd h0;
  Eigen::VectorXd c0;  // LSTM only
  Affine readout;      // logical value of the stage this layer computes = readout.W h + readout.b
  std::string role;    // "state", "relu", "product", ...
  std::string label;   // the program variables of the stage
  // Paper-mode GRU products: the layer is exact only while every ReLU in it
  // acts as the identity, i.e. while the values stay within the bounds its
  // offsets were built for; the executor checks this at every step.
  bool relus_must_be_identity = false;
};

// Builds a sparse matrix from (row, col, value) triplets (duplicates summed).
SparseD sparse_from_triplets(int rows, int cols, const std::vector<Eigen::Triplet<double>>& triplets);

// Assembles one gate block unit by unit (all weights start at zero).
class GateBuilder {
 public:
  GateBuilder(int units, int inputs);
  // W_ih[unit] = scale * pre.W[row], b_ih[unit] = scale * pre.b[row] + shift.
  void input_row(int unit, const Affine& pre, int row, double scale, double shift = 0.0);
  // W_ih[unit] = scale * pre.W[row] only (the caller places pre.b).
  void input_weights(int unit, const Affine& pre, int row, double scale);
  // W_ih[unit] = scale * (pre.W[row_a] + sign * pre.W[row_b]) etc. (two rows combined).
  void input_rows(int unit, const Affine& pre, int row_a, double scale_a, int row_b, double scale_b, double shift);
  void input_bias(int unit, double value) { b_ih_[unit] += value; }
  void recurrent(int unit, int from_unit, double value);
  void recurrent_bias(int unit, double value) { b_hh_[unit] += value; }
  GateBlock finish() const;

 private:
  int units_;
  int inputs_;
  std::vector<Eigen::Triplet<double>> ih_;
  std::vector<Eigen::Triplet<double>> hh_;
  Eigen::VectorXd b_ih_;
  Eigen::VectorXd b_hh_;
};

// Assembles a layer's readout: logical output k = sum of coefficient * h[unit] + bias.
class ReadoutBuilder {
 public:
  ReadoutBuilder(int outputs, int units) : outputs_(outputs), units_(units), b_(Eigen::VectorXd::Zero(outputs)) {}
  void add(int output, int unit, double coefficient) { t_.emplace_back(output, unit, coefficient); }
  void bias(int output, double value) { b_[output] += value; }
  Affine finish() const { return Affine{sparse_from_triplets(outputs_, units_, t_), b_}; }

 private:
  int outputs_;
  int units_;
  std::vector<Eigen::Triplet<double>> t_;
  Eigen::VectorXd b_;
};

// The weights of a stack rounded to the run's scalar T, and each layer's
// running state.
template <typename T>
struct CellPreparedGate {
  CsrMatrix<T> W_ih;
  CsrMatrix<T> W_hh;
  std::vector<T> b_ih;
  std::vector<T> b_hh;
};

template <typename T>
struct CellPreparedLayer {
  std::vector<CellPreparedGate<T>> gates;
  std::vector<T> h;
  std::vector<T> c;
  CsrMatrix<T> readout_W;
  std::vector<T> readout_b;
  std::size_t index = 0;  // in the stack
  std::size_t step = 0;   // tokens this layer has taken so far
  bool relus_must_be_identity = false;
};

template <typename T>
std::vector<CellPreparedLayer<T>> prepare_layers(const std::vector<CellLayer>& layers) {
  std::vector<CellPreparedLayer<T>> out;
  out.reserve(layers.size());
  for (const CellLayer& l : layers) {
    CellPreparedLayer<T> p;
    for (const GateBlock& g : l.gates) {
      p.gates.push_back(
          CellPreparedGate<T>{to_csr<T>(g.W_ih), to_csr<T>(g.W_hh), to_scalars<T>(g.b_ih), to_scalars<T>(g.b_hh)});
    }
    p.h = to_scalars<T>(l.h0);
    p.c = l.c0.size() ? to_scalars<T>(l.c0) : std::vector<T>(static_cast<std::size_t>(l.units), to_scalar<T>(0.0));
    p.readout_W = to_csr<T>(l.readout.W);
    p.readout_b = to_scalars<T>(l.readout.b);
    p.index = out.size();
    p.relus_must_be_identity = l.relus_must_be_identity;
    out.push_back(std::move(p));
  }
  return out;
}

// pre = W_ih x + b_ih, rec = W_hh h + b_hh for one gate.
template <typename T>
void gate_parts(const CellPreparedGate<T>& g, const std::vector<T>& x, const std::vector<T>& h, std::vector<T>& pre,
                std::vector<T>& rec) {
  pre = g.b_ih;
  multiply_add(g.W_ih, x, pre);
  rec = g.b_hh;
  multiply_add(g.W_hh, h, rec);
}

// Each gate's values at the current step, in gate_names() order (traces).
template <typename T>
using GateValues = std::vector<std::vector<T>>;

// The gate functions of GRU and LSTM layers: sigmoid and tanh, both replaced
// by ReLU in paper mode.
template <typename T>
struct CellActivations {
  bool paper;
  T sigmoid(T v) const { return paper ? act_relu<T>(v) : act_sigmoid<T>(v); }
  T tanh(T v) const { return paper ? act_relu<T>(v) : act_tanh<T>(v); }
};

// CellActivations with the mode fixed at compile time, for the chunked
// executors' inner loops: no branch per unit, so the loops vectorise.
template <typename T, bool kPaper>
struct FixedCellActivations {
  static T sigmoid(T v) {
    if constexpr (kPaper)
      return act_relu<T>(v);
    else
      return act_sigmoid<T>(v);
  }
  static T tanh(T v) {
    if constexpr (kPaper)
      return act_relu<T>(v);
    else
      return act_tanh<T>(v);
  }
};

// Trace series for a stack: per layer the hidden state ("state"), the cell
// ("cell", LSTM), each gate ("gate:NAME") and the layer's logical output
// ("output": the value of the program stage it computes, via its readout).
struct StackTraceLayout {
  std::vector<int> state;
  std::vector<int> cell;
  std::vector<std::vector<int>> gates;
  std::vector<int> output;
};

StackTraceLayout make_stack_trace(Trace& trace, const std::vector<CellLayer>& layers,
                                  const std::vector<std::string>& gate_names, bool with_cell, int steps,
                                  const std::string& layer_type);

class CellStackModel : public NamedTargetModel {
 public:
  CellStackModel(std::string target, std::string architecture, Activations activations, int input_dim, int output_dim,
                 std::vector<CellLayer> layers, Affine head, LayerBudget budget);

  std::vector<LayerSummary> layers() const override;
  long long parameter_count() const override;
  long long nonzero_count() const override;
  std::vector<NamedTensor> state_dict() const override;
  nlohmann::json metadata() const override;

  const std::vector<CellLayer>& cell_layers() const { return layers_; }
  const Affine& head() const { return head_; }
  Activations activations() const { return activations_; }
  int hidden_size() const;  // the padded width PyTorch sees

 protected:
  // Names of the gate blocks in PyTorch's order, for traces ("gate:r"...).
  virtual std::vector<std::string> gate_names() const = 0;
  virtual std::string layer_type() const = 0;  // "RNN", "GRU", "LSTM": PyTorch's module name
  // The module the generated loader builds: PyTorch's own in standard mode;
  // in paper mode its equations with ReLU in place of sigmoid and tanh.
  virtual std::string torch_module() const;
  // Layer `layer`, built for values within static bounds
  // (CellLayer::relus_must_be_identity), left them at token step + 1: the
  // error that says so.
  [[noreturn]] virtual void refuse_out_of_bounds(std::size_t layer, std::size_t step) const;

  // The executor loop every stack shares: rounds the weights to T and, for
  // every token, runs `layer_step(layer, x, gates)` on each layer in turn,
  // then the head. `layer_step` is the architecture's layer equation: it
  // updates layer.h (and layer.c) from the layer's input x and leaves each
  // gate's values in gates[g], in gate_names() order, for the trace.
  template <typename T, typename LayerStep>
  OutputRows run_stack(const std::vector<std::vector<double>>& tokens, Trace* trace, LayerStep layer_step) const {
    std::vector<CellPreparedLayer<T>> layers = prepare_layers<T>(layers_);
    const std::vector<std::string> names = gate_names();
    StackTraceLayout layout;
    if (trace)
      layout =
          make_stack_trace(*trace, layers_, names, has_cell_state(), static_cast<int>(tokens.size()), layer_type());
    GateValues<T> gates(names.size());
    return run_tokens<T>(tokens, head_, [&](std::size_t, std::vector<T> x) {
      for (std::size_t k = 0; k < layers.size(); ++k) {
        CellPreparedLayer<T>& layer = layers[k];
        layer_step(layer, x, gates);
        ++layer.step;
        if (trace) {
          record(*trace, layout.state[k], layer.h);
          if (has_cell_state()) record(*trace, layout.cell[k], layer.c);
          for (std::size_t g = 0; g < gates.size(); ++g) record(*trace, layout.gates[k][g], gates[g]);
          record(*trace, layout.output[k], affine(layer.readout_W, layer.readout_b, layer.h));
        }
        x = layer.h;
      }
      return x;
    });
  }

  // The executor without a trace, for runs that want only the outputs: the
  // tokens go through the stack kChunkSteps at a time, layer by layer. Each
  // layer first projects the whole chunk's inputs (W_ih x_t + b_ih for every
  // t: project_columns, vectorised over the steps), then walks the steps in
  // order for what depends on its own past (W_hh h_{t-1} + b_hh, or b_hh
  // alone when W_hh is empty, as it is in most layers) and the gate
  // equation. Every value is computed by the same operations in the same
  // order as run_stack computes it, so the outputs are identical; what
  // changes is that a layer's weights stay in cache for a whole chunk and
  // nothing is allocated per token. `combine(layer, pre, rec)` is the
  // architecture's equation for one step: pre[g] and rec[g] are gate g's
  // input and recurrent parts (units wide); it updates layer.h (and
  // layer.c) and returns false when the step leaves the bounds the layer
  // was built for. Then nullopt: the caller reruns with run_stack, which
  // stops at the first such step with its message.
  static constexpr std::size_t kChunkSteps = 64;

  template <typename T, typename Combine>
  std::optional<OutputRows> run_stack_chunked(const std::vector<std::vector<double>>& tokens, Combine combine) const {
    std::vector<CellPreparedLayer<T>> layers = prepare_layers<T>(layers_);
    const CsrMatrix<T> head_W = to_csr<T>(head_.W);
    const std::vector<T> head_b = to_scalars<T>(head_.b);
    constexpr std::size_t C = kChunkSteps;
    ChunkBuffers<T> buffers(layers, static_cast<std::size_t>(std::max(input_dim_, output_dim_)));
    std::vector<T> head_out(C * static_cast<std::size_t>(output_dim_), to_scalar<T>(0.0));
    const std::size_t width_in = static_cast<std::size_t>(input_dim_);
    const std::size_t width_out = static_cast<std::size_t>(output_dim_);

    OutputRows outputs;
    outputs.reserve(tokens.size());
    for (std::size_t first = 0; first < tokens.size(); first += C) {
      const std::size_t steps = std::min(C, tokens.size() - first);
      for (std::size_t t = 0; t < steps; ++t)
        for (std::size_t i = 0; i < width_in; ++i) buffers.in[i * C + t] = to_scalar<T>(tokens[first + t][i]);
      for (CellPreparedLayer<T>& layer : layers) {
        if (!layer_through_chunk(layer, buffers, steps, combine)) return std::nullopt;
        std::swap(buffers.in, buffers.out);
      }
      project_columns(head_W, head_b, buffers.in.data(), C, steps, head_out.data(), width_out, buffers.acc.data());
      append_output_rows(outputs, head_out, steps, width_out);
    }
    return outputs;
  }

  // The working memory of run_stack_chunked, sized for the widest layer
  // (and at least `widest`) and the layer with the most gates.
  template <typename T>
  struct ChunkBuffers {
    ChunkBuffers(const std::vector<CellPreparedLayer<T>>& layers, std::size_t widest) {
      std::size_t most_gates = 1;
      for (const CellPreparedLayer<T>& l : layers) {
        widest = std::max(widest, l.h.size());
        most_gates = std::max(most_gates, l.gates.size());
      }
      const T zero = to_scalar<T>(0.0);
      in.assign(widest * kChunkSteps, zero);
      out.assign(widest * kChunkSteps, zero);
      pre.assign(kChunkSteps * most_gates * widest, zero);
      rec.assign(most_gates, std::vector<T>(widest, zero));
      acc.assign(kChunkSteps, zero);
      pre_at.assign(most_gates, nullptr);
      rec_at.assign(most_gates, nullptr);
    }
    std::vector<T> in;   // this layer's inputs, feature-major: in[i * C + t]
    std::vector<T> out;  // its outputs, the same way
    std::vector<T> pre;  // time-major: pre[(t * G + g) * units + u]
    std::vector<std::vector<T>> rec;
    std::vector<T> acc;
    std::vector<const T*> pre_at;  // gate g's input part at the current step
    std::vector<const T*> rec_at;  // and its recurrent part
  };

  // One layer over the chunk's `steps` steps, from buffers.in into
  // buffers.out; false when a step leaves the layer's bounds.
  template <typename T, typename Combine>
  static bool layer_through_chunk(CellPreparedLayer<T>& layer, ChunkBuffers<T>& buffers, std::size_t steps,
                                  Combine& combine) {
    constexpr std::size_t C = kChunkSteps;
    const std::size_t gates = layer.gates.size();
    const std::size_t units = layer.h.size();
    const std::size_t step_stride = gates * units;
    for (std::size_t g = 0; g < gates; ++g) {
      // A gate without input weights (most of the paper's constant
      // gates) reads its bias at every step: nothing to project.
      if (layer.gates[g].W_ih.col.empty()) continue;
      project_columns(layer.gates[g].W_ih, layer.gates[g].b_ih, buffers.in.data(), C, steps,
                      buffers.pre.data() + g * units, step_stride, buffers.acc.data());
    }
    for (std::size_t t = 0; t < steps; ++t) {
      for (std::size_t g = 0; g < gates; ++g) {
        const CellPreparedGate<T>& gate = layer.gates[g];
        buffers.pre_at[g] = gate.W_ih.col.empty() ? gate.b_ih.data() : buffers.pre.data() + t * step_stride + g * units;
        if (gate.W_hh.col.empty()) {
          buffers.rec_at[g] = gate.b_hh.data();
        } else {
          std::copy(gate.b_hh.begin(), gate.b_hh.end(), buffers.rec[g].begin());
          multiply_add_into(gate.W_hh, layer.h.data(), buffers.rec[g].data());
          buffers.rec_at[g] = buffers.rec[g].data();
        }
      }
      if (!combine(layer, buffers.pre_at.data(), buffers.rec_at.data())) return false;
      ++layer.step;
      for (std::size_t u = 0; u < units; ++u) buffers.out[u * C + t] = layer.h[u];
    }
    return true;
  }

  std::string architecture_;
  Activations activations_;
  std::vector<CellLayer> layers_;
  Affine head_;
  LayerBudget budget_;

 private:
  // An LSTM's layers carry a cell state besides the hidden one (c0, traces).
  bool has_cell_state() const { return architecture_ == "lstm"; }
};

// A stack whose layers follow the equations of `Cell`, run in every
// precision: the chunked executor when there is no trace, else (or when a
// chunked step leaves its bounds) the per-token one, which records the
// trace and refuses at the first step out of bounds. The architecture's
// file (rnn.cpp, gru.cpp, lstm.cpp) says what Cell's equations are:
//   Cell::gate_names(), Cell::layer_type()       as in CellStackModel;
//   Cell::combine<T, Act>(layer, pre, rec)       one step of a layer for
//       run_stack_chunked, Act a FixedCellActivations;
//   Cell::step(layer, x, gates, act, pre, rec)   one step of a layer for
//       run_stack, from its input x, each gate's values left in gates (pre
//       and rec are scratch vectors for gate_parts);
// both return false when the step leaves the bounds the layer was built for.
template <typename Cell>
class CellStackOf : public CellStackModel {
 public:
  using CellStackModel::CellStackModel;

  OutputRows run(const std::vector<std::vector<double>>& tokens, Precision precision, Trace* trace) const override {
    check_token_widths(tokens, input_dim_);
    return run_in_precision(precision, [&](auto scalar) { return run_typed<decltype(scalar)>(tokens, trace); });
  }

 protected:
  std::vector<std::string> gate_names() const override { return Cell::gate_names(); }
  std::string layer_type() const override { return Cell::layer_type(); }

 private:
  template <typename T>
  OutputRows run_typed(const std::vector<std::vector<double>>& tokens, Trace* trace) const {
    if (!trace) {
      std::optional<OutputRows> outputs =
          activations_ == Activations::Paper ? run_chunked<T, true>(tokens) : run_chunked<T, false>(tokens);
      if (outputs) return std::move(*outputs);
      // A step left its bounds: the per-token loop below finds the first one
      // and says where.
    }
    const CellActivations<T> act{activations_ == Activations::Paper};
    std::vector<T> pre, rec;
    return run_stack<T>(tokens, trace, [&](CellPreparedLayer<T>& layer, const std::vector<T>& x, GateValues<T>& gates) {
      if (!Cell::step(layer, x, gates, act, pre, rec)) refuse_out_of_bounds(layer.index, layer.step);
    });
  }

  // The activations fixed at compile time (FixedCellActivations).
  template <typename T, bool kPaper>
  std::optional<OutputRows> run_chunked(const std::vector<std::vector<double>>& tokens) const {
    return run_stack_chunked<T>(tokens, [](CellPreparedLayer<T>& layer, const T* const* pre, const T* const* rec) {
      return Cell::template combine<T, FixedCellActivations<T, kPaper>>(layer, pre, rec);
    });
  }
};

}  // namespace lsrl
