#include "targets/logical_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "compile/num_ops.hpp"
#include "runtime/tokens.hpp"

namespace lsrl {

namespace {

// The Linear ops read since the last stage, not yet folded into one. The
// value they compute is P (R x) + p, x the last stage's output:
//  - R is identity, or the interleaved readout [+1, -1] of a pass-through
//    pair stage (below);
//  - P, p is a chain of Linear ops fused only where the fusion rounds exactly
//    as the ops do one after another (composition_rounds_alike, the
//    compiler's own test). `empty` means no op yet (P = identity).
// Reading through R never changes rounding: of every pair (relu(v), relu(-v))
// one is an exact zero, and with the pair interleaved the non-zero terms of a
// dot product still come in the program's column order.
struct Pending {
  NumSparse R;
  bool empty = true;
  NumSparse P;
  NumVector p;
  std::string label;
  SourceSpan origin;

  int out_dim() const { return empty ? static_cast<int>(R.rows()) : static_cast<int>(P.rows()); }
  NumSparse matrix() const { return empty ? R : multiply(P, R); }
  NumVector offset() const { return empty ? zero_vector(static_cast<int>(R.rows())) : p; }
  bool is_identity_map() const { return empty && is_identity(R); }
};

Pending identity_pending(int n) {
  Pending pending;
  pending.R = sparse_identity(n);
  return pending;
}

// The n x 2n readout v = y[2i] - y[2i+1] of a pass-through pair stage.
NumSparse pair_readout(int n) {
  SparseAssembler readout(n, 2 * n);
  for (int i = 0; i < n; ++i) {
    readout.add(i, 2 * i, Num(1));
    readout.add(i, 2 * i + 1, Num(-1));
  }
  return readout.finish();
}

// Rows interleaved as [v_0; -v_0; v_1; -v_1; ...].
NumSparse interleave_with_negation(const NumSparse& M) {
  SparseAssembler out(2 * static_cast<int>(M.rows()), static_cast<int>(M.cols()));
  for (int r = 0; r < M.outerSize(); ++r) {
    for (NumSparse::InnerIterator it(M, r); it; ++it) {
      out.add(2 * r, static_cast<int>(it.col()), it.value());
      out.add(2 * r + 1, static_cast<int>(it.col()), -it.value());
    }
  }
  return out.finish();
}

NumVector interleave_with_negation(const NumVector& v) {
  NumVector out(2 * v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    out[2 * i] = v[i];
    out[2 * i + 1] = -v[i];
  }
  return out;
}

[[noreturn]] void malformed(const std::string& what) {
  throw LsrlError(SourceSpan{},
                  "internal error: the compiled path model is malformed (" + what + "); please report this program");
}

// Builds the stage chain; one object per conversion (no shared state).
class LogicalModelBuilder {
 public:
  LogicalModelBuilder(const PathModel& path, bool keep_linear_chains)
      : path_(path), keep_linear_chains_(keep_linear_chains) {}

  LogicalModel build() {
    if (path_.layers.empty()) malformed("it has no layers");
    out_.input_dim = path_.input_dim;
    out_.output_dim = path_.output_dim;
    out_.path_layers = static_cast<int>(path_.layers.size());
    pending_ = identity_pending(path_.input_dim);
    width_ = path_.input_dim;
    for (std::size_t li = 0; li < path_.layers.size(); ++li) add_layer(path_.layers[li], static_cast<int>(li));
    if (pending_.out_dim() != path_.output_dim) malformed("the output width does not match the last op");
    out_.head_W = to_double(pending_.matrix());
    out_.head_b = to_double(pending_.offset());
    out_.budget = count_budget();
    return std::move(out_);
  }

 private:
  void add_layer(const PathLayer& layer, int li) {
    if (layer.in_dim != pending_.out_dim()) malformed("layer widths do not chain");
    if (layer.A.rows() != layer.state_dim || layer.A.cols() != layer.state_dim || layer.B.rows() != layer.state_dim ||
        layer.B.cols() != layer.in_dim || layer.bias.size() != layer.state_dim ||
        layer.init.size() != layer.state_dim) {
      malformed("a state's matrices have the wrong shape");
    }
    layer_ = li;
    // The compiler folds a Linear into the next state's B only where that
    // rounds alike; a chain it kept apart gets a stage of its own here too.
    if (keep_linear_chains_ && !pending_.empty && !state_input_rounds_alike(layer.B, pending_.P, pending_.p)) {
      materialize();
    }
    LogicalStage state;
    state.kind = LogicalStageKind::State;
    state.in_dim = width_;
    state.out_dim = layer.state_dim;
    // s_t = A s + B (P x + p) + bias
    state.A = to_double(layer.A);
    state.A_exact = layer.A;
    state.B = to_double(multiply(layer.B, pending_.matrix()));
    state.bias = to_double(add(multiply(layer.B, pending_.offset()), layer.bias));
    state.init = to_double(layer.init);
    state.label = layer.label;
    state.path_layer = li;
    if (!layer.ops.empty()) state.origin = layer.ops.front().origin;
    push(std::move(state), false);

    for (const PathOp& op : layer.ops) {
      if (op.in_dim != pending_.out_dim()) malformed("op widths do not chain");
      switch (op.kind) {
        case PathOpKind::Linear:
          if (op.A.rows() != op.out_dim || op.A.cols() != op.in_dim || op.b.size() != op.out_dim) {
            malformed("a Linear op has the wrong shape");
          }
          add_linear(op);
          break;
        case PathOpKind::ReLU:
          // relu(relu(x)) = relu(x): a ReLU right after a ReLU stage is that stage.
          if (last_is_relu_ && pending_.is_identity_map()) break;
          push(activation_stage(LogicalStageKind::ReLU, op.out_dim, op.label, op.origin), true);
          break;
        case PathOpKind::Multi:
          if (op.in_dim != 2 * op.out_dim) malformed("a Multi op's widths are not n -> n/2");
          push(activation_stage(LogicalStageKind::Product, op.out_dim, op.label, op.origin), false);
          break;
      }
    }
  }

  void add_linear(const PathOp& op) {
    if (keep_linear_chains_ && !pending_.empty && !composition_rounds_alike(op.A, op.b, pending_.P, pending_.p)) {
      materialize();
    }
    if (pending_.empty) {
      pending_.P = op.A;
      pending_.p = op.b;
      pending_.empty = false;
      pending_.label = op.label;
    } else {
      pending_.P = multiply(op.A, pending_.P);
      pending_.p = add(multiply(op.A, pending_.p), op.b);
      if (!op.label.empty()) pending_.label = op.label;
    }
    pending_.origin = op.origin;
  }

  // A stage reading the pending map as its pre-activation.
  LogicalStage activation_stage(LogicalStageKind kind, int out_dim, const std::string& label,
                                const SourceSpan& origin) {
    LogicalStage s;
    s.kind = kind;
    s.in_dim = width_;
    s.out_dim = out_dim;
    s.M = to_double(pending_.matrix());
    s.c = to_double(pending_.offset());
    s.label = label;
    s.origin = origin;
    s.path_layer = layer_;
    return s;
  }

  // The pending Linear chain becomes a stage of its own: the pass-through
  // pair (relu(v_i), relu(-v_i)), which every target represents exactly in
  // paper mode; later ops read v back through the pair readout.
  void materialize() {
    const int n = pending_.out_dim();
    LogicalStage s;
    s.kind = LogicalStageKind::ReLU;
    s.in_dim = width_;
    s.out_dim = 2 * n;
    s.M = to_double(interleave_with_negation(pending_.matrix()));
    s.c = to_double(interleave_with_negation(pending_.offset()));
    s.label = pending_.label;
    s.origin = pending_.origin;
    s.path_layer = layer_;
    s.pass_through_pair = true;
    out_.stages.push_back(std::move(s));
    width_ = 2 * n;
    pending_ = Pending{};
    pending_.R = pair_readout(n);
    last_is_relu_ = false;  // the pair is not the value itself
  }

  void push(LogicalStage stage, bool is_relu) {
    width_ = stage.out_dim;
    out_.stages.push_back(std::move(stage));
    pending_ = identity_pending(width_);
    last_is_relu_ = is_relu;
  }

  LayerBudget count_budget() const {
    LayerBudget budget;
    budget.path_layers = out_.path_layers;
    budget.linear_chains_kept = keep_linear_chains_;
    std::vector<int> depth(static_cast<std::size_t>(out_.path_layers), 0);
    std::vector<int> products(static_cast<std::size_t>(out_.path_layers), 0);
    for (const LogicalStage& s : out_.stages) {
      const auto layer = static_cast<std::size_t>(s.path_layer);
      if (s.kind == LogicalStageKind::Product) {
        ++products[layer];
        ++budget.product_layers;
      } else if (s.kind == LogicalStageKind::ReLU) {
        ++depth[layer];
        ++(s.pass_through_pair ? budget.kept_linear_layers : budget.relu_layers);
      }
    }
    for (std::size_t l = 0; l < depth.size(); ++l) budget.bound += depth[l] + 1 + std::max(1, products[l]);
    return budget;
  }

  const PathModel& path_;
  const bool keep_linear_chains_;
  LogicalModel out_;
  Pending pending_;
  int width_ = 0;  // width of the last stage's output
  bool last_is_relu_ = false;
  int layer_ = 0;
};

}  // namespace

LogicalModel logical_model_from_path(const PathModel& path, bool keep_linear_chains) {
  return LogicalModelBuilder(path, keep_linear_chains).build();
}

nlohmann::json layer_budget_json(const LayerBudget& budget) {
  return {{"bound", budget.bound},
          {"rule",
           "k + 2 layers per gated layer (paper App. C-E): one for the state, k for its MLP, one per product; "
           "k = ReLU layers" +
               std::string(budget.linear_chains_kept ? " + Linear layers kept apart for the program's rounding" : "")},
          {"path_layers", budget.path_layers},
          {"relu_layers", budget.relu_layers},
          {"kept_linear_layers", budget.kept_linear_layers},
          {"product_layers", budget.product_layers},
          {"linear_chains", budget.linear_chains_kept ? "keep" : "fuse"}};
}

const char* linear_chains_name(LinearChains chains) {
  switch (chains) {
    case LinearChains::Keep:
      return "keep";
    case LinearChains::Fuse:
      return "fuse";
  }
  return "keep";
}

namespace {

// y = c + M x summed as the program sums a Linear: the bias first, then the
// terms column by column (SparseD is row-major, so a row's terms come in
// column order). Eigen's M * x + c would add the bias last and round
// differently where values are large (f_ifelse's lambda).
Eigen::VectorXd bias_first(const SparseD& M, const Eigen::VectorXd& c, const Eigen::VectorXd& x) {
  Eigen::VectorXd y = c;
  for (int r = 0; r < M.outerSize(); ++r) {
    for (SparseD::InnerIterator it(M, r); it; ++it) y[r] += it.value() * x[it.col()];
  }
  return y;
}

}  // namespace

std::vector<std::vector<double>> evaluate_logical(const LogicalModel& model,
                                                  const std::vector<std::vector<double>>& tokens,
                                                  std::vector<std::vector<Eigen::VectorXd>>* stage_outputs) {
  std::vector<Eigen::VectorXd> states;
  for (const auto& s : model.stages) states.push_back(s.kind == LogicalStageKind::State ? s.init : Eigen::VectorXd());
  if (stage_outputs) stage_outputs->assign(model.stages.size(), {});
  std::vector<std::vector<double>> outputs;
  outputs.reserve(tokens.size());
  for (const auto& token : tokens) {
    Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(token.data(), static_cast<Eigen::Index>(token.size()));
    for (std::size_t k = 0; k < model.stages.size(); ++k) {
      const LogicalStage& s = model.stages[k];
      Eigen::VectorXd y;
      switch (s.kind) {
        case LogicalStageKind::State:
          // The program's order: bias, then A s, then B x.
          y = bias_first(s.B, bias_first(s.A, s.bias, states[k]), x);
          states[k] = y;
          break;
        case LogicalStageKind::ReLU:
          y = bias_first(s.M, s.c, x).cwiseMax(0.0);
          break;
        case LogicalStageKind::Product: {
          const Eigen::VectorXd pre = bias_first(s.M, s.c, x);
          y = pre.head(s.out_dim).cwiseProduct(pre.tail(s.out_dim));
          break;
        }
      }
      if (stage_outputs) (*stage_outputs)[k].push_back(y);
      x = std::move(y);
    }
    const Eigen::VectorXd out = bias_first(model.head_W, model.head_b, x);
    outputs.emplace_back(out.data(), out.data() + out.size());
  }
  return outputs;
}

void refuse_stage(const LogicalStage& stage, const std::string& target, const std::string& why,
                  const std::string& way_out) {
  std::string node = stage.label.empty() ? std::string("this node") : "'" + stage.label + "'";
  throw LsrlError(stage.origin, "target '" + target + "' cannot represent " + node + ": " + why + "; " + way_out);
}

void check_token_widths(const std::vector<std::vector<double>>& tokens, int input_dim) {
  check_token_widths(tokens, input_dim, "the model's input");
}

Affine compose(const SparseD& M, const Eigen::VectorXd& c, const Affine& readout) {
  Affine out;
  out.W = (M * readout.W).pruned();
  out.b = M * readout.b + c;
  return out;
}

Affine identity_affine(int n) {
  Affine a;
  a.W = SparseD(n, n);
  a.W.setIdentity();
  a.b = Eigen::VectorXd::Zero(n);
  return a;
}

double pow2_scale(double design, double magnitude) {
  if (!(magnitude > 0.0) || !std::isfinite(magnitude)) magnitude = 1.0;
  return std::exp2(std::round(std::log2(design / magnitude)));
}

std::vector<double> dense_row_major(const SparseD& m, int rows, int cols) {
  std::vector<double> out(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols), 0.0);
  for (int r = 0; r < m.outerSize() && r < rows; ++r) {
    for (SparseD::InnerIterator it(m, r); it; ++it) {
      if (it.col() < cols)
        out[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(it.col())] =
            it.value();
    }
  }
  return out;
}

std::vector<double> padded_vector(const Eigen::VectorXd& v, int size) {
  std::vector<double> out(static_cast<std::size_t>(size), 0.0);
  for (Eigen::Index i = 0; i < v.size() && i < size; ++i) out[static_cast<std::size_t>(i)] = v[i];
  return out;
}

}  // namespace lsrl
