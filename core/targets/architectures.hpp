// Entry points of the non-linear targets, one per architecture file. The
// registry (registry.cpp) maps target names to these. Each throws LsrlError
// (at the program node's span) when the PathModel holds something the
// architecture cannot compute, naming the target, the node and the way out.
#pragma once

#include <memory>

#include "compile/path_model.hpp"
#include "targets/target_model.hpp"

namespace lsrl {

// rnn.cpp: classic ReLU RNN (Eq. 2 and 11), PyTorch nn.RNN(nonlinearity='relu')
// + linear head. Refuses Multi.
std::unique_ptr<TargetModel> lower_to_rnn(const PathModel& path, const TargetOptions& options);
// rnn.cpp: gated ReLU RNN (Eq. 5) with linear gamma and phi.
std::unique_ptr<TargetModel> lower_to_gated_rnn(const PathModel& path, const TargetOptions& options);
// gru.cpp: nn.GRU + head (App. C).
std::unique_ptr<TargetModel> lower_to_gru(const PathModel& path, const TargetOptions& options);
// lstm.cpp: nn.LSTM + head (App. D).
std::unique_ptr<TargetModel> lower_to_lstm(const PathModel& path, const TargetOptions& options);
// hawk.cpp: Hawk residual blocks (App. E); griffin: every third temporal
// block a local multi-query attention block.
std::unique_ptr<TargetModel> lower_to_hawk(const PathModel& path, const TargetOptions& options);
std::unique_ptr<TargetModel> lower_to_griffin(const PathModel& path, const TargetOptions& options);
// mamba.cpp: Mamba (S6) blocks, our own construction (docs/targets.md).
std::unique_ptr<TargetModel> lower_to_mamba(const PathModel& path, const TargetOptions& options);

}  // namespace lsrl
