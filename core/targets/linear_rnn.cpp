// The (Gated) Linear RNN executor. Lowering is the identity on the PathModel:
// the path already is a stack of such layers. Weights are rounded once, per
// precision, when the model is built; a run then only streams tokens through
// the layers:
//   s_t = A s_{t-1} + B x_t + bias        (the layer's state, from s_0 = init)
//   y_t = op_k(... op_1(s_t))            (Linear: W v + b; ReLU; Multi: v[:h] * v[h:])
// and y_t is the next layer's x_t.
#include "targets/linear_rnn.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "runtime/activations.hpp"
#include "runtime/kernels.hpp"
#include "targets/logical_model.hpp"
#include "targets/model_support.hpp"

namespace lsrl {

namespace {

template <typename T>
struct PreparedOp {
  PathOpKind kind = PathOpKind::Linear;
  int in_dim = 0;
  int out_dim = 0;
  WeightMatrix<T> W;
  std::vector<T> b;
};

template <typename T>
struct PreparedLayer {
  int in_dim = 0;
  int state_dim = 0;
  WeightMatrix<T> A;
  WeightMatrix<T> B;
  std::vector<T> bias;
  std::vector<T> init;
  std::vector<PreparedOp<T>> ops;
};

template <typename T>
std::vector<PreparedLayer<T>> prepare(const PathModel& path) {
  std::vector<PreparedLayer<T>> layers(path.layers.size());
  for (std::size_t i = 0; i < path.layers.size(); ++i) {
    const auto& l = path.layers[i];
    PreparedLayer<T>& p = layers[i];
    p.in_dim = l.in_dim;
    p.state_dim = l.state_dim;
    p.A = prepare_matrix<T>(l.A);
    p.B = prepare_matrix<T>(l.B);
    p.bias = to_scalars<T>(l.bias);
    p.init = to_scalars<T>(l.init);
    p.ops.resize(l.ops.size());
    for (std::size_t j = 0; j < l.ops.size(); ++j) {
      const auto& op = l.ops[j];
      PreparedOp<T>& q = p.ops[j];
      q.kind = op.kind;
      q.in_dim = op.in_dim;
      q.out_dim = op.out_dim;
      if (op.kind == PathOpKind::Linear) {
        q.W = prepare_matrix<T>(op.A);
        q.b = to_scalars<T>(op.b);
      }
    }
  }
  return layers;
}

std::vector<double> dense_row_major(const NumSparse& m) {
  std::vector<double> out(static_cast<std::size_t>(m.rows() * m.cols()), 0.0);
  for (int r = 0; r < m.outerSize(); ++r)
    for (NumSparse::InnerIterator it(m, r); it; ++it)
      out[static_cast<std::size_t>(r * m.cols() + it.col())] = it.value().to_double();
  return out;
}

std::vector<double> as_doubles(const NumVector& v) {
  std::vector<double> out(static_cast<std::size_t>(v.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) out[static_cast<std::size_t>(i)] = v[i].to_double();
  return out;
}

std::string op_text(const PathOp& op) {
  if (op.kind == PathOpKind::ReLU) return "ReLU " + std::to_string(op.out_dim);
  return std::string(path_op_kind_name(op.kind)) + " " + std::to_string(op.in_dim) + "->" + std::to_string(op.out_dim);
}

class LinearRnnModel final : public TargetModel {
 public:
  LinearRnnModel(const PathModel& path, bool gated)
      : path_(path),
        gated_(gated),
        f64_(prepare<double>(path)),
        f32_(prepare<float>(path)),
        f16_(prepare<F16>(path)),
        params_(path.parameter_count()),
        nonzeros_(path.nonzero_count()) {}

  std::string target() const override { return gated_ ? "gated-linear-rnn" : "linear-rnn"; }
  int input_dim() const override { return path_.input_dim; }
  int output_dim() const override { return path_.output_dim; }
  long long parameter_count() const override { return params_; }
  long long nonzero_count() const override { return nonzeros_; }

  std::vector<LayerSummary> layers() const override {
    std::vector<LayerSummary> out;
    for (const auto& l : path_.layers) {
      LayerSummary s;
      s.type = l.has_multi() ? "LinState+gated MLP" : "LinState+MLP";
      s.input_dim = l.in_dim;
      s.hidden_dim = l.state_dim;
      s.output_dim = l.out_dim();
      PathModel single;
      single.layers.push_back(l);
      s.params = single.parameter_count();
      s.nonzeros = single.nonzero_count();
      std::string detail = "ops:";
      for (const auto& op : l.ops) detail += (detail.size() > 4 ? ", " : " ") + op_text(op);
      if (l.ops.empty()) detail += " none";
      s.detail = detail;
      out.push_back(std::move(s));
    }
    return out;
  }

  OutputRows run(const std::vector<std::vector<double>>& tokens, Precision precision, Trace* trace) const override {
    check_token_widths(tokens, path_.input_dim);
    switch (precision) {
      case Precision::F64:
        return run_typed(f64_, tokens, trace);
      case Precision::F32:
        return run_typed(f32_, tokens, trace);
      case Precision::F16:
        return run_typed(f16_, tokens, trace);
    }
    return run_typed(f64_, tokens, trace);
  }

  std::vector<NamedTensor> state_dict() const override {
    std::vector<NamedTensor> out;
    for (std::size_t i = 0; i < path_.layers.size(); ++i) {
      const auto& l = path_.layers[i];
      const std::string p = "layers." + std::to_string(i) + ".";
      out.push_back({p + "A", {l.A.rows(), l.A.cols()}, dense_row_major(l.A)});
      out.push_back({p + "B", {l.B.rows(), l.B.cols()}, dense_row_major(l.B)});
      out.push_back({p + "bias", {l.bias.size()}, as_doubles(l.bias)});
      out.push_back({p + "init", {l.init.size()}, as_doubles(l.init)});
      for (std::size_t j = 0; j < l.ops.size(); ++j) {
        const auto& op = l.ops[j];
        if (op.kind != PathOpKind::Linear) continue;
        const std::string q = p + "ops." + std::to_string(j) + ".";
        out.push_back({q + "weight", {op.A.rows(), op.A.cols()}, dense_row_major(op.A)});
        out.push_back({q + "bias", {op.b.size()}, as_doubles(op.b)});
      }
    }
    return out;
  }

  nlohmann::json metadata() const override {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : path_.layers) {
      nlohmann::json ops = nlohmann::json::array();
      for (const auto& op : l.ops)
        ops.push_back({{"kind", path_op_kind_name(op.kind)},
                       {"in_dim", op.in_dim},
                       {"out_dim", op.out_dim},
                       {"label", op.label}});
      layers.push_back({{"in_dim", l.in_dim},
                        {"state_dim", l.state_dim},
                        {"out_dim", l.out_dim()},
                        {"label", l.label},
                        {"ops", ops}});
    }
    return {{"target", target()},
            {"architecture", gated_ ? "Gated Linear RNN (paper Eq. 4)" : "Linear RNN (paper Eq. 3)"},
            {"equations",
             "s_t = A s_{t-1} + B x_t + bias (s_0 = init); y_t = ops(s_t): Linear W v + b, ReLU, Multi v[:h]*v[h:]"},
            {"activation", "relu"},
            {"input_dim", path_.input_dim},
            {"output_dim", path_.output_dim},
            {"num_layers", path_.layers.size()},
            {"parameters", params_},
            {"nonzeros", nonzeros_},
            {"max_width", path_.max_width()},
            {"layers", layers}};
  }

 private:
  // Without a trace: kChunkSteps tokens at a time, layer by layer. A layer's
  // state walks the steps in order (the same kernels as the per-token loop,
  // on the same vectors); its feed-forward ops then run over the whole chunk
  // at once (affine_columns and element-wise loops over the steps,
  // which vectorise), each value computed exactly as the per-token loop
  // computes it, so the outputs are identical.
  static constexpr std::size_t kChunkSteps = 64;

  template <typename T>
  OutputRows run_chunked(const std::vector<PreparedLayer<T>>& layers,
                         const std::vector<std::vector<double>>& tokens) const {
    constexpr std::size_t C = kChunkSteps;
    const T zero{};
    std::size_t widest = static_cast<std::size_t>(std::max(path_.input_dim, path_.output_dim));
    for (const PreparedLayer<T>& l : layers) {
      widest = std::max(widest, static_cast<std::size_t>(l.state_dim));
      for (const PreparedOp<T>& op : l.ops) widest = std::max(widest, static_cast<std::size_t>(op.out_dim));
    }
    // Feature-major chunk buffers (component i of step t at [i * C + t]).
    std::vector<T> in(widest * C, zero), out(widest * C, zero);
    std::vector<T> x(widest, zero);  // one step's input, contiguous for the state's kernels
    std::vector<std::vector<T>> state(layers.size()), next_state(layers.size());
    for (std::size_t i = 0; i < layers.size(); ++i) {
      state[i] = layers[i].init;
      next_state[i].assign(static_cast<std::size_t>(layers[i].state_dim), zero);
    }
    std::size_t width = static_cast<std::size_t>(path_.input_dim);
    OutputRows outputs;
    outputs.reserve(tokens.size());
    for (std::size_t first = 0; first < tokens.size(); first += C) {
      const std::size_t steps = std::min(C, tokens.size() - first);
      width = static_cast<std::size_t>(path_.input_dim);
      load_chunk(tokens, first, steps, width, in.data(), C);
      for (std::size_t k = 0; k < layers.size(); ++k) {
        const PreparedLayer<T>& l = layers[k];
        const std::size_t dim = static_cast<std::size_t>(l.state_dim);
        for (std::size_t t = 0; t < steps; ++t) {
          for (std::size_t i = 0; i < width; ++i) x[i] = in[i * C + t];
          // The DAG's order: bias, then A s, then B x.
          affine(l.A, l.bias.data(), state[k].data(), next_state[k].data());
          multiply_add(l.B, x.data(), next_state[k].data());
          state[k].swap(next_state[k]);
          for (std::size_t i = 0; i < dim; ++i) out[i * C + t] = state[k][i];
        }
        std::swap(in, out);
        width = dim;
        for (const PreparedOp<T>& op : l.ops) {
          const std::size_t out_dim = static_cast<std::size_t>(op.out_dim);
          switch (op.kind) {
            case PathOpKind::Linear:
              affine_columns(op.W, op.b.data(), in.data(), C, steps, out.data());
              break;
            case PathOpKind::ReLU:
              relu(in.data(), out.data(), out_dim * C);
              break;
            case PathOpKind::Multi:
              multi_gate(in.data(), out_dim * C, out.data());
              break;
          }
          std::swap(in, out);
          width = out_dim;
        }
      }
      append_chunk_rows(in.data(), width, C, steps, outputs);
    }
    return outputs;
  }

  template <typename T>
  OutputRows run_typed(const std::vector<PreparedLayer<T>>& layers, const std::vector<std::vector<double>>& tokens,
                       Trace* trace) const {
    if (!trace) return run_chunked(layers, tokens);
    TokenBuffers<T> buffers(layers);
    const PathSeries series = begin_path_trace(*trace, layers, tokens.size());
    OutputRows outputs;
    outputs.reserve(tokens.size());
    std::vector<T> token(static_cast<std::size_t>(path_.input_dim));
    for (const std::vector<double>& values : tokens) {
      for (std::size_t i = 0; i < token.size(); ++i) token[i] = to_scalar<T>(values[i]);
      const std::vector<T>& y = run_token(layers, buffers, token, *trace, series);
      std::vector<double> row(y.size());
      for (std::size_t i = 0; i < row.size(); ++i) row[i] = from_scalar(y[i]);
      std::vector<double>& output = trace->series[static_cast<std::size_t>(series.output)].values;
      output.insert(output.end(), row.begin(), row.end());
      outputs.push_back(std::move(row));
    }
    return outputs;
  }

  // The per-token loop's working memory: each layer's state and one scratch
  // vector per op.
  template <typename T>
  struct TokenBuffers {
    explicit TokenBuffers(const std::vector<PreparedLayer<T>>& layers)
        : state(layers.size()), next_state(layers.size()), op_out(layers.size()) {
      for (std::size_t i = 0; i < layers.size(); ++i) {
        state[i] = layers[i].init;
        next_state[i].resize(static_cast<std::size_t>(layers[i].state_dim));
        op_out[i].resize(layers[i].ops.size());
        for (std::size_t j = 0; j < layers[i].ops.size(); ++j)
          op_out[i][j].resize(static_cast<std::size_t>(layers[i].ops[j].out_dim));
      }
    }
    std::vector<std::vector<T>> state;
    std::vector<std::vector<T>> next_state;
    std::vector<std::vector<std::vector<T>>> op_out;
  };

  // The trace's series: per layer its state and each op's output, then the model's output.
  struct PathSeries {
    std::vector<int> state;
    std::vector<std::vector<int>> ops;
    int output = -1;
  };

  template <typename T>
  PathSeries begin_path_trace(Trace& trace, const std::vector<PreparedLayer<T>>& layers, std::size_t steps) const {
    PathSeries series;
    begin_trace(trace, static_cast<int>(steps));
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const int layer = static_cast<int>(i);
      series.state.push_back(
          add_series(trace, "layer " + std::to_string(i) + " state", "state", layer, layers[i].state_dim));
      series.ops.emplace_back();
      for (std::size_t j = 0; j < layers[i].ops.size(); ++j) {
        const auto& op = path_.layers[i].ops[j];
        std::string label =
            "layer " + std::to_string(i) + " op " + std::to_string(j) + " " + path_op_kind_name(op.kind);
        if (!op.label.empty()) label += " (" + op.label + ")";
        series.ops.back().push_back(
            add_series(trace, label, std::string("op:") + path_op_kind_name(op.kind), layer, op.out_dim));
      }
    }
    series.output = add_series(trace, "output", "output", -1, path_.output_dim);
    return series;
  }

  // One token through every layer (recording each state and op output);
  // returns the last layer's output.
  template <typename T>
  static const std::vector<T>& run_token(const std::vector<PreparedLayer<T>>& layers, TokenBuffers<T>& buffers,
                                         const std::vector<T>& token, Trace& trace, const PathSeries& series) {
    const std::vector<T>* x = &token;
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const PreparedLayer<T>& l = layers[i];
      std::vector<T>& s_new = buffers.next_state[i];
      // The DAG's order: bias, then A s, then B x.
      affine(l.A, l.bias.data(), buffers.state[i].data(), s_new.data());
      multiply_add(l.B, x->data(), s_new.data());
      buffers.state[i].swap(s_new);
      record(trace, series.state[i], buffers.state[i]);
      x = &buffers.state[i];
      for (std::size_t j = 0; j < l.ops.size(); ++j) {
        const PreparedOp<T>& op = l.ops[j];
        std::vector<T>& y = buffers.op_out[i][j];
        switch (op.kind) {
          case PathOpKind::Linear:
            affine(op.W, op.b.data(), x->data(), y.data());
            break;
          case PathOpKind::ReLU:
            relu(x->data(), y.data(), y.size());
            break;
          case PathOpKind::Multi:
            multi_gate(x->data(), y.size(), y.data());
            break;
        }
        record(trace, series.ops[i][j], y);
        x = &y;
      }
    }
    return *x;
  }

  PathModel path_;
  bool gated_;
  std::vector<PreparedLayer<double>> f64_;
  std::vector<PreparedLayer<float>> f32_;
  std::vector<PreparedLayer<F16>> f16_;
  long long params_;
  long long nonzeros_;
};

}  // namespace

std::unique_ptr<TargetModel> lower_to_linear_rnn(const PathModel& path, const TargetOptions&) {
  for (const auto& l : path.layers) {
    for (const auto& op : l.ops) {
      if (op.kind != PathOpKind::Multi) continue;
      const std::string who = op.label.empty() ? "an unnamed node" : "node '" + op.label + "'";
      throw LsrlError(op.origin, "target linear-rnn has no multiplicative gating; " + who +
                                     " (Multi) needs --target gated-linear-rnn, or use an f_ifelse form without Multi "
                                     "(original, optimized, step)");
    }
  }
  return std::make_unique<LinearRnnModel>(path, false);
}

std::unique_ptr<TargetModel> lower_to_gated_linear_rnn(const PathModel& path, const TargetOptions&) {
  return std::make_unique<LinearRnnModel>(path, true);
}

}  // namespace lsrl
