// How the state-space targets (hawk, griffin, mamba) hold a LinState
//   s_t = A s_{t-1} + w_t,  w_t = B x_t + b,  s_0 = init
// with their own parts: a diagonal decaying recurrence (the RG-LRU of
// Hawk/Griffin, the selective scan of Mamba) and a causal depthwise Conv1D.
//
// A is split into its connected blocks (the compiler's fused states are
// block-diagonal). Each block goes one of three ways:
// - Decay channels: a block that is diagonalisable with real eigenvalues in
//   the recurrence's range (Hawk's RG-LRU: [0, 1); Mamba's scan: [0, 1]) is
//   held in its eigenbasis, z = V^-1 s, one channel per eigenvalue:
//     z_t = lambda z_{t-1} + (V^-1 w_t),  and s = V z.
//   Both recurrences start from 0, so a channel carries h_t = z_t - z_0,
//     h_t = lambda h_{t-1} + (V^-1 w_t) - (1 - lambda) z_0,   h_0 = 0,
//   and z_0 is added back at the output (a bias).
// - Nilpotent blocks (A^m = 0, checked exactly, e.g. shift registers): a
//   convolution of window m is exact for every t:
//     s_t = sum_{k<m} A^k w_{t-k}      (zero before the first token)
//   one channel per (i, j) pair with some (A^k)_ij != 0, kernel k -> (A^k)_ij.
// - Everything else (eigenvalue 1 on Hawk, negative or complex eigenvalues,
//   rotations, growth): the same convolution with window T, the longest
//   sequence the model accepts (TargetOptions::max_sequence_length); exact for
//   t <= T, which the executor enforces. This is the paper's App. E
//   construction, kept only where no recurrence can do better.
// The initial state of a convolution block enters through one extra channel
// per row fed the constant 1 (zero before the first token):
//     A^t s_0 = s_0 + sum_{k<t} (A^{k+1} - A^k) s_0,
// kernel k -> ((A^{k+1} - A^k) s_0)_i, plus s_0 as an output bias.
#pragma once

#include <string>
#include <vector>

#include "targets/logical_model.hpp"
#include "targets/stream_blocks.hpp"

namespace lsrl {

struct DecayChannel {
  double lambda = 0;    // 0: no memory (the channel passes its input)
  Eigen::VectorXd mix;  // input = mix . w_t + offset (mix over the state's coordinates)
  double offset = 0;    // -(1 - lambda) z_0
  Eigen::VectorXd out;  // s += out * h_t (a column of V, over the state's coordinates)
};

struct ConvChannel {
  int row = 0;                 // state coordinate i it adds to
  int source = -1;             // w_j it reads; -1: the constant 1 (initial-state channel)
  std::vector<double> kernel;  // kernel[k] multiplies the input k steps back
};

struct StateDecomposition {
  std::vector<DecayChannel> decays;
  std::vector<ConvChannel> convs;
  Eigen::VectorXd bias;            // added to s at the output: z_0 terms and s_0 of conv blocks
  int conv_window = 1;             // taps the convolutions need
  bool needs_horizon = false;      // some block is exact only up to `horizon` tokens
  std::vector<std::string> notes;  // per block: how it is held and why
};

// max_decay_included: whether eigenvalue 1 is allowed in decay channels
// (Mamba's scan: yes, exp(0) = 1; Hawk's RG-LRU: no, its a_t < 1).
StateDecomposition decompose_state(const LogicalStage& state, bool unit_decay_allowed, int horizon);

// A decay channel's input mix . w_t + offset, where pre holds the rows of w
// over a stream of `width` channels: its row over the stream and its constant.
struct DecayChannelInput {
  SparseD row;  // 1 x width
  double constant = 0;
};
DecayChannelInput decay_channel_input(const DecayChannel& channel, const Affine& pre, int width);

// Where a decay channel's h_t goes: out[i] times it into state coordinate i,
// held in `slot` of the stream.
std::vector<std::pair<int, double>> decay_channel_outputs(const DecayChannel& channel, const StreamLayout& layout,
                                                          int slot);

}  // namespace lsrl
