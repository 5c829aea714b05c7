// What the residual-stream targets (hawk, griffin, mamba) share: the layout of
// the residual stream and the "gated channels" their blocks are made of.
//
// Stream layout (width D = 2 W + 1): channels 0 .. W-1 and W .. 2W-1 are two
// slots, one of which holds the current logical value of the program (the
// last stage's output) while the other is 0; the last channel, 2W, holds the
// constant 1 (the embedding's bias puts it there and no block writes to it).
// It comes last so that a layer without a bias of its own (Mamba's in_proj)
// adds the constant term after the other terms, in the order a biased layer
// sums; programs with 1000-fold steps and 1e10 selectors amplify a one-ulp
// difference in that order. A block that computes a stage reads the value from its slot and, through
// the residual connection, writes delta = -old into that slot and +new into
// the other one. So no channel ever holds old + (new - old): a value of 1e10
// (the f_ifelse forms' lambda) leaving a channel cannot round away the small
// value that replaces it. The old value reaches the block's output through
// pass-through channels that are exact (see below), so the emptied slot is
// exactly 0 again. Norm layers are not used (the paper's App. E omits them
// too): a norm rescales the stream by a data-dependent factor that no fixed
// weights can undo.
//
// A gated channel computes  value' * act(gate) * coefficient  into chosen
// stream channels, where value and gate are affine in the stream, act is the
// architecture's gate activation (GeLU for Hawk, SiLU for Mamba; ReLU in
// paper mode) and value' is the value itself (Hawk's x-branch is linear) or
// act(value) (Mamba's x-branch goes through SiLU). Every act used here has
// the form x * phi(x) with phi(x) + phi(-x) = 1 (GeLU with erf or tanh, SiLU,
// ReLU), hence the exact identity
//     act(x) - act(-x) = x,
// which gives exact pass-through, exact products and, with the constant gate
// act(64) = 64 (exact in double for all three), exact linear channels. Only
// ReLU itself is approximated in standard mode: act(beta a) / beta is within
// 0.17 / beta (GeLU) or 0.28 / beta (SiLU) of relu(a), with beta = 2^60 (an
// absolute step: scaled to the largest value a unit takes, it would blur the
// unit's small values).
#pragma once

#include <string>
#include <vector>

#include "targets/logical_model.hpp"

namespace lsrl {

constexpr double kConstantGate = 64.0;  // relu(64), gelu_tanh(64) and silu(64) are all exactly 64.0 in double
constexpr double kReluStep = 0x1p60;  // absolute: relu(a) ~ act(beta a) / beta within 0.28 / beta = 2.4e-19

struct StreamLayout {
  int slot_width = 0;  // W
  int width = 0;       // D = 1 + 2 W
  static StreamLayout for_widest(int widest) { return StreamLayout{widest, 1 + 2 * widest}; }
  int channel(int slot, int i) const { return slot * slot_width + i; }
  int constant_channel() const { return 2 * slot_width; }
  // Readout of the logical value of width w held in `slot`.
  Affine logical(int w, int slot) const;
};

// One channel of a gated block, as rows over the stream.
struct GatedChannel {
  SparseD value_w;  // 1 x D
  double value_b = 0;
  SparseD gate_w;   // 1 x D
  double gate_b = 0;
  std::vector<std::pair<int, double>> out;  // stream channel -> coefficient on value * act(gate)
  // Temporal extras (Hawk's recurrent block / Mamba's conv and scan).
  std::vector<double> kernel;  // conv taps by lag; empty: identity
  double lambda = 0;           // recurrence decay; 0: no memory
  std::string role;            // "pass", "relu", "product", "state", "conv", "const"
};

// Row `row` of pre scaled, as a 1 x width matrix, and its bias scaled.
SparseD single_row(const Affine& pre, int row, double scale, int width);
double row_bias(const Affine& pre, int row, double scale);
// A 1 x width row with a single entry.
SparseD unit_row(int column, double value, int width);
SparseD empty_row(int width);

// Assembles [channels x D] matrices from channel rows.
SparseD stack_value_rows(const std::vector<GatedChannel>& channels, int width);
SparseD stack_gate_rows(const std::vector<GatedChannel>& channels, int width);
Eigen::VectorXd value_biases(const std::vector<GatedChannel>& channels);
Eigen::VectorXd gate_biases(const std::vector<GatedChannel>& channels);
// [D x channels] output projection.
SparseD output_projection(const std::vector<GatedChannel>& channels, int width);

}  // namespace lsrl
