// TargetModel: a compiled model for one architecture, with its own executor.
// Each target (linear-rnn, gated-linear-rnn, rnn, gated-rnn, gru, lstm, hawk,
// griffin, mamba) lowers a PathModel to its weights and runs them with the
// architecture's OWN equations, never by evaluating LSRL nodes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compile/path_model.hpp"
#include "runtime/trace.hpp"

namespace lsrl {

enum class Activations { Paper, Standard };

struct TargetOptions {
  Activations activations = Activations::Paper;
  // Targets that need bounds on the inputs (GRU/LSTM's k_lb, Hawk's conv
  // window = max sequence length) read them here.
  int max_sequence_length = 4096;
};

struct LayerSummary {
  std::string type;    // "LinState+MLP", "GRU", "LSTM", "RG-LRU block", ...
  int input_dim = 0;
  int hidden_dim = 0;  // state width
  int output_dim = 0;
  long long params = 0;
  long long nonzeros = 0;
  std::string detail;  // free text shown in summaries ("ops: Linear 40->12, ReLU, ...")
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
  virtual OutputRows run(const std::vector<std::vector<double>>& tokens, Precision precision,
                         Trace* trace) const = 0;
  // Weights and metadata as JSON (the `export --format json` payload).
  virtual nlohmann::json to_json() const = 0;
};

}  // namespace lsrl
