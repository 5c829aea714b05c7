// lsrlc's human-readable output: the text forms of the core's results, and
// nothing else (what to print is decided by cli/main.cpp, every value by
// core/api).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "api/api.hpp"

namespace lsrl::cli {

// Shortest text that reads back to the same double ("0.1", "1e+10", "-3").
std::string format_number(double v);

// `check`: the program's widths, nodes, params and vocabulary.
std::string check_text(const std::string& path, const ProgramInfo& info);
// `compile` without --json: the layers, sizes, the paper's layer bound, rules and timings.
std::string summary_text(const api::CompiledModel& model);
// `run` without --json: one line of numbers per step, the decoded text and the trace.
std::string run_text(const api::RunResult& result, bool with_trace);
// `run --batch`: a line per prompt, its steps separated by spaces, components by ','.
std::string batch_text(const api::BatchRunResult& batch);
// The note on stderr saying how far a compiled model is from the program.
std::string fidelity_note(const api::CompiledModel& model, const api::Fidelity& fidelity, std::size_t steps);

// Every diagnostic to stderr, rendered (FILE:LINE:COL: error: ..., the line, a caret).
void print_diagnostics(const std::vector<Diagnostic>& diagnostics);
// The warnings and notes among `diagnostics` (results that succeeded may carry some).
void print_warnings(const std::vector<Diagnostic>& diagnostics);

}  // namespace lsrl::cli
