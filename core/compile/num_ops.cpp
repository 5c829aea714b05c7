#include "compile/num_ops.hpp"

#include <algorithm>

namespace lsrl {

namespace {

// Appends rows in order to a row-major matrix through Eigen's low-level
// filling API (columns must ascend within a row).
class RowWriter {
 public:
  RowWriter(int rows, int cols, Eigen::Index reserve) : m_(rows, cols) { m_.reserve(reserve); }
  void start_row(int row) { m_.startVec(row); }
  void put(int row, int col, const Num& value) {
    if (!value.is_zero()) m_.insertBack(row, col) = value;
  }
  NumSparse finish() {
    m_.finalize();
    return std::move(m_);
  }

 private:
  NumSparse m_;
};

}  // namespace

void SparseAssembler::add(int row, int col, const Num& value) {
  if (!value.is_zero()) triplets_.emplace_back(row, col, value);
}

NumSparse SparseAssembler::finish() {
  NumSparse m(rows_, cols_);
  m.setFromTriplets(triplets_.begin(), triplets_.end());
  prune_exact_zeros(m);
  m.makeCompressed();
  return m;
}

NumSparse multiply(const NumSparse& A, const NumSparse& B) {
  const int m = static_cast<int>(A.rows());
  const int n = static_cast<int>(B.cols());
  std::vector<Num> acc(static_cast<std::size_t>(n));
  std::vector<char> used(static_cast<std::size_t>(n), 0);
  std::vector<int> touched;
  RowWriter out(m, n, A.nonZeros() + B.nonZeros());
  for (int i = 0; i < m; ++i) {
    out.start_row(i);
    touched.clear();
    for (NumSparse::InnerIterator a(A, i); a; ++a) {
      const int k = static_cast<int>(a.col());
      for (NumSparse::InnerIterator b(B, k); b; ++b) {
        const auto j = static_cast<std::size_t>(b.col());
        if (!used[j]) {
          used[j] = 1;
          acc[j] = a.value() * b.value();
          touched.push_back(static_cast<int>(j));
        } else {
          acc[j] += a.value() * b.value();
        }
      }
    }
    std::sort(touched.begin(), touched.end());
    for (int j : touched) {
      out.put(i, j, acc[static_cast<std::size_t>(j)]);
      used[static_cast<std::size_t>(j)] = 0;
    }
  }
  return out.finish();
}

NumVector multiply(const NumSparse& A, const NumVector& v) {
  NumVector out = zero_vector(static_cast<int>(A.rows()));
  for (int i = 0; i < A.outerSize(); ++i) {
    Num acc(0);
    for (NumSparse::InnerIterator a(A, i); a; ++a) {
      const Num& x = v[a.col()];
      if (!x.is_zero()) acc += a.value() * x;
    }
    out[i] = acc;
  }
  return out;
}

NumVector add(const NumVector& a, const NumVector& b) {
  NumVector out(a.size());
  for (Eigen::Index i = 0; i < a.size(); ++i) out[i] = a[i] + b[i];
  return out;
}

NumSparse add(const NumSparse& A, const NumSparse& B) {
  SparseAssembler s(static_cast<int>(A.rows()), static_cast<int>(A.cols()));
  for (int i = 0; i < A.outerSize(); ++i)
    for (NumSparse::InnerIterator a(A, i); a; ++a) s.add(i, static_cast<int>(a.col()), a.value());
  for (int i = 0; i < B.outerSize(); ++i)
    for (NumSparse::InnerIterator b(B, i); b; ++b) s.add(i, static_cast<int>(b.col()), b.value());
  return s.finish();
}

NumSparse scale(const NumSparse& A, const Num& factor) {
  if (factor.is_zero()) return NumSparse(A.rows(), A.cols());
  NumSparse out = A;
  for (int i = 0; i < out.outerSize(); ++i)
    for (NumSparse::InnerIterator a(out, i); a; ++a) a.valueRef() = a.value() * factor;
  return out;
}

NumSparse negate(const NumSparse& A) { return scale(A, Num(-1)); }

NumVector negate(const NumVector& v) {
  NumVector out(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) out[i] = -v[i];
  return out;
}

NumSparse vstack(const std::vector<const NumSparse*>& blocks) {
  int rows = 0;
  int cols = blocks.empty() ? 0 : static_cast<int>(blocks.front()->cols());
  Eigen::Index nnz = 0;
  for (const auto* b : blocks) {
    rows += static_cast<int>(b->rows());
    nnz += b->nonZeros();
  }
  RowWriter out(rows, cols, nnz);
  int offset = 0;
  for (const auto* b : blocks) {
    for (int i = 0; i < b->outerSize(); ++i) {
      out.start_row(offset + i);
      for (NumSparse::InnerIterator a(*b, i); a; ++a) out.put(offset + i, static_cast<int>(a.col()), a.value());
    }
    offset += static_cast<int>(b->rows());
  }
  return out.finish();
}

NumVector stack_vectors(const std::vector<const NumVector*>& blocks) {
  Eigen::Index n = 0;
  for (const auto* b : blocks) n += b->size();
  NumVector out(n);
  Eigen::Index offset = 0;
  for (const auto* b : blocks) {
    for (Eigen::Index i = 0; i < b->size(); ++i) out[offset + i] = (*b)[i];
    offset += b->size();
  }
  return out;
}

NumSparse hstack(const std::vector<const NumSparse*>& blocks) {
  int rows = blocks.empty() ? 0 : static_cast<int>(blocks.front()->rows());
  int cols = 0;
  Eigen::Index nnz = 0;
  for (const auto* b : blocks) {
    cols += static_cast<int>(b->cols());
    nnz += b->nonZeros();
  }
  RowWriter out(rows, cols, nnz);
  for (int i = 0; i < rows; ++i) {
    out.start_row(i);
    int offset = 0;
    for (const auto* b : blocks) {
      for (NumSparse::InnerIterator a(*b, i); a; ++a) out.put(i, offset + static_cast<int>(a.col()), a.value());
      offset += static_cast<int>(b->cols());
    }
  }
  return out.finish();
}

NumSparse block_diagonal(const std::vector<const NumSparse*>& blocks) {
  int rows = 0;
  int cols = 0;
  Eigen::Index nnz = 0;
  for (const auto* b : blocks) {
    rows += static_cast<int>(b->rows());
    cols += static_cast<int>(b->cols());
    nnz += b->nonZeros();
  }
  RowWriter out(rows, cols, nnz);
  int row_offset = 0;
  int col_offset = 0;
  for (const auto* b : blocks) {
    for (int i = 0; i < b->outerSize(); ++i) {
      out.start_row(row_offset + i);
      for (NumSparse::InnerIterator a(*b, i); a; ++a)
        out.put(row_offset + i, col_offset + static_cast<int>(a.col()), a.value());
    }
    row_offset += static_cast<int>(b->rows());
    col_offset += static_cast<int>(b->cols());
  }
  return out.finish();
}

NumSparse selection_matrix(int width, int begin, int end) {
  RowWriter out(end - begin, width, end - begin);
  for (int i = 0; i < end - begin; ++i) {
    out.start_row(i);
    out.put(i, begin + i, Num(1));
  }
  return out.finish();
}

NumSparse row_range(const NumSparse& A, int begin, int end) {
  std::vector<int> rows;
  for (int i = begin; i < end; ++i) rows.push_back(i);
  return pick_rows(A, rows);
}

NumVector segment(const NumVector& v, int begin, int end) {
  NumVector out(end - begin);
  for (int i = begin; i < end; ++i) out[i - begin] = v[i];
  return out;
}

NumSparse pick_rows(const NumSparse& A, const std::vector<int>& rows) {
  Eigen::Index nnz = 0;
  for (int r : rows) nnz += A.outerIndexPtr()[r + 1] - A.outerIndexPtr()[r];
  RowWriter out(static_cast<int>(rows.size()), static_cast<int>(A.cols()), nnz);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out.start_row(static_cast<int>(i));
    for (NumSparse::InnerIterator a(A, rows[i]); a; ++a)
      out.put(static_cast<int>(i), static_cast<int>(a.col()), a.value());
  }
  return out.finish();
}

NumVector pick_entries(const NumVector& v, const std::vector<int>& rows) {
  NumVector out(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) out[static_cast<Eigen::Index>(i)] = v[rows[i]];
  return out;
}

NumSparse pick_columns(const NumSparse& A, const std::vector<int>& cols) {
  // old column -> new columns (a column may be picked more than once)
  std::vector<std::vector<int>> targets(static_cast<std::size_t>(A.cols()));
  for (std::size_t k = 0; k < cols.size(); ++k)
    targets[static_cast<std::size_t>(cols[k])].push_back(static_cast<int>(k));
  SparseAssembler s(static_cast<int>(A.rows()), static_cast<int>(cols.size()));
  for (int i = 0; i < A.outerSize(); ++i)
    for (NumSparse::InnerIterator a(A, i); a; ++a)
      for (int k : targets[static_cast<std::size_t>(a.col())]) s.add(i, k, a.value());
  return s.finish();
}

NumSparse embed_columns(const NumSparse& A, int offset, int width) {
  RowWriter out(static_cast<int>(A.rows()), width, A.nonZeros());
  for (int i = 0; i < A.outerSize(); ++i) {
    out.start_row(i);
    for (NumSparse::InnerIterator a(A, i); a; ++a) out.put(i, offset + static_cast<int>(a.col()), a.value());
  }
  return out.finish();
}

NumVector constant_vector(int n, const Num& value) { return NumVector::Constant(n, value); }

bool is_zero_matrix(const NumSparse& A) {
  for (int i = 0; i < A.outerSize(); ++i)
    for (NumSparse::InnerIterator a(A, i); a; ++a)
      if (!a.value().is_zero()) return false;
  return true;
}

bool is_zero_vector(const NumVector& v) {
  for (Eigen::Index i = 0; i < v.size(); ++i)
    if (!v[i].is_zero()) return false;
  return true;
}

bool is_identity(const NumSparse& A) {
  if (A.rows() != A.cols()) return false;
  for (int i = 0; i < A.outerSize(); ++i) {
    bool diagonal_one = false;
    for (NumSparse::InnerIterator a(A, i); a; ++a) {
      if (a.value().is_zero()) continue;
      if (a.col() != i || a.value() != Num(1)) return false;
      diagonal_one = true;
    }
    if (!diagonal_one) return false;
  }
  return true;
}

bool is_double_exact(const Num& v) {
  if (!v.is_exact()) return false;
  const std::int64_t q = v.denominator();
  const std::int64_t p = v.numerator() < 0 ? -v.numerator() : v.numerator();
  return (q & (q - 1)) == 0 && p < (std::int64_t{1} << 53);
}

bool sum_is_double_exact(const Num& start, const std::vector<Num>& terms) {
  if (!is_double_exact(start)) return false;
  Num sum = start;
  for (const Num& t : terms) {
    if (!is_double_exact(t)) return false;
    sum += t;
    if (!is_double_exact(sum)) return false;
  }
  return true;
}

bool is_signed_power_of_two(const Num& v) {
  if (!v.is_exact() || v.is_zero()) return false;
  const std::int64_t p = v.numerator() < 0 ? -v.numerator() : v.numerator();
  const std::int64_t q = v.denominator();
  return (p & (p - 1)) == 0 && (q & (q - 1)) == 0;
}

namespace {

// Rows of A1 that are one signed power of two on one input and add nothing:
// the input's column, or -1.
std::vector<long> picked_columns(const NumSparse& A1, const NumVector& b1) {
  std::vector<long> picked(static_cast<std::size_t>(A1.rows()), -1);
  for (int k = 0; k < A1.outerSize(); ++k) {
    if (!b1[k].is_zero()) continue;
    long col = -1;
    int count = 0;
    bool ok = true;
    for (NumSparse::InnerIterator it(A1, k); it; ++it) {
      if (it.value().is_zero()) continue;
      ok = ok && ++count == 1 && is_signed_power_of_two(it.value());
      col = it.col();
    }
    if (ok && count == 1) picked[static_cast<std::size_t>(k)] = col;
  }
  return picked;
}

// Row i of M reads only picked rows, whose inputs come in column order.
bool reads_picked_in_order(const NumSparse& M, int i, const std::vector<long>& picked) {
  long last = -1;
  for (NumSparse::InnerIterator it(M, i); it; ++it) {
    if (it.value().is_zero()) continue;
    const long col = picked[static_cast<std::size_t>(it.col())];
    if (col < 0 || col <= last) return false;
    last = col;
  }
  return true;
}

}  // namespace

bool composition_rounds_alike(const NumSparse& A2, const NumVector& b2, const NumSparse& A1, const NumVector& b1) {
  const std::vector<long> picked = picked_columns(A1, b1);
  for (int i = 0; i < A2.outerSize(); ++i) {
    int count = 0;
    bool scaled = true;
    for (NumSparse::InnerIterator it(A2, i); it; ++it) {
      if (it.value().is_zero()) continue;
      ++count;
      scaled = scaled && is_signed_power_of_two(it.value());
    }
    if (count == 0) continue;                                 // a constant
    if (count == 1 && scaled && b2[i].is_zero()) continue;    // one scaled row of A1
    if (!reads_picked_in_order(A2, i, picked)) return false;  // picked inputs, in order
  }
  return true;
}

bool state_input_rounds_alike(const NumSparse& B, const NumSparse& C, const NumVector& c) {
  const std::vector<long> picked = picked_columns(C, c);
  for (int i = 0; i < B.outerSize(); ++i)
    if (!reads_picked_in_order(B, i, picked)) return false;
  return true;
}

}  // namespace lsrl
