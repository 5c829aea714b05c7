#include "targets/model_support.hpp"

namespace lsrl {

long long count_nonzeros(const SparseD& m) {
  long long n = 0;
  for (int r = 0; r < m.outerSize(); ++r)
    for (SparseD::InnerIterator it(m, r); it; ++it) n += it.value() != 0.0;
  return n;
}

long long count_nonzeros(const Eigen::VectorXd& v) { return (v.array() != 0.0).count(); }

long long count_nonzeros(const Eigen::MatrixXd& m) { return (m.array() != 0.0).count(); }

long long count_nonzeros(const Affine& a) { return count_nonzeros(a.W) + count_nonzeros(a.b); }

long long linear_parameters(int outputs, int inputs) { return static_cast<long long>(outputs) * inputs + outputs; }

LayerSummary linear_head_summary(const std::string& name, const Affine& head, int input_dim, int output_dim) {
  LayerSummary s;
  s.type = "Linear (" + name + ")";
  s.input_dim = input_dim;
  s.output_dim = output_dim;
  s.params = linear_parameters(output_dim, input_dim);
  s.nonzeros = count_nonzeros(head);
  return s;
}

void append_linear_tensors(std::vector<NamedTensor>& out, const std::string& name, const SparseD& weight,
                           const Eigen::VectorXd& bias, int rows, int cols) {
  out.push_back({name + ".weight", {rows, cols}, dense_row_major(weight, rows, cols)});
  out.push_back({name + ".bias", {rows}, padded_vector(bias, rows)});
}

void begin_trace(Trace& trace, int steps) {
  trace.steps = steps;
  trace.series.clear();
}

int add_series(Trace& trace, const std::string& label, const std::string& kind, int layer, int dim) {
  TraceSeries s;
  s.label = label;
  s.kind = kind;
  s.layer = layer;
  s.dim = dim;
  s.values.reserve(static_cast<std::size_t>(dim) * static_cast<std::size_t>(trace.steps));
  trace.series.push_back(std::move(s));
  return static_cast<int>(trace.series.size()) - 1;
}

int add_output_series(Trace& trace, const std::string& prefix, const std::string& label, int layer, int width) {
  const std::string name = label.empty() ? prefix + "output" : prefix + "output (" + label + ")";
  return add_series(trace, name, "output", layer, width);
}

}  // namespace lsrl
