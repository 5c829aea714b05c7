// The compiler driver: Program -> PathModel (paper App. A), then the exact
// optimisation passes. Each rule family is its own file in compile/; this
// driver only sequences them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compile/path_model.hpp"
#include "graph/program.hpp"

namespace lsrl {

struct CompilerOptions {
  bool optimize = true;  // the exactness-preserving size passes after debranching
};

struct CompileReport {
  // How many times each rule fired ("fuse_linear_linear", "case_2_fuse_states", ...).
  std::vector<std::pair<std::string, int>> rule_counts;
  double milliseconds = 0;
  // The debranched path, before optimisation, as a drawing-ready graph
  // (see graph_to_json); and sizes before/after optimisation.
  nlohmann::json path_graph;
  long long nonzeros_before_optimization = 0;
  int max_width_before_optimization = 0;
};

// Throws LsrlError (with the span of the offending node) if the program
// cannot be compiled.
PathModel compile_to_path(const Program& program, const CompilerOptions& options, CompileReport* report);

// A drawing-ready description of a program DAG: {"nodes": [{"id", "kind",
// "name", "dim", "line"}], "edges": [[from, to], ...], "input", "output"}.
nlohmann::json graph_to_json(const Program& program);

}  // namespace lsrl
