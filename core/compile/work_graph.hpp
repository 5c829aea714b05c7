// The compiler's own mutable copy of a Program: the same node kinds, weights
// in exact Num, plus what rewriting needs (the distinct users of each node,
// liveness, the program names a node carries). Every fusion and debranching
// case is a function over this graph; the Program itself is never touched.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "graph/program.hpp"

namespace lsrl {

using WorkId = int;

struct WorkNode {
  WorkId id = -1;
  NodeKind kind = NodeKind::Input;
  std::vector<WorkId> inputs;  // Concat: one or more (may repeat); others: one; Input: none
  int dim = 0;
  NumSparse A;  // Linear: dim x in; LinState: dim x dim
  NumSparse B;  // LinState: dim x in
  NumVector b;  // Linear bias / LinState bias
  NumVector init;
  int slice_begin = 0;  // Slice: y = x[slice_begin:slice_end]
  int slice_end = 0;
  std::vector<std::string> names;  // program variables this node computes or carries
  SourceSpan origin;               // a program node it came from
  bool alive = true;
  std::vector<WorkId> users;  // distinct nodes that read this one
  // How many of `users` are Concats, kept by every WorkGraph edit (kinds
  // change through WorkGraph::set_kind): debranching asks it of a value with
  // thousands of readers at every step, where counting would be quadratic.
  int concat_readers = 0;
};

// Counts of rule applications, by rule name, in first-fired order.
class RuleCounter {
 public:
  void count(const std::string& rule, int times = 1);
  int get(const std::string& rule) const;
  const std::vector<std::pair<std::string, int>>& all() const { return counts_; }

 private:
  std::vector<std::pair<std::string, int>> counts_;
};

class WorkGraph {
 public:
  // Copies the nodes the program's output depends on.
  static WorkGraph from_program(const Program& program);

  const WorkNode& node(WorkId id) const { return nodes_[static_cast<std::size_t>(id)]; }
  WorkNode& node(WorkId id) { return nodes_[static_cast<std::size_t>(id)]; }
  std::size_t capacity() const { return nodes_.size(); }
  WorkId input() const { return input_; }
  WorkId output() const { return output_; }
  const std::vector<WorkId>& users(WorkId id) const { return node(id).users; }
  bool branches(WorkId id) const { return node(id).users.size() > 1; }

  // Builders: the new node reads `x`; names/origin are provenance.
  WorkId add_linear(WorkId x, NumSparse A, NumVector b, const WorkNode& provenance);
  WorkId add_relu(WorkId x, const WorkNode& provenance);
  WorkId add_linstate(WorkId x, NumSparse A, NumSparse B, NumVector bias, NumVector init, const WorkNode& provenance);
  WorkId add_concat(std::vector<WorkId> xs, const WorkNode& provenance);
  WorkId add_multi(WorkId x, const WorkNode& provenance);
  WorkId add_slice(WorkId x, int begin, int end, const WorkNode& provenance);

  // Every user of `old_node` (and the output, if it was `old_node`) reads
  // `new_node` instead; `old_node` is then removed if nothing reads it.
  void replace_uses(WorkId old_node, WorkId new_node);
  // Changes a node's kind in place (a Concat of slices becomes a Linear):
  // through here, so its inputs' concat_readers stay right.
  void set_kind(WorkId id, NodeKind kind);
  // Whether every node's users and concat_readers agree with the inputs of
  // the live nodes (checked after debranching in debug builds).
  bool reader_lists_consistent() const;
  // Turns `id` itself into Slice(source)[begin:end] (its readers keep
  // reading it, untouched): what replace_uses(id, add_slice(...)) computes,
  // at a cost independent of how many nodes read `id`. A value carried past
  // k later readers (a bypass) is moved this way at every debranching step;
  // moving its k readers each time made a chain of n additions to one input
  // quadratic. Only the reader of a node with one reader is marked, as
  // drop_user does: the rules a reader runs need its input to be its own.
  void become_slice(WorkId id, WorkId source, int begin, int end);
  // Each of `readers` (some of the users of `from`) reads `to` wherever it
  // read `from`; one pass over both user lists, where a redirect_input per
  // reader would search and compact them once per reader (O(k^2) for the k
  // Concats that read one input in a chain of k additions to it).
  void move_readers(WorkId from, WorkId to, const std::vector<WorkId>& readers);
  // `user` reads `new_input` wherever it read `old_input`.
  void redirect_input(WorkId user, WorkId old_input, WorkId new_input);
  // Replaces all inputs of `user`.
  void set_inputs(WorkId user, std::vector<WorkId> inputs);
  // Removes `id` (and, transitively, inputs left without users) if nothing
  // reads it and it is not the output or the input.
  void remove_if_unused(WorkId id);

  // Linear and Slice are both affine maps; these give their matrix and bias.
  static bool is_affine(const WorkNode& n) { return n.kind == NodeKind::Linear || n.kind == NodeKind::Slice; }
  NumSparse affine_matrix(WorkId id) const;
  NumVector affine_bias(WorkId id) const;
  int input_dim(WorkId id) const;

  // The first node with more than one user in topological order, or -1 if
  // the graph is a path. Because every node descends from the Input, it is
  // found by walking from the Input along single users.
  WorkId first_branching_node() const;
  // The same walk started at `start` (a node known to lie on the path from
  // the Input; the Input if it is dead): the first node with more than one
  // reader at or below it, or -1 if the walk from there ends without one.
  WorkId first_branching_node_from(WorkId start) const;
  // The path Input -> ... -> output (valid once first_branching_node() == -1).
  std::vector<WorkId> path() const;
  // Live nodes in a topological order (inputs first).
  std::vector<WorkId> topological_order() const;
  std::vector<WorkId> alive_nodes() const;

  // Provenance of a rewrite: names and origin merged from several nodes.
  static WorkNode provenance(std::initializer_list<const WorkNode*> nodes);
  // Provenance of a bypass that carries `n`'s value past other work: its
  // origin only. Labels name what a node computes; a value carried along
  // keeps its name where it was computed.
  static WorkNode bypass_provenance(const WorkNode& n) {
    WorkNode p;
    p.origin = n.origin;
    return p;
  }
  static void merge_names(std::vector<std::string>& into, const std::vector<std::string>& from);

  // {"nodes": [{"id", "kind", "name", "dim", "line"}], "edges": [[from, to]], "input", "output"}
  nlohmann::json to_json() const;
  // The graph as a Program again (live nodes only), so tests and debugging
  // can run any intermediate state with the DAG evaluator.
  Program to_program() const;
  // Makes `id` the graph's output (tests and debugging look at inner nodes this way).
  void set_output(WorkId id) { output_ = id; }

  // Rewrites mark the nodes around them; the fusion driver revisits only
  // those (so a long debranching does not rescan the whole graph per step).
  // touch() is for in-place edits of a node's weights or kind.
  void touch(WorkId id);
  std::vector<WorkId> take_dirty();
  void mark_all_dirty();

  // Which fixpoint is rewriting the graph. During debranching, no fusion may
  // give a node more readers than it had (docs/compiler.md, "Why the
  // compiler terminates"); preparation may.
  enum class Phase { Preparation, Debranching };
  Phase phase() const { return phase_; }
  void set_phase(Phase phase) { phase_ = phase; }

  // The compiler's work bound: every visit of a node by the fusion driver,
  // every debranching step and every scan of a node's list of readers (one
  // unit per reader) costs. Rewriting grows faster than
  // linearly with how many readers one value has (16,000 lines of `y = y + x`
  // would take minutes), so past kMaxCompilerWork units the compilation
  // stops with a "limit exceeded" error at `at`'s source line instead. The
  // examples take at most 650,000 units (discrete_ua at n = 12); 100,000,000
  // take about half a second (docs/reliability.md).
  static constexpr std::int64_t kMaxCompilerWork = 100'000'000;
  void charge_work(WorkId at, std::int64_t units = 1);
  std::int64_t work_done() const { return work_done_; }

 private:
  WorkId push(WorkNode node);
  void add_user(WorkId of, WorkId user);
  void drop_user(WorkId of, WorkId user);
  void mark_dirty(WorkId id);

  // A deque: references to nodes stay valid while rewrites add new ones.
  std::deque<WorkNode> nodes_;
  WorkId input_ = -1;
  WorkId output_ = -1;
  std::vector<WorkId> dirty_;
  std::vector<char> is_dirty_;
  Phase phase_ = Phase::Preparation;
  std::int64_t work_done_ = 0;
};

}  // namespace lsrl
