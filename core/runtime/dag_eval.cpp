// The program's own semantics: the DAG evaluated node by node, one token at a
// time, in the precision the caller asked for. Every weight is rounded to the
// scalar type once, before the first step, and every operation rounds its
// result to that type, so an f16 run shows what a half-precision model of the
// program would compute (up to summation order).
#include "runtime/dag_eval.hpp"

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include <xtl/xhalf_float.hpp>

namespace lsrl {
namespace {

// A sparse matrix in compressed-row form over the run's scalar. Eigen's
// sparse kernels would need NumTraits for xtl::half_float; three plain arrays
// are all a matrix-vector product needs.
template <typename T>
struct RowSparse {
  int rows = 0;
  int cols = 0;
  std::vector<int> row_start;  // rows + 1 offsets into col / value
  std::vector<int> col;
  std::vector<T> value;
};

template <typename T>
T to_scalar(double v) {
  if constexpr (std::is_same_v<T, xtl::half_float>) {
    return T(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}

template <typename T>
double from_scalar(T v) {
  if constexpr (std::is_same_v<T, xtl::half_float>) {
    return static_cast<double>(static_cast<float>(v));
  } else {
    return static_cast<double>(v);
  }
}

template <typename T>
RowSparse<T> round_matrix(const NumSparse& m) {
  RowSparse<T> out;
  out.rows = static_cast<int>(m.rows());
  out.cols = static_cast<int>(m.cols());
  out.row_start.reserve(static_cast<std::size_t>(out.rows) + 1);
  out.row_start.push_back(0);
  for (int r = 0; r < out.rows; ++r) {
    for (NumSparse::InnerIterator it(m, r); it; ++it) {
      T v = to_scalar<T>(it.value().to_double());
      // A weight that rounds to zero in this precision is a zero of the model.
      if (v == T(0.0f)) continue;
      out.col.push_back(static_cast<int>(it.col()));
      out.value.push_back(v);
    }
    out.row_start.push_back(static_cast<int>(out.col.size()));
  }
  return out;
}

template <typename T>
std::vector<T> round_vector(const NumVector& v) {
  std::vector<T> out(static_cast<std::size_t>(v.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) out[static_cast<std::size_t>(i)] = to_scalar<T>(v[i].to_double());
  return out;
}

// y += M x
template <typename T>
void multiply_add(const RowSparse<T>& m, const std::vector<T>& x, std::vector<T>& y) {
  for (int r = 0; r < m.rows; ++r) {
    T acc = y[static_cast<std::size_t>(r)];
    for (int k = m.row_start[static_cast<std::size_t>(r)]; k < m.row_start[static_cast<std::size_t>(r) + 1]; ++k) {
      acc = acc + m.value[static_cast<std::size_t>(k)] * x[static_cast<std::size_t>(m.col[static_cast<std::size_t>(k)])];
    }
    y[static_cast<std::size_t>(r)] = acc;
  }
}

// One node, with its weights already in the run's precision.
template <typename T>
struct PreparedNode {
  const Node* node = nullptr;
  RowSparse<T> A;
  RowSparse<T> B;
  std::vector<T> b;
  std::vector<T> state;  // LinState: s_{t-1} before a step, s_t after it
};

// The evaluation without a trace: the tokens go through the DAG
// kChunkSteps at a time, node by node, each node's values for the chunk held
// feature-major (component i of step t at [i * kChunkSteps + t]). Every node
// but a LinState is a function of its inputs at the same step, so it runs
// over the whole chunk in loops the compiler vectorises; a LinState walks the
// steps in order. Each value is computed by the same operations in the same
// order as the per-token loop below, so the outputs are identical.
constexpr std::size_t kChunkSteps = 64;

template <typename T>
OutputRows evaluate_chunked(const Program& program, const std::vector<NodeId>& order,
                            std::vector<PreparedNode<T>>& prepared, const std::vector<std::vector<double>>& tokens) {
  constexpr std::size_t C = kChunkSteps;
  const T zero(0.0f);
  std::vector<std::vector<T>> value(program.size());
  std::size_t widest = 1;
  for (NodeId id : order) {
    const std::size_t dim = static_cast<std::size_t>(program.node(id).dim);
    value[static_cast<std::size_t>(id)].assign(dim * C, zero);
    widest = std::max(widest, dim);
  }
  std::vector<T> acc(C, zero);
  std::vector<T> next_state(widest, zero);
  const NodeId output = program.output();
  const std::size_t output_dim = static_cast<std::size_t>(program.node(output).dim);

  OutputRows outputs;
  outputs.reserve(tokens.size());
  for (std::size_t first = 0; first < tokens.size(); first += C) {
    const std::size_t steps = std::min(C, tokens.size() - first);
    for (NodeId id : order) {
      PreparedNode<T>& p = prepared[static_cast<std::size_t>(id)];
      const Node& n = *p.node;
      T* y = value[static_cast<std::size_t>(id)].data();
      auto in = [&](std::size_t k) -> const T* { return value[static_cast<std::size_t>(n.inputs[k])].data(); };
      switch (n.kind) {
        case NodeKind::Input:
          for (std::size_t t = 0; t < steps; ++t)
            for (std::size_t i = 0; i < tokens[first + t].size(); ++i) y[i * C + t] = to_scalar<T>(tokens[first + t][i]);
          break;
        case NodeKind::Linear: {
          const T* x = in(0);
          const RowSparse<T>& m = p.A;
          for (int r = 0; r < m.rows; ++r) {
            const std::size_t row = static_cast<std::size_t>(r);
            for (std::size_t t = 0; t < steps; ++t) acc[t] = p.b[row];
            for (int k = m.row_start[row]; k < m.row_start[row + 1]; ++k) {
              const T w = m.value[static_cast<std::size_t>(k)];
              const T* xc = x + static_cast<std::size_t>(m.col[static_cast<std::size_t>(k)]) * C;
              for (std::size_t t = 0; t < steps; ++t) acc[t] = acc[t] + w * xc[t];
            }
            std::copy(acc.begin(), acc.begin() + static_cast<std::ptrdiff_t>(steps), y + row * C);
          }
          break;
        }
        case NodeKind::ReLU: {
          const T* x = in(0);
          const std::size_t count = static_cast<std::size_t>(n.dim) * C;
          for (std::size_t i = 0; i < count; ++i) y[i] = x[i] > zero ? x[i] : zero;
          break;
        }
        case NodeKind::LinState: {
          // s_t = A s_{t-1} + B x_t + b, summed as bias, A s, B x.
          const T* x = in(0);
          const std::size_t dim = p.state.size();
          for (std::size_t t = 0; t < steps; ++t) {
            for (int r = 0; r < p.A.rows; ++r) {
              const std::size_t row = static_cast<std::size_t>(r);
              T sum = p.b[row];
              for (int k = p.A.row_start[row]; k < p.A.row_start[row + 1]; ++k)
                sum = sum + p.A.value[static_cast<std::size_t>(k)] * p.state[static_cast<std::size_t>(p.A.col[static_cast<std::size_t>(k)])];
              for (int k = p.B.row_start[row]; k < p.B.row_start[row + 1]; ++k)
                sum = sum + p.B.value[static_cast<std::size_t>(k)] * x[static_cast<std::size_t>(p.B.col[static_cast<std::size_t>(k)]) * C + t];
              next_state[row] = sum;
            }
            for (std::size_t i = 0; i < dim; ++i) {
              p.state[i] = next_state[i];
              y[i * C + t] = next_state[i];
            }
          }
          break;
        }
        case NodeKind::Concat: {
          std::size_t row = 0;
          for (std::size_t k = 0; k < n.inputs.size(); ++k) {
            const std::size_t rows = static_cast<std::size_t>(program.node(n.inputs[k]).dim);
            std::copy(in(k), in(k) + static_cast<std::ptrdiff_t>(rows * C), y + row * C);
            row += rows;
          }
          break;
        }
        case NodeKind::Multi: {
          const T* x = in(0);
          const std::size_t half = static_cast<std::size_t>(n.dim) * C;
          for (std::size_t i = 0; i < half; ++i) y[i] = x[i] * x[i + half];
          break;
        }
        case NodeKind::Slice: {
          const T* x = in(0) + static_cast<std::size_t>(n.slice_begin) * C;
          std::copy(x, x + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(n.dim) * C), y);
          break;
        }
      }
    }
    const T* out = value[static_cast<std::size_t>(output)].data();
    for (std::size_t t = 0; t < steps; ++t) {
      std::vector<double> row(output_dim);
      for (std::size_t i = 0; i < output_dim; ++i) row[i] = from_scalar(out[i * C + t]);
      outputs.push_back(std::move(row));
    }
  }
  return outputs;
}

template <typename T>
OutputRows evaluate_typed(const Program& program, const std::vector<std::vector<double>>& tokens, Trace* trace) {
  if (program.input() == kNoNode) throw LsrlError(SourceSpan{}, "the program has no Input, so there is nothing to run");
  if (program.output() == kNoNode) throw LsrlError(SourceSpan{}, "the program has no return, so it has no output");
  const int input_dim = program.input_dim();
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    if (static_cast<int>(tokens[t].size()) != input_dim) {
      throw LsrlError(SourceSpan{}, "token " + std::to_string(t + 1) + " has " + std::to_string(tokens[t].size()) +
                                        " component" + (tokens[t].size() == 1 ? "" : "s") +
                                        " but the program's Input has width " + std::to_string(input_dim) +
                                        "; give every token exactly " + std::to_string(input_dim) +
                                        " comma-separated number" + (input_dim == 1 ? "" : "s"));
    }
  }

  const std::vector<NodeId> order = program.topological_order();
  std::vector<PreparedNode<T>> prepared(program.size());
  for (NodeId id : order) {
    const Node& n = program.node(id);
    PreparedNode<T>& p = prepared[static_cast<std::size_t>(id)];
    p.node = &n;
    if (n.kind == NodeKind::Linear) {
      p.A = round_matrix<T>(n.A);
      p.b = round_vector<T>(n.b);
    } else if (n.kind == NodeKind::LinState) {
      p.A = round_matrix<T>(n.A);
      p.B = round_matrix<T>(n.B);
      p.b = round_vector<T>(n.b);
      p.state = round_vector<T>(n.init);
    }
  }

  // Which nodes the trace records, in topological order: the Input, every
  // named node, and the output (also when it is named, under "output", so a
  // reader always finds it).
  std::vector<NodeId> traced;
  if (trace) {
    trace->steps = static_cast<int>(tokens.size());
    trace->series.clear();
    for (NodeId id : order) {
      const Node& n = program.node(id);
      if (id == program.input() || !n.name.empty()) {
        TraceSeries s;
        s.label = id == program.input() ? "input" : n.name;
        s.kind = node_kind_name(n.kind);
        s.dim = n.dim;
        s.values.reserve(tokens.size() * static_cast<std::size_t>(n.dim));
        trace->series.push_back(std::move(s));
        traced.push_back(id);
      }
    }
    const Node& out = program.node(program.output());
    TraceSeries s;
    s.label = "output";
    s.kind = node_kind_name(out.kind);
    s.dim = out.dim;
    s.values.reserve(tokens.size() * static_cast<std::size_t>(out.dim));
    trace->series.push_back(std::move(s));
    traced.push_back(program.output());
  }

  if (!trace) return evaluate_chunked(program, order, prepared, tokens);

  std::vector<std::vector<T>> value(program.size());
  OutputRows outputs;
  outputs.reserve(tokens.size());
  for (const auto& token : tokens) {
    for (NodeId id : order) {
      PreparedNode<T>& p = prepared[static_cast<std::size_t>(id)];
      const Node& n = *p.node;
      std::vector<T>& y = value[static_cast<std::size_t>(id)];
      auto in = [&](std::size_t k) -> const std::vector<T>& { return value[static_cast<std::size_t>(n.inputs[k])]; };
      switch (n.kind) {
        case NodeKind::Input:
          y.resize(token.size());
          for (std::size_t i = 0; i < token.size(); ++i) y[i] = to_scalar<T>(token[i]);
          break;
        case NodeKind::Linear:
          y = p.b;
          multiply_add(p.A, in(0), y);
          break;
        case NodeKind::ReLU: {
          const auto& x = in(0);
          y.resize(x.size());
          const T zero(0.0f);
          for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] > zero ? x[i] : zero;
          break;
        }
        case NodeKind::LinState: {
          // s_t = A s_{t-1} + B x_t + b
          y = p.b;
          multiply_add(p.A, p.state, y);
          multiply_add(p.B, in(0), y);
          p.state = y;
          break;
        }
        case NodeKind::Concat:
          y.clear();
          for (std::size_t k = 0; k < n.inputs.size(); ++k) y.insert(y.end(), in(k).begin(), in(k).end());
          break;
        case NodeKind::Multi: {
          const auto& x = in(0);
          const std::size_t half = x.size() / 2;
          y.resize(half);
          for (std::size_t i = 0; i < half; ++i) y[i] = x[i] * x[i + half];
          break;
        }
        case NodeKind::Slice: {
          const auto& x = in(0);
          // Index copy: xtl's half_float templates make iterator + int ambiguous.
          y.resize(static_cast<std::size_t>(n.slice_end - n.slice_begin));
          for (std::size_t i = 0; i < y.size(); ++i) y[i] = x[static_cast<std::size_t>(n.slice_begin) + i];
          break;
        }
      }
    }
    const auto& out = value[static_cast<std::size_t>(program.output())];
    std::vector<double> row(out.size());
    for (std::size_t i = 0; i < out.size(); ++i) row[i] = from_scalar(out[i]);
    outputs.push_back(std::move(row));
    for (std::size_t k = 0; k < traced.size(); ++k) {
      for (const T& v : value[static_cast<std::size_t>(traced[k])]) trace->series[k].values.push_back(from_scalar(v));
    }
  }
  return outputs;
}

}  // namespace

OutputRows evaluate_program(const Program& program, const std::vector<std::vector<double>>& tokens,
                            Precision precision, Trace* trace) {
  switch (precision) {
    case Precision::F64: return evaluate_typed<double>(program, tokens, trace);
    case Precision::F32: return evaluate_typed<float>(program, tokens, trace);
    case Precision::F16: return evaluate_typed<xtl::half_float>(program, tokens, trace);
  }
  return evaluate_typed<double>(program, tokens, trace);
}

}  // namespace lsrl
