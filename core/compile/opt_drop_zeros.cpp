// Optimisation: exact zeros stored in a matrix are not weights.
#include "compile/optimize.hpp"

namespace lsrl {

int drop_exact_zeros(StagedModel& model) {
  int dropped = 0;
  for (auto& s : model.stages) {
    for (NumSparse* m : {&s.A, &s.B}) {
      const auto before = m->nonZeros();
      prune_exact_zeros(*m);
      dropped += static_cast<int>(before - m->nonZeros());
    }
  }
  return dropped;
}

}  // namespace lsrl
