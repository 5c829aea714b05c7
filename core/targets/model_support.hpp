// What the models of the non-linear targets (rnn, gated-rnn, gru, lstm, hawk,
// griffin, mamba) share besides their arithmetic (target_kernels.hpp) and
// their equations: counting weights, the linear layers at a model's ends
// (summary rows and tensors), running in the precision a caller asks for,
// the token loop, and the trace series a run records.
#pragma once

#include <string>
#include <vector>

#include "targets/logical_model.hpp"
#include "targets/target_kernels.hpp"
#include "targets/target_model.hpp"

namespace lsrl {

// ----------------------------------------------------------------- counting --

// Entries that are not exactly zero.
long long count_nonzeros(const SparseD& m);
long long count_nonzeros(const Eigen::VectorXd& v);
long long count_nonzeros(const Eigen::MatrixXd& m);
long long count_nonzeros(const Affine& a);

// Weight and bias of a linear layer from `inputs` to `outputs`.
long long linear_parameters(int outputs, int inputs);

// ------------------------------------------------------- a model's two ends --

// The summary row of a linear head; `name` is its tensor name ("head", "lm_head").
LayerSummary linear_head_summary(const std::string& name, const Affine& head, int input_dim, int output_dim);

// Appends NAME.weight [rows, cols] and NAME.bias [rows], the names nn.Linear gives them.
void append_linear_tensors(std::vector<NamedTensor>& out, const std::string& name, const SparseD& weight,
                           const Eigen::VectorXd& bias, int rows, int cols);

// ------------------------------------------------------------------ running --

// Calls run_typed with a value of the scalar type `precision` names (double,
// float or F16): a generic lambda reads the type as decltype(argument).
template <typename RunTyped>
OutputRows run_in_precision(Precision precision, const RunTyped& run_typed) {
  switch (precision) {
    case Precision::F64: return run_typed(double{});
    case Precision::F32: return run_typed(float{});
    case Precision::F16: return run_typed(F16{});
  }
  return run_typed(double{});
}

// The loop every executor shares: each token, rounded to T, goes through
// `layers(position, x)`, which returns what the head reads; the head's
// output, back in double, is that step's output row.
template <typename T, typename Layers>
OutputRows run_tokens(const std::vector<std::vector<double>>& tokens, const Affine& head, Layers layers) {
  const CsrMatrix<T> head_W = to_csr<T>(head.W);
  const std::vector<T> head_b = to_scalars<T>(head.b);
  OutputRows outputs;
  for (std::size_t position = 0; position < tokens.size(); ++position) {
    const std::vector<T> last = layers(position, to_scalars<T>(tokens[position]));
    outputs.push_back(to_doubles(affine(head_W, head_b, last)));
  }
  return outputs;
}

// ------------------------------------------------------------------- traces --

// Starts a trace of `steps` steps with no series yet.
void begin_trace(Trace& trace, int steps);

// Appends an empty series for trace.steps steps; returns its index.
int add_series(Trace& trace, const std::string& label, const std::string& kind, int layer, int dim);

// "PREFIXoutput", or "PREFIXoutput (LABEL)" for a stage computing the program variables LABEL.
std::string output_series_label(const std::string& prefix, const std::string& label);

// Appends one step of the series at `index`.
template <typename T>
void record(Trace& trace, int index, const std::vector<T>& values) {
  TraceSeries& series = trace.series[static_cast<std::size_t>(index)];
  for (const T& v : values) series.values.push_back(from_scalar(v));
}

}  // namespace lsrl
