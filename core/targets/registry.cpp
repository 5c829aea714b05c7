// The table of targets. One row per name the CLI and the page accept; a row
// without a lowering function is listed but not available yet, unless it has
// no model at all ("dag", the program itself). Adding a target = writing its
// lowering and filling in its row.
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
  bool has_model;
};

// Display order. Flags: Multi, activation modes, then which options change the
// model (Linear chains, maximum length: Hawk's, Griffin's and Mamba's
// convolution window; GRU's and LSTM's value bounds from the static range
// analysis, which runs over that many steps), then whether it has a model.
constexpr TargetEntry kTargets[] = {
    {"dag", "The program's own semantics, node by node (no compilation)", nullptr, true, false, false, false, false},
    {"linear-rnn", "Linear RNN (paper Eq. 3)", lower_to_linear_rnn, false, false, false, false, true},
    {"gated-linear-rnn", "Gated Linear RNN (paper Eq. 4)", lower_to_gated_linear_rnn, true, false, false, false, true},
    {"rnn", "classic ReLU RNN (paper Eq. 2, construction Eq. 11)", lower_to_rnn, false, false, true, false, true},
    {"gated-rnn", "gated ReLU RNN (paper Eq. 5)", lower_to_gated_rnn, true, false, true, false, true},
    {"gru", "GRU (paper App. C)", lower_to_gru, true, true, true, true, true},
    {"lstm", "LSTM (paper App. D)", lower_to_lstm, true, true, true, true, true},
    {"hawk", "Hawk (paper App. E)", lower_to_hawk, true, true, true, true, true},
    {"griffin", "Griffin (paper App. E)", lower_to_griffin, true, true, true, true, true},
    {"mamba", "Mamba (S6, our construction)", lower_to_mamba, true, true, true, true, true},
};

std::string valid_names() {
  std::string s;
  for (const auto& t : kTargets) s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

TargetInfo info_of(const TargetEntry& t) {
  TargetInfo info;
  info.name = t.name;
  info.description = t.description;
  info.available = t.lower != nullptr || !t.has_model;
  info.reason = info.available ? "" : "not implemented yet";
  info.supports_multi = t.supports_multi;
  info.has_activation_modes = t.has_activation_modes;
  info.uses_linear_chains = t.uses_linear_chains;
  info.uses_max_length = t.uses_max_length;
  info.has_model = t.has_model;
  return info;
}

}  // namespace

std::vector<TargetInfo> list_targets() {
  std::vector<TargetInfo> out;
  for (const auto& t : kTargets) out.push_back(info_of(t));
  return out;
}

std::unique_ptr<TargetModel> lower_to_target(const PathModel& path, const std::string& target,
                                             const TargetOptions& options) {
  for (const auto& t : kTargets) {
    if (target != t.name) continue;
    if (!t.has_model) {
      throw LsrlError(SourceSpan{}, "target '" + target + "' has no model to lower to: it runs the program itself");
    }
    if (!t.lower) {
      throw LsrlError(SourceSpan{}, "target '" + target +
                                        "' is not implemented yet; available now: linear-rnn, "
                                        "gated-linear-rnn (or dag to run the program itself)");
    }
    return t.lower(path, options);
  }
  std::vector<std::string> names;
  for (const auto& t : kTargets) names.emplace_back(t.name);
  const std::string suggestion = closest_name(target, names);
  throw LsrlError(SourceSpan{}, "unknown target '" + target + "'" +
                                    (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                                    "; valid targets: " + valid_names());
}

}  // namespace lsrl
