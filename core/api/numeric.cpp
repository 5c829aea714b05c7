// Numeric diagnostics: which program constants f32 and f16 cannot hold
// (found once, at compile time, from the Program's weights), and, when a run
// produces NaN or an infinity, the step, the variable or layer where it first
// appeared and, when it can be told, why. The rule for a constant
// (docs/reliability.md, "Numeric diagnostics"):
//  - overflow: it rounds to an infinity (f16 above 65,504);
//  - underflow: a non-zero rounds to zero;
//  - inexact integer: an integer the precision does not hold exactly (f16
//    above 2,048, f32 above 2^24): programs compare token ids, counters and
//    thresholds exactly, so a moved integer changes a result;
//  - subnormal: a value below the precision's smallest normal number that
//    rounding moves by more than 1%.
// Any other rounding (1/3 in f16 is 0.33325) is what running in that
// precision means, and is not warned about.
#include "api/numeric.hpp"

#include <cctype>
#include <cfloat>
#include <cmath>
#include <sstream>
#include <string>
#include <xtl/xhalf_float.hpp>

#include "runtime/dag_eval.hpp"

namespace lsrl::api {
namespace {

// A re-run that locates a non-finite value records every unit of every step
// of the prefix; above this many values (256 MB of doubles... no: 32 MB) it
// is not attempted and the failure is reported from the outputs alone.
constexpr double kMaxTracedValues = 4'000'000;

double round_to(double v, Precision precision) {
  switch (precision) {
    case Precision::F64:
      return v;
    case Precision::F32:
      return static_cast<double>(static_cast<float>(v));
    // The way the executors round a weight: through float, to nearest.
    case Precision::F16:
      return static_cast<double>(static_cast<float>(xtl::half_float(static_cast<float>(v))));
  }
  return v;
}

double smallest_normal(Precision precision) {
  switch (precision) {
    case Precision::F64:
      return DBL_MIN;
    case Precision::F32:
      return FLT_MIN;
    case Precision::F16:
      return 6.103515625e-05;  // 2^-14
  }
  return DBL_MIN;
}

std::string number_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream os;
  os.precision(7);
  os << v;
  return os.str();
}

std::string largest_text(Precision precision) {
  switch (precision) {
    case Precision::F64:
      return "about 1.8e308";
    case Precision::F32:
      return "about 3.4e38";
    case Precision::F16:
      return "65,504";
  }
  return "";
}

std::string describe_node(const Node& n) {
  if (!n.name.empty()) return "variable '" + n.name + "' (" + node_kind_name(n.kind) + ")";
  return std::string("a ") + node_kind_name(n.kind);
}

// What `precision` does to `v` that changes a result, or "" (the rule above).
std::string hazard_of(double v, Precision precision) {
  if (!std::isfinite(v)) return "";  // a non-finite constant is the front end's business
  const double r = round_to(v, precision);
  if (std::isinf(r)) return "overflow";
  if (v != 0 && r == 0) return "underflow";
  if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0 && r != v) return "inexact integer";
  if (std::fabs(r) < smallest_normal(precision) && std::fabs(r - v) > 0.01 * std::fabs(v)) return "subnormal";
  return "";
}

int hazard_rank(const std::string& problem) {
  if (problem == "overflow") return 4;
  if (problem == "underflow") return 3;
  if (problem == "inexact integer") return 2;
  if (problem == "subnormal") return 1;
  return 0;
}

// Calls visit(value) for every weight, bias and initial state of a node.
template <typename Visit>
void for_each_constant(const Node& n, Visit&& visit) {
  const auto sparse = [&](const NumSparse& m) {
    for (int r = 0; r < m.outerSize(); ++r) {
      for (NumSparse::InnerIterator it(m, r); it; ++it) visit(it.value().to_double());
    }
  };
  const auto dense = [&](const NumVector& v) {
    for (Eigen::Index i = 0; i < v.size(); ++i) visit(v[i].to_double());
  };
  if (n.kind == NodeKind::Linear) {
    sparse(n.A);
    dense(n.b);
  } else if (n.kind == NodeKind::LinState) {
    sparse(n.A);
    sparse(n.B);
    dense(n.b);
    dense(n.init);
  }
}

std::string hazard_message(const PrecisionHazard& h) {
  const std::string p = precision_name(h.precision);
  std::string m = "the constant " + number_text(h.value) + " of " + h.node + " ";
  if (h.problem == "overflow") {
    m += "does not fit " + p + " (its largest number is " + largest_text(h.precision) + "): it becomes " +
         number_text(h.rounded) + ", so a run in " + p +
         " computes something else (an infinity, NaN, or a term a ReLU silently drops)";
  } else if (h.problem == "underflow") {
    m += "is below " + p + "'s smallest number and becomes 0 in " + p;
  } else if (h.problem == "inexact integer") {
    m += "is an integer " + p + " does not hold: it becomes " + number_text(h.rounded) +
         ", so comparisons with it can change";
  } else {
    m += "is below " + p + "'s normal range and becomes " + number_text(h.rounded) + " in " + p;
  }
  m += "; keep the program's constants within " + p + "'s range (for f_ifelse, a smaller lambda) or run in " +
       (h.precision == Precision::F16 ? "f32 or f64" : "f64");
  return m;
}

// The first value of a trace that is not finite: scanning step by step and,
// within a step, series by series in the order they were recorded (a DAG
// trace in topological order, a model's layer by layer), so the first one
// found is the one the others came from.
struct TraceFault {
  int step = -1;  // 0-based
  std::size_t series = 0;
  int unit = 0;
  double value = 0;
  double largest_before = 0;  // the largest finite magnitude up to that point
};

std::optional<TraceFault> first_fault(const Trace& trace) {
  double largest = 0;
  for (int t = 0; t < trace.steps; ++t) {
    for (std::size_t k = 0; k < trace.series.size(); ++k) {
      const TraceSeries& s = trace.series[k];
      if (static_cast<std::size_t>(t + 1) * static_cast<std::size_t>(s.dim) > s.values.size()) continue;
      for (int u = 0; u < s.dim; ++u) {
        const double v = s.at(t, u);
        if (!std::isfinite(v)) return TraceFault{t, k, u, v, largest};
        largest = std::max(largest, std::fabs(v));
      }
    }
  }
  return std::nullopt;
}

// Where the program itself first goes non-finite on `tokens`: every node is
// traced (a copy labelled with its id), so the node and its source position
// are known.
struct ProgramFault {
  int step = 0;  // 0-based
  NodeId node = kNoNode;
  double value = 0;
  double largest_before = 0;
};

std::optional<ProgramFault> first_program_fault(const Program& program, const std::vector<std::vector<double>>& tokens,
                                                Precision precision) {
  const std::vector<NodeId> order = program.topological_order();
  double traced = 0;
  for (NodeId id : order) traced += static_cast<double>(program.node(id).dim);
  if (traced * static_cast<double>(tokens.size()) > kMaxTracedValues) return std::nullopt;
  Program labelled = program;
  for (NodeId id : order) {
    // Appended, not "#" + std::string&& (GCC 12's -Wrestrict false positive).
    std::string label = "#";
    label += std::to_string(id);
    labelled.node(id).name = std::move(label);
  }
  Trace trace;
  evaluate_program(labelled, tokens, precision, &trace);
  const std::optional<TraceFault> fault = first_fault(trace);
  if (!fault) return std::nullopt;
  // Series k is order[k] (every node is named); the last one is "output".
  const NodeId node = fault->series < order.size() ? order[fault->series] : program.output();
  return ProgramFault{fault->step, node, fault->value, fault->largest_before};
}

// Why the program's node went non-finite, in words.
std::string program_cause(const CompiledModel& model, const ProgramFault& fault, Precision precision) {
  const Node& n = model.program.node(fault.node);
  for (const PrecisionHazard& h : model.precision_hazards) {
    if (h.precision == precision && h.problem == "overflow" && h.span.line == n.origin.line &&
        h.span.col == n.origin.col) {
      return describe_node(n) + " holds the constant " + number_text(h.value) + ", which does not fit " +
             precision_name(precision) + " (its largest number is " + largest_text(precision) + ")";
    }
  }
  std::string why = describe_node(n);
  if (std::isinf(fault.value)) {
    why += " exceeds the largest " + std::string(precision_name(precision)) + " number, " + largest_text(precision);
  } else {
    why += " computes inf - inf or 0 x inf: an intermediate value exceeded the largest " +
           std::string(precision_name(precision)) + " number, " + largest_text(precision);
  }
  if (fault.largest_before > 0) why += " (values reached " + number_text(fault.largest_before) + " before it)";
  return why;
}

std::string what_to_do(Precision precision) {
  if (precision == Precision::F64) {
    return "bound the values the program computes: declare the inputs' range (Input(dim=..., bounds=[lo, hi])) "
           "and a shorter max_length, or keep growing states from compounding";
  }
  return std::string("run in ") + (precision == Precision::F16 ? "f32 or f64" : "f64") +
         ", or keep the program's constants and values within " + precision_name(precision) + "'s range (" +
         largest_text(precision) + ")";
}

}  // namespace

void find_precision_hazards(CompiledModel& model) {
  model.precision_hazards.clear();
  model.f32_hazard_count = 0;
  model.f16_hazard_count = 0;
  for (NodeId id : model.program.topological_order()) {
    const Node& n = model.program.node(id);
    for (const Precision precision : {Precision::F32, Precision::F16}) {
      PrecisionHazard worst;
      worst.precision = precision;
      for_each_constant(n, [&](double v) {
        const std::string problem = hazard_of(v, precision);
        if (hazard_rank(problem) > hazard_rank(worst.problem)) {
          worst.problem = problem;
          worst.value = v;
          worst.rounded = round_to(v, precision);
        }
      });
      if (worst.problem.empty()) continue;
      long long& count = precision == Precision::F32 ? model.f32_hazard_count : model.f16_hazard_count;
      if (++count > kMaxPrecisionHazards) continue;
      worst.span = n.origin;
      worst.node = describe_node(n);
      model.precision_hazards.push_back(std::move(worst));
    }
  }
}

std::vector<Diagnostic> precision_warnings(const CompiledModel& model, Precision precision) {
  std::vector<Diagnostic> warnings;
  if (precision == Precision::F64) return warnings;
  const long long total = precision == Precision::F32 ? model.f32_hazard_count : model.f16_hazard_count;
  // One warning per place in the source and problem: a line inside a loop
  // or a function creates many nodes with the same constant.
  std::vector<const PrecisionHazard*> shown;
  long long covered = 0;  // nodes whose hazard a shown warning stands for
  for (const PrecisionHazard& h : model.precision_hazards) {
    if (h.precision != precision) continue;
    bool same_place = false;
    for (const PrecisionHazard* s : shown) {
      same_place = same_place || (s->span.line == h.span.line && s->span.col == h.span.col && s->problem == h.problem);
    }
    if (same_place) {
      ++covered;
      continue;
    }
    if (static_cast<int>(shown.size()) == kMaxHazardWarnings) continue;
    shown.push_back(&h);
    ++covered;
    Diagnostic d;
    d.severity = Severity::Warning;
    d.file = model.filename;
    d.span = h.span;
    d.message = hazard_message(h);
    warnings.push_back(std::move(d));
  }
  if (total > covered) {
    Diagnostic d;
    d.severity = Severity::Note;
    d.file = model.filename;
    d.message = std::to_string(total - covered) + " more node" + (total - covered == 1 ? "" : "s") +
                " elsewhere hold constants " + precision_name(precision) + " cannot hold (" + std::to_string(total) +
                " nodes in all; `lsrlc compile --json` lists the first " + std::to_string(kMaxPrecisionHazards) + ")";
    warnings.push_back(std::move(d));
  }
  attach_source_lines(warnings, model.source);
  return warnings;
}

std::optional<Diagnostic> refuse_precision(const CompiledModel& model, Precision precision) {
  if (precision == Precision::F64 || model.activations != Activations::Standard) return std::nullopt;
  if (model.target != "gru" && model.target != "lstm") return std::nullopt;
  Diagnostic d;
  d.file = model.filename;
  d.message = "target '" + model.target + "' with the standard activations runs in f64 only: its weights go up to " +
              "2^960 and it carries values scaled by 2^-64, outside " + precision_name(precision) +
              "'s range, so a run in " + precision_name(precision) +
              " would give NaN (docs/targets.md section 9); run in f64, or compile with the paper activations, "
              "which run in f32 and f16";
  return d;
}

std::optional<NumericFailure> find_numeric_failure(const CompiledModel& model,
                                                   const std::vector<std::vector<double>>& tokens, Precision precision,
                                                   const OutputRows& outputs, const Trace* recorded) {
  NumericFailure failure;
  bool found = false;
  for (std::size_t t = 0; t < outputs.size() && !found; ++t) {
    for (std::size_t i = 0; i < outputs[t].size(); ++i) {
      if (std::isfinite(outputs[t][i])) continue;
      failure.output_step = static_cast<int>(t) + 1;
      failure.output = static_cast<int>(i) + 1;
      failure.value = number_text(outputs[t][i]);
      found = true;
      break;
    }
  }
  if (!found) return std::nullopt;
  failure.step = failure.output_step;
  // Causal models: the tokens up to the first bad output are all a re-run needs.
  const std::vector<std::vector<double>> prefix(tokens.begin(), tokens.begin() + failure.output_step);

  std::optional<ProgramFault> program_fault = first_program_fault(model.program, prefix, precision);
  if (!model.model) {
    if (program_fault) {
      const Node& n = model.program.node(program_fault->node);
      failure.step = program_fault->step + 1;
      failure.value = number_text(program_fault->value);
      failure.where = describe_node(n);
      failure.span = n.origin;
      failure.cause = program_cause(model, *program_fault, precision);
    }
    return failure;
  }

  // A compiled model: its own trace says which layer went first.
  Trace trace;
  const Trace* model_trace = recorded;
  if (!model_trace) {
    double per_step = 0;
    for (const LayerSummary& layer : model.model->layers()) {
      per_step += static_cast<double>(layer.input_dim) + 4.0 * layer.hidden_dim + layer.output_dim;
    }
    if (per_step * static_cast<double>(prefix.size()) <= kMaxTracedValues) {
      model.model->run(prefix, precision, &trace);
      model_trace = &trace;
    }
  }
  if (model_trace) {
    if (const std::optional<TraceFault> fault = first_fault(*model_trace)) {
      const TraceSeries& s = model_trace->series[fault->series];
      failure.step = fault->step + 1;
      failure.value = number_text(fault->value);
      failure.where = s.label + (s.dim > 1 ? ", unit " + std::to_string(fault->unit + 1) : "");
      failure.layer = s.layer;
    }
  }
  if (program_fault && program_fault->step + 1 <= failure.output_step) {
    // The program computes it too: the model is faithful, the program is the cause.
    const Node& n = model.program.node(program_fault->node);
    failure.span = n.origin;
    failure.cause = "the program itself does: " + program_cause(model, *program_fault, precision) + ", at step " +
                    std::to_string(program_fault->step + 1);
  } else if (model.activations == Activations::Standard && precision != Precision::F64) {
    failure.cause = "the program's own values stay finite; the standard activations' construction for '" +
                    model.target + "' (steep steps, scaled values) does not fit " + precision_name(precision);
  } else {
    failure.cause = "the program's own values stay finite; the '" + model.target + "' construction (its large " +
                    "weights, f_ifelse's lambda among them) holds values beyond " + precision_name(precision) +
                    "'s range";
  }
  return failure;
}

Diagnostic numeric_failure_diagnostic(const CompiledModel& model, const NumericFailure& failure, Precision precision) {
  Diagnostic d;
  d.file = model.filename;
  d.span = failure.span;
  d.message = "the run in " + std::string(precision_name(precision)) + " produced " + failure.value + " at step " +
              std::to_string(failure.step);
  if (!failure.where.empty()) d.message += ", first in " + failure.where;
  if (failure.output_step != failure.step || failure.where.empty()) {
    d.message += " (output " + std::to_string(failure.output) + " at step " + std::to_string(failure.output_step) + ")";
  }
  if (!failure.cause.empty()) d.message += ": " + failure.cause;
  std::string advice = what_to_do(precision);
  advice[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(advice[0])));
  d.message +=
      "; the run stops there (the outputs before step " + std::to_string(failure.output_step) + " are kept). " + advice;
  std::vector<Diagnostic> one{d};
  attach_source_lines(one, model.source);
  return one.front();
}

}  // namespace lsrl::api
