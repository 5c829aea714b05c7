// The optimisation driver: the exact size passes, repeated until none of
// them changes anything (each can enable the others: a folded constant
// leaves a dead unit, a removed unit makes two rows equal, a merged layer
// puts two Linears side by side).
#include "compile/optimize.hpp"

namespace lsrl {

void optimize_path(PathModel& path, RuleCounter& counts) {
  StagedModel staged = stages_from_path(path);
  for (int round = 0; round < 50; ++round) {
    int changes = 0;
    auto run = [&](const char* name, int n) {
      counts.count(name, n);
      changes += n;
    };
    run("opt_drop_zeros", drop_exact_zeros(staged));
    run("opt_constant_units", fold_constant_units(staged));
    run("opt_duplicate_units", merge_duplicate_units(staged));
    run("opt_dead_units", remove_dead_units(staged));
    run("opt_memoryless_layers", merge_memoryless_layers(staged));
    run("opt_fuse_linears", fuse_linear_stages(staged));
    if (changes == 0) break;
  }
  const int output_dim = path.output_dim;
  path = path_from_stages(staged);
  path.output_dim = output_dim;
}

}  // namespace lsrl
