#include "targets/stream_blocks.hpp"

#include <algorithm>

#include "targets/cell_stack.hpp"

namespace lsrl {

StreamLayout StreamLayout::for_model(const LogicalModel& model) {
  int widest = model.input_dim;
  for (const auto& s : model.stages) widest = std::max(widest, s.out_dim);
  return StreamLayout{widest, 1 + 2 * widest};
}

Affine StreamLayout::logical(int w, int slot) const {
  ReadoutBuilder r(w, width);
  for (int i = 0; i < w; ++i) r.add(i, channel(slot, i), 1.0);
  return r.finish();
}

Affine StreamLayout::embedding(int input_dim) const {
  ReadoutBuilder e(width, input_dim);
  for (int i = 0; i < input_dim; ++i) e.add(channel(0, i), i, 1.0);
  e.bias(constant_channel(), 1.0);
  return e.finish();
}

std::string StreamLayout::description(const std::string& mover) const {
  return "channel " + std::to_string(constant_channel()) + ": the constant 1; channels " +
         std::to_string(channel(0, 0)) + ".." + std::to_string(channel(0, slot_width - 1)) + " and " +
         std::to_string(channel(1, 0)) + ".." + std::to_string(channel(1, slot_width - 1)) +
         ": two slots, the program's current value in one (each " + mover + " moves it to the other)";
}

SparseD single_row(const Affine& pre, int row, double scale, int width) {
  std::vector<Eigen::Triplet<double>> t;
  for (SparseD::InnerIterator it(pre.W, row); it; ++it)
    t.emplace_back(0, static_cast<int>(it.col()), scale * it.value());
  return sparse_from_triplets(1, width, t);
}

double row_bias(const Affine& pre, int row, double scale) { return scale * pre.b[row]; }

SparseD unit_row(int column, double value, int width) {
  return sparse_from_triplets(1, width, {Eigen::Triplet<double>(0, column, value)});
}

SparseD empty_row(int width) { return SparseD(1, width); }

namespace {
// Appends the channels' value or gate rows as matrix rows first_row, first_row + 1, ...
void append_rows(std::vector<Eigen::Triplet<double>>& t, const std::vector<GatedChannel>& channels, bool gate,
                 int first_row) {
  for (std::size_t c = 0; c < channels.size(); ++c) {
    const SparseD& row = gate ? channels[c].gate_w : channels[c].value_w;
    for (int r = 0; r < row.outerSize(); ++r)
      for (SparseD::InnerIterator it(row, r); it; ++it)
        t.emplace_back(first_row + static_cast<int>(c), static_cast<int>(it.col()), it.value());
  }
}

SparseD stack_rows(const std::vector<GatedChannel>& channels, int width, bool gate) {
  std::vector<Eigen::Triplet<double>> t;
  append_rows(t, channels, gate, 0);
  return sparse_from_triplets(static_cast<int>(channels.size()), width, t);
}
}  // namespace

SparseD stack_value_rows(const std::vector<GatedChannel>& channels, int width) {
  return stack_rows(channels, width, false);
}
SparseD stack_gate_rows(const std::vector<GatedChannel>& channels, int width) {
  return stack_rows(channels, width, true);
}

SparseD stack_value_and_gate_rows(const std::vector<GatedChannel>& channels, int width) {
  const int n = static_cast<int>(channels.size());
  std::vector<Eigen::Triplet<double>> t;
  append_rows(t, channels, false, 0);
  append_rows(t, channels, true, n);
  return sparse_from_triplets(2 * n, width, t);
}

Eigen::VectorXd value_biases(const std::vector<GatedChannel>& channels) {
  Eigen::VectorXd b(static_cast<Eigen::Index>(channels.size()));
  for (std::size_t c = 0; c < channels.size(); ++c) b[static_cast<Eigen::Index>(c)] = channels[c].value_b;
  return b;
}

Eigen::VectorXd gate_biases(const std::vector<GatedChannel>& channels) {
  Eigen::VectorXd b(static_cast<Eigen::Index>(channels.size()));
  for (std::size_t c = 0; c < channels.size(); ++c) b[static_cast<Eigen::Index>(c)] = channels[c].gate_b;
  return b;
}

SparseD output_projection(const std::vector<GatedChannel>& channels, int width) {
  std::vector<Eigen::Triplet<double>> t;
  for (std::size_t c = 0; c < channels.size(); ++c)
    for (const auto& [row, coefficient] : channels[c].out) t.emplace_back(row, static_cast<int>(c), coefficient);
  return sparse_from_triplets(width, static_cast<int>(channels.size()), t);
}

Eigen::MatrixXd conv_taps_by_lag(const std::vector<GatedChannel>& channels) {
  int width = 1;
  for (const auto& c : channels) width = std::max<int>(width, static_cast<int>(c.kernel.size()));
  Eigen::MatrixXd taps = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(channels.size()), width);
  for (std::size_t c = 0; c < channels.size(); ++c) {
    const std::vector<double>& kernel = channels[c].kernel;
    if (kernel.empty()) taps(static_cast<Eigen::Index>(c), 0) = 1.0;
    for (std::size_t k = 0; k < kernel.size(); ++k)
      taps(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(k)) = kernel[k];
  }
  return taps;
}

StreamModel::StreamModel(std::string target, ReferenceNames names, Activations activations, int input_dim,
                         int output_dim, StreamLayout layout, Affine embed, Affine head, int horizon,
                         LayerBudget budget)
    : NamedTargetModel(std::move(target), input_dim, output_dim),
      activations_(activations),
      layout_(layout),
      names_(std::move(names)),
      embed_(std::move(embed)),
      head_(std::move(head)),
      horizon_(horizon),
      budget_(budget) {}

bool StreamModel::needs_horizon() const {
  for (std::size_t i = 0; i < block_count(); ++i)
    if (block_outcome(i).needs_horizon) return true;
  return false;
}

std::vector<LayerSummary> StreamModel::layers() const {
  std::vector<LayerSummary> out;
  for (std::size_t i = 0; i < block_count(); ++i) {
    LayerSummary s = block_summary(i);
    s.input_dim = layout_.width;
    s.output_dim = layout_.width;
    s.params = block_parameters(i);
    s.nonzeros = block_nonzeros(i);
    out.push_back(std::move(s));
  }
  out.push_back(linear_head_summary(names_.head, head_, layout_.width, output_dim_));
  return out;
}

long long StreamModel::parameter_count() const {
  long long n = linear_parameters(layout_.width, input_dim_) + linear_parameters(output_dim_, layout_.width);
  for (std::size_t i = 0; i < block_count(); ++i) n += block_parameters(i);
  return n;
}

long long StreamModel::nonzero_count() const {
  long long n = count_nonzeros(embed_) + count_nonzeros(head_);
  for (std::size_t i = 0; i < block_count(); ++i) n += block_nonzeros(i);
  return n;
}

std::vector<NamedTensor> StreamModel::state_dict() const {
  std::vector<NamedTensor> out;
  append_linear_tensors(out, names_.embedding, embed_.W, embed_.b, layout_.width, input_dim_);
  for (std::size_t i = 0; i < block_count(); ++i) append_block_tensors(i, out);
  append_linear_tensors(out, names_.head, head_.W, head_.b, output_dim_, layout_.width);
  return out;
}

nlohmann::json StreamModel::metadata() const {
  nlohmann::json m;
  m["format"] = "lsrl-playground";
  m["target"] = target_;
  m["architecture"] = target_;
  m["activations"] = activations_ == Activations::Paper ? "paper" : "standard";
  m["input_size"] = input_dim_;
  m["output_size"] = output_dim_;
  m["path_layers"] = budget_.path_layers;
  m["layer_bound"] = layer_budget_json(budget_);
  m["norms"] = "omitted (RMSNorm would rescale the stream by a data-dependent factor)";
  m["head"] = "output = " + names_.head + ".weight @ stream + " + names_.head + ".bias";
  nlohmann::json blocks = nlohmann::json::array();
  for (std::size_t i = 0; i < block_count(); ++i) {
    nlohmann::json j = block_metadata(i);
    const std::vector<std::string>& notes = block_outcome(i).notes;
    if (!notes.empty()) j["state_notes"] = notes;
    blocks.push_back(std::move(j));
  }
  m["num_" + names_.blocks] = static_cast<int>(block_count());
  m[names_.blocks] = blocks;
  if (needs_horizon()) m["exact_up_to_tokens"] = horizon_;
  return m;
}

void StreamModel::check_input(const std::vector<std::vector<double>>& tokens) const {
  check_token_widths(tokens, input_dim_);
  if (needs_horizon() && static_cast<int>(tokens.size()) > horizon_) {
    throw LsrlError(SourceSpan{}, "this " + target_ +
                                      " model holds some states with a convolution over the whole "
                                      "sequence, exact for at most " +
                                      std::to_string(horizon_) + " tokens, but the input has " +
                                      std::to_string(tokens.size()) +
                                      "; give a shorter input or compile with a larger "
                                      "maximum sequence length (lsrlc --max-length N; the page's max length)");
  }
}

}  // namespace lsrl
