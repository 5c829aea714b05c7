// Operators on graph variables (the reference library's Variable operators),
// indexing and slicing, attributes and methods, and assignment to elements.
#include "lang/evaluator.hpp"
#include "lang/limits.hpp"
#include "lang/matrices.hpp"
#include "sugar/sugar.hpp"

namespace lsrl::lang {

// One part of an index: x[i] or x[a:b:c] (a, b, c optional).
struct Evaluator::IndexPart {
  bool is_slice = false;
  std::int64_t index = 0;
  std::optional<std::int64_t> lower, upper, step;
  SourceSpan span;
};

namespace {

// The positions x[lower:upper:step] selects in a sequence of n (Python's rules).
std::vector<std::int64_t> slice_positions(std::optional<std::int64_t> lower, std::optional<std::int64_t> upper,
                                          std::optional<std::int64_t> step, std::int64_t n, SourceSpan span) {
  const std::int64_t s = step.value_or(1);
  if (s == 0) throw LsrlError(span, "a slice step cannot be zero");
  auto clamp = [&](std::optional<std::int64_t> v, std::int64_t fallback) {
    if (!v) return fallback;
    std::int64_t x = *v < 0 ? *v + n : *v;
    if (s > 0) return std::clamp<std::int64_t>(x, 0, n);
    return std::clamp<std::int64_t>(x, -1, n - 1);
  };
  const std::int64_t begin = clamp(lower, s > 0 ? 0 : n - 1);
  const std::int64_t end = clamp(upper, s > 0 ? n : -1);
  std::vector<std::int64_t> out;
  // Wide arithmetic: a step near 2^63 must not overflow.
  for (WideInt i = begin; s > 0 ? i < end : i > end; i += s) out.push_back(static_cast<std::int64_t>(i));
  return out;
}

std::int64_t normalize_index(std::int64_t i, std::int64_t n, const std::string& what, SourceSpan span) {
  const std::int64_t original = i;
  if (i < 0) i += n;
  if (i < 0 || i >= n) {
    throw LsrlError(span, "index " + std::to_string(original) + " is out of range for " + what +
                              (n == 0 ? ""
                                      : "; valid indices are 0.." + std::to_string(n - 1) + " (or -" +
                                            std::to_string(n) + "..-1 from the end)"));
  }
  return i;
}

}  // namespace

Evaluator::IndexPart Evaluator::index_part(const Expr& index) {
  IndexPart part;
  part.span = index.span;
  if (index.kind == ExprKind::Slice) {
    part.is_slice = true;
    std::optional<std::int64_t>* fields[] = {&part.lower, &part.upper, &part.step};
    static const char* const names[] = {"the slice start", "the slice end", "the slice step"};
    for (int k = 0; k < 3; ++k) {
      if (!index.items[static_cast<std::size_t>(k)]) continue;
      Value v = eval(*index.items[static_cast<std::size_t>(k)]);
      if (v.kind == ValueKind::None) continue;
      *fields[k] = as_integer(v, names[k], index.items[static_cast<std::size_t>(k)]->span);
    }
    return part;
  }
  Value v = eval(index);
  if (v.is_sequence()) {
    throw LsrlError(index.span, "indexing with a list is not supported; index one element x[i] or a range x[a:b]");
  }
  part.index = as_integer(v, "an index", index.span);
  return part;
}

// ---- graph variables ----------------------------------------------------------------------

namespace {

// M[i, j] (a 1 x 1 matrix) scales a graph variable as its entry would.
bool is_one_by_one(const Value& v) {
  return v.kind == ValueKind::Matrix && v.matrix->rows() == 1 && v.matrix->cols() == 1;
}

sugar::Operand graph_operand(const Value& v, const std::string& op, const Value& a, const Value& b,
                             const Program& program, SourceSpan span) {
  if (v.kind == ValueKind::Var) return sugar::Operand::of(v.node);
  if (v.is_number()) return sugar::Operand::scalar(v.num);
  if (is_matrix_like(v)) return sugar::Operand::vector(as_column(v, "the constants beside the variable", span));
  throw LsrlError(span, "unsupported operand types for " + op + ": " + type_name(a) + " and " + type_name(b) + " (" +
                            describe_value(v, &program) + " cannot be combined with a graph variable)");
}

}  // namespace

Value Evaluator::graph_binary(const std::string& op, const Value& a, const Value& b, SourceSpan span) {
  const bool a_var = a.kind == ValueKind::Var;
  const bool b_var = b.kind == ValueKind::Var;
  NodeId result = kNoNode;
  if (op == "+" || op == "-") {
    sugar::Operand left = graph_operand(a, op, a, b, program_, span);
    sugar::Operand right = graph_operand(b, op, a, b, program_, span);
    result = op == "+" ? sugar::add(program_, left, right, span) : sugar::subtract(program_, left, right, span);
  } else if (op == "*") {
    if (a_var && b_var) {
      throw LsrlError(span,
                      "two graph variables cannot be multiplied with '*' (Linear and ReLU only scale by "
                      "constants); their element-wise product is Multi(Concat([x, y])), and a conditional "
                      "is f_ifelse_mul(cond, t, f)");
    }
    const Value& scalar = a_var ? b : a;
    if (is_one_by_one(scalar)) {
      result = sugar::scale(program_, a_var ? a.node : b.node, (*scalar.matrix)(0, 0), span);
      check_node_limit(span);
      return Value::var(result);
    }
    if (!scalar.is_number()) {
      throw LsrlError(span, "a graph variable can be multiplied by a number, not by " + type_name(scalar) +
                                (is_matrix_like(scalar) ? "; for a matrix use M @ x (or Linear(x, M))" : ""));
    }
    result = sugar::scale(program_, a_var ? a.node : b.node, scalar.num, span);
  } else if (op == "/") {
    if (b_var) {
      throw LsrlError(span, "dividing by a graph variable is not possible in LSRL (only division by a number)");
    }
    if (!b.is_number() && !is_one_by_one(b)) {
      throw LsrlError(span, "a graph variable can be divided by a number, not by " + type_name(b));
    }
    const Num divisor = as_number(b, "the divisor", span);
    if (divisor.is_zero()) throw LsrlError(span, "division by zero");
    result = sugar::scale(program_, a.node, Num(1) / divisor, span);
  } else if (op == "@") {
    if (a_var || !is_matrix_like(a)) {
      throw LsrlError(span, "'@' with a graph variable needs a matrix on the left: M @ x (the same as Linear(x, M))");
    }
    NumDense m = as_matrix(a, "the matrix of M @ x", span);
    const int rows = static_cast<int>(m.rows());
    result = program_.add_linear(b.node, sparse_from_dense(m), zero_vector(rows), span);
  } else {
    throw LsrlError(span, "'" + op +
                              "' is not defined for graph variables; they support + and - (with variables "
                              "or constants), * and / by numbers, M @ x, x[i] and x[a:b]");
  }
  check_node_limit(span);
  return Value::var(result);
}

Value Evaluator::graph_negate(const Value& a, SourceSpan span) {
  Value r = Value::var(sugar::scale(program_, a.node, Num(-1), span));
  check_node_limit(span);
  return r;
}

Value Evaluator::index_variable(const Value& var, const Expr& index, SourceSpan span) {
  if (index.kind == ExprKind::Tuple) {
    throw LsrlError(index.span, "a graph variable is a vector: index it as x[i] or x[a:b]");
  }
  const IndexPart part = index_part(index);
  const std::int64_t dim = program_.node(var.node).dim;
  std::int64_t begin = 0;
  std::int64_t end = 0;
  if (part.is_slice) {
    if (part.step && *part.step != 1) {
      throw LsrlError(part.span,
                      "a slice of a graph variable cannot have a step; take x[a:b] (or Linear to pick "
                      "spread-out entries)");
    }
    begin = part.lower.value_or(0);
    end = part.upper.value_or(dim);
    if (begin < 0) begin += dim;
    if (end < 0) end += dim;
    if (begin < 0 || end > dim || begin >= end) {
      throw LsrlError(part.span, "slice [" + (part.lower ? std::to_string(*part.lower) : std::string()) + ":" +
                                     (part.upper ? std::to_string(*part.upper) : std::string()) +
                                     "] is out of range or empty for " + sugar::describe_node(program_, var.node) +
                                     "; it must select at least one of the entries 0.." + std::to_string(dim - 1));
    }
  } else {
    begin = normalize_index(part.index, dim, sugar::describe_node(program_, var.node), part.span);
    end = begin + 1;
  }
  Value r = Value::var(program_.add_slice(var.node, static_cast<int>(begin), static_cast<int>(end), span));
  check_node_limit(span);
  return r;
}

// ---- constants: lists, strings, matrices ---------------------------------------------------

Value Evaluator::index_constant(const Value& object, const Expr& index, SourceSpan span) {
  if (object.is_sequence() || object.kind == ValueKind::Str) {
    if (index.kind == ExprKind::Tuple) {
      throw LsrlError(index.span, "a " + type_name(object) +
                                      " has one axis; index it as xs[i] (for rows of rows, "
                                      "xs[i][j])");
    }
    const IndexPart part = index_part(index);
    if (object.kind == ValueKind::Str) {
      const std::vector<std::string> chars = code_points(object.str());
      const auto n = static_cast<std::int64_t>(chars.size());
      if (!part.is_slice) {
        return Value::string(chars[static_cast<std::size_t>(
            normalize_index(part.index, n, "a string of " + std::to_string(n) + " characters", part.span))]);
      }
      std::string out;
      for (std::int64_t i : slice_positions(part.lower, part.upper, part.step, n, part.span))
        out += chars[static_cast<std::size_t>(i)];
      return Value::string(out);
    }
    const auto& items = *object.list;
    const auto n = static_cast<std::int64_t>(items.size());
    if (!part.is_slice) {
      const std::string what = "a " + type_name(object) + " of " + std::to_string(n) + " element" + (n == 1 ? "" : "s");
      return items[static_cast<std::size_t>(normalize_index(part.index, n, what, part.span))];
    }
    ValueList out;
    for (std::int64_t i : slice_positions(part.lower, part.upper, part.step, n, part.span))
      out.push_back(items[static_cast<std::size_t>(i)]);
    return work_.make_list(std::move(out), span, object.kind);
  }
  if (object.kind == ValueKind::Matrix) return index_matrix(*object.matrix, index, span);
  throw LsrlError(span, type_name(object) + " " + describe_value(object, &program_) + " cannot be indexed");
}

// Build-time matrices are indexed as the reference library's Matrix (its
// default, symbolic mode): every result is a matrix, never a bare number.
//   M[i, j] -> 1 x 1          M[i, a:b] -> 1 x k row     M[a:b, j] -> k x 1 column
//   M[a:b, c:d] -> sub-matrix (steps and negative indices as in Python)
//   v[i] -> 1 x 1, v[a:b] -> column: one index only on a column vector, no step
// An empty selection is an error, as a matrix has at least one row and column.
Value Evaluator::index_matrix(const NumDense& m, const Expr& index, SourceSpan span) {
  const std::string shape = "a " + std::to_string(m.rows()) + " x " + std::to_string(m.cols()) + " matrix";
  std::vector<std::int64_t> rows;
  std::vector<std::int64_t> cols;
  auto positions = [&](const IndexPart& part, std::int64_t n, const std::string& axis) {
    if (part.is_slice) return slice_positions(part.lower, part.upper, part.step, n, part.span);
    return std::vector<std::int64_t>{normalize_index(part.index, n, "the " + axis + " of " + shape, part.span)};
  };
  if (index.kind == ExprKind::Tuple) {
    if (index.items.size() != 2) {
      throw LsrlError(index.span, "a matrix has two axes; index it as M[i, j], M[i, :], M[:, j] or M[a:b, c:d]");
    }
    const IndexPart rows_part = index_part(*index.items[0]);
    const IndexPart cols_part = index_part(*index.items[1]);
    rows = positions(rows_part, m.rows(), "rows");
    cols = positions(cols_part, m.cols(), "columns");
  } else {
    const IndexPart part = index_part(index);
    if (m.cols() != 1) {
      throw LsrlError(index.span, "M[" + std::string(part.is_slice ? "a:b" : "i") +
                                      "] with one index needs a column "
                                      "vector, but this is " +
                                      shape +
                                      "; take a row with M[i, :], a column with "
                                      "M[:, j], an entry with M[i, j] (as in the reference library)");
    }
    if (part.is_slice && part.step) {
      throw LsrlError(part.span,
                      "a column vector's slice v[a:b] cannot have a step (the reference library does not "
                      "support it); use v[a:b:s, :]");
    }
    rows = positions(part, m.rows(), "rows");
    cols = {0};
  }
  if (rows.empty() || cols.empty()) {
    throw LsrlError(index.span, "this selection of " + shape + " is empty (" + std::to_string(rows.size()) + " x " +
                                    std::to_string(cols.size()) + "); a matrix needs at least one row and one column");
  }
  work_.charge(static_cast<std::int64_t>(rows.size() * cols.size()), span);
  NumDense sub(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(cols.size()));
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < cols.size(); ++c)
      sub(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = m(rows[r], cols[c]);
  return Value::of_matrix(std::move(sub));
}

void Evaluator::assign_subscript(const Expr& target, const Value& value) {
  Value object = eval(*target.items[0]);
  const Expr& index = *target.items[1];
  if (object.kind == ValueKind::List) {
    if (index.kind == ExprKind::Tuple || index.kind == ExprKind::Slice) {
      throw LsrlError(index.span, "only one element of a list can be assigned at a time: xs[i] = value");
    }
    const IndexPart part = index_part(index);
    const auto n = static_cast<std::int64_t>(object.list->size());
    const std::int64_t i =
        normalize_index(part.index, n, "a list of " + std::to_string(n) + " element" + (n == 1 ? "" : "s"), part.span);
    (*object.list)[static_cast<std::size_t>(i)] = value;
    return;
  }
  if (object.kind == ValueKind::Matrix) {
    NumDense& m = *object.matrix;
    const std::string shape = "a " + std::to_string(m.rows()) + " x " + std::to_string(m.cols()) + " matrix";
    if (index.kind == ExprKind::Tuple && index.items.size() == 2 && index.items[0]->kind != ExprKind::Slice &&
        index.items[1]->kind != ExprKind::Slice) {
      const IndexPart r = index_part(*index.items[0]);
      const IndexPart c = index_part(*index.items[1]);
      const std::int64_t row = normalize_index(r.index, m.rows(), "the rows of " + shape, r.span);
      const std::int64_t col = normalize_index(c.index, m.cols(), "the columns of " + shape, c.span);
      m(row, col) = as_number(value, "a matrix entry", target.span);
      return;
    }
    if (index.kind != ExprKind::Tuple && index.kind != ExprKind::Slice) {
      const IndexPart r = index_part(index);
      const std::int64_t row = normalize_index(r.index, m.rows(), "the rows of " + shape, r.span);
      NumDense new_row = as_matrix(value, "the new row", target.span);
      if (new_row.size() != m.cols() || (new_row.rows() != 1 && new_row.cols() != 1)) {
        throw LsrlError(target.span, "the new row must have " + std::to_string(m.cols()) + " entries");
      }
      for (Eigen::Index c = 0; c < m.cols(); ++c) m(row, c) = new_row.data()[c];
      return;
    }
    throw LsrlError(index.span, "assign matrix entries one at a time: M[i, j] = value (or a row: M[i] = [...])");
  }
  if (object.kind == ValueKind::Var) {
    throw LsrlError(target.span,
                    "a graph variable cannot be changed in place; build a new variable (for example "
                    "with Concat or Linear)");
  }
  if (object.kind == ValueKind::Tuple) throw LsrlError(target.span, "a tuple cannot be changed; use a list");
  throw LsrlError(target.span, type_name(object) + " does not support item assignment");
}

void Evaluator::assign_attribute(const Expr& target, const Value& value) {
  Value object = eval(*target.items[0]);
  if (object.kind == ValueKind::Var) {
    if (target.text == "always_positive") {
      program_.node(object.node).always_positive = truthy(value, target.span);
      return;
    }
    if (target.text == "name") {
      if (value.kind != ValueKind::Str) throw LsrlError(target.span, "a variable's name must be a string");
      program_.node(object.node).name = value.str();
      return;
    }
    throw LsrlError(target.span,
                    "a graph variable's '" + target.text + "' cannot be set; only always_positive and name can");
  }
  throw LsrlError(target.span, "cannot set the attribute '" + target.text + "' of " + type_name(object));
}

// ---- attributes and methods -----------------------------------------------------------------

Value Evaluator::attribute_of(const Value& object, const std::string& name, SourceSpan span) {
  switch (object.kind) {
    case ValueKind::Var: {
      const Node& n = program_.node(object.node);
      if (name == "dim") return Value::integer(Num(n.dim));
      if (name == "always_positive") return Value::boolean(n.always_positive);
      if (name == "name") return Value::string(n.name);
      throw LsrlError(span, "a graph variable has no attribute '" + name + "'; it has dim, always_positive and name");
    }
    case ValueKind::Module: {
      if (object.str() == "math") {
        if (name == "pi") return Value::floating(Num::inexact(3.141592653589793));
        static const char* const kMath[] = {"sqrt", "cos", "sin", "exp", "floor", "ceil"};
        for (const char* f : kMath)
          if (name == f) return Value::builtin(name);
        throw LsrlError(span, "math has no '" + name + "' here; available: sqrt, cos, sin, exp, floor, ceil, pi");
      }
      if (name == "matrix_tools" || name == "sugar_blocks" || name == "basic_blocks") return Value::module("lsrl");
      if (find_builtin(name) != nullptr) return Value::builtin(name);
      if (name == "pi") return Value::floating(Num::inexact(3.141592653589793));
      const std::string guess = closest_name(name, builtin_names());
      throw LsrlError(span, "lsrl has no '" + name + "'" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
    }
    case ValueKind::Builtin:
      if (object.str() == "Matrix") {
        static const char* const kStatics[] = {"eye", "zeros", "ones", "hstack", "vstack", "diag"};
        for (const char* f : kStatics)
          if (name == f) return Value::builtin(name);
        throw LsrlError(span, "Matrix has no '" + name + "'; it has eye, zeros, ones, hstack, vstack and diag");
      }
      break;
    case ValueKind::Str:
      if (name == "join" || name == "upper" || name == "lower") return Value::method(object, name);
      break;
    default:
      break;
  }
  if (object.is_sequence()) {
    static const char* const kListMethods[] = {"append", "extend", "pop", "index", "count", "insert", "copy"};
    for (const char* m : kListMethods)
      if (name == m) {
        if (object.kind == ValueKind::Tuple && name != "index" && name != "count") {
          throw LsrlError(span, "a tuple cannot be changed; use a list");
        }
        return Value::method(object, name);
      }
  }
  if (object.kind == ValueKind::Matrix || is_matrix_like(object)) {
    if (name == "T") {
      NumDense m = as_matrix(object, "the matrix", span);
      return Value::of_matrix(m.transpose());
    }
    if (name == "inv") return Value::method(object, name);
    if (name == "shape" || name == "rows" || name == "cols") {
      NumDense m = as_matrix(object, "the matrix", span);
      if (name == "rows") return Value::integer(Num(static_cast<long long>(m.rows())));
      if (name == "cols") return Value::integer(Num(static_cast<long long>(m.cols())));
      return work_.make_list({Value::integer(Num(static_cast<long long>(m.rows()))),
                              Value::integer(Num(static_cast<long long>(m.cols())))},
                             span, ValueKind::Tuple);
    }
  }
  throw LsrlError(span, type_name(object) + " has no attribute '" + name + "'");
}

Value Evaluator::call_method(const Value& method, CallArgs& args, SourceSpan span) {
  const Value& self = *method.self;
  const std::string& name = method.str();
  if (!args.keywords.empty()) {
    throw LsrlError(args.keywords.front().second.span, "." + name + "() takes no keyword arguments");
  }
  auto expect_count = [&](std::size_t low, std::size_t high) {
    const std::size_t n = args.positional.size();
    if (n < low || n > high) {
      throw LsrlError(span,
                      "." + name + "() takes " +
                          (low == high ? std::to_string(low) : std::to_string(low) + " to " + std::to_string(high)) +
                          " argument" + (high == 1 ? "" : "s") + " but " + std::to_string(n) + " were given");
    }
  };
  if (self.is_sequence()) {
    ValueList& items = *self.list;
    if (name == "append") {
      expect_count(1, 1);
      if (static_cast<std::int64_t>(items.size()) >= kMaxListLength) {
        throw LsrlError(span, "limit exceeded: a list of more than " + std::to_string(kMaxListLength) + " elements");
      }
      items.push_back(args.positional[0].value);
      return Value::none();
    }
    if (name == "extend") {
      expect_count(1, 1);
      std::vector<Value> extra = iterate(args.positional[0].value, args.positional[0].span);
      if (static_cast<std::int64_t>(items.size() + extra.size()) > kMaxListLength) {
        throw LsrlError(span, "limit exceeded: a list of more than " + std::to_string(kMaxListLength) + " elements");
      }
      work_.charge(static_cast<std::int64_t>(extra.size()), span);
      items.insert(items.end(), extra.begin(), extra.end());
      return Value::none();
    }
    if (name == "pop") {
      expect_count(0, 1);
      if (items.empty()) throw LsrlError(span, "pop from an empty list");
      const auto n = static_cast<std::int64_t>(items.size());
      const std::int64_t i = args.positional.empty()
                                 ? n - 1
                                 : normalize_index(as_integer(args.positional[0].value, "the index", span), n,
                                                   "a list of " + std::to_string(n) + " elements", span);
      Value v = items[static_cast<std::size_t>(i)];
      items.erase(items.begin() + i);
      return v;
    }
    if (name == "insert") {
      expect_count(2, 2);
      const auto n = static_cast<std::int64_t>(items.size());
      std::int64_t i = as_integer(args.positional[0].value, "the index", args.positional[0].span);
      if (i < 0) i += n;
      i = std::clamp<std::int64_t>(i, 0, n);
      items.insert(items.begin() + i, args.positional[1].value);
      return Value::none();
    }
    if (name == "index" || name == "count") {
      expect_count(1, 1);
      std::int64_t count = 0;
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (!values_equal(items[i], args.positional[0].value)) continue;
        if (name == "index") return Value::integer(Num(static_cast<long long>(i)));
        ++count;
      }
      if (name == "index") {
        throw LsrlError(span, describe_value(args.positional[0].value, &program_) + " is not in the list");
      }
      return Value::integer(Num(static_cast<long long>(count)));
    }
    if (name == "copy") {
      expect_count(0, 0);
      return work_.make_list(items, span, self.kind);
    }
  }
  if (self.kind == ValueKind::Str) {
    if (name == "join") {
      expect_count(1, 1);
      std::string out;
      bool first = true;
      for (const Value& part : iterate(args.positional[0].value, args.positional[0].span)) {
        if (part.kind != ValueKind::Str) throw LsrlError(span, "join needs strings, got " + type_name(part));
        if (!first) out += self.str();
        out += part.str();
        first = false;
        if (static_cast<std::int64_t>(out.size()) > kMaxStringLength) {
          throw LsrlError(span, "limit exceeded: the string would be longer than " + std::to_string(kMaxStringLength));
        }
      }
      return Value::string(out);
    }
    expect_count(0, 0);
    std::string out = self.str();
    for (char& c : out) {
      if (name == "upper" && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
      if (name == "lower" && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return Value::string(out);
  }
  if (name == "inv") {
    expect_count(0, 0);
    NumDense m = as_matrix(self, "the matrix", span);
    if (m.rows() != m.cols()) {
      throw LsrlError(span, "only a square matrix has an inverse; this one is " + std::to_string(m.rows()) + " x " +
                                std::to_string(m.cols()));
    }
    work_.charge(static_cast<std::int64_t>(m.rows()) * m.rows() * m.rows(), span);
    auto inv = inverse(m);
    if (!inv) throw LsrlError(span, "the matrix is singular (it has no inverse)");
    return Value::of_matrix(std::move(*inv));
  }
  throw LsrlError(span, "unknown method '" + name + "'");
}

}  // namespace lsrl::lang
