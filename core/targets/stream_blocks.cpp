#include "targets/stream_blocks.hpp"

#include "targets/cell_stack.hpp"

namespace lsrl {

Affine StreamLayout::logical(int w, int slot) const {
  ReadoutBuilder r(w, width);
  for (int i = 0; i < w; ++i) r.add(i, channel(slot, i), 1.0);
  return r.finish();
}

SparseD single_row(const Affine& pre, int row, double scale, int width) {
  std::vector<Eigen::Triplet<double>> t;
  for (SparseD::InnerIterator it(pre.W, row); it; ++it) t.emplace_back(0, static_cast<int>(it.col()), scale * it.value());
  return sparse_from_triplets(1, width, t);
}

double row_bias(const Affine& pre, int row, double scale) { return scale * pre.b[row]; }

SparseD unit_row(int column, double value, int width) {
  return sparse_from_triplets(1, width, {Eigen::Triplet<double>(0, column, value)});
}

SparseD empty_row(int width) { return SparseD(1, width); }

namespace {
SparseD stack_rows(const std::vector<GatedChannel>& channels, int width, bool gate) {
  std::vector<Eigen::Triplet<double>> t;
  for (std::size_t c = 0; c < channels.size(); ++c) {
    const SparseD& row = gate ? channels[c].gate_w : channels[c].value_w;
    for (int r = 0; r < row.outerSize(); ++r)
      for (SparseD::InnerIterator it(row, r); it; ++it) t.emplace_back(static_cast<int>(c), static_cast<int>(it.col()), it.value());
  }
  return sparse_from_triplets(static_cast<int>(channels.size()), width, t);
}
}  // namespace

SparseD stack_value_rows(const std::vector<GatedChannel>& channels, int width) { return stack_rows(channels, width, false); }
SparseD stack_gate_rows(const std::vector<GatedChannel>& channels, int width) { return stack_rows(channels, width, true); }

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

}  // namespace lsrl
