// PathModel: what debranching produces. A path of nodes is a stack of layers;
// each layer is one LinState (the recurrence) followed by the feed-forward ops
// (Linear / ReLU / Multi) up to the next LinState. A path that starts with a
// feed-forward op gets a pass-through LinState (A = 0, B = I) in front, so
// every layer has exactly one state: the targets (RNN, GRU, ...) rely on it.
// Without Multi this is a Linear RNN; with Multi, a Gated Linear RNN.
#pragma once

#include <string>
#include <vector>

#include "common/diagnostics.hpp"
#include "num/num.hpp"

namespace lsrl {

enum class PathOpKind { Linear, ReLU, Multi };
const char* path_op_kind_name(PathOpKind kind);

struct PathOp {
  PathOpKind kind = PathOpKind::Linear;
  int in_dim = 0;
  int out_dim = 0;
  NumSparse A;        // Linear only: out_dim x in_dim
  NumVector b;        // Linear only
  std::string label;  // the program variables this op carries, for plots ("is_prompt, ...")
  SourceSpan origin;  // a program node it came from (for target diagnostics)
};

struct PathLayer {
  int in_dim = 0;           // width of the layer's input (previous layer's output)
  int state_dim = 0;        // width of the LinState
  NumSparse A;              // state_dim x state_dim
  NumSparse B;              // state_dim x in_dim
  NumVector bias;           // state_dim
  NumVector init;           // state_dim, s_0
  std::vector<PathOp> ops;  // feed-forward ops after the state, in order
  std::string label;        // names of the program's LinStates merged here
  int out_dim() const { return ops.empty() ? state_dim : ops.back().out_dim; }
  bool has_multi() const {
    for (const auto& op : ops)
      if (op.kind == PathOpKind::Multi) return true;
    return false;
  }
};

struct PathModel {
  int input_dim = 0;
  int output_dim = 0;
  std::vector<PathLayer> layers;

  bool has_multi() const {
    for (const auto& l : layers)
      if (l.has_multi()) return true;
    return false;
  }
  // Counts over all layers: every matrix and vector entry (A, B, bias, init,
  // op weights and biases), the non-zero ones, and the widest unit count of
  // any state or op output.
  long long parameter_count() const;
  long long nonzero_count() const;
  int max_width() const;
};

}  // namespace lsrl
