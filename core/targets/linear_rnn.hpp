// Targets `linear-rnn` (paper Eq. 3) and `gated-linear-rnn` (Eq. 4): the
// PathModel's layers as they are, each a LinState s_t = A s_{t-1} + B x_t + b
// followed by its feed-forward ops (Linear, ReLU and, when gated, the Multi
// gate), executed with the runtime kernels in f64, f32 or f16.
#pragma once

#include <memory>

#include "compile/path_model.hpp"
#include "targets/target_model.hpp"

namespace lsrl {

// Throws LsrlError at the Multi's program span: a Linear RNN has no
// multiplicative gating.
std::unique_ptr<TargetModel> lower_to_linear_rnn(const PathModel& path, const TargetOptions& options);
std::unique_ptr<TargetModel> lower_to_gated_linear_rnn(const PathModel& path, const TargetOptions& options);

}  // namespace lsrl
