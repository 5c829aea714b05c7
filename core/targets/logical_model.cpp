#include "targets/logical_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "compile/num_ops.hpp"

namespace lsrl {

namespace {

// The pending affine map of Linear ops not yet folded into a stage:
// value = P x + p, x the last stage's output (exact).
struct Pending {
  NumSparse P;
  NumVector p;
};

Pending identity_pending(int n) { return Pending{sparse_identity(n), zero_vector(n)}; }

bool is_identity_pending(const Pending& pending) { return is_identity(pending.P) && is_zero_vector(pending.p); }

[[noreturn]] void malformed(const std::string& what) {
  throw LsrlError(SourceSpan{}, "internal error: the compiled path model is malformed (" + what +
                                    "); please report this program");
}

}  // namespace

LogicalModel logical_model_from_path(const PathModel& path) {
  if (path.layers.empty()) malformed("it has no layers");
  LogicalModel out;
  out.input_dim = path.input_dim;
  out.output_dim = path.output_dim;
  out.path_layers = static_cast<int>(path.layers.size());
  Pending pending = identity_pending(path.input_dim);
  int width = path.input_dim;  // width of the last stage's output
  bool last_is_relu = false;
  for (std::size_t li = 0; li < path.layers.size(); ++li) {
    const PathLayer& layer = path.layers[li];
    if (layer.in_dim != static_cast<int>(pending.P.rows())) malformed("layer widths do not chain");
    if (layer.A.rows() != layer.state_dim || layer.A.cols() != layer.state_dim || layer.B.rows() != layer.state_dim ||
        layer.B.cols() != layer.in_dim || layer.bias.size() != layer.state_dim || layer.init.size() != layer.state_dim) {
      malformed("a state's matrices have the wrong shape");
    }
    LogicalStage state;
    state.kind = LogicalStageKind::State;
    state.in_dim = width;
    state.out_dim = layer.state_dim;
    // s_t = A s + B (P x + p) + bias
    state.A = to_double(layer.A);
    state.A_exact = layer.A;
    state.B = to_double(multiply(layer.B, pending.P));
    state.bias = to_double(add(multiply(layer.B, pending.p), layer.bias));
    state.init = to_double(layer.init);
    state.label = layer.label;
    state.path_layer = static_cast<int>(li);
    if (!layer.ops.empty()) state.origin = layer.ops.front().origin;
    out.stages.push_back(std::move(state));
    width = layer.state_dim;
    pending = identity_pending(width);
    last_is_relu = false;

    for (const PathOp& op : layer.ops) {
      if (op.in_dim != static_cast<int>(pending.P.rows())) malformed("op widths do not chain");
      switch (op.kind) {
        case PathOpKind::Linear: {
          if (op.A.rows() != op.out_dim || op.A.cols() != op.in_dim || op.b.size() != op.out_dim) {
            malformed("a Linear op has the wrong shape");
          }
          pending.P = multiply(op.A, pending.P);
          pending.p = add(multiply(op.A, pending.p), op.b);
          break;
        }
        case PathOpKind::ReLU: {
          // relu(relu(x)) = relu(x): a ReLU right after a ReLU stage is that stage.
          if (last_is_relu && is_identity_pending(pending)) break;
          LogicalStage s;
          s.kind = LogicalStageKind::ReLU;
          s.in_dim = width;
          s.out_dim = op.out_dim;
          s.M = to_double(pending.P);
          s.c = to_double(pending.p);
          s.label = op.label;
          s.origin = op.origin;
          s.path_layer = static_cast<int>(li);
          out.stages.push_back(std::move(s));
          width = op.out_dim;
          pending = identity_pending(width);
          last_is_relu = true;
          break;
        }
        case PathOpKind::Multi: {
          if (op.in_dim != 2 * op.out_dim) malformed("a Multi op's widths are not n -> n/2");
          LogicalStage s;
          s.kind = LogicalStageKind::Product;
          s.in_dim = width;
          s.out_dim = op.out_dim;
          s.M = to_double(pending.P);
          s.c = to_double(pending.p);
          s.label = op.label;
          s.origin = op.origin;
          s.path_layer = static_cast<int>(li);
          out.stages.push_back(std::move(s));
          width = op.out_dim;
          pending = identity_pending(width);
          last_is_relu = false;
          break;
        }
      }
    }
  }
  if (pending.P.rows() != path.output_dim) malformed("the output width does not match the last op");
  out.head_W = to_double(pending.P);
  out.head_b = to_double(pending.p);
  return out;
}

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
          y = s.A * states[k] + s.B * x + s.bias;
          states[k] = y;
          break;
        case LogicalStageKind::ReLU:
          y = (s.M * x + s.c).cwiseMax(0.0);
          break;
        case LogicalStageKind::Product: {
          const Eigen::VectorXd pre = s.M * x + s.c;
          y = pre.head(s.out_dim).cwiseProduct(pre.tail(s.out_dim));
          break;
        }
      }
      if (stage_outputs) (*stage_outputs)[k].push_back(y);
      x = std::move(y);
    }
    const Eigen::VectorXd out = model.head_W * x + model.head_b;
    outputs.emplace_back(out.data(), out.data() + out.size());
  }
  return outputs;
}

namespace {

// A small deterministic generator (SplitMix64): the probe must not depend on
// the platform's std::uniform_real_distribution.
double next_uniform(std::uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) / 9007199254740992.0;
}

void accumulate_max(Eigen::VectorXd& into, const Eigen::VectorXd& v) {
  if (into.size() != v.size()) into = Eigen::VectorXd::Zero(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    const double a = std::fabs(v[i]);
    if (std::isfinite(a) && a > into[i]) into[i] = a;
  }
}

void probe_one(const LogicalModel& model, const std::vector<std::vector<double>>& tokens, StageMagnitudes& mags) {
  std::vector<std::vector<Eigen::VectorXd>> per_stage;
  evaluate_logical(model, tokens, &per_stage);
  for (std::size_t k = 0; k < model.stages.size(); ++k) {
    const LogicalStage& s = model.stages[k];
    const std::vector<Eigen::VectorXd>* inputs = k == 0 ? nullptr : &per_stage[k - 1];
    for (std::size_t t = 0; t < per_stage[k].size(); ++t) {
      accumulate_max(mags.output[k], per_stage[k][t]);
      if (s.kind != LogicalStageKind::State && inputs) {
        const Eigen::VectorXd pre = s.M * (*inputs)[t] + s.c;
        accumulate_max(mags.pre[k], pre);
        for (Eigen::Index i = 0; i < pre.size(); ++i) {
          if (!std::isfinite(pre[i])) continue;
          mags.pre_lo[k][i] = std::min(mags.pre_lo[k][i], pre[i]);
          mags.pre_hi[k][i] = std::max(mags.pre_hi[k][i], pre[i]);
        }
      }
    }
  }
}

}  // namespace

StageMagnitudes probe_magnitudes(const LogicalModel& model, const TargetOptions& options) {
  StageMagnitudes mags;
  mags.output.resize(model.stages.size());
  mags.pre.resize(model.stages.size());
  mags.pre_lo.resize(model.stages.size());
  mags.pre_hi.resize(model.stages.size());
  for (std::size_t k = 0; k < model.stages.size(); ++k) {
    mags.output[k] = Eigen::VectorXd::Zero(model.stages[k].out_dim);
    if (model.stages[k].kind != LogicalStageKind::State) {
      const Eigen::Index rows = model.stages[k].M.rows();
      mags.pre[k] = Eigen::VectorXd::Zero(rows);
      mags.pre_lo[k] = Eigen::VectorXd::Zero(rows);
      mags.pre_hi[k] = Eigen::VectorXd::Zero(rows);
    }
  }
  bool calibrated = false;
  if (!options.calibration_tokens.empty()) {
    bool widths_ok = true;
    for (const auto& t : options.calibration_tokens) widths_ok = widths_ok && static_cast<int>(t.size()) == model.input_dim;
    if (widths_ok) {
      probe_one(model, options.calibration_tokens, mags);
      calibrated = true;
    }
  }
  if (!calibrated) {
    const int length = std::max(1, std::min(64, options.max_sequence_length));
    for (double scale : {1.0, 32.0}) {
      std::uint64_t seed = 0x5eedULL + static_cast<std::uint64_t>(scale);
      std::vector<std::vector<double>> tokens(static_cast<std::size_t>(length),
                                              std::vector<double>(static_cast<std::size_t>(model.input_dim)));
      for (auto& token : tokens)
        for (double& v : token) v = scale * next_uniform(seed);
      probe_one(model, tokens, mags);
    }
  }
  return mags;
}

void refuse_stage(const LogicalStage& stage, const std::string& target, const std::string& why,
                  const std::string& way_out) {
  std::string node = stage.label.empty() ? std::string("this node") : "'" + stage.label + "'";
  throw LsrlError(stage.origin, "target '" + target + "' cannot represent " + node + ": " + why + "; " + way_out);
}

void check_token_widths(const std::vector<std::vector<double>>& tokens, int input_dim) {
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    if (static_cast<int>(tokens[t].size()) != input_dim) {
      throw LsrlError(SourceSpan{}, "token " + std::to_string(t + 1) + " has " + std::to_string(tokens[t].size()) +
                                        " component" + (tokens[t].size() == 1 ? "" : "s") +
                                        " but the model's input has width " + std::to_string(input_dim) +
                                        "; give every token exactly " + std::to_string(input_dim) +
                                        " comma-separated number" + (input_dim == 1 ? "" : "s"));
    }
  }
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
      if (it.col() < cols) out[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(it.col())] = it.value();
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
