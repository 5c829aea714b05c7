#include "targets/state_decomposition.hpp"

#include <Eigen/Dense>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "compile/num_ops.hpp"
#include "targets/cell_stack.hpp"

namespace lsrl {

namespace {

// Connected blocks of the undirected graph i ~ j when A_ij != 0 or A_ji != 0.
std::vector<std::vector<int>> blocks_of(const NumSparse& A) {
  const int n = static_cast<int>(A.rows());
  std::vector<int> parent(static_cast<std::size_t>(n));
  std::iota(parent.begin(), parent.end(), 0);
  std::function<int(int)> find = [&](int x) {
    while (parent[static_cast<std::size_t>(x)] != x)
      x = parent[static_cast<std::size_t>(x)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
    return x;
  };
  for (int i = 0; i < A.outerSize(); ++i)
    for (NumSparse::InnerIterator it(A, i); it; ++it)
      if (!it.value().is_zero()) parent[static_cast<std::size_t>(find(i))] = find(static_cast<int>(it.col()));
  std::vector<std::vector<int>> groups(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) groups[static_cast<std::size_t>(find(i))].push_back(i);
  std::vector<std::vector<int>> out;
  for (auto& g : groups)
    if (!g.empty()) out.push_back(std::move(g));
  return out;
}

// The exact nilpotency index of a block (A^m = 0), or 0 if it is not nilpotent.
int nilpotency_index(const NumSparse& block) {
  NumSparse power = block;
  const int n = static_cast<int>(block.rows());
  for (int m = 1; m <= n; ++m) {
    if (is_zero_matrix(power)) return m;
    power = multiply(power, block);
  }
  return is_zero_matrix(power) ? n + 1 : 0;
}

struct RealEigen {
  bool ok = false;
  Eigen::VectorXd values;
  Eigen::MatrixXd V;
  Eigen::MatrixXd V_inverse;
};

RealEigen real_diagonalisation(const Eigen::MatrixXd& A) {
  RealEigen out;
  Eigen::EigenSolver<Eigen::MatrixXd> solver(A, true);
  if (solver.info() != Eigen::Success) return out;
  const double scale = std::max(1.0, A.cwiseAbs().maxCoeff());
  for (Eigen::Index i = 0; i < A.rows(); ++i)
    if (std::fabs(solver.eigenvalues()[i].imag()) > 1e-12 * scale) return out;
  out.values = solver.eigenvalues().real();
  out.V = solver.eigenvectors().real();
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(out.V);
  const double smallest = svd.singularValues().minCoeff();
  if (!(smallest > 0) || svd.singularValues().maxCoeff() / smallest > 1e8) return out;
  out.V_inverse = out.V.inverse();
  // Snap eigenvalues that are 0 or 1 up to rounding.
  for (Eigen::Index i = 0; i < out.values.size(); ++i) {
    if (std::fabs(out.values[i]) < 1e-13 * scale) out.values[i] = 0.0;
    if (std::fabs(out.values[i] - 1.0) < 1e-13) out.values[i] = 1.0;
  }
  out.ok = true;
  return out;
}

// One block of coupled state units (blocks_of): the transition and initial
// state restricted to it, and how the notes name it.
struct StateBlock {
  std::vector<int> units;
  Eigen::MatrixXd A;
  Eigen::VectorXd init;
  std::string where;
  int unit(int a) const { return units[static_cast<std::size_t>(a)]; }
};

StateBlock state_block(const LogicalStage& state, const Eigen::MatrixXd& A_full, std::vector<int> units) {
  StateBlock block;
  const int m = static_cast<int>(units.size());
  block.units = std::move(units);
  block.A.resize(m, m);
  block.init.resize(m);
  for (int a = 0; a < m; ++a) {
    block.init[a] = state.init[block.unit(a)];
    for (int b = 0; b < m; ++b) block.A(a, b) = A_full(block.unit(a), block.unit(b));
  }
  block.where = m == 1 ? "state unit " + std::to_string(block.unit(0))
                       : "state block of " + std::to_string(m) + " units starting at " + std::to_string(block.unit(0));
  return block;
}

// 1. Decay channels: when the block's transition is real-diagonalisable
// with eigenvalues in [0, 1) (or 1, when allowed), one channel per
// eigenvalue. Returns whether it is.
bool hold_as_decays(const StateBlock& block, bool unit_decay_allowed, int n, StateDecomposition& out) {
  const int m = static_cast<int>(block.units.size());
  const RealEigen eig = real_diagonalisation(block.A);
  bool in_range = eig.ok;
  if (eig.ok) {
    for (Eigen::Index i = 0; i < eig.values.size(); ++i) {
      const double l = eig.values[i];
      in_range = in_range && l >= 0.0 && (l < 1.0 || (unit_decay_allowed && l == 1.0));
    }
  }
  if (!in_range) return false;
  const Eigen::VectorXd z0 = eig.V_inverse * block.init;
  for (int j = 0; j < m; ++j) {
    DecayChannel c;
    c.lambda = eig.values[j];
    c.mix = Eigen::VectorXd::Zero(n);
    c.out = Eigen::VectorXd::Zero(n);
    for (int a = 0; a < m; ++a) {
      c.mix[block.unit(a)] = eig.V_inverse(j, a);
      c.out[block.unit(a)] = eig.V(a, j);
    }
    if (c.lambda > 0.0) {
      // h = z - z_0 on a memory channel; without memory the channel is z itself.
      c.offset = -(1.0 - c.lambda) * z0[j];
      for (int a = 0; a < m; ++a) out.bias[block.unit(a)] += eig.V(a, j) * z0[j];
    }
    out.decays.push_back(std::move(c));
  }
  out.notes.push_back(block.where + ": diagonal recurrence (eigenvalues in range), no convolution needed");
  return true;
}

// The taps of a block's convolution over `window` tokens: kernel[a * m + b]
// the powers A^0 .. A^(window - 1) at (a, b), init_kernel[a] the initial
// state's contribution (A^(k+1) - A^k) init.
struct BlockKernels {
  std::vector<std::vector<double>> kernel;
  std::vector<std::vector<double>> init_kernel;
};

BlockKernels block_kernels(const LogicalStage& state, const StateBlock& block, int window) {
  const int m = static_cast<int>(block.units.size());
  BlockKernels out{std::vector<std::vector<double>>(static_cast<std::size_t>(m * m),
                                                    std::vector<double>(static_cast<std::size_t>(window), 0.0)),
                   std::vector<std::vector<double>>(static_cast<std::size_t>(m),
                                                    std::vector<double>(static_cast<std::size_t>(window), 0.0))};
  Eigen::MatrixXd power = Eigen::MatrixXd::Identity(m, m);
  for (int k = 0; k < window; ++k) {
    const Eigen::MatrixXd next = power * block.A;
    if (!next.allFinite() || next.cwiseAbs().maxCoeff() > 1e290) {
      throw LsrlError(state.origin,
                      "the state '" + state.label +
                          "' grows without bound (its transition has an "
                          "eigenvalue larger than 1), so its convolution over " +
                          std::to_string(window) +
                          " tokens overflows; use a target with a linear recurrence (linear-rnn, rnn, gru, "
                          "lstm) for this program");
    }
    for (int a = 0; a < m; ++a)
      for (int b = 0; b < m; ++b)
        out.kernel[static_cast<std::size_t>(a * m + b)][static_cast<std::size_t>(k)] = power(a, b);
    const Eigen::VectorXd d = (next - power) * block.init;
    for (int a = 0; a < m; ++a) out.init_kernel[static_cast<std::size_t>(a)][static_cast<std::size_t>(k)] = d[a];
    power = next;
  }
  return out;
}

// 2./3. A convolution over the nilpotency index of the block's transition,
// or over the whole sequence (`horizon` tokens).
void hold_as_convolution(const LogicalStage& state, const StateBlock& block, int horizon, StateDecomposition& out) {
  const int m = static_cast<int>(block.units.size());
  NumSparse exact_block = pick_columns(pick_rows(state.A_exact, block.units), block.units);
  const int nil = nilpotency_index(exact_block);
  const int window = nil > 0 ? nil : std::max(1, horizon);
  if (nil == 0) out.needs_horizon = true;
  out.conv_window = std::max(out.conv_window, window);
  out.notes.push_back(
      block.where + (nil > 0
                         ? ": nilpotent (A^" + std::to_string(nil) + " = 0), convolution window " + std::to_string(nil)
                         : ": not a decaying real-diagonal recurrence (eigenvalue 1, negative or complex "
                           "eigenvalues, or not diagonalisable), convolution over the whole sequence (" +
                               std::to_string(window) + " tokens)"));
  const BlockKernels kernels = block_kernels(state, block, window);
  const auto all_zero = [](const std::vector<double>& taps) {
    return std::all_of(taps.begin(), taps.end(), [](double v) { return v == 0.0; });
  };
  for (int a = 0; a < m; ++a) {
    for (int b = 0; b < m; ++b) {
      const auto& kern = kernels.kernel[static_cast<std::size_t>(a * m + b)];
      if (all_zero(kern)) continue;
      out.convs.push_back(ConvChannel{block.unit(a), block.unit(b), kern});
    }
    const auto& ik = kernels.init_kernel[static_cast<std::size_t>(a)];
    if (!all_zero(ik)) out.convs.push_back(ConvChannel{block.unit(a), -1, ik});
    out.bias[block.unit(a)] += block.init[a];
  }
}

}  // namespace

StateDecomposition decompose_state(const LogicalStage& state, bool unit_decay_allowed, int horizon) {
  StateDecomposition out;
  out.bias = Eigen::VectorXd::Zero(state.out_dim);
  const Eigen::MatrixXd A_full = Eigen::MatrixXd(state.A);
  for (std::vector<int>& units : blocks_of(state.A_exact)) {
    const StateBlock block = state_block(state, A_full, std::move(units));
    if (!hold_as_decays(block, unit_decay_allowed, state.out_dim, out)) hold_as_convolution(state, block, horizon, out);
  }
  return out;
}

DecayChannelInput decay_channel_input(const DecayChannel& channel, const Affine& pre, int width) {
  std::vector<Eigen::Triplet<double>> t;
  double constant = channel.offset;
  for (Eigen::Index i = 0; i < channel.mix.size(); ++i) {
    if (channel.mix[i] == 0.0) continue;
    for (SparseD::InnerIterator it(pre.W, i); it; ++it)
      t.emplace_back(0, static_cast<int>(it.col()), channel.mix[i] * it.value());
    constant += channel.mix[i] * pre.b[i];
  }
  return DecayChannelInput{sparse_from_triplets(1, width, t), constant};
}

std::vector<std::pair<int, double>> decay_channel_outputs(const DecayChannel& channel, const StreamLayout& layout,
                                                          int slot) {
  std::vector<std::pair<int, double>> out;
  for (Eigen::Index i = 0; i < channel.out.size(); ++i)
    if (channel.out[i] != 0.0) out.emplace_back(layout.channel(slot, static_cast<int>(i)), channel.out[i]);
  return out;
}

}  // namespace lsrl
