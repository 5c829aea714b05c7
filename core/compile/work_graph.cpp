#include "compile/work_graph.hpp"

#include <algorithm>
#include <iterator>
#include <unordered_set>

#include "compile/num_ops.hpp"

namespace lsrl {

namespace {
// The distinct ids of a list, sorted: a node's inputs may repeat (a Concat
// reading one node twice), its reader lists hold each reader once.
std::vector<WorkId> distinct(std::vector<WorkId> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}
}  // namespace

void RuleCounter::count(const std::string& rule, int times) {
  if (times <= 0) return;
  for (auto& [name, n] : counts_) {
    if (name == rule) {
      n += times;
      return;
    }
  }
  counts_.emplace_back(rule, times);
}

int RuleCounter::get(const std::string& rule) const {
  for (const auto& [name, n] : counts_)
    if (name == rule) return n;
  return 0;
}

WorkGraph WorkGraph::from_program(const Program& program) {
  WorkGraph g;
  if (program.output() == kNoNode || program.input() == kNoNode) return g;
  const std::vector<NodeId> order = program.topological_order();
  std::vector<WorkId> map(program.size(), -1);
  for (NodeId id : order) {
    const Node& n = program.node(id);
    WorkNode w;
    w.kind = n.kind;
    w.dim = n.dim;
    w.A = n.A;
    w.B = n.B;
    w.b = n.b;
    w.init = n.init;
    w.slice_begin = n.slice_begin;
    w.slice_end = n.slice_end;
    if (!n.name.empty()) w.names.push_back(n.name);
    w.origin = n.origin;
    for (NodeId in : n.inputs) w.inputs.push_back(map[static_cast<std::size_t>(in)]);
    if (n.kind == NodeKind::LinState && w.b.size() != w.dim) w.b = zero_vector(w.dim);
    if (n.kind == NodeKind::Linear) {
      prune_exact_zeros(w.A);
    }
    map[static_cast<std::size_t>(id)] = g.push(std::move(w));
  }
  g.input_ = map[static_cast<std::size_t>(program.input())];
  g.output_ = map[static_cast<std::size_t>(program.output())];
  return g;
}

WorkId WorkGraph::push(WorkNode node) {
  node.id = static_cast<WorkId>(nodes_.size());
  node.alive = true;
  node.users.clear();
  // A new node is in no user list yet: it is appended once per distinct
  // input, without add_user's search of the list (a node read by n others
  // cost O(n) per reader to build, O(n^2) for a chain of n additions).
  std::vector<WorkId> inputs = distinct(node.inputs);
  nodes_.push_back(std::move(node));
  const WorkId id = nodes_.back().id;
  const bool is_concat = nodes_.back().kind == NodeKind::Concat;
  for (WorkId in : inputs) {
    this->node(in).users.push_back(id);
    if (is_concat) ++this->node(in).concat_readers;
    mark_dirty(in);
  }
  charge_work(id, static_cast<std::int64_t>(inputs.size()));
  mark_dirty(id);
  return id;
}

void WorkGraph::mark_dirty(WorkId id) {
  if (is_dirty_.size() < nodes_.size()) is_dirty_.resize(nodes_.size(), 0);
  if (is_dirty_[static_cast<std::size_t>(id)]) return;
  is_dirty_[static_cast<std::size_t>(id)] = 1;
  dirty_.push_back(id);
}

void WorkGraph::charge_work(WorkId at, std::int64_t units) {
  work_done_ += units;
  if (work_done_ <= kMaxCompilerWork) return;
  throw LsrlError(node(at).origin,
                  "limit exceeded: compiling this program takes more than " + std::to_string(kMaxCompilerWork) +
                      " rewrite steps; the compiler's work grows with how many places read one value, so combine "
                      "the reads of a value that is used very often (e.g. a loop that adds thousands of "
                      "different multiples of one variable is one multiplication by their sum)");
}

void WorkGraph::touch(WorkId id) {
  mark_dirty(id);
  for (WorkId u : node(id).users) mark_dirty(u);
  for (WorkId in : node(id).inputs) mark_dirty(in);
}

std::vector<WorkId> WorkGraph::take_dirty() {
  std::vector<WorkId> out;
  out.swap(dirty_);
  for (WorkId id : out) is_dirty_[static_cast<std::size_t>(id)] = 0;
  return out;
}

void WorkGraph::mark_all_dirty() {
  for (const auto& n : nodes_)
    if (n.alive) mark_dirty(n.id);
}

void WorkGraph::add_user(WorkId of, WorkId user) {
  auto& list = node(of).users;
  charge_work(of, static_cast<std::int64_t>(list.size()));
  if (std::find(list.begin(), list.end(), user) == list.end()) {
    list.push_back(user);
    if (node(user).kind == NodeKind::Concat) ++node(of).concat_readers;
    mark_dirty(of);
  }
}

void WorkGraph::drop_user(WorkId of, WorkId user) {
  auto& list = node(of).users;
  // A user is listed once (add_user, push and the bulk moves keep it so).
  // Readers usually leave a long list near its front (a carried value's
  // readers leave in the order the chain reaches them), so the search stops
  // there; the erase is one memmove, charged at 64 ids a step.
  const auto at = std::find(list.begin(), list.end(), user);
  charge_work(of, 1 + static_cast<std::int64_t>(at - list.begin()) + static_cast<std::int64_t>(list.size()) / 64);
  if (at != list.end()) {
    list.erase(at);
    if (node(user).kind == NodeKind::Concat) --node(of).concat_readers;
  }
  mark_dirty(of);
  // The rules a reader runs against its input need the input to have that
  // reader only (fold a node into its only reader); so the other readers
  // matter again only once one is left. Marking all of them on every drop
  // made a node with n readers cost O(n) per rewrite, and a program of n
  // additions to one input O(n^3) to compile.
  if (list.size() == 1) mark_dirty(list.front());
}

namespace {
WorkNode fresh(NodeKind kind, WorkId x, int dim, const WorkNode& provenance) {
  WorkNode n;
  n.kind = kind;
  n.inputs = {x};
  n.dim = dim;
  n.names = provenance.names;
  n.origin = provenance.origin;
  return n;
}
}  // namespace

WorkId WorkGraph::add_linear(WorkId x, NumSparse A, NumVector b, const WorkNode& provenance) {
  WorkNode n = fresh(NodeKind::Linear, x, static_cast<int>(A.rows()), provenance);
  prune_exact_zeros(A);
  n.A = std::move(A);
  n.b = std::move(b);
  return push(std::move(n));
}

WorkId WorkGraph::add_relu(WorkId x, const WorkNode& provenance) {
  return push(fresh(NodeKind::ReLU, x, node(x).dim, provenance));
}

WorkId WorkGraph::add_linstate(WorkId x, NumSparse A, NumSparse B, NumVector bias, NumVector init,
                               const WorkNode& provenance) {
  WorkNode n = fresh(NodeKind::LinState, x, static_cast<int>(A.rows()), provenance);
  prune_exact_zeros(A);
  prune_exact_zeros(B);
  n.A = std::move(A);
  n.B = std::move(B);
  n.b = std::move(bias);
  n.init = std::move(init);
  return push(std::move(n));
}

WorkId WorkGraph::add_concat(std::vector<WorkId> xs, const WorkNode& provenance) {
  WorkNode n;
  n.kind = NodeKind::Concat;
  n.names = provenance.names;
  n.origin = provenance.origin;
  for (WorkId x : xs) n.dim += node(x).dim;
  n.inputs = std::move(xs);
  return push(std::move(n));
}

WorkId WorkGraph::add_multi(WorkId x, const WorkNode& provenance) {
  return push(fresh(NodeKind::Multi, x, node(x).dim / 2, provenance));
}

WorkId WorkGraph::add_slice(WorkId x, int begin, int end, const WorkNode& provenance) {
  WorkNode n = fresh(NodeKind::Slice, x, end - begin, provenance);
  n.slice_begin = begin;
  n.slice_end = end;
  return push(std::move(n));
}

void WorkGraph::replace_uses(WorkId old_node, WorkId new_node) {
  if (old_node == new_node) return;
  // All readers at once: one redirect_input per reader would search and
  // compact both user lists for each of them, O(k^2) for k readers (a stack
  // of k Slices moved to a new stack at every step of case 5B).
  std::vector<WorkId> users = std::move(node(old_node).users);
  node(old_node).users.clear();
  node(old_node).concat_readers = 0;
  mark_dirty(old_node);
  std::vector<WorkId>& moved_to = node(new_node).users;
  std::unordered_set<WorkId> present(moved_to.begin(), moved_to.end());
  for (WorkId u : users) {
    for (WorkId& in : node(u).inputs)
      if (in == old_node) in = new_node;
    if (present.insert(u).second) {
      node(new_node).users.push_back(u);
      if (node(u).kind == NodeKind::Concat) ++node(new_node).concat_readers;
      mark_dirty(new_node);
    }
    mark_dirty(u);
  }
  if (output_ == old_node) output_ = new_node;
  remove_if_unused(old_node);
}

void WorkGraph::set_kind(WorkId id, NodeKind kind) {
  const int change = static_cast<int>(kind == NodeKind::Concat) - static_cast<int>(node(id).kind == NodeKind::Concat);
  if (change != 0) {
    std::vector<WorkId> inputs = distinct(node(id).inputs);
    for (WorkId in : inputs) node(in).concat_readers += change;
  }
  node(id).kind = kind;
}

bool WorkGraph::reader_lists_consistent() const {
  std::vector<std::vector<WorkId>> users(nodes_.size());
  for (const WorkNode& n : nodes_) {
    if (!n.alive) continue;
    std::vector<WorkId> inputs = distinct(n.inputs);
    for (WorkId in : inputs) users[static_cast<std::size_t>(in)].push_back(n.id);
  }
  for (const WorkNode& n : nodes_) {
    if (!n.alive) continue;
    std::vector<WorkId> listed = n.users;
    std::sort(listed.begin(), listed.end());
    if (listed != users[static_cast<std::size_t>(n.id)]) return false;
    int concats = 0;
    for (WorkId u : listed) concats += node(u).kind == NodeKind::Concat ? 1 : 0;
    if (concats != n.concat_readers) return false;
  }
  return true;
}

void WorkGraph::become_slice(WorkId id, WorkId source, int begin, int end) {
  std::vector<WorkId> old_inputs = distinct(node(id).inputs);
  for (WorkId in : old_inputs) drop_user(in, id);
  node(id).inputs.clear();  // dropped above: set_kind has nothing to recount
  set_kind(id, NodeKind::Slice);
  WorkNode& n = node(id);
  n.inputs = {source};
  n.slice_begin = begin;
  n.slice_end = end;
  n.dim = end - begin;
  n.A = NumSparse();
  n.B = NumSparse();
  n.b = NumVector();
  n.init = NumVector();
  add_user(source, id);
  mark_dirty(id);
  if (n.users.size() == 1) mark_dirty(n.users.front());
  for (WorkId in : old_inputs) remove_if_unused(in);
}

void WorkGraph::move_readers(WorkId from, WorkId to, const std::vector<WorkId>& readers) {
  if (from == to || readers.empty()) return;
  charge_work(from, static_cast<std::int64_t>(node(from).users.size() + node(to).users.size() + readers.size()));
  const std::unordered_set<WorkId> moving(readers.begin(), readers.end());
  std::vector<WorkId>& from_users = node(from).users;
  from_users.erase(std::remove_if(from_users.begin(), from_users.end(), [&](WorkId u) { return moving.count(u) > 0; }),
                   from_users.end());
  for (WorkId u : moving)
    if (node(u).kind == NodeKind::Concat) --node(from).concat_readers;
  mark_dirty(from);
  if (from_users.size() == 1) mark_dirty(from_users.front());
  std::unordered_set<WorkId> present(node(to).users.begin(), node(to).users.end());
  for (WorkId u : readers) {
    for (WorkId& in : node(u).inputs)
      if (in == from) in = to;
    if (present.insert(u).second) {
      node(to).users.push_back(u);
      if (node(u).kind == NodeKind::Concat) ++node(to).concat_readers;
    }
    mark_dirty(u);
  }
  mark_dirty(to);
  remove_if_unused(from);
}

void WorkGraph::redirect_input(WorkId user, WorkId old_input, WorkId new_input) {
  if (old_input == new_input) return;
  // In place: the hot path of every rewrite, and Concats can be long.
  for (WorkId& in : node(user).inputs)
    if (in == old_input) in = new_input;
  drop_user(old_input, user);
  add_user(new_input, user);
  mark_dirty(user);
  remove_if_unused(old_input);
}

void WorkGraph::set_inputs(WorkId user, std::vector<WorkId> inputs) {
  // Distinct old and new inputs, sorted: Concats can have hundreds.
  std::vector<WorkId> before = distinct(node(user).inputs);
  std::vector<WorkId> after = distinct(inputs);
  std::vector<WorkId> dropped;
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(), std::back_inserter(dropped));
  for (WorkId in : dropped) drop_user(in, user);
  for (WorkId in : after) add_user(in, user);
  node(user).inputs = std::move(inputs);
  mark_dirty(user);
  for (WorkId in : dropped) remove_if_unused(in);
}

void WorkGraph::remove_if_unused(WorkId id) {
  std::vector<WorkId> stack{id};
  while (!stack.empty()) {
    const WorkId n = stack.back();
    stack.pop_back();
    WorkNode& w = node(n);
    if (!w.alive || !w.users.empty() || n == output_ || n == input_) continue;
    w.alive = false;
    for (WorkId in : w.inputs) {
      drop_user(in, n);
      stack.push_back(in);
    }
    // Free the weights of a dead node: long compilations create many.
    w.A = NumSparse();
    w.B = NumSparse();
    w.b = NumVector();
    w.init = NumVector();
  }
}

NumSparse WorkGraph::affine_matrix(WorkId id) const {
  const WorkNode& n = node(id);
  if (n.kind == NodeKind::Slice) return selection_matrix(node(n.inputs[0]).dim, n.slice_begin, n.slice_end);
  return n.A;
}

NumVector WorkGraph::affine_bias(WorkId id) const {
  const WorkNode& n = node(id);
  if (n.kind == NodeKind::Slice) return zero_vector(n.dim);
  return n.b;
}

int WorkGraph::input_dim(WorkId id) const {
  const WorkNode& n = node(id);
  int d = 0;
  for (WorkId in : n.inputs) d += node(in).dim;
  return d;
}

WorkId WorkGraph::first_branching_node() const { return first_branching_node_from(input_); }

WorkId WorkGraph::first_branching_node_from(WorkId start) const {
  if (input_ < 0) return -1;
  WorkId at = start >= 0 && node(start).alive ? start : input_;
  // A path has at most as many steps as there are nodes.
  for (std::size_t guard = 0; guard <= nodes_.size(); ++guard) {
    const auto& users = node(at).users;
    if (users.size() > 1) return at;
    if (users.empty()) return -1;
    at = users.front();
  }
  return -1;
}

std::vector<WorkId> WorkGraph::path() const {
  std::vector<WorkId> out;
  if (input_ < 0) return out;
  WorkId at = input_;
  out.push_back(at);
  while (!node(at).users.empty() && out.size() <= nodes_.size()) {
    at = node(at).users.front();
    out.push_back(at);
  }
  return out;
}

std::vector<WorkId> WorkGraph::topological_order() const {
  std::vector<WorkId> order;
  if (output_ < 0) return order;
  std::vector<char> state(nodes_.size(), 0);
  std::vector<std::pair<WorkId, std::size_t>> stack{{output_, 0}};
  state[static_cast<std::size_t>(output_)] = 1;
  while (!stack.empty()) {
    auto& [id, next] = stack.back();
    const WorkNode& n = node(id);
    if (next < n.inputs.size()) {
      const WorkId child = n.inputs[next++];
      if (state[static_cast<std::size_t>(child)] == 0) {
        state[static_cast<std::size_t>(child)] = 1;
        stack.emplace_back(child, 0);
      }
    } else {
      order.push_back(id);
      stack.pop_back();
    }
  }
  return order;
}

std::vector<WorkId> WorkGraph::alive_nodes() const {
  std::vector<WorkId> out;
  for (const auto& n : nodes_)
    if (n.alive) out.push_back(n.id);
  return out;
}

WorkNode WorkGraph::provenance(std::initializer_list<const WorkNode*> nodes) {
  WorkNode p;
  bool have_origin = false;
  for (const WorkNode* n : nodes) {
    if (!n) continue;
    merge_names(p.names, n->names);
    if (!have_origin && n->origin.known()) {
      p.origin = n->origin;
      have_origin = true;
    }
  }
  return p;
}

void WorkGraph::merge_names(std::vector<std::string>& into, const std::vector<std::string>& from) {
  // Labels are for people: a handful of names says what a unit carries; a
  // node that absorbed a whole program keeps only the first few.
  constexpr std::size_t kMaxNames = 8;
  for (const auto& name : from) {
    if (into.size() >= kMaxNames) break;
    if (std::find(into.begin(), into.end(), name) == into.end()) into.push_back(name);
  }
}

Program WorkGraph::to_program() const {
  Program p;
  std::vector<NodeId> map(nodes_.size(), kNoNode);
  for (WorkId id : topological_order()) {
    const WorkNode& n = node(id);
    NodeId made = kNoNode;
    auto in = [&](std::size_t k) { return map[static_cast<std::size_t>(n.inputs[k])]; };
    switch (n.kind) {
      case NodeKind::Input:
        made = p.add_input(n.dim, n.origin);
        break;
      case NodeKind::Linear:
        made = p.add_linear(in(0), n.A, n.b, n.origin);
        break;
      case NodeKind::ReLU:
        made = p.add_relu(in(0), n.origin);
        break;
      case NodeKind::LinState:
        made = p.add_linstate(in(0), n.A, n.B, n.init, n.b, n.origin);
        break;
      case NodeKind::Concat: {
        std::vector<NodeId> xs;
        for (std::size_t k = 0; k < n.inputs.size(); ++k) xs.push_back(in(k));
        made = p.add_concat(xs, n.origin);
        break;
      }
      case NodeKind::Multi:
        made = p.add_multi(in(0), n.origin);
        break;
      case NodeKind::Slice:
        made = p.add_slice(in(0), n.slice_begin, n.slice_end, n.origin);
        break;
    }
    if (!n.names.empty()) p.name_node(made, n.names.front());
    map[static_cast<std::size_t>(id)] = made;
  }
  if (output_ >= 0) p.set_output(map[static_cast<std::size_t>(output_)], SourceSpan{});
  return p;
}

nlohmann::json WorkGraph::to_json() const {
  nlohmann::json nodes = nlohmann::json::array();
  nlohmann::json edges = nlohmann::json::array();
  for (WorkId id : topological_order()) {
    const WorkNode& n = node(id);
    std::string name;
    for (const auto& s : n.names) name += (name.empty() ? "" : ", ") + s;
    nodes.push_back(
        {{"id", id}, {"kind", node_kind_name(n.kind)}, {"name", name}, {"dim", n.dim}, {"line", n.origin.line}});
    std::vector<WorkId> seen;
    for (WorkId in : n.inputs) {
      if (std::find(seen.begin(), seen.end(), in) != seen.end()) continue;
      seen.push_back(in);
      edges.push_back({in, id});
    }
  }
  return {{"nodes", nodes}, {"edges", edges}, {"input", input_}, {"output", output_}};
}

}  // namespace lsrl
