// Targets `rnn` and `gated-rnn`: classic ReLU RNN layers (paper Eq. 2) in
// PyTorch's nn.RNN(nonlinearity='relu') convention,
//     h_t = relu(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),
// and gated ReLU RNN layers (Eq. 5) y_t = gamma(x_t) * phi(s_t) with linear
// gamma and phi. ReLU is the real activation of both, so there is one mode.
//
// Lowering, stage by stage (targets/logical_model.hpp):
// - State s_t = A s_{t-1} + B x_t + b (Eq. 11): the layer keeps the positive
//   and negative parts s+ = relu(A s + B x + b), s- = relu(-(A s + B x + b))
//   with s = s+ - s- read from its own previous pairs (interleaved: unit 2i
//   is s_i+, 2i + 1 is s_i-; cell_lowering.hpp says why); since at most one of
//   each pair is non-zero, this is exact, and the next layer reads
//   s = s+ - s- through its input weights.
// - ReLU y = relu(M x + c): one layer with W_hh = 0.
// - A ReLU applied directly to a state is free: relu(s) = s+ (the layer's
//   positive half), so no layer is spent on it.
// - Product (Multi): impossible for a ReLU RNN (its layers are piecewise
//   linear); refused at the Multi's node. gated-rnn computes it exactly as
//   gamma(x) * phi(s) with s the pairs (relu(b), relu(-b)), phi = s+ - s-, gamma = a.
// The head is the last stage's readout followed by the program's trailing
// Linear ops.
#include <algorithm>

#include "targets/architectures.hpp"
#include "targets/cell_lowering.hpp"

namespace lsrl {

namespace {

GateBlock signed_state_gate(const LogicalStage& s, const Affine& pre) {
  GateBuilder g(2 * s.out_dim, static_cast<int>(pre.W.cols()));
  add_signed_state(g, s, pre);
  return g.finish();
}

// ---------------------------------------------------------------- rnn ------

// nn.RNN with nonlinearity='relu': h_t = relu(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),
// the same in paper and standard mode (CellStackOf runs it).
struct RnnCell {
  static std::vector<std::string> gate_names() { return {}; }
  static std::string layer_type() { return "RNN"; }

  template <typename T, typename Act>
  static bool combine(CellPreparedLayer<T>& L, const T* const* pre, const T* const* rec) {
    for (std::size_t u = 0; u < L.h.size(); ++u) L.h[u] = act_relu<T>(pre[0][u] + rec[0][u]);
    return true;
  }

  template <typename T>
  static bool step(CellPreparedLayer<T>& L, const std::vector<T>& x, GateValues<T>&, const CellActivations<T>&,
                   std::vector<T>& pre, std::vector<T>& rec) {
    gate_parts(L.gates[0], x, L.h, pre, rec);
    for (std::size_t u = 0; u < pre.size(); ++u) L.h[u] = act_relu<T>(pre[u] + rec[u]);
    return true;
  }
};

class RnnModel final : public CellStackOf<RnnCell> {
 public:
  using CellStackOf::CellStackOf;

 protected:
  std::string torch_module() const override {
    return "torch.nn.RNN(nonlinearity='relu', batch_first=True) + nn.Linear head";
  }
};

constexpr CellGateLayout kRnnLayout{1, 0, false};

// The rnn's layer for each stage (header).
class RnnLowering : public CellStackLowering {
 public:
  Upstream state(const StageInput& in) {
    return append(signed_state_layer(kRnnLayout, in, [](CellLayerBuilder&, int) {}), in.stage.out_dim);
  }
  Upstream relu(const StageInput& in) {
    if (std::optional<Upstream> free = read_as_positive_part(in)) return *free;
    return append(candidate_relu_layer(kRnnLayout, in));
  }
  [[noreturn]] Upstream product(const StageInput& in) {
    refuse_stage(in.stage, "rnn",
                 "it multiplies two values (Multi), and a ReLU RNN's layers are piecewise linear, so no choice "
                 "of weights computes a product",
                 "use a gated target (--target gated-rnn, gru, lstm, hawk, griffin or mamba), or an f_ifelse "
                 "form without Multi (original, optimized or step)");
  }
};

// ---------------------------------------------------------- gated-rnn ------

struct GatedLayer {
  int units = 0;    // width of s
  int inputs = 0;   // width of x
  int outputs = 0;  // width of y
  GateBlock cell;   // s_t = relu(W_ih x + b_ih + W_hh s_{t-1} + b_hh)
  Affine gamma;     // outputs x inputs
  Affine phi;       // outputs x units
  Eigen::VectorXd s0;
  std::string role;
  std::string label;
};

class GatedRnnModel final : public NamedTargetModel {
 public:
  GatedRnnModel(int input_dim, int output_dim, std::vector<GatedLayer> layers, Affine head, LayerBudget budget)
      : NamedTargetModel("gated-rnn", input_dim, output_dim),
        layers_(std::move(layers)),
        head_(std::move(head)),
        budget_(budget) {}

  std::vector<LayerSummary> layers() const override {
    std::vector<LayerSummary> out;
    for (const auto& l : layers_) {
      LayerSummary s;
      s.type = "gated RNN (" + l.role + ")";
      s.input_dim = l.inputs;
      s.hidden_dim = l.units;
      s.output_dim = l.outputs;
      s.params = layer_params(l);
      s.nonzeros = layer_nonzeros(l);
      s.detail = l.label.empty() ? "" : "computes " + l.label;
      out.push_back(std::move(s));
    }
    out.push_back(linear_head_summary("head", head_, layers_.back().outputs, output_dim_));
    return out;
  }

  long long parameter_count() const override {
    long long n = linear_parameters(output_dim_, layers_.back().outputs);
    for (const auto& l : layers_) n += layer_params(l);
    return n;
  }
  long long nonzero_count() const override {
    long long n = count_nonzeros(head_);
    for (const auto& l : layers_) n += layer_nonzeros(l);
    return n;
  }

  OutputRows run(const std::vector<std::vector<double>>& tokens, Precision precision, Trace* trace) const override {
    check_token_widths(tokens, input_dim_);
    return run_in_precision(precision, [&](auto scalar) { return run_typed<decltype(scalar)>(tokens, trace); });
  }

  std::vector<NamedTensor> state_dict() const override {
    std::vector<NamedTensor> out;
    for (std::size_t k = 0; k < layers_.size(); ++k) {
      const GatedLayer& l = layers_[k];
      const std::string p = "layers." + std::to_string(k) + ".";
      out.push_back({p + "weight_ih", {l.units, l.inputs}, dense_row_major(l.cell.W_ih, l.units, l.inputs)});
      out.push_back({p + "weight_hh", {l.units, l.units}, dense_row_major(l.cell.W_hh, l.units, l.units)});
      out.push_back({p + "bias_ih", {l.units}, padded_vector(l.cell.b_ih, l.units)});
      out.push_back({p + "bias_hh", {l.units}, padded_vector(l.cell.b_hh, l.units)});
      out.push_back({p + "s0", {l.units}, padded_vector(l.s0, l.units)});
      append_linear_tensors(out, p + "gamma", l.gamma.W, l.gamma.b, l.outputs, l.inputs);
      append_linear_tensors(out, p + "phi", l.phi.W, l.phi.b, l.outputs, l.units);
    }
    append_linear_tensors(out, "head", head_.W, head_.b, output_dim_, layers_.back().outputs);
    return out;
  }

  nlohmann::json metadata() const override {
    nlohmann::json m;
    m["format"] = "lsrl-playground";
    m["target"] = "gated-rnn";
    m["architecture"] = "gated-rnn";
    m["torch_module"] =
        "GatedReluRNN (generated loader): s_t = relu(W_ih x_t + b_ih + W_hh s_{t-1} + b_hh), "
        "y_t = (gamma.weight x_t + gamma.bias) * (phi.weight s_t + phi.bias)";
    m["activations"] = "relu (the same in paper and standard mode)";
    m["input_size"] = input_dim_;
    m["output_size"] = output_dim_;
    m["num_layers"] = static_cast<int>(layers_.size());
    m["path_layers"] = budget_.path_layers;
    m["layer_bound"] = layer_budget_json(budget_);
    nlohmann::json sizes = nlohmann::json::array();
    for (const auto& l : layers_)
      sizes.push_back({{"inputs", l.inputs}, {"units", l.units}, {"outputs", l.outputs}, {"role", l.role}});
    m["layers"] = sizes;
    m["batch_first"] = true;
    return m;
  }

 private:
  static long long layer_params(const GatedLayer& l) {
    return static_cast<long long>(l.units) * l.inputs + static_cast<long long>(l.units) * l.units + 3LL * l.units +
           static_cast<long long>(l.outputs) * (l.inputs + l.units + 2);
  }
  static long long layer_nonzeros(const GatedLayer& l) {
    return count_nonzeros(l.cell.W_ih) + count_nonzeros(l.cell.W_hh) + count_nonzeros(l.cell.b_ih) +
           count_nonzeros(l.cell.b_hh) + count_nonzeros(l.s0) + count_nonzeros(l.gamma) + count_nonzeros(l.phi);
  }

  // Eq. 5: s_t = relu(W_ih x_t + b_ih + W_hh s_{t-1} + b_hh); y_t = gamma(x_t) * phi(s_t).
  template <typename T>
  OutputRows run_typed(const std::vector<std::vector<double>>& tokens, Trace* trace) const {
    struct Prepared {
      CellPreparedGate<T> cell;
      CsrMatrix<T> gW, pW;
      std::vector<T> gb, pb, s;
    };
    std::vector<Prepared> layers;
    for (const auto& l : layers_) {
      layers.push_back(Prepared{CellPreparedGate<T>{to_csr<T>(l.cell.W_ih), to_csr<T>(l.cell.W_hh),
                                                    to_scalars<T>(l.cell.b_ih), to_scalars<T>(l.cell.b_hh)},
                                to_csr<T>(l.gamma.W), to_csr<T>(l.phi.W), to_scalars<T>(l.gamma.b),
                                to_scalars<T>(l.phi.b), to_scalars<T>(l.s0)});
    }
    std::vector<int> state_series, gate_series, output_series;
    if (trace) {
      begin_layer_trace(*trace, static_cast<int>(tokens.size()), layers_.size(), "layer",
                        [&](int k, const std::string& layer_prefix) {
                          const GatedLayer& l = layers_[static_cast<std::size_t>(k)];
                          const std::string prefix = layer_prefix + "gated RNN ";
                          state_series.push_back(add_series(*trace, prefix + "s", "state", k, l.units));
                          gate_series.push_back(add_series(*trace, prefix + "gamma", "gate:gamma", k, l.outputs));
                          output_series.push_back(add_output_series(*trace, prefix, l.label, k, l.outputs));
                        });
    }
    std::vector<T> pre, rec;
    return run_tokens<T>(tokens, head_, [&](std::size_t, std::vector<T> x) {
      for (std::size_t k = 0; k < layers.size(); ++k) {
        Prepared& L = layers[k];
        gate_parts(L.cell, x, L.s, pre, rec);
        for (std::size_t u = 0; u < pre.size(); ++u) L.s[u] = act_relu<T>(pre[u] + rec[u]);
        const std::vector<T> gamma = affine(L.gW, L.gb, x);
        std::vector<T> y = affine(L.pW, L.pb, L.s);
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = gamma[i] * y[i];
        if (trace) {
          record(*trace, state_series[k], L.s);
          record(*trace, gate_series[k], gamma);
          record(*trace, output_series[k], y);
        }
        x = std::move(y);
      }
      return x;
    });
  }

  std::vector<GatedLayer> layers_;
  Affine head_;
  LayerBudget budget_;
};

Affine constant_affine(int rows, int cols, double value) {
  return Affine{SparseD(rows, cols), Eigen::VectorXd::Constant(rows, value)};
}

// The gated-rnn's layer for each stage (header). Its layers output logical
// values directly: the next stage reads y as is.
class GatedRnnLowering {
 public:
  std::vector<GatedLayer> layers;

  Upstream state(const StageInput& in) {
    const int n = in.stage.out_dim;
    return append(in, signed_state_gate(in.stage, in.pre), signed_parts(in.stage.init),
                  constant_affine(n, in.from.units, 1.0), difference_readout(n), "state");
  }
  Upstream relu(const StageInput& in) {
    const int n = in.stage.out_dim;
    GateBuilder g(n, in.from.units);
    add_pre_activation(g, in.pre);
    return append(in, g.finish(), Eigen::VectorXd::Zero(n), constant_affine(n, in.from.units, 1.0), identity_affine(n),
                  "relu");
  }
  // y = a * b: s = the pairs (relu(b), relu(-b)), phi(s) = s+ - s- = b, gamma(x) = a.
  Upstream product(const StageInput& in) {
    const int n = in.stage.out_dim;
    const Affine& pre = in.pre;
    GateBuilder g(2 * n, in.from.units);
    std::vector<Eigen::Triplet<double>> gamma_t;
    Eigen::VectorXd gamma_b(n);
    for (int i = 0; i < n; ++i) {
      g.input_row(positive_unit(i), pre, n + i, 1.0);
      g.input_row(negative_unit(i), pre, n + i, -1.0);
      for (SparseD::InnerIterator it(pre.W, i); it; ++it)
        gamma_t.emplace_back(i, static_cast<int>(it.col()), it.value());
      gamma_b[i] = pre.b[i];
    }
    return append(in, g.finish(), Eigen::VectorXd::Zero(2 * n),
                  Affine{sparse_from_triplets(n, in.from.units, gamma_t), gamma_b}, difference_readout(n), "product");
  }

 private:
  Upstream append(const StageInput& in, GateBlock cell, Eigen::VectorXd s0, Affine gamma, Affine phi,
                  const std::string& role) {
    GatedLayer l;
    l.units = static_cast<int>(s0.size());
    l.inputs = in.from.units;
    l.outputs = in.stage.out_dim;
    l.cell = std::move(cell);
    l.gamma = std::move(gamma);
    l.phi = std::move(phi);
    l.s0 = std::move(s0);
    l.role = role;
    l.label = in.stage.label;
    layers.push_back(std::move(l));
    return Upstream{identity_affine(in.stage.out_dim), in.stage.out_dim, -1};
  }
};

}  // namespace

std::unique_ptr<TargetModel> lower_to_rnn(const PathModel& path, const TargetOptions& options) {
  const LogicalModel lm = logical_model_from_path(path, options.keep_linear_chains());
  RnnLowering lowering;
  CellStack stack = lower_cell_stack(lm, lowering);
  return std::make_unique<RnnModel>("rnn", "rnn", options.activations, lm.input_dim, lm.output_dim,
                                    std::move(stack.layers), std::move(stack.head), lm.budget);
}

std::unique_ptr<TargetModel> lower_to_gated_rnn(const PathModel& path, const TargetOptions& options) {
  const LogicalModel lm = logical_model_from_path(path, options.keep_linear_chains());
  GatedRnnLowering lowering;
  Affine head = lower_stages(lm, lowering, Upstream{identity_affine(lm.input_dim), lm.input_dim, -1});
  return std::make_unique<GatedRnnModel>(lm.input_dim, lm.output_dim, std::move(lowering.layers), std::move(head),
                                         lm.budget);
}

}  // namespace lsrl
