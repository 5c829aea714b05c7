// The table of targets. One row per name the CLI and the page accept; a row
// without a lowering function is listed but not available yet. Adding a
// target = writing its lowering and filling in its row.
#include "targets/registry.hpp"

#include "targets/architectures.hpp"
#include "targets/linear_rnn.hpp"

namespace lsrl {

namespace {

using Lowering = std::unique_ptr<TargetModel> (*)(const PathModel&, const TargetOptions&);

struct TargetEntry {
  const char* name;
  const char* description;
  Lowering lower;  // nullptr: not available yet
  bool supports_multi;
  bool has_activation_modes;
  bool uses_linear_chains;
  bool uses_max_length;
};

// Display order. Flags: Multi, activation modes, then which options change the
// model (Linear chains, maximum length: Hawk's, Griffin's and Mamba's
// convolution window; GRU's and LSTM's value bounds from the static range
// analysis, which runs over that many steps).
constexpr TargetEntry kTargets[] = {
    {"linear-rnn", "Linear RNN (paper Eq. 3)", lower_to_linear_rnn, false, false, false, false},
    {"gated-linear-rnn", "Gated Linear RNN (paper Eq. 4)", lower_to_gated_linear_rnn, true, false, false, false},
    {"rnn", "classic ReLU RNN (paper Eq. 2, construction Eq. 11)", lower_to_rnn, false, false, true, false},
    {"gated-rnn", "gated ReLU RNN (paper Eq. 5)", lower_to_gated_rnn, true, false, true, false},
    {"gru", "GRU (paper App. C)", lower_to_gru, true, true, true, true},
    {"lstm", "LSTM (paper App. D)", lower_to_lstm, true, true, true, true},
    {"hawk", "Hawk (paper App. E)", lower_to_hawk, true, true, true, true},
    {"griffin", "Griffin (paper App. E)", lower_to_griffin, true, true, true, true},
    {"mamba", "Mamba (S6, our construction)", lower_to_mamba, true, true, true, true},
};

std::string valid_names() {
  std::string s = "dag";
  for (const auto& t : kTargets) s += std::string(", ") + t.name;
  return s;
}

}  // namespace

std::vector<TargetInfo> list_targets() {
  std::vector<TargetInfo> out;
  for (const auto& t : kTargets) {
    TargetInfo info;
    info.name = t.name;
    info.description = t.description;
    info.available = t.lower != nullptr;
    info.reason = info.available ? "" : "not implemented yet";
    info.supports_multi = t.supports_multi;
    info.has_activation_modes = t.has_activation_modes;
    info.uses_linear_chains = t.uses_linear_chains;
    info.uses_max_length = t.uses_max_length;
    out.push_back(std::move(info));
  }
  return out;
}

std::unique_ptr<TargetModel> lower_to_target(const PathModel& path, const std::string& target,
                                             const TargetOptions& options) {
  for (const auto& t : kTargets) {
    if (target != t.name) continue;
    if (!t.lower) {
      throw LsrlError(SourceSpan{}, "target '" + target + "' is not implemented yet; available now: linear-rnn, "
                                    "gated-linear-rnn (or dag to run the program itself)");
    }
    return t.lower(path, options);
  }
  std::vector<std::string> names{"dag"};
  for (const auto& t : kTargets) names.emplace_back(t.name);
  const std::string suggestion = closest_name(target, names);
  throw LsrlError(SourceSpan{}, "unknown target '" + target + "'" +
                                    (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                                    "; valid targets: " + valid_names());
}

}  // namespace lsrl
