#include "targets/cell_stack.hpp"

#include <algorithm>

namespace lsrl {

SparseD sparse_from_triplets(int rows, int cols, const std::vector<Eigen::Triplet<double>>& triplets) {
  SparseD m(rows, cols);
  m.setFromTriplets(triplets.begin(), triplets.end());
  m.prune(0.0);
  m.makeCompressed();
  return m;
}

GateBuilder::GateBuilder(int units, int inputs)
    : units_(units), inputs_(inputs), b_ih_(Eigen::VectorXd::Zero(units)), b_hh_(Eigen::VectorXd::Zero(units)) {}

void GateBuilder::input_row(int unit, const Affine& pre, int row, double scale, double shift) {
  input_weights(unit, pre, row, scale);
  b_ih_[unit] += scale * pre.b[row] + shift;
}

void GateBuilder::input_weights(int unit, const Affine& pre, int row, double scale) {
  for (SparseD::InnerIterator it(pre.W, row); it; ++it)
    ih_.emplace_back(unit, static_cast<int>(it.col()), scale * it.value());
}

void GateBuilder::input_rows(int unit, const Affine& pre, int row_a, double scale_a, int row_b, double scale_b,
                             double shift) {
  input_row(unit, pre, row_a, scale_a, shift);
  input_row(unit, pre, row_b, scale_b, 0.0);
}

void GateBuilder::recurrent(int unit, int from_unit, double value) { hh_.emplace_back(unit, from_unit, value); }

GateBlock GateBuilder::finish() const {
  return GateBlock{sparse_from_triplets(units_, inputs_, ih_), sparse_from_triplets(units_, units_, hh_), b_ih_, b_hh_};
}

CellStackModel::CellStackModel(std::string target, std::string architecture, Activations activations, int input_dim,
                               int output_dim, std::vector<CellLayer> layers, Affine head, LayerBudget budget)
    : NamedTargetModel(std::move(target), input_dim, output_dim),
      architecture_(std::move(architecture)),
      activations_(activations),
      layers_(std::move(layers)),
      head_(std::move(head)),
      budget_(budget) {}

int CellStackModel::hidden_size() const {
  int h = 1;
  for (const auto& l : layers_) h = std::max(h, l.units);
  return h;
}

namespace {

long long layer_nonzeros(const CellLayer& l) {
  long long n = count_nonzeros(l.h0) + count_nonzeros(l.c0);
  for (const auto& g : l.gates)
    n += count_nonzeros(g.W_ih) + count_nonzeros(g.W_hh) + count_nonzeros(g.b_ih) + count_nonzeros(g.b_hh);
  return n;
}

}  // namespace

std::vector<LayerSummary> CellStackModel::layers() const {
  std::vector<LayerSummary> out;
  const int H = hidden_size();
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    const CellLayer& l = layers_[k];
    LayerSummary s;
    s.type = layer_type() + " (" + l.role + ")";
    s.input_dim = l.inputs;
    s.hidden_dim = l.units;
    s.output_dim = l.units;
    const long long G = static_cast<long long>(l.gates.size());
    s.params = G * l.units * l.inputs + G * l.units * l.units + 2 * G * l.units;
    s.nonzeros = layer_nonzeros(l);
    s.detail = l.label.empty() ? "" : "computes " + l.label;
    if (l.units < H)
      s.detail += std::string(s.detail.empty() ? "" : "; ") + "padded to " + std::to_string(H) + " units on export";
    out.push_back(std::move(s));
  }
  out.push_back(linear_head_summary("head", head_, layers_.empty() ? input_dim_ : layers_.back().units, output_dim_));
  return out;
}

long long CellStackModel::parameter_count() const {
  // Counts the tensors PyTorch holds: every layer padded to the hidden size.
  const long long H = hidden_size();
  long long n = 0;
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    const long long G = static_cast<long long>(layers_[k].gates.size());
    const long long in = k == 0 ? input_dim_ : H;
    n += G * H * in + G * H * H + 2 * G * H;
  }
  n += linear_parameters(output_dim_, hidden_size());
  n += static_cast<long long>(layers_.size()) * H * (has_cell_state() ? 2 : 1);
  return n;
}

long long CellStackModel::nonzero_count() const {
  long long n = count_nonzeros(head_);
  for (const auto& l : layers_) n += layer_nonzeros(l);
  return n;
}

std::vector<NamedTensor> CellStackModel::state_dict() const {
  const int H = hidden_size();
  const int L = static_cast<int>(layers_.size());
  std::vector<NamedTensor> out;
  for (int k = 0; k < L; ++k) {
    const CellLayer& l = layers_[k];
    const int in = k == 0 ? input_dim_ : H;
    const int G = static_cast<int>(l.gates.size());
    NamedTensor w_ih{"rnn.weight_ih_l" + std::to_string(k), {static_cast<long long>(G) * H, in}, {}};
    NamedTensor w_hh{"rnn.weight_hh_l" + std::to_string(k), {static_cast<long long>(G) * H, H}, {}};
    NamedTensor b_ih{"rnn.bias_ih_l" + std::to_string(k), {static_cast<long long>(G) * H}, {}};
    NamedTensor b_hh{"rnn.bias_hh_l" + std::to_string(k), {static_cast<long long>(G) * H}, {}};
    for (const GateBlock& g : l.gates) {
      // Each gate's block is H rows; the layer's units fill its first rows.
      std::vector<double> ih = dense_row_major(g.W_ih, H, in);
      std::vector<double> hh = dense_row_major(g.W_hh, H, H);
      std::vector<double> bi = padded_vector(g.b_ih, H);
      std::vector<double> bh = padded_vector(g.b_hh, H);
      w_ih.data.insert(w_ih.data.end(), ih.begin(), ih.end());
      w_hh.data.insert(w_hh.data.end(), hh.begin(), hh.end());
      b_ih.data.insert(b_ih.data.end(), bi.begin(), bi.end());
      b_hh.data.insert(b_hh.data.end(), bh.begin(), bh.end());
    }
    out.push_back(std::move(w_ih));
    out.push_back(std::move(w_hh));
    out.push_back(std::move(b_ih));
    out.push_back(std::move(b_hh));
  }
  append_linear_tensors(out, "head", head_.W, head_.b, output_dim_, H);
  NamedTensor h0{"h0", {L, H}, {}};
  for (const auto& l : layers_) {
    std::vector<double> v = padded_vector(l.h0, H);
    h0.data.insert(h0.data.end(), v.begin(), v.end());
  }
  out.push_back(std::move(h0));
  if (has_cell_state()) {
    NamedTensor c0{"c0", {L, H}, {}};
    for (const auto& l : layers_) {
      std::vector<double> v = padded_vector(l.c0, H);
      c0.data.insert(c0.data.end(), v.begin(), v.end());
    }
    out.push_back(std::move(c0));
  }
  return out;
}

std::string CellStackModel::torch_module() const {
  const std::string module = layer_type();
  return activations_ == Activations::Standard
             ? "torch.nn." + module + "(batch_first=True) + nn.Linear head"
             : "Relu" + module + " (generated loader): nn." + module +
                   "'s equations and parameter names with ReLU in place of sigmoid and tanh";
}

void CellStackModel::refuse_out_of_bounds(std::size_t layer, std::size_t step) const {
  throw LsrlError(SourceSpan{}, target_ + " layer " + std::to_string(layer) + " ('" + layers_[layer].label +
                                    "') left the static bounds it was built for at token " + std::to_string(step + 1) +
                                    "; run only prompts inside the domain the model was built for");
}

nlohmann::json CellStackModel::metadata() const {
  nlohmann::json units = nlohmann::json::array();
  nlohmann::json roles = nlohmann::json::array();
  bool padded = false;
  const int H = hidden_size();
  for (const auto& l : layers_) {
    units.push_back(l.units);
    roles.push_back(l.role);
    padded = padded || l.units < H;
  }
  nlohmann::json m;
  m["format"] = "lsrl-playground";
  m["target"] = target_;
  m["architecture"] = architecture_;
  m["torch_module"] = torch_module();
  m["activations"] = activations_ == Activations::Paper ? "paper" : "standard";
  m["input_size"] = input_dim_;
  m["hidden_size"] = H;
  m["num_layers"] = static_cast<int>(layers_.size());
  m["output_size"] = output_dim_;
  m["layer_units"] = units;
  m["layer_roles"] = roles;
  m["path_layers"] = budget_.path_layers;
  m["layer_bound"] = layer_budget_json(budget_);
  m["padded"] = padded;
  if (padded) {
    m["padding"] = "PyTorch's stacked module needs one hidden size for all layers: every layer is padded to " +
                   std::to_string(H) +
                   " units with zero weights, zero biases and zero initial state; those units stay 0";
  }
  m["batch_first"] = true;
  m["initial_state"] =
      has_cell_state() ? "h0 and c0, shape [num_layers, hidden_size]" : "h0, shape [num_layers, hidden_size]";
  m["head"] = "output_t = head.weight @ h_t(last layer) + head.bias";
  return m;
}

StackTraceLayout make_stack_trace(Trace& trace, const std::vector<CellLayer>& layers,
                                  const std::vector<std::string>& gate_names, bool with_cell, int steps,
                                  const std::string& layer_type) {
  StackTraceLayout layout;
  begin_layer_trace(trace, steps, layers.size(), "layer", [&](int layer, const std::string& layer_prefix) {
    const CellLayer& l = layers[static_cast<std::size_t>(layer)];
    const std::string prefix = layer_prefix + layer_type + " ";
    layout.state.push_back(add_series(trace, prefix + "h", "state", layer, l.units));
    if (with_cell) layout.cell.push_back(add_series(trace, prefix + "c", "cell", layer, l.units));
    std::vector<int> gates;
    for (const auto& g : gate_names) gates.push_back(add_series(trace, prefix + g, "gate:" + g, layer, l.units));
    layout.gates.push_back(std::move(gates));
    layout.output.push_back(add_output_series(trace, prefix, l.label, layer, static_cast<int>(l.readout.W.rows())));
  });
  return layout;
}

}  // namespace lsrl
