// What the models of the non-linear targets (rnn, gated-rnn, gru, lstm, hawk,
// griffin, mamba) share besides their arithmetic (the runtime's kernel layer:
// runtime/scalar.hpp, activations.hpp, kernels.hpp) and their equations:
// counting weights, the linear layers at a model's ends (summary rows and
// tensors), the token loop, and the trace series a run records.
#pragma once

#include <string>
#include <vector>

#include "runtime/activations.hpp"
#include "runtime/kernels.hpp"
#include "runtime/scalar.hpp"
#include "targets/logical_model.hpp"
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

// ------------------------------------------------------------ the model --

// What every non-linear target's model stores the same way: the target's
// name and the model's input and output widths.
class NamedTargetModel : public TargetModel {
 public:
  std::string target() const override { return target_; }
  int input_dim() const override { return input_dim_; }
  int output_dim() const override { return output_dim_; }

 protected:
  NamedTargetModel(std::string target, int input_dim, int output_dim)
      : target_(std::move(target)), input_dim_(input_dim), output_dim_(output_dim) {}

  std::string target_;
  int input_dim_;
  int output_dim_;
};

// ------------------------------------------------------------------ running --

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

// Appends the output rows of `steps` steps, each `width` wide, from a
// chunk's time-major outputs (step t's row at values[t * width]).
template <typename T>
void append_output_rows(OutputRows& outputs, const std::vector<T>& values, std::size_t steps, std::size_t width) {
  for (std::size_t t = 0; t < steps; ++t) {
    std::vector<double> row(width);
    for (std::size_t k = 0; k < width; ++k) row[k] = from_scalar(values[t * width + k]);
    outputs.push_back(std::move(row));
  }
}

// ------------------------------------------------------------------- traces --

// Starts a trace of `steps` steps with no series yet.
void begin_trace(Trace& trace, int steps);

// Appends an empty series for trace.steps steps; returns its index.
int add_series(Trace& trace, const std::string& label, const std::string& kind, int layer, int dim);

// Starts a trace of `steps` steps for a model of `layers` layers (or
// blocks), calling add_layer_series(k, prefix) to add layer k's series,
// with prefix = "KIND k " (KIND "layer", "block") to begin their labels.
template <typename AddLayerSeries>
void begin_layer_trace(Trace& trace, int steps, std::size_t layers, const std::string& kind,
                       AddLayerSeries add_layer_series) {
  begin_trace(trace, steps);
  for (std::size_t k = 0; k < layers; ++k) add_layer_series(static_cast<int>(k), kind + " " + std::to_string(k) + " ");
}

// Adds the series "PREFIXoutput (LABEL)" ("PREFIXoutput" without a label)
// of a layer's output, the value of the program stage it computes (the
// program variables LABEL), `width` wide; returns its index.
int add_output_series(Trace& trace, const std::string& prefix, const std::string& label, int layer, int width);

// Appends one step of the series at `index`.
template <typename T>
void record(Trace& trace, int index, const std::vector<T>& values) {
  TraceSeries& series = trace.series[static_cast<std::size_t>(index)];
  for (const T& v : values) series.values.push_back(from_scalar(v));
}

}  // namespace lsrl
