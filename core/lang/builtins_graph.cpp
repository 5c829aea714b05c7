// Builtins that build the graph: the six primitives (and Slice), the sugar
// library with the reference's names and keywords, and nonneg.
#include <cmath>

#include "lang/builtins.hpp"
#include "lang/evaluator.hpp"
#include "lang/limits.hpp"
#include "sugar/sugar.hpp"

namespace lsrl::lang {

namespace {

using sugar::Operand;

ParamDecl req(std::string name, std::vector<std::string> aliases = {}) {
  return ParamDecl{std::move(name), std::move(aliases), true};
}
ParamDecl opt(std::string name, std::vector<std::string> aliases = {}) {
  return ParamDecl{std::move(name), std::move(aliases), false};
}

const Num kDefaultMu = Num(1000);
const Num kDefaultLargeConstant = Num(10'000'000'000LL);

// A graph-variable argument; the error names the function and the parameter.
NodeId var_argument(Evaluator& ev, const BoundArgs& args, std::size_t i, const std::string& function,
                    const std::string& param) {
  const Value& v = args.value(i);
  if (v.kind == ValueKind::Var) return v.node;
  throw LsrlError(args.span(i), function + ": " + param + " must be a graph variable, got " + type_name(v) + " " +
                                    describe_value(v, &ev.program()));
}

// A graph variable, a number or a list of numbers.
Operand operand_argument(Evaluator& ev, const BoundArgs& args, std::size_t i, const std::string& function,
                         const std::string& param) {
  const Value& v = args.value(i);
  if (v.kind == ValueKind::Var) return Operand::of(v.node);
  if (v.is_number()) return Operand::scalar(v.num);
  if (is_matrix_like(v)) return Operand::vector(as_column(v, function + ": " + param, args.span(i)));
  throw LsrlError(args.span(i), function + ": " + param + " must be a graph variable or a number, got " + type_name(v) +
                                    " " + describe_value(v, &ev.program()));
}

// t or f of a conditional: absent or None means zero.
std::optional<Operand> branch_argument(Evaluator& ev, const BoundArgs& args, std::size_t i, const std::string& function,
                                       const std::string& param) {
  if (!args.given(i)) return std::nullopt;
  return operand_argument(ev, args, i, function, param);
}

Num mu_argument(const BoundArgs& args, std::size_t i, const std::string& function) {
  if (!args.given(i)) return kDefaultMu;
  const Value& v = args.value(i);
  if (v.kind == ValueKind::Var) {
    throw LsrlError(args.span(i), function + ": mu (scale) must be a number, not a graph variable");
  }
  return as_number(v, function + ": mu (scale)", args.span(i));
}

Num large_constant_argument(const BoundArgs& args, std::size_t i, const std::string& function) {
  if (!args.given(i)) return kDefaultLargeConstant;
  const Num lambda = as_number(args.value(i), function + ": large_constant", args.span(i));
  if (lambda.sign() <= 0) {
    throw LsrlError(args.span(i), function + ": large_constant must be positive, got " + lambda.to_string());
  }
  return lambda;
}

Value named(Evaluator& ev, const BoundArgs& args, std::size_t name_slot, NodeId id) {
  if (args.given(name_slot)) {
    const Value& v = args.value(name_slot);
    if (v.kind != ValueKind::Str) throw LsrlError(args.span(name_slot), "name= must be a string");
    ev.program().name_node(id, v.str());
  }
  return Value::var(id);
}

std::string width_hint(const Value& v) {
  // A flat list is a column: say so when a row was probably meant.
  if (v.is_sequence() && !v.list->empty() && (*v.list)[0].is_number() && v.list->size() > 1) {
    return " (a flat list of numbers is a column; write a row as [[a, b, ...]])";
  }
  return "";
}

// ---- primitives --------------------------------------------------------------------------

// ---- Input and its declared domain -----------------------------------------------------

constexpr std::int64_t kMaxDeclaredLength = 65536;

// A declared bound as a double. An exact rational that no double equals
// (1/3) is rounded outward by two units in the last place (its conversion may
// be off by one), so the domain contains every value the program declared.
double outward(const Num& n, bool lower) {
  const double d = n.to_double();
  if (!n.is_exact()) return d;
  const std::int64_t q = n.denominator();
  const std::int64_t p = n.numerator();
  const bool power_of_two = (q & (q - 1)) == 0;
  const bool representable = power_of_two && p > -(std::int64_t{1} << 53) && p < (std::int64_t{1} << 53);
  if (representable) return d;
  const double away = lower ? -HUGE_VAL : HUGE_VAL;
  return std::nextafter(std::nextafter(d, away), away);
}

// Input(..., bounds=[lo, hi]) or bounds=[[lo_1, hi_1], ..., [lo_dim, hi_dim]].
void declare_bounds(const Value& bounds, SourceSpan at, int dim, InputDomain& domain) {
  const std::string form = "bounds=[lo, hi] (the same for every component)" +
                           (dim > 1 ? " or a list of " + std::to_string(dim) + " pairs [[lo_1, hi_1], ..., [lo_" +
                                          std::to_string(dim) + ", hi_" + std::to_string(dim) + "]]"
                                    : std::string());
  auto number = [&](const Value& v, const std::string& which) {
    if (v.kind != ValueKind::Int && v.kind != ValueKind::Float) {
      throw LsrlError(at, "Input: " + which + " must be a number, got " + type_name(v) + " " +
                              describe_value(v, nullptr) + "; write " + form);
    }
    if (!std::isfinite(v.num.to_double())) {
      throw LsrlError(at, "Input: " + which + " must be finite, got " + describe_value(v, nullptr) +
                              "; the compiled models are sized from these bounds, so each needs a finite value");
    }
    return v.num;
  };
  auto is_pair = [](const Value& v) { return v.is_sequence() && v.list->size() == 2; };
  auto pair = [&](const Value& v, const std::string& which, std::size_t component) {
    const Num lo = number((*v.list)[0], "the lower bound" + which);
    const Num hi = number((*v.list)[1], "the upper bound" + which);
    if (hi < lo) {
      throw LsrlError(at, "Input: the bounds" + which + " are [" + lo.to_string() + ", " + hi.to_string() +
                              "], but the lower bound must not exceed the upper; write [lo, hi] with lo <= hi");
    }
    domain.lower[component] = outward(lo, true);
    domain.upper[component] = outward(hi, false);
  };
  if (!bounds.is_sequence()) {
    throw LsrlError(at, "Input: bounds must be a list, got " + type_name(bounds) + " " +
                            describe_value(bounds, nullptr) + "; write " + form);
  }
  const ValueList& items = *bounds.list;
  const bool per_component = !items.empty() && items[0].is_sequence();
  if (!per_component) {
    if (items.size() != 2) {
      throw LsrlError(at, "Input: bounds has " + std::to_string(items.size()) + " entries; write " + form);
    }
    for (std::size_t c = 0; c < static_cast<std::size_t>(dim); ++c) pair(bounds, "", c);
    return;
  }
  if (items.size() != static_cast<std::size_t>(dim)) {
    throw LsrlError(at, "Input: bounds gives " + std::to_string(items.size()) + " pair" +
                            (items.size() == 1 ? "" : "s") + " but the input has " + std::to_string(dim) +
                            " component" + (dim == 1 ? "" : "s") + "; write " + form);
  }
  for (std::size_t c = 0; c < items.size(); ++c) {
    const std::string which = " of component " + std::to_string(c);
    if (!is_pair(items[c])) {
      throw LsrlError(at, "Input: the bounds" + which + " must be a pair [lo, hi], got " +
                              describe_value(items[c], nullptr) + "; write " + form);
    }
    pair(items[c], which, c);
  }
}

Value builtin_input(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const std::int64_t dim = integer_argument(args, 0, "Input: dim");
  if (dim < 1) throw LsrlError(args.span(0), "Input(dim) needs dim >= 1, got " + std::to_string(dim));
  if (dim > kMaxWidth) {
    throw LsrlError(args.span(0),
                    "limit exceeded: Input dim " + std::to_string(dim) + " is above " + std::to_string(kMaxWidth));
  }
  // Check the declarations before the node exists: a wrong one is the error.
  InputDomain domain;
  domain.lower.assign(static_cast<std::size_t>(dim), -kDefaultInputBound);
  domain.upper.assign(static_cast<std::size_t>(dim), kDefaultInputBound);
  domain.origin = call;
  if (args.given(2)) {
    declare_bounds(args.value(2), args.span(2), static_cast<int>(dim), domain);
    domain.bounds_source = "declared";
  }
  if (args.given(3)) {
    const std::int64_t length = integer_argument(args, 3, "Input: max_length");
    if (length < 1 || length > kMaxDeclaredLength) {
      throw LsrlError(args.span(3), "Input: max_length must be between 1 and " + std::to_string(kMaxDeclaredLength) +
                                        " tokens, got " + std::to_string(length));
    }
    domain.max_length = static_cast<int>(length);
  }
  const NodeId input = ev.program().add_input(static_cast<int>(dim), call);
  ev.program().set_input_domain(std::move(domain));
  return named(ev, args, 1, input);
}

Value builtin_linear(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const NodeId x = var_argument(ev, args, 0, "Linear", "input");
  const NumDense a = matrix_argument(args, 1, "Linear: A");
  const int in_dim = ev.program().node(x).dim;
  if (a.cols() != in_dim) {
    throw LsrlError(args.span(1), "Linear: A is " + std::to_string(a.rows()) + " x " + std::to_string(a.cols()) +
                                      " but its input " + sugar::describe_node(ev.program(), x) + " has width " +
                                      std::to_string(in_dim) + "; A must have " + std::to_string(in_dim) + " columns" +
                                      width_hint(args.value(1)));
  }
  NumVector b = args.given(2) ? column_argument(args, 2, "Linear: b") : zero_vector(static_cast<int>(a.rows()));
  if (b.size() != a.rows()) {
    throw LsrlError(args.span(2), "Linear: b has " + std::to_string(b.size()) + " entries but A has " +
                                      std::to_string(a.rows()) + " rows; they must match");
  }
  ev.work().charge(static_cast<std::int64_t>(a.size()), call);
  return named(ev, args, 3, ev.program().add_linear(x, sparse_from_dense(a), std::move(b), call));
}

Value builtin_relu(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const NodeId x = var_argument(ev, args, 0, "ReLU", "input");
  return named(ev, args, 1, ev.program().add_relu(x, call));
}

Value builtin_linstate(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const NodeId x = var_argument(ev, args, 0, "LinState", "input");
  const NumDense a = matrix_argument(args, 1, "LinState: A");
  const NumDense b = matrix_argument(args, 2, "LinState: B");
  const int in_dim = ev.program().node(x).dim;
  if (a.rows() != a.cols()) {
    throw LsrlError(args.span(1), "LinState: A must be square (state x state), got " + std::to_string(a.rows()) +
                                      " x " + std::to_string(a.cols()));
  }
  if (b.rows() != a.rows() || b.cols() != in_dim) {
    throw LsrlError(args.span(2), "LinState: B is " + std::to_string(b.rows()) + " x " + std::to_string(b.cols()) +
                                      " but must be " + std::to_string(a.rows()) + " x " + std::to_string(in_dim) +
                                      " (the state's width x the width of the input " +
                                      sugar::describe_node(ev.program(), x) + ")" + width_hint(args.value(2)));
  }
  NumVector init = column_argument(args, 3, "LinState: init_state");
  if (init.size() != a.rows()) {
    throw LsrlError(args.span(3), "LinState: init_state has " + std::to_string(init.size()) +
                                      " entries but the state has width " + std::to_string(a.rows()));
  }
  std::optional<NumVector> bias;
  if (args.given(4)) {
    bias = column_argument(args, 4, "LinState: bias");
    if (bias->size() != a.rows()) {
      throw LsrlError(args.span(4), "LinState: bias has " + std::to_string(bias->size()) +
                                        " entries but the state has width " + std::to_string(a.rows()));
    }
  }
  ev.work().charge(static_cast<std::int64_t>(a.size() + b.size()), call);
  return named(
      ev, args, 5,
      ev.program().add_linstate(x, sparse_from_dense(a), sparse_from_dense(b), std::move(init), std::move(bias), call));
}

Value builtin_concat(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  std::vector<ArgValue> parts;
  if (args.has(0)) parts.push_back(*args.slots[0]);
  parts.insert(parts.end(), args.rest.begin(), args.rest.end());
  if (parts.size() == 1 && parts[0].value.is_sequence()) {
    const ArgValue whole = parts[0];
    parts.clear();
    for (const auto& item : *whole.value.list) parts.push_back(ArgValue{item, whole.span});
  }
  if (parts.empty()) throw LsrlError(call, "Concat needs at least one graph variable");
  std::vector<NodeId> nodes;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].value.kind != ValueKind::Var) {
      throw LsrlError(parts[i].span,
                      "Concat: element " + std::to_string(i) + " must be a graph variable, got " +
                          type_name(parts[i].value) + " " + describe_value(parts[i].value, &ev.program()) +
                          (parts[i].value.is_number() ? " (for a constant use f_constant(x, value))" : ""));
    }
    nodes.push_back(parts[i].value.node);
  }
  std::int64_t width = 0;
  for (NodeId n : nodes) width += ev.program().node(n).dim;
  if (width > kMaxWidth) {
    throw LsrlError(call, "limit exceeded: the Concat would have width " + std::to_string(width) + " (at most " +
                              std::to_string(kMaxWidth) + ")");
  }
  return named(ev, args, 1, ev.program().add_concat(nodes, call));
}

Value builtin_multi(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const NodeId x = var_argument(ev, args, 0, "Multi", "input");
  return named(ev, args, 1, ev.program().add_multi(x, call));
}

Value builtin_slice(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const NodeId x = var_argument(ev, args, 0, "Slice", "input");
  const std::int64_t begin = integer_argument(args, 1, "Slice: start");
  const std::int64_t end = integer_argument(args, 2, "Slice: end");
  const int dim = ev.program().node(x).dim;
  if (begin < 0 || end > dim || begin >= end) {
    throw LsrlError(call, "Slice(" + std::to_string(begin) + ", " + std::to_string(end) + ") is out of range for " +
                              sugar::describe_node(ev.program(), x) +
                              "; it needs 0 <= start < end <= " + std::to_string(dim));
  }
  return named(ev, args, 3, ev.program().add_slice(x, static_cast<int>(begin), static_cast<int>(end), call));
}

// ---- sugar ---------------------------------------------------------------------------------

Value builtin_f_constant(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const NodeId x = var_argument(ev, args, 0, "f_constant", "x");
  const Value& v = args.value(1);
  NumVector value = v.is_number() ? NumVector::Constant(1, v.num) : column_argument(args, 1, "f_constant: value");
  if (value.size() > kMaxWidth) throw LsrlError(args.span(1), "limit exceeded: f_constant of more than 100000 values");
  return Value::var(sugar::f_constant(ev.program(), x, value, call));
}

Value builtin_f_step(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const NodeId x = var_argument(ev, args, 0, "f_step", "x");
  return Value::var(sugar::f_step(ev.program(), x, mu_argument(args, 1, "f_step"), call));
}

Value builtin_f_bump(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const NodeId x = var_argument(ev, args, 0, "f_bump", "x");
  const Operand lb = operand_argument(ev, args, 1, "f_bump", "lb");
  const Operand ub = operand_argument(ev, args, 2, "f_bump", "ub");
  return Value::var(sugar::f_bump(ev.program(), x, lb, ub, mu_argument(args, 3, "f_bump"), call));
}

Value builtin_f_not(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  return Value::var(sugar::f_not(ev.program(), var_argument(ev, args, 0, "f_not", "x"), call));
}

template <NodeId (*F)(Program&, NodeId, NodeId, Num, SourceSpan)>
Value logic(Evaluator& ev, BoundArgs& args, SourceSpan call, const char* name) {
  const NodeId x = var_argument(ev, args, 0, name, "x");
  const NodeId y = var_argument(ev, args, 1, name, "y");
  return Value::var(F(ev.program(), x, y, mu_argument(args, 2, name), call));
}
Value builtin_f_and(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  return logic<sugar::f_and>(ev, args, call, "f_and");
}
Value builtin_f_or(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  return logic<sugar::f_or>(ev, args, call, "f_or");
}

template <NodeId (*F)(Program&, const Operand&, const Operand&, Num, SourceSpan)>
Value comparison(Evaluator& ev, BoundArgs& args, SourceSpan call, const char* name) {
  const Operand x = operand_argument(ev, args, 0, name, "x");
  const Operand y = operand_argument(ev, args, 1, name, "y");
  return Value::var(F(ev.program(), x, y, mu_argument(args, 2, name), call));
}
Value builtin_f_larger(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  return comparison<sugar::f_larger>(ev, args, call, "f_larger");
}
Value builtin_f_smaller(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  return comparison<sugar::f_smaller>(ev, args, call, "f_smaller");
}
Value builtin_f_eq(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  return comparison<sugar::f_eq>(ev, args, call, "f_eq");
}
Value builtin_f_neq(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  return comparison<sugar::f_neq>(ev, args, call, "f_neq");
}

Value builtin_f_ifeq(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const Operand x = operand_argument(ev, args, 0, "f_ifeq", "x");
  const Operand y = operand_argument(ev, args, 1, "f_ifeq", "y");
  const auto t = branch_argument(ev, args, 2, "f_ifeq", "t");
  const auto f = branch_argument(ev, args, 3, "f_ifeq", "f");
  return Value::var(sugar::f_ifeq(ev.program(), x, y, t, f, mu_argument(args, 4, "f_ifeq"),
                                  large_constant_argument(args, 5, "f_ifeq"), call));
}

Value builtin_f_ifelse(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const NodeId c = var_argument(ev, args, 0, "f_ifelse", "cond");
  const auto t = branch_argument(ev, args, 1, "f_ifelse", "t");
  const auto f = branch_argument(ev, args, 2, "f_ifelse", "f");
  return Value::var(sugar::f_ifelse(ev.program(), c, t, f, large_constant_argument(args, 3, "f_ifelse"), call));
}

Value builtin_f_ifelse_opt(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const NodeId c = var_argument(ev, args, 0, "f_ifelse_opt", "cond");
  const auto t = branch_argument(ev, args, 1, "f_ifelse_opt", "t");
  const auto f = branch_argument(ev, args, 2, "f_ifelse_opt", "f");
  return Value::var(sugar::f_ifelse_opt(ev.program(), c, t, f, large_constant_argument(args, 3, "f_ifelse_opt"), call));
}

Value builtin_f_ifelse_step(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const NodeId c = var_argument(ev, args, 0, "f_ifelse_step", "cond");
  const auto t = branch_argument(ev, args, 1, "f_ifelse_step", "t");
  const auto f = branch_argument(ev, args, 2, "f_ifelse_step", "f");
  return Value::var(sugar::f_ifelse_step(ev.program(), c, t, f, large_constant_argument(args, 3, "f_ifelse_step"),
                                         mu_argument(args, 4, "f_ifelse_step"), call));
}

Value builtin_f_ifelse_mul(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const NodeId c = var_argument(ev, args, 0, "f_ifelse_mul", "cond");
  const auto t = branch_argument(ev, args, 1, "f_ifelse_mul", "t");
  const auto f = branch_argument(ev, args, 2, "f_ifelse_mul", "f");
  return Value::var(sugar::f_ifelse_mul(ev.program(), c, t, f, call));
}

Value builtin_f_modulo_counter(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const NodeId x = var_argument(ev, args, 0, "f_modulo_counter", "x");
  const std::int64_t n = integer_argument(args, 1, "f_modulo_counter: n (the divisor)");
  if (n < 1) throw LsrlError(args.span(1), "f_modulo_counter needs a divisor n >= 1, got " + std::to_string(n));
  if (n > kMaxWidth) {
    throw LsrlError(args.span(1), "limit exceeded: f_modulo_counter divisor " + std::to_string(n) + " is above " +
                                      std::to_string(kMaxWidth));
  }
  ev.work().charge(4 * n, call);
  return Value::var(sugar::f_modulo_counter(ev.program(), x, static_cast<int>(n), call));
}

Value builtin_f_relu_identity(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  return Value::var(sugar::f_relu_identity(ev.program(), var_argument(ev, args, 0, "f_relu_identity", "x"), call));
}

Value builtin_nonneg(Evaluator& ev, BoundArgs& args, SourceSpan) {
  const NodeId x = var_argument(ev, args, 0, "nonneg", "x");
  ev.program().node(x).always_positive = true;
  return Value::var(x);
}

}  // namespace

void add_graph_builtins(std::vector<BuiltinSpec>& table) {
  const std::vector<std::string> input_aliases = {"x"};
  const std::vector<std::string> mu = {"scale"};

  table.push_back({"Input", {req("dim"), opt("name"), opt("bounds"), opt("max_length")}, false, builtin_input});
  table.push_back({"Linear", {req("input", input_aliases), req("A"), opt("b"), opt("name")}, false, builtin_linear});
  table.push_back({"ReLU", {req("input", input_aliases), opt("name")}, false, builtin_relu});
  table.push_back(
      {"LinState",
       {req("input", input_aliases), req("A"), req("B"), req("init_state", {"init"}), opt("bias"), opt("name")},
       false,
       builtin_linstate});
  table.push_back({"Concat", {opt("inputs"), ParamDecl{"name", {}, false, true}}, true, builtin_concat});
  table.push_back({"Multi", {req("input", input_aliases), opt("name")}, false, builtin_multi});
  table.push_back({"Multiplicative", {req("input", input_aliases), opt("name")}, false, builtin_multi});
  table.push_back(
      {"Slice", {req("input", input_aliases), req("start"), req("end"), opt("name")}, false, builtin_slice});

  table.push_back({"f_constant", {req("x", {"input", "dummy_input"}), req("value")}, false, builtin_f_constant});
  table.push_back({"f_step", {req("x", {"input"}), opt("mu", mu)}, false, builtin_f_step});
  table.push_back({"f_bump", {req("x", {"input"}), req("lb"), req("ub"), opt("mu", mu)}, false, builtin_f_bump});
  table.push_back({"f_not", {req("x", {"input"})}, false, builtin_f_not});
  table.push_back({"f_and", {req("x"), req("y"), opt("mu", mu)}, false, builtin_f_and});
  table.push_back({"f_or", {req("x"), req("y"), opt("mu", mu)}, false, builtin_f_or});
  table.push_back({"f_larger", {req("x"), req("y"), opt("mu", mu)}, false, builtin_f_larger});
  table.push_back({"f_smaller", {req("x"), req("y"), opt("mu", mu)}, false, builtin_f_smaller});
  table.push_back({"f_eq", {req("x"), req("y"), opt("mu", mu)}, false, builtin_f_eq});
  table.push_back({"f_neq", {req("x"), req("y"), opt("mu", mu)}, false, builtin_f_neq});
  table.push_back({"f_ifeq",
                   {req("x"), req("y"), opt("t", {"t_val"}), opt("f", {"f_val"}), opt("mu", mu), opt("large_constant")},
                   false,
                   builtin_f_ifeq});
  const std::vector<ParamDecl> ifelse_params = {req("cond", {"condition", "c"}), opt("t", {"t_val"}),
                                                opt("f", {"f_val"}), opt("large_constant")};
  table.push_back({"f_ifelse", ifelse_params, false, builtin_f_ifelse});
  table.push_back({"f_ifelse_opt", ifelse_params, false, builtin_f_ifelse_opt});
  table.push_back({"f_ifelse_step",
                   {req("cond", {"condition", "c"}), opt("t", {"t_val"}), opt("f", {"f_val"}), opt("large_constant"),
                    opt("mu", mu)},
                   false,
                   builtin_f_ifelse_step});
  table.push_back({"f_ifelse_mul",
                   {req("cond", {"condition", "c"}), opt("t", {"t_val"}), opt("f", {"f_val"})},
                   false,
                   builtin_f_ifelse_mul});
  table.push_back({"f_modulo_counter",
                   {req("x", {"dummy_input", "input"}), req("n", {"divisor"})},
                   false,
                   builtin_f_modulo_counter});
  table.push_back({"f_relu_identity", {req("x", {"input"})}, false, builtin_f_relu_identity});
  table.push_back({"nonneg", {req("x")}, false, builtin_nonneg});
}

}  // namespace lsrl::lang
