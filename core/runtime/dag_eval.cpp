// The program's own semantics: the DAG evaluated node by node, one token at a
// time, in the precision the caller asked for. Every weight is rounded to the
// scalar type once, before the first step, and every operation rounds its
// result to that type, so an f16 run shows what a half-precision model of the
// program would compute. The arithmetic is the one kernel layer every target
// uses too (runtime/kernels.hpp, runtime/activations.hpp), summed in its
// order: bias first, then the terms in column order.
#include "runtime/dag_eval.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "runtime/activations.hpp"
#include "runtime/kernels.hpp"
#include "runtime/tokens.hpp"

namespace lsrl {
namespace {

// One node, with its weights already in the run's precision, in compressed
// rows (prepare_matrix's rounding; the program's matrices are small and
// sparse, where the dense form's checks cost more than they save).
template <typename T>
struct PreparedNode {
  const Node* node = nullptr;
  CsrMatrix<T> A;
  CsrMatrix<T> B;
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
  const T zero{};
  std::vector<std::vector<T>> value(program.size());
  std::size_t widest = 1;
  for (NodeId id : order) {
    const std::size_t dim = static_cast<std::size_t>(program.node(id).dim);
    value[static_cast<std::size_t>(id)].assign(dim * C, zero);
    widest = std::max(widest, dim);
  }
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
          load_chunk(tokens, first, steps, static_cast<std::size_t>(n.dim), y, C);
          break;
        case NodeKind::Linear:
          // All C steps, also a short last chunk's stale ones (affine_chunk):
          // a fixed-width loop is faster than one of run-time length.
          affine_chunk<C>(p.A, p.b.data(), in(0), y);
          break;
        case NodeKind::ReLU:
          relu(in(0), y, static_cast<std::size_t>(n.dim) * C);
          break;
        case NodeKind::LinState: {
          // s_t = A s_{t-1} + B x_t + b, summed as bias, A s, B x.
          // Row by row, each row's A terms then its B terms (the inline
          // kernels reading step t of the chunk in place, at stride C): the
          // per-token order, with no copy of x_t and no call per product.
          const T* x = in(0);
          const std::size_t dim = p.state.size();
          for (std::size_t t = 0; t < steps; ++t) {
            for (int r = 0; r < p.A.rows; ++r) {
              const T sum = csr_row_terms(p.A, r, p.b[static_cast<std::size_t>(r)], p.state.data());
              next_state[static_cast<std::size_t>(r)] = csr_row_terms(p.B, r, sum, x + t, C);
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
        case NodeKind::Multi:
          multi_gate(in(0), static_cast<std::size_t>(n.dim) * C, y);
          break;
        case NodeKind::Slice: {
          const T* x = in(0) + static_cast<std::size_t>(n.slice_begin) * C;
          std::copy(x, x + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(n.dim) * C), y);
          break;
        }
      }
    }
    append_chunk_rows(value[static_cast<std::size_t>(output)].data(), output_dim, C, steps, outputs);
  }
  return outputs;
}

template <typename T>
OutputRows evaluate_typed(const Program& program, const std::vector<std::vector<double>>& tokens, Trace* trace) {
  if (program.input() == kNoNode) throw LsrlError(SourceSpan{}, "the program has no Input, so there is nothing to run");
  if (program.output() == kNoNode) throw LsrlError(SourceSpan{}, "the program has no return, so it has no output");
  check_token_widths(tokens, program.input_dim(), "the program's Input");

  const std::vector<NodeId> order = program.topological_order();
  std::vector<PreparedNode<T>> prepared(program.size());
  for (NodeId id : order) {
    const Node& n = program.node(id);
    PreparedNode<T>& p = prepared[static_cast<std::size_t>(id)];
    p.node = &n;
    if (n.kind == NodeKind::Linear) {
      p.A = prepare_matrix<T>(n.A).csr;
      p.b = to_scalars<T>(n.b);
    } else if (n.kind == NodeKind::LinState) {
      p.A = prepare_matrix<T>(n.A).csr;
      p.B = prepare_matrix<T>(n.B).csr;
      p.b = to_scalars<T>(n.b);
      p.state = to_scalars<T>(n.init);
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
          y = to_scalars<T>(token);
          break;
        case NodeKind::Linear:
          y = p.b;
          multiply_add(p.A, in(0), y);
          break;
        case NodeKind::ReLU: {
          const auto& x = in(0);
          y.resize(x.size());
          relu(x.data(), y.data(), x.size());
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
          y.resize(x.size() / 2);
          multi_gate(x.data(), y.size(), y.data());
          break;
        }
        case NodeKind::Slice: {
          const auto& x = in(0);
          y.assign(x.begin() + n.slice_begin, x.begin() + n.slice_end);
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

OutputRows evaluate_program(const Program& program, const std::vector<std::vector<double>>& tokens, Precision precision,
                            Trace* trace) {
  return run_in_precision(precision,
                          [&](auto scalar) { return evaluate_typed<decltype(scalar)>(program, tokens, trace); });
}

}  // namespace lsrl
