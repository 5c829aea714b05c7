// A PathModel seen as one flat chain of stages (each layer's state, then its
// ops), the shape the size optimisations work on: each stage reads only the
// stage before it (and a state also its own previous value), so a unit's
// readers are all in the next stage.
#pragma once

#include <string>
#include <vector>

#include "compile/path_model.hpp"

namespace lsrl {

enum class StageKind { State, Linear, ReLU, Multi };

struct Stage {
  StageKind kind = StageKind::Linear;
  int in_dim = 0;
  int out_dim = 0;
  NumSparse A;     // State: out x out; Linear: out x in
  NumSparse B;     // State: out x in
  NumVector b;     // State bias or Linear bias
  NumVector init;  // State
  std::string label;
  SourceSpan origin;
};

struct StagedModel {
  int input_dim = 0;
  std::vector<Stage> stages;  // stages[0] is a State
};

StagedModel stages_from_path(const PathModel& path);
PathModel path_from_stages(const StagedModel& staged);

// Rebuilds every stage keeping only the units with keep[k][i] (keep has one
// mask per stage). The masks must be consistent: a ReLU keeps exactly what
// its input keeps, a Multi's input keeps i and i + half exactly when the
// Multi keeps i, and the last stage keeps everything.
void keep_units(StagedModel& model, const std::vector<std::vector<char>>& keep);

// Number of non-zero entries over all stages.
long long staged_nonzeros(const StagedModel& model);

}  // namespace lsrl
