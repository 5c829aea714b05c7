// Optimisation: memoryless layers. A state with A = 0 is s_t = B x_t + bias
// at every step (its init is never read), i.e. a Linear: the layer it opens
// joins the previous layer as ops. Debranching case 6 creates such
// pass-through states; once the states beside them have been fused away or
// removed, they cost a layer for nothing. The first layer keeps its state.
#include "compile/optimize.hpp"

namespace lsrl {

int merge_memoryless_layers(StagedModel& model) {
  int merged = 0;
  for (std::size_t k = 1; k < model.stages.size(); ++k) {
    Stage& s = model.stages[k];
    if (s.kind != StageKind::State || s.A.nonZeros() != 0) continue;
    s.kind = StageKind::Linear;
    s.A = std::move(s.B);
    s.B = NumSparse();
    s.init = NumVector();
    ++merged;
  }
  return merged;
}

}  // namespace lsrl
