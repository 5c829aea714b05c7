// All targets by name: which exist, which are available, and lowering a
// PathModel to one. The only place that knows the list.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compile/path_model.hpp"
#include "graph/program.hpp"
#include "targets/target_model.hpp"

namespace lsrl {

struct TargetInfo {
  std::string name;         // "linear-rnn"
  std::string description;  // "Linear RNN (Eq. 3)"
  bool available = true;    // false: listed but not supported yet
  std::string reason;       // why not available
  bool supports_multi = false;
  bool has_activation_modes = false;  // paper vs standard differ
  // Which TargetOptions change the model: the Linear-chain setting (the
  // non-linear targets) and the maximum sequence length (Hawk, Griffin,
  // Mamba: their convolution window; GRU, LSTM: the steps over which the
  // static range analysis bounds their values).
  bool uses_linear_chains = false;
  bool uses_max_length = false;
  // false: the program runs as it is, node by node ("dag"): compile() builds
  // no PathModel and no weights, so there is nothing to lower or export.
  bool has_model = true;
};

// Every target name the CLI and page accept, in display order ("dag" first).
std::vector<TargetInfo> list_targets();

// Lowers to `target`. Throws LsrlError naming the target, the offending
// program node (its span, found through the PathOp's origin) and the way out,
// e.g. Multi on linear-rnn -> "use --target gated-linear-rnn or an f_ifelse
// form without Multi".
std::unique_ptr<TargetModel> lower_to_target(const PathModel& path, const std::string& target,
                                             const TargetOptions& options);

}  // namespace lsrl
