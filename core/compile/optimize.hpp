// Size optimisations after debranching: debranching's bypasses and stacked
// readers leave constant, dead and duplicate units behind. Each keeps the
// model's outputs exactly (all arithmetic in Num); each is its own file and
// returns how much it changed (0 = nothing to do).
#pragma once

#include "compile/stages.hpp"
#include "compile/work_graph.hpp"

namespace lsrl {

// Exact zeros stored in matrices are dropped (opt_drop_zeros.cpp).
int drop_exact_zeros(StagedModel& model);
// Units whose value is the same at every step are folded into the biases of
// their readers (opt_constant_units.cpp); includes ReLUs of provably
// non-positive values, which are constant zeros.
int fold_constant_units(StagedModel& model);
// Units that nothing reads (transitively, up to the output) are removed
// (opt_dead_units.cpp).
int remove_dead_units(StagedModel& model);
// Units that always equal another unit of the same stage are merged into it
// (opt_duplicate_units.cpp).
int merge_duplicate_units(StagedModel& model);
// A layer whose state has A = 0 is memoryless: its state is a Linear, and
// the layer joins the previous one (opt_memoryless_layers.cpp).
int merge_memoryless_layers(StagedModel& model);
// Consecutive Linears (and a Linear before a state's B) are multiplied
// together when that does not grow the non-zeros; identity Linears vanish
// (opt_fuse_linears.cpp).
int fuse_linear_stages(StagedModel& model);

// Runs all of the above until none changes anything.
void optimize_path(PathModel& path, RuleCounter& counts);

}  // namespace lsrl
