// The compiler driver: Program -> WorkGraph -> preparation fusions ->
// debranching -> PathModel -> exact size optimisations. Each step lives in
// its own file; this one only sequences them and keeps the report.
#include "compile/compiler.hpp"

#include <chrono>
#include <map>

#include "compile/optimize.hpp"
#include "compile/passes.hpp"
#include "compile/path_extraction.hpp"
#include "compile/work_graph.hpp"

namespace lsrl {

namespace {

// The debranched path for drawing: graph_to_json's shape, plus each node's
// layer in the (unoptimised) path model, so a drawing can line the path up
// with the layers (-1 for the Input).
nlohmann::json path_graph_json(const WorkGraph& g) {
  nlohmann::json j = g.to_json();
  std::map<int, int> layer_of;
  const std::vector<WorkId> chain = g.path();
  int layer = -1;
  for (std::size_t k = 0; k < chain.size(); ++k) {
    const WorkNode& n = g.node(chain[k]);
    if (k == 1 && n.kind != NodeKind::LinState) layer = 0;  // a pass-through layer opens the path
    if (n.kind == NodeKind::LinState) ++layer;
    layer_of[chain[k]] = k == 0 ? -1 : layer;
  }
  for (auto& node : j["nodes"]) node["layer"] = layer_of[node["id"].get<int>()];
  return j;
}

}  // namespace

PathModel compile_to_path(const Program& program, const CompilerOptions& options, CompileReport* report) {
  const auto start = std::chrono::steady_clock::now();
  if (program.input() == kNoNode)
    throw LsrlError(SourceSpan{},
                    "the program has no Input(...), so there is nothing to compile; add `input = Input(dim=1)`");
  if (program.output() == kNoNode)
    throw LsrlError(
        SourceSpan{},
        "the program has no top-level return, so it has no output to compile; end it with `return VARIABLE`");

  RuleCounter counts;
  WorkGraph g = WorkGraph::from_program(program);
  merge_common_subexpressions(g, counts);
  g.mark_all_dirty();
  run_fusions(g, counts);
  // Fusions make more nodes identical (two f_larger over one counter).
  if (merge_common_subexpressions(g, counts) > 0) run_fusions(g, counts);
  debranch(g, counts);

  PathModel path = extract_path_model(g);
  if (report) {
    report->path_graph = path_graph_json(g);
    report->nonzeros_before_optimization = path.nonzero_count();
    report->max_width_before_optimization = path.max_width();
  }
  if (options.optimize) optimize_path(path, counts);
  if (report) {
    report->rule_counts = counts.all();
    report->milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
  return path;
}

nlohmann::json graph_to_json(const Program& program) {
  nlohmann::json nodes = nlohmann::json::array();
  nlohmann::json edges = nlohmann::json::array();
  for (NodeId id : program.topological_order()) {
    const Node& n = program.node(id);
    nodes.push_back(
        {{"id", id}, {"kind", node_kind_name(n.kind)}, {"name", n.name}, {"dim", n.dim}, {"line", n.origin.line}});
    std::vector<NodeId> seen;
    for (NodeId in : n.inputs) {
      bool dup = false;
      for (NodeId s : seen) dup = dup || s == in;
      if (dup) continue;
      seen.push_back(in);
      edges.push_back({in, id});
    }
  }
  return {{"nodes", nodes},
          {"edges", edges},
          {"input", program.input() == kNoNode ? nlohmann::json(nullptr) : nlohmann::json(program.input())},
          {"output", program.output() == kNoNode ? nlohmann::json(nullptr) : nlohmann::json(program.output())}};
}

}  // namespace lsrl
