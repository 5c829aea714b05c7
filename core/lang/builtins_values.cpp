// Builtins on compile-time values: Python's helpers (range, len, sum, min,
// max, ...), math (sqrt, cos, ... kept exact where the result is rational)
// and the matrix constructors (eye, zeros, ones, diag, hstack, vstack, Matrix).
#include <algorithm>
#include <cmath>

#include "lang/builtins.hpp"
#include "lang/evaluator.hpp"
#include "lang/limits.hpp"
#include "lang/matrices.hpp"

namespace lsrl::lang {

namespace {

ParamDecl req(std::string name) { return ParamDecl{std::move(name), {}, true}; }
ParamDecl opt(std::string name) { return ParamDecl{std::move(name), {}, false}; }

Value int_value(std::int64_t n) { return Value::integer(Num(static_cast<long long>(n))); }

// The values of a variadic call: f(a, b, c), or f([a, b, c]) with one sequence.
std::vector<Value> spread(Evaluator& ev, BoundArgs& args, std::size_t first_slot) {
  std::vector<Value> items;
  if (args.has(first_slot)) items.push_back(args.value(first_slot));
  for (const auto& r : args.rest) items.push_back(r.value);
  if (items.size() == 1 && items[0].is_sequence()) return ev.items_of(items[0], args.span(first_slot));
  return items;
}

// ---- Python helpers -----------------------------------------------------------------

}  // namespace

RangeBounds range_bounds(const BoundArgs& args) {
  RangeBounds r;
  std::int64_t stop = integer_argument(args, 0, "range()'s argument");
  if (args.given(1)) {
    r.start = stop;
    stop = integer_argument(args, 1, "range()'s stop");
  }
  if (args.given(2)) r.step = integer_argument(args, 2, "range()'s step");
  if (r.step == 0) throw LsrlError(args.span(2), "range() step cannot be zero");
  const WideInt distance = r.step > 0 ? static_cast<WideInt>(stop) - r.start : static_cast<WideInt>(r.start) - stop;
  const WideInt stride = r.step > 0 ? r.step : -static_cast<WideInt>(r.step);
  const WideInt count = distance <= 0 ? 0 : (distance + stride - 1) / stride;
  // Past 2^63 - 1 numbers the loop limit stops any loop long before the end.
  r.count = count > static_cast<WideInt>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(count);
  return r;
}

namespace {

Value builtin_range(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const RangeBounds r = range_bounds(args);
  if (r.count > kMaxListLength) {
    throw LsrlError(call, "limit exceeded: range of " + std::to_string(static_cast<std::uint64_t>(r.count)) +
                              " numbers (at most " + std::to_string(kMaxListLength) + ")");
  }
  ValueList items;
  items.reserve(static_cast<std::size_t>(r.count));
  for (std::int64_t k = 0; k < r.count; ++k) items.push_back(int_value(range_element(r, k)));
  return ev.work().make_list(std::move(items), call);
}

Value builtin_len(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const Value& v = args.value(0);
  if (v.is_sequence()) return int_value(static_cast<std::int64_t>(v.list->size()));
  if (v.kind == ValueKind::Str) return int_value(static_cast<std::int64_t>(ev.items_of(v, call).size()));
  if (v.kind == ValueKind::Matrix) return int_value(v.matrix->rows());
  if (v.kind == ValueKind::Var) throw LsrlError(args.span(0), "len() of a graph variable: use x.dim for its width");
  throw LsrlError(args.span(0), "len() needs a list, a string or a matrix, got " + type_name(v));
}

Value builtin_sum(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  std::vector<Value> items = ev.items_of(args.value(0), args.span(0));
  Value total;
  bool have = false;
  if (args.has(1)) {
    total = args.value(1);
    have = true;
  }
  for (const Value& item : items) {
    if (!have) {
      total = item;
      have = true;
      continue;
    }
    total = ev.binary("+", total, item, call);
  }
  return have ? total : int_value(0);
}

Value min_max(Evaluator& ev, BoundArgs& args, SourceSpan call, bool is_max) {
  std::vector<Value> items = spread(ev, args, 0);
  const char* name = is_max ? "max" : "min";
  if (items.empty()) throw LsrlError(call, std::string(name) + "() of an empty list");
  Value best = items[0];
  for (std::size_t i = 1; i < items.size(); ++i) {
    if (compare_constant(is_max ? ">" : "<", items[i], best, call)) best = items[i];
  }
  return best;
}
Value builtin_min(Evaluator& ev, BoundArgs& args, SourceSpan call) { return min_max(ev, args, call, false); }
Value builtin_max(Evaluator& ev, BoundArgs& args, SourceSpan call) { return min_max(ev, args, call, true); }

Value same_kind(const Value& like, Num n) {
  return like.kind == ValueKind::Float ? Value::floating(n) : Value::integer(n);
}

Value builtin_abs(Evaluator&, BoundArgs& args, SourceSpan) {
  const Value& v = args.value(0);
  if (v.kind == ValueKind::Var) {
    throw LsrlError(args.span(0), "abs() of a graph variable: build it as ReLU(x) + ReLU(-x)");
  }
  return same_kind(v, abs(number_argument(args, 0, "abs()'s argument")));
}

Value builtin_round(Evaluator&, BoundArgs& args, SourceSpan) {
  const Num x = number_argument(args, 0, "round()'s argument");
  if (!args.given(1)) return Value::integer(num_round(x));
  const std::int64_t digits = integer_argument(args, 1, "round()'s ndigits");
  if (digits < -30 || digits > 30) throw LsrlError(args.span(1), "round()'s ndigits must lie in -30..30");
  const Num scale = *num_pow(Num(10), Num(static_cast<long long>(digits)));
  return same_kind(args.value(0), num_round(x * scale) / scale);
}

Value builtin_floor(Evaluator&, BoundArgs& args, SourceSpan) {
  return Value::integer(num_floor(number_argument(args, 0, "floor()'s argument")));
}
Value builtin_ceil(Evaluator&, BoundArgs& args, SourceSpan) {
  return Value::integer(num_ceil(number_argument(args, 0, "ceil()'s argument")));
}
Value builtin_sqrt(Evaluator&, BoundArgs& args, SourceSpan) {
  auto r = num_sqrt(number_argument(args, 0, "sqrt()'s argument"));
  if (!r) throw LsrlError(args.span(0), "sqrt() of a negative number");
  return Value::floating(*r);
}
Value builtin_exp(Evaluator&, BoundArgs& args, SourceSpan) {
  const Num r = num_exp(number_argument(args, 0, "exp()'s argument"));
  if (!std::isfinite(r.to_double())) throw LsrlError(args.span(0), "exp() of this argument overflows a double");
  return Value::floating(r);
}
Value builtin_cos(Evaluator&, BoundArgs& args, SourceSpan) {
  return Value::floating(num_cos(number_argument(args, 0, "cos()'s argument")));
}
Value builtin_sin(Evaluator&, BoundArgs& args, SourceSpan) {
  return Value::floating(num_sin(number_argument(args, 0, "sin()'s argument")));
}

Value builtin_int(Evaluator&, BoundArgs& args, SourceSpan) {
  const Value& v = args.value(0);
  if (v.kind == ValueKind::Str) {
    Num n;
    if (!Num::parse_decimal(v.str(), n) || !n.is_integer() || v.str().find_first_of(".eE") != std::string::npos) {
      throw LsrlError(args.span(0), "int() cannot read '" + v.str() + "' as an integer");
    }
    return Value::integer(n);
  }
  return Value::integer(num_trunc(number_argument(args, 0, "int()'s argument")));
}

Value builtin_float(Evaluator&, BoundArgs& args, SourceSpan) {
  const Value& v = args.value(0);
  if (v.kind == ValueKind::Str) {
    Num n;
    if (!Num::parse_decimal(v.str(), n)) throw LsrlError(args.span(0), "float() cannot read '" + v.str() + "'");
    return Value::floating(n);
  }
  return Value::floating(number_argument(args, 0, "float()'s argument"));
}

Value builtin_bool(Evaluator&, BoundArgs& args, SourceSpan) {
  return Value::boolean(truthy(args.value(0), args.span(0)));
}
Value builtin_str(Evaluator&, BoundArgs& args, SourceSpan) { return Value::string(to_text(args.value(0))); }

Value builtin_list(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  if (!args.has(0)) return ev.work().make_list({}, call);
  return ev.work().make_list(ev.items_of(args.value(0), args.span(0)), call);
}
Value builtin_tuple(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  if (!args.has(0)) return ev.work().make_list({}, call, ValueKind::Tuple);
  return ev.work().make_list(ev.items_of(args.value(0), args.span(0)), call, ValueKind::Tuple);
}

Value builtin_enumerate(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  std::vector<Value> items = ev.items_of(args.value(0), args.span(0));
  std::int64_t start = args.given(1) ? integer_argument(args, 1, "enumerate()'s start") : 0;
  ValueList out;
  for (auto& item : items) out.push_back(ev.work().make_list({int_value(start++), item}, call, ValueKind::Tuple));
  return ev.work().make_list(std::move(out), call);
}

Value builtin_zip(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  std::vector<std::vector<Value>> seqs;
  for (const auto& r : args.rest) seqs.push_back(ev.items_of(r.value, r.span));
  std::size_t n = seqs.empty() ? 0 : SIZE_MAX;
  for (const auto& s : seqs) n = std::min(n, s.size());
  ValueList out;
  for (std::size_t i = 0; i < n; ++i) {
    ValueList row;
    for (const auto& s : seqs) row.push_back(s[i]);
    out.push_back(ev.work().make_list(std::move(row), call, ValueKind::Tuple));
  }
  return ev.work().make_list(std::move(out), call);
}

Value builtin_reversed(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  std::vector<Value> items = ev.items_of(args.value(0), args.span(0));
  std::reverse(items.begin(), items.end());
  return ev.work().make_list(std::move(items), call);
}

Value builtin_sorted(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  std::vector<Value> items = ev.items_of(args.value(0), args.span(0));
  const bool reverse = args.has(1) && truthy(args.value(1), args.span(1));
  ev.work().charge(static_cast<std::int64_t>(items.size()) * 20, call);
  std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) {
    return reverse ? compare_constant(">", a, b, call) : compare_constant("<", a, b, call);
  });
  return ev.work().make_list(std::move(items), call);
}

Value any_all(Evaluator& ev, BoundArgs& args, bool want_all) {
  for (const Value& v : ev.items_of(args.value(0), args.span(0))) {
    if (truthy(v, args.span(0)) != want_all) return Value::boolean(!want_all);
  }
  return Value::boolean(want_all);
}
Value builtin_any(Evaluator& ev, BoundArgs& args, SourceSpan) { return any_all(ev, args, false); }
Value builtin_all(Evaluator& ev, BoundArgs& args, SourceSpan) { return any_all(ev, args, true); }

// ---- matrices ------------------------------------------------------------------------

std::int64_t dimension_argument(const BoundArgs& args, std::size_t i, const std::string& what) {
  const std::int64_t n = integer_argument(args, i, what);
  if (n < 1) throw LsrlError(args.span(i), what + " must be at least 1, got " + std::to_string(n));
  return n;
}

Value builtin_eye(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const std::int64_t rows = dimension_argument(args, 0, "eye()'s size");
  const std::int64_t cols = args.given(1) ? dimension_argument(args, 1, "eye()'s columns") : rows;
  check_matrix_shape(rows, cols, "eye()", call);
  ev.work().charge(rows * cols, call);
  NumDense m = NumDense::Constant(rows, cols, Num(0));
  for (std::int64_t i = 0; i < std::min(rows, cols); ++i) m(i, i) = Num(1);
  return Value::of_matrix(std::move(m));
}

Value filled(Evaluator& ev, BoundArgs& args, SourceSpan call, int value, const char* name) {
  const std::int64_t rows = dimension_argument(args, 0, std::string(name) + "()'s rows");
  const std::int64_t cols = args.given(1) ? dimension_argument(args, 1, std::string(name) + "()'s columns") : 1;
  check_matrix_shape(rows, cols, std::string(name) + "()", call);
  ev.work().charge(rows * cols, call);
  return Value::of_matrix(NumDense::Constant(rows, cols, Num(value)));
}
Value builtin_zeros(Evaluator& ev, BoundArgs& args, SourceSpan call) { return filled(ev, args, call, 0, "zeros"); }
Value builtin_ones(Evaluator& ev, BoundArgs& args, SourceSpan call) { return filled(ev, args, call, 1, "ones"); }

std::vector<NumDense> blocks_of(Evaluator& ev, BoundArgs& args, const std::string& what) {
  std::vector<ArgValue> parts;
  if (args.has(0)) parts.push_back(*args.slots[0]);
  parts.insert(parts.end(), args.rest.begin(), args.rest.end());
  // hstack([A, B]) as well as hstack(A, B): one list whose elements are all
  // matrices or lists is a list of blocks.
  if (parts.size() == 1 && parts[0].value.is_sequence() && !parts[0].value.list->empty()) {
    bool all_blocks = true;
    for (const auto& item : *parts[0].value.list)
      all_blocks = all_blocks && (item.kind == ValueKind::Matrix || item.is_sequence());
    if (all_blocks) {
      const ArgValue whole = parts[0];
      parts.clear();
      for (const auto& item : *whole.value.list) parts.push_back(ArgValue{item, whole.span});
    }
  }
  if (parts.empty()) throw LsrlError(args.call, what + "() needs at least one matrix");
  std::vector<NumDense> blocks;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    blocks.push_back(as_matrix(parts[i].value, what + "()'s block " + std::to_string(i), parts[i].span));
    ev.work().charge(static_cast<std::int64_t>(blocks.back().size()), parts[i].span);
  }
  return blocks;
}

Value builtin_hstack(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  std::vector<NumDense> blocks = blocks_of(ev, args, "hstack");
  std::int64_t cols = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].rows() != blocks[0].rows()) {
      throw LsrlError(call, "hstack(): block 0 has " + std::to_string(blocks[0].rows()) + " rows but block " +
                                std::to_string(i) + " has " + std::to_string(blocks[i].rows()) +
                                "; blocks side by side need the same number of rows");
    }
    cols += blocks[i].cols();
  }
  check_matrix_shape(blocks[0].rows(), cols, "hstack()", call);
  NumDense m(blocks[0].rows(), cols);
  std::int64_t at = 0;
  for (const auto& b : blocks) {
    m.middleCols(at, b.cols()) = b;
    at += b.cols();
  }
  return Value::of_matrix(std::move(m));
}

Value builtin_vstack(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  std::vector<NumDense> blocks = blocks_of(ev, args, "vstack");
  std::int64_t rows = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].cols() != blocks[0].cols()) {
      throw LsrlError(call, "vstack(): block 0 has " + std::to_string(blocks[0].cols()) + " columns but block " +
                                std::to_string(i) + " has " + std::to_string(blocks[i].cols()) +
                                "; stacked blocks need the same number of columns");
    }
    rows += blocks[i].rows();
  }
  check_matrix_shape(rows, blocks[0].cols(), "vstack()", call);
  NumDense m(rows, blocks[0].cols());
  std::int64_t at = 0;
  for (const auto& b : blocks) {
    m.middleRows(at, b.rows()) = b;
    at += b.rows();
  }
  return Value::of_matrix(std::move(m));
}

Value builtin_diag(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  // diag([a, b, c]): the diagonal matrix. diag(A, B, 2, ...): block diagonal,
  // an integer k standing for eye(k) (as the reference's Matrix.diag).
  if (args.rest.empty() && args.value(0).is_sequence() && !args.value(0).list->empty()) {
    bool numbers = true;
    for (const auto& item : *args.value(0).list) numbers = numbers && item.is_number();
    if (numbers) {
      const auto n = static_cast<std::int64_t>(args.value(0).list->size());
      check_matrix_shape(n, n, "diag()", call);
      ev.work().charge(n * n, call);
      NumDense m = NumDense::Constant(n, n, Num(0));
      for (std::int64_t i = 0; i < n; ++i) m(i, i) = (*args.value(0).list)[static_cast<std::size_t>(i)].num;
      return Value::of_matrix(std::move(m));
    }
  }
  std::vector<ArgValue> parts{*args.slots[0]};
  parts.insert(parts.end(), args.rest.begin(), args.rest.end());
  std::vector<NumDense> blocks;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].value.kind == ValueKind::Int) {
      const std::int64_t k = as_integer(parts[i].value, "diag()'s identity size", parts[i].span);
      if (k < 1) throw LsrlError(parts[i].span, "diag(): an identity block needs a size of at least 1");
      check_matrix_shape(k, k, "diag()", parts[i].span);
      blocks.push_back(identity(k));
    } else {
      blocks.push_back(as_matrix(parts[i].value, "diag()'s block " + std::to_string(i), parts[i].span));
    }
    rows += blocks.back().rows();
    cols += blocks.back().cols();
  }
  check_matrix_shape(rows, cols, "diag()", call);
  ev.work().charge(rows * cols, call);
  NumDense m = NumDense::Constant(rows, cols, Num(0));
  std::int64_t r = 0;
  std::int64_t c = 0;
  for (const auto& b : blocks) {
    m.block(r, c, b.rows(), b.cols()) = b;
    r += b.rows();
    c += b.cols();
  }
  return Value::of_matrix(std::move(m));
}

Value builtin_matrix(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  NumDense m = matrix_argument(args, 0, "Matrix()'s argument");
  ev.work().charge(static_cast<std::int64_t>(m.size()), call);
  return Value::of_matrix(std::move(m));
}

}  // namespace

void add_value_builtins(std::vector<BuiltinSpec>& table) {
  table.push_back({"range", {req("start"), opt("stop"), opt("step")}, false, builtin_range});
  table.push_back({"len", {req("obj")}, false, builtin_len});
  table.push_back({"sum", {req("iterable"), opt("start")}, false, builtin_sum});
  table.push_back({"min", {req("iterable")}, true, builtin_min});
  table.push_back({"max", {req("iterable")}, true, builtin_max});
  table.push_back({"abs", {req("x")}, false, builtin_abs});
  table.push_back({"round", {req("number"), opt("ndigits")}, false, builtin_round});
  table.push_back({"floor", {req("x")}, false, builtin_floor});
  table.push_back({"ceil", {req("x")}, false, builtin_ceil});
  table.push_back({"sqrt", {req("x")}, false, builtin_sqrt});
  table.push_back({"exp", {req("x")}, false, builtin_exp});
  table.push_back({"cos", {req("x")}, false, builtin_cos});
  table.push_back({"sin", {req("x")}, false, builtin_sin});
  table.push_back({"int", {req("x")}, false, builtin_int});
  table.push_back({"float", {req("x")}, false, builtin_float});
  table.push_back({"bool", {req("x")}, false, builtin_bool});
  table.push_back({"str", {req("x")}, false, builtin_str});
  table.push_back({"list", {opt("iterable")}, false, builtin_list});
  table.push_back({"tuple", {opt("iterable")}, false, builtin_tuple});
  table.push_back({"enumerate", {req("iterable"), opt("start")}, false, builtin_enumerate});
  table.push_back({"zip", {}, true, builtin_zip});
  table.push_back({"reversed", {req("sequence")}, false, builtin_reversed});
  table.push_back({"sorted", {req("iterable"), opt("reverse")}, false, builtin_sorted});
  table.push_back({"any", {req("iterable")}, false, builtin_any});
  table.push_back({"all", {req("iterable")}, false, builtin_all});
  table.push_back({"eye", {req("n"), opt("m")}, false, builtin_eye});
  table.push_back({"zeros", {ParamDecl{"rows", {"r"}, true}, ParamDecl{"cols", {"c"}, false}}, false, builtin_zeros});
  table.push_back({"ones", {ParamDecl{"rows", {"r"}, true}, ParamDecl{"cols", {"c"}, false}}, false, builtin_ones});
  table.push_back({"diag", {req("values")}, true, builtin_diag});
  table.push_back({"hstack", {opt("blocks")}, true, builtin_hstack});
  table.push_back({"vstack", {opt("blocks")}, true, builtin_vstack});
  table.push_back({"Matrix", {req("rows")}, false, builtin_matrix});
}

}  // namespace lsrl::lang
