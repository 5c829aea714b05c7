// Traces: what a run records at every step, for the CLI's --trace, the page's
// trace table and heatmaps. One series per program variable (DAG runs) or per
// layer quantity (compiled models: states, gates, cell states, op outputs).
#pragma once

#include <string>
#include <vector>

namespace lsrl {

enum class Precision { F64, F32, F16 };
const char* precision_name(Precision p);
// "f64" | "f32" | "f16"; returns false for anything else.
bool parse_precision(const std::string& text, Precision& out);

struct TraceSeries {
  std::string label;  // variable name ("ctr1s", "regs[1]") or "layer 2 state"
  std::string kind;   // node kind for DAG traces ("LinState", "Linear", ...);
                      // "state", "cell", "gate:z", "op:ReLU", "output" for models
  int layer = -1;     // compiled models: the layer index; DAG: -1
  int dim = 0;
  std::vector<double> values;  // row-major, steps x dim
  double at(int step, int unit) const {
    return values[static_cast<std::size_t>(step) * static_cast<std::size_t>(dim) + static_cast<std::size_t>(unit)];
  }
};

struct Trace {
  int steps = 0;
  std::vector<TraceSeries> series;
};

// Outputs of a run: steps x output_dim.
using OutputRows = std::vector<std::vector<double>>;

}  // namespace lsrl
