// TargetModel: a compiled model for one architecture, with its own executor.
// Each target (linear-rnn, gated-linear-rnn, rnn, gated-rnn, gru, lstm, hawk,
// griffin, mamba) lowers a PathModel to its weights and runs them with the
// architecture's OWN equations, never by evaluating LSRL nodes.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compile/path_model.hpp"
#include "runtime/trace.hpp"

namespace lsrl {

enum class Activations { Paper, Standard };

// What the non-linear targets do with a chain of Linear ops that the compiler
// kept apart because fusing them would round differently from the program
// (compile/num_ops.hpp, composition_rounds_alike):
//  - Keep (default): each keeps a layer of its own (a ReLU pass-through
//    pair), so the model follows the program's f64 arithmetic step for step,
//    at the cost of one layer per kept Linear;
//  - Fuse: the chain becomes one affine map, exact in the rationals: the
//    paper's layer count (k = ReLU layers), but programs that cancel large
//    constants (f_ifelse's lambda) come out different in f64 (docs/targets.md
//    measures both).
enum class LinearChains { Keep, Fuse };
const char* linear_chains_name(LinearChains chains);

struct TargetOptions {
  Activations activations = Activations::Paper;
  // The prompts the model is built for (the program's InputDomain after the
  // compile options, api::compile): at most max_sequence_length tokens
  // (Hawk's and Mamba's convolution windows, and T of the static range
  // analysis, targets/range_analysis.hpp), each component i within
  // [input_lower[i], input_upper[i]] (empty: |x| <= kDefaultInputBound).
  // Every value-range assumption a target makes comes from these, never from
  // a prompt.
  int max_sequence_length = 4096;
  std::vector<double> input_lower;
  std::vector<double> input_upper;
  LinearChains linear_chains = LinearChains::Keep;
  // Test knob: GRU's and LSTM's standard-activation lowerings multiply the
  // value magnitudes they are given by this factor, to check that they stay
  // exact when those magnitudes are loose upper bounds (1e3, 1e6).
  double magnitude_overestimate = 1.0;
  bool keep_linear_chains() const { return linear_chains == LinearChains::Keep; }
};

struct LayerSummary {
  std::string type;  // "LinState+MLP", "GRU", "LSTM", "RG-LRU block", ...
  int input_dim = 0;
  int hidden_dim = 0;  // state width
  int output_dim = 0;
  long long params = 0;
  long long nonzeros = 0;
  std::string detail;  // free text shown in summaries ("ops: Linear 40->12, ReLU, ...")
};

// One weight tensor, named as the module that runs it names it (PyTorch
// state_dict keys where such a module exists: "rnn.weight_ih_l0", "head.bias").
struct NamedTensor {
  std::string name;
  std::vector<long long> shape;  // row-major
  std::vector<double> data;
};

class TargetModel {
 public:
  virtual ~TargetModel() = default;
  virtual std::string target() const = 0;  // "linear-rnn", "gru", ...
  virtual int input_dim() const = 0;
  virtual int output_dim() const = 0;
  virtual std::vector<LayerSummary> layers() const = 0;
  virtual long long parameter_count() const = 0;
  virtual long long nonzero_count() const = 0;
  // Runs the whole token sequence (tokens x input_dim) from the initial state.
  // With `trace`, records every layer's hidden state (and cell state, gates)
  // per step into *trace. Throws LsrlError for bad input widths.
  virtual OutputRows run(const std::vector<std::vector<double>>& tokens, Precision precision, Trace* trace) const = 0;
  // All weights, in the module's own naming, for export (JSON and safetensors).
  virtual std::vector<NamedTensor> state_dict() const = 0;
  // Architecture, sizes, activation mode, layer count and anything a loader
  // needs to rebuild the module (goes to safetensors' __metadata__ as strings
  // and to the JSON export as is).
  virtual nlohmann::json metadata() const = 0;
};

}  // namespace lsrl
