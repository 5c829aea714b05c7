// Preparation: common subexpressions. Programs built with sugar compute the
// same thing many times (f_larger(counter, i - 0.5) in every branch that asks
// for it). Linear, Slice, LinState and Concat nodes with the same inputs and
// the same weights compute the same values, so one of them is kept. (ReLU
// and Multi duplicates are left to debranching cases 3 and 1A, which exist
// for exactly them; the Linears after them merge once those cases fired.)
#include <unordered_map>

#include "compile/num_ops.hpp"
#include "compile/passes.hpp"

namespace lsrl {

namespace {

std::size_t mix(std::size_t h, std::size_t v) { return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)); }

std::size_t hash_matrix(const NumSparse& m) {
  std::size_t h = mix(static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols()));
  for (int i = 0; i < m.outerSize(); ++i)
    for (NumSparse::InnerIterator it(m, i); it; ++it) {
      h = mix(h, static_cast<std::size_t>(i) * 7919u + static_cast<std::size_t>(it.col()));
      h = mix(h, NumKey(it.value()).hash());
    }
  return h;
}

std::size_t hash_vector(const NumVector& v) {
  std::size_t h = static_cast<std::size_t>(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) h = mix(h, NumKey(v[i]).hash());
  return h;
}

bool same_matrix(const NumSparse& a, const NumSparse& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols() || a.nonZeros() != b.nonZeros()) return false;
  for (int i = 0; i < a.outerSize(); ++i) {
    NumSparse::InnerIterator x(a, i);
    NumSparse::InnerIterator y(b, i);
    for (; x && y; ++x, ++y)
      if (x.col() != y.col() || !(NumKey(x.value()) == NumKey(y.value()))) return false;
    if (x || y) return false;
  }
  return true;
}

bool same_vector(const NumVector& a, const NumVector& b) {
  if (a.size() != b.size()) return false;
  for (Eigen::Index i = 0; i < a.size(); ++i)
    if (!(NumKey(a[i]) == NumKey(b[i]))) return false;
  return true;
}

bool mergeable(NodeKind k) {
  return k == NodeKind::Linear || k == NodeKind::Slice || k == NodeKind::LinState || k == NodeKind::Concat;
}

std::size_t hash_node(const WorkNode& n) {
  std::size_t h = mix(static_cast<std::size_t>(n.kind), static_cast<std::size_t>(n.dim));
  for (WorkId in : n.inputs) h = mix(h, static_cast<std::size_t>(in));
  switch (n.kind) {
    case NodeKind::Linear:
      return mix(mix(h, hash_matrix(n.A)), hash_vector(n.b));
    case NodeKind::Slice:
      return mix(h, static_cast<std::size_t>(n.slice_begin));
    case NodeKind::LinState:
      return mix(mix(mix(mix(h, hash_matrix(n.A)), hash_matrix(n.B)), hash_vector(n.b)), hash_vector(n.init));
    default:
      return h;
  }
}

bool same_node(const WorkNode& a, const WorkNode& b) {
  if (a.kind != b.kind || a.dim != b.dim || a.inputs != b.inputs) return false;
  switch (a.kind) {
    case NodeKind::Linear:
      return same_matrix(a.A, b.A) && same_vector(a.b, b.b);
    case NodeKind::Slice:
      return a.slice_begin == b.slice_begin && a.slice_end == b.slice_end;
    case NodeKind::LinState:
      return same_matrix(a.A, b.A) && same_matrix(a.B, b.B) && same_vector(a.b, b.b) && same_vector(a.init, b.init);
    default:
      return true;
  }
}

}  // namespace

int merge_common_subexpressions(WorkGraph& g, RuleCounter& counts) {
  int merged = 0;
  std::unordered_map<std::size_t, std::vector<WorkId>> seen;
  // Topological order: a node's inputs are already merged when it is hashed.
  for (WorkId id : g.topological_order()) {
    const WorkNode& n = g.node(id);
    if (!n.alive || !mergeable(n.kind)) continue;
    auto& bucket = seen[hash_node(n)];
    WorkId twin = -1;
    for (WorkId other : bucket)
      if (g.node(other).alive && same_node(g.node(other), n)) {
        twin = other;
        break;
      }
    if (twin < 0) {
      bucket.push_back(id);
      continue;
    }
    WorkGraph::merge_names(g.node(twin).names, n.names);
    g.replace_uses(id, twin);
    ++merged;
  }
  counts.count("merge_common_subexpressions", merged);
  return merged;
}

}  // namespace lsrl
