#include <cmath>
#include <sstream>

#include "lang/limits.hpp"
#include "lang/matrices.hpp"
#include "lang/value.hpp"
#include "sugar/sugar.hpp"

namespace lsrl::lang {

// ---- Workspace -------------------------------------------------------------------

Workspace::~Workspace() {
  // Empty every list still alive: a list that contains itself (directly or
  // through others) is freed this way.
  for (auto& weak : lists_) {
    if (auto list = weak.lock()) {
      ValueList doomed;
      doomed.swap(*list);
    }
  }
}

void Workspace::retire(ValueList* list) {
  retired_.push_back(list);
  if (freeing_) return;  // an outer call is draining the queue
  freeing_ = true;
  while (!retired_.empty()) {
    ValueList* next = retired_.back();
    retired_.pop_back();
    // Its elements release their own lists, which queue up here instead of
    // being freed inside this call.
    delete next;
  }
  freeing_ = false;
}

Value Workspace::make_list(ValueList items, SourceSpan span, ValueKind kind) {
  if (static_cast<std::int64_t>(items.size()) > kMaxListLength) {
    throw LsrlError(span, "limit exceeded: a list of " + std::to_string(items.size()) + " elements (at most " +
                              std::to_string(kMaxListLength) + ")");
  }
  // Elements weigh more than other steps: they are what holds memory.
  charge(4 * static_cast<std::int64_t>(items.size()) + 1, span);
  Value v;
  v.kind = kind;
  v.list = std::shared_ptr<ValueList>(new ValueList(std::move(items)), [this](ValueList* list) { retire(list); });
  if (lists_.size() >= compact_at_) {
    std::erase_if(lists_, [](const std::weak_ptr<ValueList>& w) { return w.expired(); });
    compact_at_ = std::max<std::size_t>(1024, 2 * lists_.size());
  }
  lists_.push_back(v.list);
  return v;
}

void Workspace::charge(std::int64_t work, SourceSpan span) {
  steps_ += work;
  if (steps_ > kMaxSteps) {
    throw LsrlError(anchor_.known() ? anchor_ : span,
                    "limit exceeded: building this takes more than " + std::to_string(kMaxSteps) +
                        " steps; look for a loop or a recursion that does not end, or that is far larger "
                        "than intended");
  }
}

// ---- describing values --------------------------------------------------------------

std::string type_name(const Value& v) {
  switch (v.kind) {
    case ValueKind::None:
      return "None";
    case ValueKind::Bool:
      return "bool";
    case ValueKind::Int:
      return "int";
    case ValueKind::Float:
      return "float";
    case ValueKind::Str:
      return "str";
    case ValueKind::List:
      return "list";
    case ValueKind::Tuple:
      return "tuple";
    case ValueKind::Matrix:
      return "matrix";
    case ValueKind::Var:
      return "graph variable";
    case ValueKind::Function:
      return "function";
    case ValueKind::Builtin:
      return "function";
    case ValueKind::BoundMethod:
      return "method";
    case ValueKind::Module:
      return "module";
  }
  return "value";
}

namespace {

std::string number_text(const Value& v) {
  if (v.kind == ValueKind::Bool) return v.num.is_zero() ? "False" : "True";
  std::string s = v.num.to_string();
  if (v.kind == ValueKind::Float && s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string sequence_text(const Value& v, const Program* program, int depth) {
  const bool tuple = v.kind == ValueKind::Tuple;
  std::string s = tuple ? "(" : "[";
  const auto& items = *v.list;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) s += ", ";
    if (i >= 8) {
      s += "... (" + std::to_string(items.size()) + " elements)";
      break;
    }
    if (items[i].is_sequence() && depth > 2) {
      s += "[...]";
    } else if (items[i].is_sequence()) {
      s += sequence_text(items[i], program, depth + 1);
    } else {
      s += describe_value(items[i], program);
    }
  }
  if (tuple && items.size() == 1) s += ",";
  return s + (tuple ? ")" : "]");
}

}  // namespace

std::string describe_value(const Value& v, const Program* program) {
  switch (v.kind) {
    case ValueKind::None:
      return "None";
    case ValueKind::Bool:
    case ValueKind::Int:
    case ValueKind::Float:
      return number_text(v);
    case ValueKind::Str: {
      std::string s = v.str();
      if (s.size() > 40) s = s.substr(0, 37) + "...";
      return "'" + s + "'";
    }
    case ValueKind::List:
    case ValueKind::Tuple:
      return sequence_text(v, program, 0);
    case ValueKind::Matrix:
      return "a " + std::to_string(v.matrix->rows()) + " x " + std::to_string(v.matrix->cols()) + " matrix";
    case ValueKind::Var:
      if (program != nullptr) return sugar::describe_node(*program, v.node);
      return "a graph variable";
    case ValueKind::Function:
      return "the function " + v.function->def->name;
    case ValueKind::Builtin:
      return "the function " + v.str();
    case ValueKind::BoundMethod:
      return "the method " + v.str();
    case ValueKind::Module:
      return "the module " + v.str();
  }
  return "a value";
}

std::string to_text(const Value& v) {
  if (v.kind == ValueKind::Str) return v.str();
  if (v.kind == ValueKind::Matrix) {
    std::ostringstream os;
    os << "[";
    for (Eigen::Index r = 0; r < v.matrix->rows(); ++r) {
      os << (r ? ", [" : "[");
      for (Eigen::Index c = 0; c < v.matrix->cols(); ++c) os << (c ? ", " : "") << (*v.matrix)(r, c).to_string();
      os << "]";
    }
    os << "]";
    return os.str();
  }
  return describe_value(v, nullptr);
}

// ---- truth and equality ---------------------------------------------------------

bool truthy(const Value& v, SourceSpan span) {
  switch (v.kind) {
    case ValueKind::None:
      return false;
    case ValueKind::Bool:
    case ValueKind::Int:
    case ValueKind::Float:
      return !v.num.is_zero();
    case ValueKind::Str:
      return !v.text->empty();
    case ValueKind::List:
    case ValueKind::Tuple:
      return !v.list->empty();
    case ValueKind::Matrix:
      throw LsrlError(span, "a matrix has no single truth value; compare its entries instead");
    case ValueKind::Var:
      throw LsrlError(span,
                      "a graph variable has no value while the program is built, so it cannot decide an "
                      "'if', 'and', 'or' or 'not' here; conditions on variables happen at run time: use "
                      "f_larger / f_eq / f_and ... and f_ifelse");
    default:
      return true;
  }
}

namespace {

constexpr int kMaxCompareDepth = 100;

[[noreturn]] void too_deep(SourceSpan span) {
  throw LsrlError(
      span, "limit exceeded: lists nested more than " + std::to_string(kMaxCompareDepth) + " deep cannot be compared");
}

bool equal_at(const Value& a, const Value& b, SourceSpan span, int depth);

}  // namespace

bool values_equal(const Value& a, const Value& b, SourceSpan span) { return equal_at(a, b, span, 0); }

namespace {

bool equal_at(const Value& a, const Value& b, SourceSpan span, int depth) {
  if (depth > kMaxCompareDepth) too_deep(span);
  if (a.is_number() && b.is_number()) return a.num == b.num;
  if (a.kind != b.kind) {
    if (a.is_sequence() && b.is_sequence()) return false;  // [1] != (1,) in Python
    return false;
  }
  switch (a.kind) {
    case ValueKind::None:
      return true;
    case ValueKind::Str:
      return a.str() == b.str();
    case ValueKind::List:
    case ValueKind::Tuple: {
      if (a.list == b.list) return true;
      if (a.list->size() != b.list->size()) return false;
      for (std::size_t i = 0; i < a.list->size(); ++i)
        if (!equal_at((*a.list)[i], (*b.list)[i], span, depth + 1)) return false;
      return true;
    }
    case ValueKind::Matrix: {
      if (a.matrix->rows() != b.matrix->rows() || a.matrix->cols() != b.matrix->cols()) return false;
      for (Eigen::Index r = 0; r < a.matrix->rows(); ++r)
        for (Eigen::Index c = 0; c < a.matrix->cols(); ++c)
          if ((*a.matrix)(r, c) != (*b.matrix)(r, c)) return false;
      return true;
    }
    case ValueKind::Var:
      return a.node == b.node;
    case ValueKind::Function:
      return a.function == b.function;
    case ValueKind::Builtin:
    case ValueKind::Module:
      return a.str() == b.str();
    case ValueKind::BoundMethod:
      return a.str() == b.str() && equal_at(*a.self, *b.self, span, depth + 1);
    default:
      return false;
  }
}

}  // namespace

// ---- conversions -------------------------------------------------------------------

std::int64_t as_integer(const Value& v, const std::string& what, SourceSpan span) {
  if (v.kind == ValueKind::Int || v.kind == ValueKind::Bool) {
    if (!v.num.is_exact() || v.num.denominator() != 1) {
      throw LsrlError(span, what + " is too large an integer (" + v.num.to_string() + ")");
    }
    return v.num.numerator();
  }
  if (v.kind == ValueKind::Float) {
    throw LsrlError(span, what + " must be an integer, got the float " + describe_value(v, nullptr) +
                              (v.num.is_integer() ? "; use int(...) or write it without a decimal point" : ""));
  }
  const bool one_by_one = v.kind == ValueKind::Matrix && v.matrix->rows() == 1 && v.matrix->cols() == 1;
  throw LsrlError(span, what + " must be an integer, got " + (v.kind == ValueKind::None ? "None" : type_name(v)) +
                            (v.kind == ValueKind::Var ? " (a graph variable's value is only known at run time)" : "") +
                            (one_by_one ? " (M[i, j] is a 1 x 1 matrix, as in the reference library; take its "
                                          "number with int(M[i, j]))"
                                        : ""));
}

Num as_number(const Value& v, const std::string& what, SourceSpan span) {
  if (v.is_number()) return v.num;
  // M[i, j] is a 1 x 1 matrix (as in the reference library); where a number
  // is expected it stands for its entry.
  if (v.kind == ValueKind::Matrix && v.matrix->rows() == 1 && v.matrix->cols() == 1) return (*v.matrix)(0, 0);
  if (v.kind == ValueKind::Var) {
    throw LsrlError(span, what + " must be a number, got a graph variable (its value is only known at run time)");
  }
  throw LsrlError(span, what + " must be a number, got " + type_name(v) + " " + describe_value(v, nullptr));
}

namespace {

void check_matrix_size(std::int64_t rows, std::int64_t cols, const std::string& what, SourceSpan span) {
  if (rows > kMaxWidth || cols > kMaxWidth || rows * cols > kMaxMatrixEntries) {
    throw LsrlError(span, "limit exceeded: " + what + " would be a " + std::to_string(rows) + " x " +
                              std::to_string(cols) + " matrix (at most " + std::to_string(kMaxWidth) +
                              " rows or columns and " + std::to_string(kMaxMatrixEntries) + " entries)");
  }
}

}  // namespace

void check_matrix_shape(std::int64_t rows, std::int64_t cols, const std::string& what, SourceSpan span) {
  if (rows < 1 || cols < 1) {
    throw LsrlError(span, what + " must have at least one row and one column, got " + std::to_string(rows) + " x " +
                              std::to_string(cols));
  }
  check_matrix_size(rows, cols, what, span);
}

namespace {

bool is_number_list(const Value& v) {
  if (!v.is_sequence() || v.list->empty()) return false;
  for (const auto& item : *v.list)
    if (!item.is_number()) return false;
  return true;
}

// The length of a row written as a list or as a 1 x n matrix, 0 otherwise.
std::int64_t row_length(const Value& row) {
  if (row.is_sequence()) return static_cast<std::int64_t>(row.list->size());
  if (row.kind == ValueKind::Matrix && row.matrix->rows() == 1) return row.matrix->cols();
  return 0;
}

// Whether a list of rows, sized by its first row, is past the matrix limits.
bool rows_exceed_matrix_limit(const Value& v) {
  const auto rows = static_cast<std::int64_t>(v.list->size());
  const std::int64_t cols = row_length(v.list->front());
  return rows > kMaxWidth || cols > kMaxWidth || rows * cols > kMaxMatrixEntries;
}

}  // namespace

bool is_matrix_like(const Value& v) {
  if (v.kind == ValueKind::Matrix) return true;
  if (!v.is_sequence() || v.list->empty()) return false;
  if (is_number_list(v)) return true;
  // Rows past the size limit (e.g. [[0] * 100000] * 100000): matrix-like, so
  // that as_matrix reports their size at once instead of after checking 10^10
  // entries here.
  if (rows_exceed_matrix_limit(v)) return true;
  // Rows may be lists of numbers or 1 x n matrices (M[i, :]), as in as_matrix.
  for (const auto& row : *v.list)
    if (!is_number_list(row) && !(row.kind == ValueKind::Matrix && row.matrix->rows() == 1)) return false;
  return true;
}

NumDense as_matrix(const Value& v, const std::string& what, SourceSpan span) {
  if (v.kind == ValueKind::Matrix) return *v.matrix;
  if (v.is_number()) return NumDense::Constant(1, 1, v.num);
  if (v.is_sequence()) {
    const auto& items = *v.list;
    if (items.empty()) throw LsrlError(span, what + " cannot be an empty list; a matrix has at least one entry");
    if (is_number_list(v)) {
      check_matrix_size(static_cast<std::int64_t>(items.size()), 1, what, span);
      NumDense column(static_cast<Eigen::Index>(items.size()), 1);
      for (std::size_t i = 0; i < items.size(); ++i) column(static_cast<Eigen::Index>(i), 0) = items[i].num;
      return column;
    }
    if (rows_exceed_matrix_limit(v)) {
      check_matrix_size(static_cast<std::int64_t>(items.size()), row_length(items.front()), what, span);
    }
    std::size_t cols = 0;
    for (std::size_t r = 0; r < items.size(); ++r) {
      const Value& row = items[r];
      if (row.kind == ValueKind::Matrix && row.matrix->rows() == 1) {
        if (r == 0) cols = static_cast<std::size_t>(row.matrix->cols());
        if (static_cast<std::size_t>(row.matrix->cols()) != cols) cols = SIZE_MAX;
        continue;
      }
      if (!row.is_sequence()) {
        throw LsrlError(span, what + " mixes numbers and rows; write every row as a list, e.g. [[1, 0], [0, 1]]");
      }
      if (!is_number_list(row)) {
        if (row.list->empty()) throw LsrlError(span, what + ": row " + std::to_string(r) + " is empty");
        throw LsrlError(
            span, what + ": row " + std::to_string(r) + " must hold only numbers, got " + describe_value(row, nullptr));
      }
      if (r == 0) cols = row.list->size();
      if (row.list->size() != cols) {
        throw LsrlError(span, what + ": the rows have different lengths (row 0 has " +
                                  std::to_string(items[0].is_sequence() ? items[0].list->size() : cols) +
                                  " entries, row " + std::to_string(r) + " has " + std::to_string(row.list->size()) +
                                  ")");
      }
    }
    if (cols == SIZE_MAX) throw LsrlError(span, what + ": the rows have different lengths");
    check_matrix_size(static_cast<std::int64_t>(items.size()), static_cast<std::int64_t>(cols), what, span);
    NumDense m(static_cast<Eigen::Index>(items.size()), static_cast<Eigen::Index>(cols));
    for (std::size_t r = 0; r < items.size(); ++r) {
      const Value& row = items[r];
      for (std::size_t c = 0; c < cols; ++c) {
        m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) =
            row.kind == ValueKind::Matrix ? (*row.matrix)(0, static_cast<Eigen::Index>(c)) : (*row.list)[c].num;
      }
    }
    return m;
  }
  throw LsrlError(span, what +
                            " must be a matrix (a list of rows such as [[1, 0], [0, 1]], or eye(n), zeros(r, c), "
                            "...), got " +
                            type_name(v) + (v.kind == ValueKind::Var ? "" : " " + describe_value(v, nullptr)));
}

NumVector as_column(const Value& v, const std::string& what, SourceSpan span) {
  NumDense m = as_matrix(v, what, span);
  if (m.cols() != 1) {
    throw LsrlError(span, what + " must be a column vector, but it is a " + std::to_string(m.rows()) + " x " +
                              std::to_string(m.cols()) +
                              " matrix; write it as a flat list [a, b, ...] or as rows "
                              "[[a], [b], ...]");
  }
  return m.col(0);
}

// ---- operators on compile-time values ------------------------------------------------

namespace {

[[noreturn]] void unsupported(const std::string& op, const Value& a, const Value& b, SourceSpan span) {
  throw LsrlError(span, "unsupported operand types for " + op + ": " + type_name(a) + " and " + type_name(b));
}

bool is_float_result(const Value& a, const Value& b) {
  return a.kind == ValueKind::Float || b.kind == ValueKind::Float;
}

Value number_result(Num n, bool is_float) { return is_float ? Value::floating(n) : Value::integer(n); }

Value numbers_unchecked(const std::string& op, const Value& a, const Value& b, SourceSpan span);

// Compile-time numbers stay finite: an overflow is an error here rather than
// an infinite weight later.
Value numbers(const std::string& op, const Value& a, const Value& b, SourceSpan span) {
  Value r = numbers_unchecked(op, a, b, span);
  if (!std::isfinite(r.num.to_double())) {
    throw LsrlError(span, "the result of '" + op + "' is too large for a number (it overflows a double)");
  }
  return r;
}

Value numbers_unchecked(const std::string& op, const Value& a, const Value& b, SourceSpan span) {
  const bool fl = is_float_result(a, b);
  if (op == "+") return number_result(a.num + b.num, fl);
  if (op == "-") return number_result(a.num - b.num, fl);
  if (op == "*") return number_result(a.num * b.num, fl);
  if (op == "/") {
    if (b.num.is_zero()) throw LsrlError(span, "division by zero");
    return Value::floating(a.num / b.num);
  }
  if (op == "//" || op == "%") {
    if (b.num.is_zero()) throw LsrlError(span, op == "//" ? "integer division by zero" : "modulo by zero");
    const Num quotient = num_floor(a.num / b.num);
    if (op == "//") return number_result(quotient, fl);
    return number_result(a.num - b.num * quotient, fl);  // Python: the sign of the divisor
  }
  if (op == "**") {
    auto result = num_pow(a.num, b.num);
    if (!result) {
      if (a.num.is_zero()) throw LsrlError(span, "0 cannot be raised to a negative power (division by zero)");
      throw LsrlError(span, "a negative number to a fractional power has no real value");
    }
    const bool int_result = !fl && b.num.sign() >= 0;
    return number_result(*result, !int_result);
  }
  if (op == "@") throw LsrlError(span, "'@' multiplies matrices; for numbers use '*'");
  unsupported(op, a, b, span);
}

Value repeat(const Value& seq, const Value& count, SourceSpan span, Workspace& work) {
  const std::int64_t n = std::max<std::int64_t>(0, as_integer(count, "the repetition count", span));
  if (seq.kind == ValueKind::Str) {
    const auto size = static_cast<std::int64_t>(seq.text->size());
    if (size > 0 && n > kMaxStringLength / size) {
      throw LsrlError(span, "limit exceeded: the string would be longer than " + std::to_string(kMaxStringLength));
    }
    const std::int64_t total = size * n;
    work.charge(total, span);
    std::string out;
    out.reserve(static_cast<std::size_t>(total));
    for (std::int64_t i = 0; i < n; ++i) out += seq.str();
    return Value::string(std::move(out));
  }
  const auto size = static_cast<std::int64_t>(seq.list->size());
  if (size > 0 && n > kMaxListLength / size) {
    throw LsrlError(span,
                    "limit exceeded: the list would have more than " + std::to_string(kMaxListLength) + " elements");
  }
  ValueList out;
  out.reserve(static_cast<std::size_t>(size * n));
  for (std::int64_t i = 0; i < n; ++i) out.insert(out.end(), seq.list->begin(), seq.list->end());
  return work.make_list(std::move(out), span, seq.kind);
}

Value matrices_unchecked(const std::string& op, const Value& a, const Value& b, SourceSpan span, Workspace& work);

Value matrices(const std::string& op, const Value& a, const Value& b, SourceSpan span, Workspace& work) {
  Value r = matrices_unchecked(op, a, b, span, work);
  for (Eigen::Index i = 0; i < r.matrix->size(); ++i) {
    if (!std::isfinite(r.matrix->data()[i].to_double())) {
      throw LsrlError(span, "an entry of the result of '" + op + "' is too large for a number (it overflows a double)");
    }
  }
  return r;
}

Value matrices_unchecked(const std::string& op, const Value& a, const Value& b, SourceSpan span, Workspace& work) {
  if (op == "@") {
    if (!is_matrix_like(a) || !is_matrix_like(b)) unsupported(op, a, b, span);
    NumDense left = as_matrix(a, "the left side of '@'", span);
    NumDense right = as_matrix(b, "the right side of '@'", span);
    if (left.cols() != right.rows()) {
      throw LsrlError(span, "matrix product: the left side is " + std::to_string(left.rows()) + " x " +
                                std::to_string(left.cols()) + " but the right side is " + std::to_string(right.rows()) +
                                " x " + std::to_string(right.cols()) +
                                "; the left's columns must match the right's rows");
    }
    check_matrix_size(left.rows(), right.cols(), "the product", span);
    work.charge(static_cast<std::int64_t>(left.rows()) * left.cols() * right.cols(), span);
    return Value::of_matrix(matmul(left, right));
  }
  const bool a_scalar = a.is_number();
  const bool b_scalar = b.is_number();
  if (op == "*" || op == "/") {
    if (!a_scalar && !b_scalar) {
      throw LsrlError(span, "'" + op + "' of two matrices is ambiguous; use '@' for the matrix product");
    }
    if (op == "/" && !b_scalar) unsupported(op, a, b, span);
    const Num factor = a_scalar ? a.num : b.num;
    if (op == "/" && factor.is_zero()) throw LsrlError(span, "division by zero");
    NumDense m = as_matrix(a_scalar ? b : a, "the matrix", span);
    work.charge(static_cast<std::int64_t>(m.size()), span);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = op == "*" ? m.data()[i] * factor : m.data()[i] / factor;
    return Value::of_matrix(std::move(m));
  }
  if (op == "+" || op == "-") {
    const int sign = op == "+" ? 1 : -1;
    if (a_scalar || b_scalar) {
      // A number is added to every entry.
      NumDense m = as_matrix(a_scalar ? b : a, "the matrix", span);
      work.charge(static_cast<std::int64_t>(m.size()), span);
      const Num c = a_scalar ? a.num : b.num;
      for (Eigen::Index i = 0; i < m.size(); ++i) {
        Num& entry = m.data()[i];
        entry = a_scalar ? c + Num(sign) * entry : entry + Num(sign) * c;
      }
      return Value::of_matrix(std::move(m));
    }
    if (!is_matrix_like(a) || !is_matrix_like(b)) unsupported(op, a, b, span);
    NumDense left = as_matrix(a, "the left side of '" + op + "'", span);
    NumDense right = as_matrix(b, "the right side of '" + op + "'", span);
    if (left.rows() != right.rows() || left.cols() != right.cols()) {
      throw LsrlError(span, "'" + op + "' of matrices needs equal shapes, got " + std::to_string(left.rows()) + " x " +
                                std::to_string(left.cols()) + " and " + std::to_string(right.rows()) + " x " +
                                std::to_string(right.cols()));
    }
    work.charge(static_cast<std::int64_t>(left.size()), span);
    for (Eigen::Index i = 0; i < left.size(); ++i) left.data()[i] += Num(sign) * right.data()[i];
    return Value::of_matrix(std::move(left));
  }
  unsupported(op, a, b, span);
}

}  // namespace

Value binary_constant(const std::string& op, const Value& a, const Value& b, SourceSpan span, Workspace& work) {
  if (a.is_number() && b.is_number()) return numbers(op, a, b, span);
  if (a.kind == ValueKind::Matrix || b.kind == ValueKind::Matrix || op == "@") return matrices(op, a, b, span, work);
  if (op == "+") {
    if (a.kind == ValueKind::Str && b.kind == ValueKind::Str) {
      if (a.text->size() + b.text->size() > static_cast<std::size_t>(kMaxStringLength)) {
        throw LsrlError(span, "limit exceeded: the string would be longer than " + std::to_string(kMaxStringLength));
      }
      return Value::string(a.str() + b.str());
    }
    if (a.is_sequence() && b.is_sequence() && a.kind == b.kind) {
      ValueList out = *a.list;
      out.insert(out.end(), b.list->begin(), b.list->end());
      return work.make_list(std::move(out), span, a.kind);
    }
    if (a.kind == ValueKind::Str || b.kind == ValueKind::Str) {
      const Value& other = a.kind == ValueKind::Str ? b : a;
      throw LsrlError(span, "cannot add a str and " + std::string(other.kind == ValueKind::Int ? "an " : "a ") +
                                type_name(other) + "; convert with str(...) to join text");
    }
  }
  if (op == "*") {
    if ((a.kind == ValueKind::Str || a.is_sequence()) && b.is_number()) return repeat(a, b, span, work);
    if ((b.kind == ValueKind::Str || b.is_sequence()) && a.is_number()) return repeat(b, a, span, work);
  }
  unsupported(op, a, b, span);
}

Value unary_constant(const std::string& op, const Value& a, SourceSpan span) {
  if (op == "not") return Value::boolean(!truthy(a, span));
  if (a.is_number()) {
    const Num n = op == "-" ? -a.num : a.num;
    return a.kind == ValueKind::Float ? Value::floating(n) : Value::integer(n);
  }
  if (a.kind == ValueKind::Matrix && op == "-") {
    NumDense m = -*a.matrix;
    return Value::of_matrix(std::move(m));
  }
  if (a.kind == ValueKind::Matrix && op == "+") return a;
  throw LsrlError(span, "bad operand type for unary " + op + ": " + type_name(a));
}

namespace {

int order(const std::string& op, const Value& a, const Value& b, SourceSpan span, int depth = 0) {
  if (depth > kMaxCompareDepth) too_deep(span);
  if (a.is_number() && b.is_number()) return a.num < b.num ? -1 : (b.num < a.num ? 1 : 0);
  if (a.kind == ValueKind::Str && b.kind == ValueKind::Str)
    return a.str().compare(b.str()) < 0 ? -1 : (a.str() == b.str() ? 0 : 1);
  if (a.is_sequence() && b.is_sequence()) {
    const auto& x = *a.list;
    const auto& y = *b.list;
    for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
      if (values_equal(x[i], y[i], span)) continue;
      return order(op, x[i], y[i], span, depth + 1);
    }
    return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
  }
  if (a.kind == ValueKind::Var || b.kind == ValueKind::Var) {
    throw LsrlError(span, "'" + op +
                              "' cannot compare graph variables while the program is built (their values "
                              "exist only at run time); use f_larger, f_smaller or f_eq");
  }
  throw LsrlError(span, "'" + op + "' is not supported between " + type_name(a) + " and " + type_name(b));
}

}  // namespace

bool compare_constant(const std::string& op, const Value& a, const Value& b, SourceSpan span) {
  if ((a.kind == ValueKind::Matrix && b.is_number()) || (a.is_number() && b.kind == ValueKind::Matrix)) {
    // Python (sympy) would say False for M[i, j] == 0.5, a silent trap.
    throw LsrlError(span, "'" + op +
                              "' between a matrix and a number: M[i, j] is a 1 x 1 matrix (as in the reference "
                              "library); compare its number, float(M[i, j]) " +
                              op + " ...");
  }
  if (op == "==") return values_equal(a, b, span);
  if (op == "!=") return !values_equal(a, b, span);
  if (op == "is") return a.kind == b.kind && (a.kind == ValueKind::None || values_equal(a, b, span));
  if (op == "is not") return !(a.kind == b.kind && (a.kind == ValueKind::None || values_equal(a, b, span)));
  if (op == "in" || op == "not in") {
    bool found = false;
    if (b.is_sequence()) {
      for (const auto& item : *b.list) {
        if (values_equal(a, item, span)) {
          found = true;
          break;
        }
      }
    } else if (b.kind == ValueKind::Str) {
      if (a.kind != ValueKind::Str) {
        throw LsrlError(span, "'in <string>' needs a string on the left, got " + type_name(a));
      }
      found = b.str().find(a.str()) != std::string::npos;
    } else {
      throw LsrlError(span, "'" + op + "' needs a list or a string on the right, got " + type_name(b));
    }
    return op == "in" ? found : !found;
  }
  const int c = order(op, a, b, span);
  if (op == "<") return c < 0;
  if (op == "<=") return c <= 0;
  if (op == ">") return c > 0;
  if (op == ">=") return c >= 0;
  throw LsrlError(span, "unknown comparison '" + op + "'");
}

std::vector<std::string> code_points(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 1;
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0xF0)
      len = 4;
    else if (b >= 0xE0)
      len = 3;
    else if (b >= 0xC0)
      len = 2;
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace lsrl::lang
