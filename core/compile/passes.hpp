// The rewrite rules of the compiler over the WorkGraph (paper App. A), one
// file each. Every rule keeps the graph's semantics exactly: weights are Num
// and rewrites only compose, stack and select them.
//
// Preparation fusions (applied at one node, `at`, as the consumer; each
// returns true if it rewrote something). The driver in preparation.cpp
// applies them until nothing changes.
#pragma once

#include "compile/work_graph.hpp"

namespace lsrl {

// Linear (or Slice) read only by a Linear (or Slice): one Linear, where that
// rounds as the two steps do (composition_rounds_alike).
bool fuse_linear_linear(WorkGraph& g, WorkId at, RuleCounter& counts);
// ReLU of a ReLU: the outer one is the inner one.
bool fuse_relu_relu(WorkGraph& g, WorkId at, RuleCounter& counts);
// LinState reading a Linear (or Slice) that nothing else reads: fold into B
// and bias, where that rounds alike (state_input_rounds_alike).
bool fold_linear_into_state(WorkGraph& g, WorkId at, RuleCounter& counts);
// Concat whose inputs are all one node that nothing else reads: a duplicating Linear.
bool concat_to_duplicate(WorkGraph& g, WorkId at, RuleCounter& counts);
// Concat of a Concat read only there: one Concat; Concat of one input: that input.
bool concat_flatten(WorkGraph& g, WorkId at, RuleCounter& counts);
// Concat naming one input several times (among others): Concat of each once, then a selecting Linear.
bool concat_dedupe(WorkGraph& g, WorkId at, RuleCounter& counts);
// Nodes whose value never changes (Linear with A = 0 and what is computed
// only from such) folded into the biases of what reads them.
bool fold_constants(WorkGraph& g, WorkId at, RuleCounter& counts);
// Whole-graph: identical Linear / Slice / LinState / Concat nodes over the
// same inputs computed once (returns the number merged).
int merge_common_subexpressions(WorkGraph& g, RuleCounter& counts);

// Runs the local fusions above until none applies (everywhere when `all`,
// else on the nodes rewrites touched since the last call).
void run_fusions(WorkGraph& g, RuleCounter& counts);

// Debranching cases, each applied at the branching node `bn`; each returns
// false if its condition does not hold (the driver tries them in the paper's
// order and applies the first that holds).
bool case_1a_merge_multis(WorkGraph& g, WorkId bn, RuleCounter& counts);
bool case_1b_multi_bypass(WorkGraph& g, WorkId bn, RuleCounter& counts);
bool case_2_fuse_states(WorkGraph& g, WorkId bn, RuleCounter& counts);
bool case_3_merge_relus(WorkGraph& g, WorkId bn, RuleCounter& counts);
bool case_4_concats(WorkGraph& g, WorkId bn, RuleCounter& counts);
bool case_5a_push_slices(WorkGraph& g, WorkId bn, RuleCounter& counts);
bool case_5b_stack_linears(WorkGraph& g, WorkId bn, RuleCounter& counts);
bool case_6_state_bypass(WorkGraph& g, WorkId bn, RuleCounter& counts);
bool case_7a_bypass_relus(WorkGraph& g, WorkId bn, RuleCounter& counts);
bool case_7b_bypass_linears(WorkGraph& g, WorkId bn, RuleCounter& counts);
bool case_8_linear_concat(WorkGraph& g, WorkId bn, RuleCounter& counts);
bool case_9_relu_concat(WorkGraph& g, WorkId bn, RuleCounter& counts);
bool case_10_mixed(WorkGraph& g, WorkId bn, RuleCounter& counts);

// Applies the cases until the graph is a path (debranch.cpp).
void debranch(WorkGraph& g, RuleCounter& counts);

// Bypass builders shared by the cases (bypasses.cpp).
// f_relu_identity(x) = [I, -I] ReLU([I; -I] x): x carried through a ReLU.
WorkId add_relu_identity(WorkGraph& g, WorkId x, const WorkNode& provenance);
// The same for an affine node's output: returns the Linear that replaces it.
WorkId add_relu_identity_of_affine(WorkGraph& g, WorkId affine);
// Identity Linear of x.
WorkId add_identity_linear(WorkGraph& g, WorkId x, const WorkNode& provenance);
// A Linear with A = 0: its value does not depend on its input.
bool is_constant_node(const WorkNode& n);
// Makes the constant `c` read `source` instead (its weights resized to it).
void relink_constant(WorkGraph& g, WorkId c, WorkId source);
// Is `n` read by exactly one node, a ReLU, possibly through a chain of
// Linears each read only by the next?
bool followed_only_by_relu(const WorkGraph& g, WorkId n);

}  // namespace lsrl
