// The PathModel seen by the non-linear targets (rnn, gated-rnn, gru, lstm,
// hawk, griffin, mamba): a chain of stages, each of which one target layer
// (or sub-block) computes, with every Linear op folded into the stage that
// reads it where that folding rounds exactly as the program does. A chain of
// Linear ops the compiler kept apart (their product rounds differently, and
// programs with large constants such as f_ifelse's lambda turn that into
// wrong answers) keeps its own stage: a ReLU pass-through pair
// (relu(v), relu(-v)), read back as v = y[2i] - y[2i+1].
//
//   State    s_t = A s_{t-1} + B x_t + bias, s_0 = init
//   ReLU     y = relu(M x + c)
//   Product  y = (M x + c)[:n] * (M x + c)[n:]   (a Multi, n = out_dim)
//
// x is the previous stage's output (the model input for the first stage, which
// is always a State: every PathModel layer starts with one). The model output
// is head_W y + head_b of the last stage's output y. Folding is exact (Num
// arithmetic); the stages hold the doubles the targets build weights from.
//
// The targets also need to know how large each value gets, to place values
// in the linear regions of tanh and sigmoid (standard activations) and to
// choose the offset of the GRU's paper-mode product units: the static range
// analysis (targets/range_analysis.hpp) bounds every unit over every prompt
// in the program's input domain, before any prompt is seen.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/diagnostics.hpp"
#include "compile/path_model.hpp"
#include "runtime/kernels.hpp"
#include "targets/target_model.hpp"

namespace lsrl {

enum class LogicalStageKind { State, ReLU, Product };

struct LogicalStage {
  LogicalStageKind kind = LogicalStageKind::State;
  int in_dim = 0;
  int out_dim = 0;
  // State.
  SparseD A;
  SparseD B;
  Eigen::VectorXd bias;
  Eigen::VectorXd init;
  NumSparse A_exact;  // the transition matrix as compiled (exact checks: nilpotency, eigenvalue 1)
  // ReLU and Product: the pre-activation M x + c (Product: 2 * out_dim rows).
  SparseD M;
  Eigen::VectorXd c;
  std::string label;   // program variables carried ("ctr1s, is_zero")
  SourceSpan origin;   // a program node the stage came from (diagnostics)
  int path_layer = 0;  // index of the PathModel layer it belongs to
  // A ReLU stage computing (relu(v_i), relu(-v_i)) for a Linear op whose
  // fusion with its neighbours would round differently from the program.
  bool pass_through_pair = false;
};

// The layer budget of the paper's constructions (App. C-E): a gated layer
// costs k + 2 target layers, one for the state, k for its MLP and one for
// the product. k is the MLP's depth as lowered: its ReLU layers plus, with
// LinearChains::Keep, the Linear layers kept apart for the program's
// rounding; with Fuse it is the ReLU layers alone, the paper's own count.
struct LayerBudget {
  int path_layers = 0;
  int relu_layers = 0;
  int kept_linear_layers = 0;
  int product_layers = 0;
  int bound = 0;  // sum over path layers of k + 1 + max(1, products)
  bool linear_chains_kept = true;
};
nlohmann::json layer_budget_json(const LayerBudget& budget);

struct LogicalModel {
  int input_dim = 0;
  int output_dim = 0;
  std::vector<LogicalStage> stages;
  SparseD head_W;  // output_dim x last stage's out_dim
  Eigen::VectorXd head_b;
  int path_layers = 0;
  LayerBudget budget;
};

// Throws LsrlError if the PathModel is malformed (no layers, widths that do
// not chain). keep_linear_chains: TargetOptions::keep_linear_chains().
LogicalModel logical_model_from_path(const PathModel& path, bool keep_linear_chains);

// Per stage, sound bounds over every prompt of the input domain
// (range_analysis.hpp): the stage output (State, ReLU, Product) and, for
// ReLU and Product, the pre-activation rows. `output` and `pre` are bounds on
// |value|; the _lo/_hi vectors the signed ranges. A bound may be infinite.
struct StageMagnitudes {
  std::vector<Eigen::VectorXd> output;
  std::vector<Eigen::VectorXd> pre;
  std::vector<Eigen::VectorXd> pre_lo;  // smallest signed pre-activation value possible
  std::vector<Eigen::VectorXd> pre_hi;  // largest
  std::vector<Eigen::VectorXd> output_lo;
  std::vector<Eigen::VectorXd> output_hi;
};

// Reference semantics of the chain (used by the tests): outputs
// per step, and optionally every stage's output per step.
std::vector<std::vector<double>> evaluate_logical(const LogicalModel& model,
                                                  const std::vector<std::vector<double>>& tokens,
                                                  std::vector<std::vector<Eigen::VectorXd>>* stage_outputs);

// The error for a program a target cannot represent, at the stage's origin.
[[noreturn]] void refuse_stage(const LogicalStage& stage, const std::string& target, const std::string& why,
                               const std::string& way_out);

// Token-width check shared by every executor.
void check_token_widths(const std::vector<std::vector<double>>& tokens, int input_dim);

// Composes a pre-activation with the previous layer's readout: if the
// previous layer's logical output is R h + r0 (h its hidden vector), then
// M (R h + r0) + c = (M R) h + (M r0 + c).
struct Affine {
  SparseD W;
  Eigen::VectorXd b;
};
Affine compose(const SparseD& M, const Eigen::VectorXd& c, const Affine& readout);
Affine identity_affine(int n);

// ------------------------------------------------------ walking the stages --

// How a stage reads its input: its logical input is readout.W h + readout.b,
// h being what the last layer built holds (the model input before the first
// layer).
struct Upstream {
  Affine readout;
  int units = 0;          // the width of h
  int signed_pairs = -1;  // >= 0: h holds the pairs (s+, s-) of a State of this width (cell_lowering.hpp)
};

// One stage, as the lowering of a target sees it.
struct StageInput {
  std::size_t index = 0;  // in LogicalModel::stages, and in the StageMagnitudes of the model
  const LogicalStage& stage;
  const Upstream& from;
  // The stage's affine part read through from.readout, over h: B x + bias
  // for a State (whose A each target places itself), M x + c for a ReLU or
  // a Product.
  Affine pre;
};

// The one walk over a LogicalModel's stages that every non-linear target
// lowers through. For each stage in order it reads the stage's affine part
// through how the last layer is read (compose) and asks `lowering` for what
// computes the stage: lowering.state(in), lowering.relu(in) and
// lowering.product(in) build the target's layers (or blocks) and return how
// the next stage reads their output. Returns the model's head: the program's
// output map read the same way from the last stage.
template <typename Lowering>
Affine lower_stages(const LogicalModel& model, Lowering& lowering, Upstream up) {
  for (std::size_t k = 0; k < model.stages.size(); ++k) {
    const LogicalStage& s = model.stages[k];
    const bool state = s.kind == LogicalStageKind::State;
    const StageInput in{k, s, up, state ? compose(s.B, s.bias, up.readout) : compose(s.M, s.c, up.readout)};
    Upstream next;
    switch (s.kind) {
      case LogicalStageKind::State:
        next = lowering.state(in);
        break;
      case LogicalStageKind::ReLU:
        next = lowering.relu(in);
        break;
      case LogicalStageKind::Product:
        next = lowering.product(in);
        break;
    }
    up = std::move(next);
  }
  return compose(model.head_W, model.head_b, up.readout);
}

// A power of two near design / magnitude (magnitude 0 or not finite counts
// as 1): the scale that maps values of that magnitude to about `design`.
// Powers of two keep every rescaling exact.
double pow2_scale(double design, double magnitude);

// Dense helpers for export.
std::vector<double> dense_row_major(const SparseD& m, int rows, int cols);
std::vector<double> padded_vector(const Eigen::VectorXd& v, int size);

}  // namespace lsrl
