// The program's own semantics: evaluate the DAG node by node over a token
// sequence, with LinStates carrying their state across steps. This is the
// reference every compiled model is compared with (`lsrlc run --target dag`).
#pragma once

#include <vector>

#include "graph/program.hpp"
#include "runtime/trace.hpp"

namespace lsrl {

// tokens: steps x program.input_dim(). Returns steps x program.output_dim().
// With `trace`, records every NAMED node the output depends on (label = its
// name, kind = its node kind), plus the Input ("input") and the output, per
// step. Computes in the given precision (weights rounded to it too; f16 is
// runtime/scalar.hpp's F16). Throws LsrlError (no position) on a token of wrong width.
OutputRows evaluate_program(const Program& program, const std::vector<std::vector<double>>& tokens, Precision precision,
                            Trace* trace);

}  // namespace lsrl
