// Numeric diagnostics, internal to core/api (api.cpp calls them): the
// program constants a lower precision cannot hold, found at compile time, and
// where and why a run first produced NaN or an infinity.
#pragma once

#include <optional>
#include <vector>

#include "api/api.hpp"

namespace lsrl::api {

// Fills model.precision_hazards and the counts from model.program.
void find_precision_hazards(CompiledModel& model);

// The warnings for `precision` (none for f64): one per hazard kept, at most
// kMaxHazardWarnings, then a note with how many more there are.
std::vector<Diagnostic> precision_warnings(const CompiledModel& model, Precision precision);
inline constexpr int kMaxHazardWarnings = 5;

// A run the model cannot do in `precision` at all (GRU's and LSTM's
// standard activations are f64 only): the error that refuses it.
std::optional<Diagnostic> refuse_precision(const CompiledModel& model, Precision precision);

// None when every output is finite; otherwise where the first non-finite
// value appeared and why, re-running the prompt's prefix with a trace when
// `recorded` (the run's own trace) is absent.
std::optional<NumericFailure> find_numeric_failure(const CompiledModel& model,
                                                   const std::vector<std::vector<double>>& tokens, Precision precision,
                                                   const OutputRows& outputs, const Trace* recorded);

// The error diagnostic that says `failure` in words, with what to do.
Diagnostic numeric_failure_diagnostic(const CompiledModel& model, const NumericFailure& failure, Precision precision);

}  // namespace lsrl::api
