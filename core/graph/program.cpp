#include "graph/program.hpp"

#include <algorithm>
#include <functional>
#include <sstream>

namespace lsrl {

const char* node_kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::Input:
      return "Input";
    case NodeKind::Linear:
      return "Linear";
    case NodeKind::ReLU:
      return "ReLU";
    case NodeKind::LinState:
      return "LinState";
    case NodeKind::Concat:
      return "Concat";
    case NodeKind::Multi:
      return "Multi";
    case NodeKind::Slice:
      return "Slice";
  }
  return "?";
}

namespace {
std::string describe(const Node& n) {
  std::ostringstream os;
  if (!n.name.empty())
    os << "'" << n.name << "' (" << node_kind_name(n.kind) << ", width " << n.dim << ")";
  else
    os << "a " << node_kind_name(n.kind) << " of width " << n.dim;
  return os.str();
}
}  // namespace

NodeId Program::push(Node node) {
  node.id = static_cast<NodeId>(nodes_.size());
  nodes_.push_back(std::move(node));
  return nodes_.back().id;
}

NodeId Program::add_input(int dim, SourceSpan span) {
  if (input_ != kNoNode) {
    const Node& first = node(input_);
    throw LsrlError(span, "a program has exactly one Input; the first one is at line " +
                              std::to_string(first.origin.line) +
                              ". Reuse that variable instead of calling Input again");
  }
  if (dim < 1) throw LsrlError(span, "Input(dim) needs dim >= 1, got " + std::to_string(dim));
  Node n;
  n.kind = NodeKind::Input;
  n.dim = dim;
  n.origin = span;
  n.always_positive = false;
  input_ = push(std::move(n));
  // The default domain until the front end declares another.
  input_domain_.lower.assign(static_cast<std::size_t>(dim), -kDefaultInputBound);
  input_domain_.upper.assign(static_cast<std::size_t>(dim), kDefaultInputBound);
  input_domain_.bounds_source = "default";
  input_domain_.origin = span;
  return input_;
}

NodeId Program::add_linear(NodeId x, NumSparse A, NumVector b, SourceSpan span) {
  const Node& in = node(x);
  if (A.cols() != in.dim) {
    throw LsrlError(span, "Linear: A has " + std::to_string(A.cols()) + " columns but its input " + describe(in) +
                              " has width " + std::to_string(in.dim) + "; A must be (output width) x " +
                              std::to_string(in.dim));
  }
  if (b.size() != A.rows()) {
    throw LsrlError(span, "Linear: b has " + std::to_string(b.size()) + " entries but A has " +
                              std::to_string(A.rows()) + " rows; they must match");
  }
  if (A.rows() < 1) throw LsrlError(span, "Linear: A must have at least one row");
  Node n;
  n.kind = NodeKind::Linear;
  n.inputs = {x};
  n.dim = static_cast<int>(A.rows());
  n.origin = span;
  prune_exact_zeros(A);
  n.A = std::move(A);
  n.b = std::move(b);
  return push(std::move(n));
}

NodeId Program::add_relu(NodeId x, SourceSpan span) {
  Node n;
  n.kind = NodeKind::ReLU;
  n.inputs = {x};
  n.dim = node(x).dim;
  n.origin = span;
  n.always_positive = true;
  return push(std::move(n));
}

NodeId Program::add_linstate(NodeId x, NumSparse A, NumSparse B, NumVector init, std::optional<NumVector> bias,
                             SourceSpan span) {
  const Node& in = node(x);
  if (A.rows() != A.cols()) {
    throw LsrlError(span,
                    "LinState: A must be square, got " + std::to_string(A.rows()) + " x " + std::to_string(A.cols()));
  }
  const auto d = A.rows();
  if (d < 1) throw LsrlError(span, "LinState: A must be at least 1 x 1");
  if (B.rows() != d || B.cols() != in.dim) {
    throw LsrlError(span, "LinState: B is " + std::to_string(B.rows()) + " x " + std::to_string(B.cols()) +
                              " but must be " + std::to_string(d) + " x " + std::to_string(in.dim) +
                              " (state width x width of the input " + describe(in) + ")");
  }
  if (init.size() != d) {
    throw LsrlError(span, "LinState: init_state has " + std::to_string(init.size()) +
                              " entries but the state has width " + std::to_string(d));
  }
  if (bias && bias->size() != d) {
    throw LsrlError(span, "LinState: bias has " + std::to_string(bias->size()) + " entries but the state has width " +
                              std::to_string(d));
  }
  Node n;
  n.kind = NodeKind::LinState;
  n.inputs = {x};
  n.dim = static_cast<int>(d);
  n.origin = span;
  prune_exact_zeros(A);
  prune_exact_zeros(B);
  n.A = std::move(A);
  n.B = std::move(B);
  n.init = std::move(init);
  n.b = bias ? std::move(*bias) : zero_vector(static_cast<int>(d));
  return push(std::move(n));
}

NodeId Program::add_concat(const std::vector<NodeId>& xs, SourceSpan span) {
  if (xs.empty()) throw LsrlError(span, "Concat needs at least one variable");
  Node n;
  n.kind = NodeKind::Concat;
  n.inputs = xs;
  n.origin = span;
  n.always_positive = true;
  for (NodeId x : xs) {
    n.dim += node(x).dim;
    n.always_positive = n.always_positive && node(x).always_positive;
  }
  return push(std::move(n));
}

NodeId Program::add_multi(NodeId x, SourceSpan span) {
  const Node& in = node(x);
  if (in.dim % 2 != 0) {
    throw LsrlError(span,
                    "Multi multiplies the first half of its input by the second half, so the width must be even; " +
                        describe(in) + " has odd width. Concat the two factors of equal width first");
  }
  Node n;
  n.kind = NodeKind::Multi;
  n.inputs = {x};
  n.dim = in.dim / 2;
  n.origin = span;
  return push(std::move(n));
}

NodeId Program::add_slice(NodeId x, int begin, int end, SourceSpan span) {
  const Node& in = node(x);
  if (begin < 0 || end > in.dim || begin >= end) {
    throw LsrlError(span, "slice [" + std::to_string(begin) + ":" + std::to_string(end) + "] is out of range for " +
                              describe(in) + "; indices must lie in 0.." + std::to_string(in.dim) +
                              " and select at least one element");
  }
  Node n;
  n.kind = NodeKind::Slice;
  n.inputs = {x};
  n.dim = end - begin;
  n.slice_begin = begin;
  n.slice_end = end;
  n.origin = span;
  n.always_positive = in.always_positive;
  return push(std::move(n));
}

void Program::set_output(NodeId id, SourceSpan span) {
  if (output_ != kNoNode) throw LsrlError(span, "a program has exactly one top-level return");
  (void)node(id);
  output_ = id;
}

void Program::name_node(NodeId id, const std::string& name) {
  Node& n = node(id);
  if (n.name.empty()) n.name = name;
}

std::vector<NodeId> Program::topological_order() const {
  std::vector<NodeId> order;
  if (output_ == kNoNode) return order;
  std::vector<char> state(nodes_.size(), 0);  // 0 new, 1 on stack, 2 done
  // Iterative DFS: programs built by loops can be deep.
  std::vector<std::pair<NodeId, std::size_t>> stack{{output_, 0}};
  state[static_cast<std::size_t>(output_)] = 1;
  while (!stack.empty()) {
    auto& [id, next] = stack.back();
    const Node& n = node(id);
    if (next < n.inputs.size()) {
      NodeId child = n.inputs[next++];
      if (state[static_cast<std::size_t>(child)] == 0) {
        state[static_cast<std::size_t>(child)] = 1;
        stack.emplace_back(child, 0);
      }
    } else {
      state[static_cast<std::size_t>(id)] = 2;
      order.push_back(id);
      stack.pop_back();
    }
  }
  return order;
}

std::vector<std::vector<NodeId>> Program::successors() const {
  std::vector<std::vector<NodeId>> succ(nodes_.size());
  for (NodeId id : topological_order()) {
    for (NodeId in : node(id).inputs) {
      auto& list = succ[static_cast<std::size_t>(in)];
      if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(id);
    }
  }
  return succ;
}

}  // namespace lsrl
