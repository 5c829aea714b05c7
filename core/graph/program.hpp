// The Program: an LSRL program as a DAG of the six primitives (plus Slice, the
// sparse selection the sugar and the compiler's case 5A name on their own).
// One source (Input), one sink (the returned node). Nodes are stored in a
// vector and never move; ids are indices. Builders check dimensions and throw
// LsrlError with the span of the code that asked for the node.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/diagnostics.hpp"
#include "num/num.hpp"

namespace lsrl {

enum class NodeKind { Input, Linear, ReLU, LinState, Concat, Multi, Slice };
const char* node_kind_name(NodeKind kind);

using NodeId = int;
constexpr NodeId kNoNode = -1;

struct Node {
  NodeId id = kNoNode;
  NodeKind kind = NodeKind::Input;
  std::vector<NodeId> inputs;  // Concat: one or more; Input: none; others: exactly one
  int dim = 0;                 // width of the node's output
  std::string name;            // the user's label ("ctr1s", "regs[2]"), "" if none
  SourceSpan origin;           // the code that created the node, for diagnostics

  // Linear: y = A x + b, A is dim x in.
  // LinState: s_t = A s_{t-1} + B x_t + b, A is dim x dim, B is dim x in,
  //           init is s_0.
  NumSparse A;
  NumSparse B;
  NumVector b;
  NumVector init;
  // Slice: y = x[slice_begin:slice_end].
  int slice_begin = 0;
  int slice_end = 0;

  // The program asserts (or the sugar knows) the value is never negative; the
  // optimized f_ifelse drops ReLU terms for such branches.
  bool always_positive = false;
};

// What a program declares about its prompts: the range of every input
// component and the longest sequence. The compiled targets size their
// constructions from it (static range analysis), never from a prompt, and a
// prompt outside it is refused before it runs. Filled by the front end from
// Input(dim, bounds=..., max_length=...), the vocabulary, or the defaults.
struct InputDomain {
  // Per input component, inclusive. Empty until the Input node exists.
  std::vector<double> lower;
  std::vector<double> upper;
  // Where the bounds come from: "declared" (Input(..., bounds=...)),
  // "vocabulary" (token ids 0..|vocab|-1), or "default" (kDefaultInputBound).
  std::string bounds_source = "default";
  // The longest prompt the program declares (Input(..., max_length=...));
  // absent: the compile option's value (CompileOptions::max_sequence_length).
  std::optional<int> max_length;
  SourceSpan origin;  // the Input(...) call
};
// |x| <= this for every input component when the program declares nothing.
inline constexpr double kDefaultInputBound = 1e6;

class Program {
 public:
  // Builders. `span` is where the user asked for the node. Each checks its
  // operands' widths and throws LsrlError naming both sides on mismatch.
  NodeId add_input(int dim, SourceSpan span);
  NodeId add_linear(NodeId x, NumSparse A, NumVector b, SourceSpan span);
  NodeId add_relu(NodeId x, SourceSpan span);
  NodeId add_linstate(NodeId x, NumSparse A, NumSparse B, NumVector init, std::optional<NumVector> bias,
                      SourceSpan span);
  NodeId add_concat(const std::vector<NodeId>& xs, SourceSpan span);
  NodeId add_multi(NodeId x, SourceSpan span);
  NodeId add_slice(NodeId x, int begin, int end, SourceSpan span);
  void set_output(NodeId node, SourceSpan span);

  const Node& node(NodeId id) const { return nodes_.at(static_cast<std::size_t>(id)); }
  Node& node(NodeId id) { return nodes_.at(static_cast<std::size_t>(id)); }
  const std::vector<Node>& nodes() const { return nodes_; }
  std::size_t size() const { return nodes_.size(); }

  NodeId input() const { return input_; }
  NodeId output() const { return output_; }
  int input_dim() const { return input_ == kNoNode ? 0 : node(input_).dim; }
  int output_dim() const { return output_ == kNoNode ? 0 : node(output_).dim; }

  const InputDomain& input_domain() const { return input_domain_; }
  void set_input_domain(InputDomain domain) { input_domain_ = std::move(domain); }

  // Labels a node with the name it was first assigned to (kept if already set).
  void name_node(NodeId id, const std::string& name);

  // Nodes the output depends on, in a topological order (inputs first). Nodes
  // built but not used by the output are left out: they are not part of the
  // model.
  std::vector<NodeId> topological_order() const;
  // successors()[n] lists the nodes that read n (each once), over the nodes
  // the output depends on.
  std::vector<std::vector<NodeId>> successors() const;

 private:
  NodeId push(Node node);
  std::vector<Node> nodes_;
  NodeId input_ = kNoNode;
  NodeId output_ = kNoNode;
  InputDomain input_domain_;
};

}  // namespace lsrl
