#include "runtime/kernels.hpp"

namespace lsrl {

namespace {

inline double weight_as_double(double v) { return v; }
inline double weight_as_double(const Num& v) { return v.to_double(); }

// Which stored weights stay terms after rounding (kernels.hpp: the program's
// matrices drop the ones that round to zero, the targets' keep them).
enum class RoundedZeros { Drop, Keep };

// The one rounding of a weight matrix (row-major Eigen sparse, doubles or
// the compiler's exact numbers) to the run's scalar.
template <typename T, typename Sparse>
CsrMatrix<T> round_to_csr(const Sparse& m, RoundedZeros zeros) {
  CsrMatrix<T> out;
  out.rows = static_cast<int>(m.rows());
  out.cols = static_cast<int>(m.cols());
  out.row_start.reserve(static_cast<std::size_t>(out.rows) + 1);
  out.row_start.push_back(0);
  for (int r = 0; r < out.rows; ++r) {
    for (typename Sparse::InnerIterator it(m, r); it; ++it) {
      const double w = weight_as_double(it.value());
      if (w == 0.0) continue;
      const T v = to_scalar<T>(w);
      if (v == T{} && zeros == RoundedZeros::Drop) continue;
      out.col.push_back(static_cast<int>(it.col()));
      out.value.push_back(v);
    }
    out.row_start.push_back(static_cast<int>(out.col.size()));
  }
  return out;
}

// y = start + M x for compressed rows (start may be y).
template <typename T>
inline void csr_accumulate(const CsrMatrix<T>& m, const T* start, const T* x, T* y) {
  const int* row_start = m.row_start.data();
  const int* col = m.col.data();
  const T* val = m.value.data();
  for (int r = 0; r < m.rows; ++r) {
    T acc = start[r];
    for (int k = row_start[r]; k < row_start[r + 1]; ++k) acc = acc + val[k] * x[col[k]];
    y[r] = acc;
  }
}

// Rows [r0, r0 + kBlock) of y = start + M x for a dense (column-major) M,
// with the block's sums held in registers across the columns: each row still
// adds its terms column by column, so the order (and the rounding) is the
// compressed form's. What this fast form adds beyond the compressed one, the
// terms of zero weights, and what it leaves out, the terms of zero inputs,
// change nothing when every weight and input is finite and no start is -0:
// such a term is +-0, and adding a zero leaves a sum unchanged unless the sum
// is -0 (-0 + +0 = +0); a sum is -0 only while it is a -0 start plus -0 terms
// (a cancellation rounds to +0). accumulate() calls exact_rows otherwise.
template <typename T, int kBlock>
inline void dense_block(const WeightMatrix<T>& m, const T* start, const T* x, T* y, int r0) {
  T acc[kBlock];
  for (int k = 0; k < kBlock; ++k) acc[k] = start[r0 + k];
  const T zero{};
  const T* column = m.values.data() + r0;
  for (int c = 0; c < m.cols; ++c, column += m.rows) {
    const T xc = x[c];
    if (xc == zero) continue;  // a zero input adds nothing (ReLU layers are mostly zeros)
    for (int k = 0; k < kBlock; ++k) acc[k] = acc[k] + column[k] * xc;
  }
  for (int k = 0; k < kBlock; ++k) y[r0 + k] = acc[k];
}

// Rows [r0, r0 + count) adding exactly the non-zero weights' terms, as the
// compressed form does: for a -0 start, an infinite or NaN input (whose
// product with a zero weight is NaN) or an infinite weight (f16 rounds 1e10
// to infinity; its product with a zero input is NaN in the compressed form
// too). Rare, so plain.
template <typename T>
void exact_rows(const WeightMatrix<T>& m, const T* start, const T* x, T* y, int r0, int count) {
  const T zero{};
  for (int k = 0; k < count; ++k) {
    T acc = start[r0 + k];
    const T* w = m.values.data() + r0 + k;
    for (int c = 0; c < m.cols; ++c, w += m.rows)
      if (!(*w == zero)) acc = acc + *w * x[c];
    y[r0 + k] = acc;
  }
}

template <typename T>
inline bool any_negative_zero(const T* v, int count) {
  for (int k = 0; k < count; ++k)
    if (is_negative_zero(v[k])) return true;
  return false;
}

// Rows [r0, r0 + kBlock): the fast form unless a start is -0 (checked
// before any row is written: start may be y).
template <typename T, int kBlock>
inline void dense_rows(const WeightMatrix<T>& m, const T* start, const T* x, T* y, int r0) {
  if (any_negative_zero(start + r0, kBlock)) {
    exact_rows(m, start, x, y, r0, kBlock);
  } else {
    dense_block<T, kBlock>(m, start, x, y, r0);
  }
}

// y = start + M x (start may be y).
template <typename T>
inline void accumulate(const WeightMatrix<T>& m, const T* start, const T* x, T* y) {
  if (!m.dense) {
    csr_accumulate(m.csr, start, x, y);
    return;
  }
  bool finite = m.finite;
  for (int c = 0; c < m.cols && finite; ++c) finite = is_finite(x[c]);
  if (!finite) {
    exact_rows(m, start, x, y, 0, m.rows);
    return;
  }
  int r = 0;
  for (; r + 8 <= m.rows; r += 8) dense_rows<T, 8>(m, start, x, y, r);
  for (; r + 2 <= m.rows; r += 2) dense_rows<T, 2>(m, start, x, y, r);
  for (; r < m.rows; ++r) dense_rows<T, 1>(m, start, x, y, r);
}

// Where row r's sums for the chunk are built: in place when its steps are
// contiguous in y, else in scratch (then scattered).
template <typename T>
inline T* row_sums(T* y, std::size_t row, std::size_t row_stride, std::size_t step_stride, T* scratch) {
  return step_stride == 1 ? y + row * row_stride : scratch;
}

template <typename T>
inline void store_row(const T* acc, std::size_t steps, T* y, std::size_t row, std::size_t row_stride,
                      std::size_t step_stride) {
  if (step_stride == 1) return;
  for (std::size_t t = 0; t < steps; ++t) y[t * step_stride + row * row_stride] = acc[t];
}

}  // namespace

template <typename T>
CsrMatrix<T> to_csr(const SparseD& m) {
  return round_to_csr<T>(m, RoundedZeros::Keep);
}

template <typename T>
WeightMatrix<T> prepare_matrix(const NumSparse& m) {
  WeightMatrix<T> out;
  out.csr = round_to_csr<T>(m, RoundedZeros::Drop);
  out.rows = out.csr.rows;
  out.cols = out.csr.cols;
  out.nonzeros = static_cast<long long>(out.csr.col.size());
  const long long entries = static_cast<long long>(out.rows) * out.cols;
  out.dense = entries <= 64 || out.nonzeros * 4 >= entries;
  if (!out.dense) return out;
  out.values.assign(static_cast<std::size_t>(entries), T{});
  const std::size_t rows = static_cast<std::size_t>(out.rows);
  for (std::size_t r = 0; r < rows; ++r) {
    for (int k = out.csr.row_start[r]; k < out.csr.row_start[r + 1]; ++k) {
      const T v = out.csr.value[static_cast<std::size_t>(k)];
      out.values[static_cast<std::size_t>(out.csr.col[static_cast<std::size_t>(k)]) * rows + r] = v;
      out.finite = out.finite && is_finite(v);
    }
  }
  return out;  // csr kept: the chunked product reads it
}

template <typename T>
void multiply_add_into(const CsrMatrix<T>& m, const T* x, T* y) {
  csr_accumulate(m, y, x, y);
}

template <typename T>
void multiply_add(const WeightMatrix<T>& m, const T* x, T* y) {
  accumulate(m, y, x, y);
}

template <typename T>
void affine(const WeightMatrix<T>& m, const T* b, const T* x, T* y) {
  accumulate(m, b, x, y);
}

template <typename T>
void affine_steps(const CsrMatrix<T>& m, const T* b, const T* x, std::size_t x_stride, std::size_t steps, T* y,
                  std::size_t row_stride, std::size_t step_stride, T* scratch) {
  for (int r = 0; r < m.rows; ++r) {
    const std::size_t row = static_cast<std::size_t>(r);
    T* acc = row_sums(y, row, row_stride, step_stride, scratch);
    for (std::size_t t = 0; t < steps; ++t) acc[t] = b[row];
    for (int k = m.row_start[row]; k < m.row_start[row + 1]; ++k) {
      const T w = m.value[static_cast<std::size_t>(k)];
      const T* xc = x + static_cast<std::size_t>(m.col[static_cast<std::size_t>(k)]) * x_stride;
      for (std::size_t t = 0; t < steps; ++t) acc[t] = acc[t] + w * xc[t];
    }
    store_row(acc, steps, y, row, row_stride, step_stride);
  }
}

template <typename T>
void affine_steps(const WeightMatrix<T>& m, const T* b, const T* x, std::size_t x_stride, std::size_t steps, T* y,
                  std::size_t row_stride, std::size_t step_stride, T* scratch) {
  // The compressed rows whatever the density: the same terms in the same
  // order as the dense layout's with its zero weights skipped, and a branch
  // per stored weight instead of one per entry.
  affine_steps(m.csr, b, x, x_stride, steps, y, row_stride, step_stride, scratch);
}

// Every kernel for the three scalars of a run.
#define LSRL_KERNELS_INSTANTIATE(T)                                                                                   \
  template CsrMatrix<T> to_csr<T>(const SparseD&);                                                                   \
  template WeightMatrix<T> prepare_matrix<T>(const NumSparse&);                                                      \
  template void multiply_add_into<T>(const CsrMatrix<T>&, const T*, T*);                                             \
  template void multiply_add<T>(const WeightMatrix<T>&, const T*, T*);                                               \
  template void affine<T>(const WeightMatrix<T>&, const T*, const T*, T*);                                           \
  template void affine_steps<T>(const CsrMatrix<T>&, const T*, const T*, std::size_t, std::size_t, T*, std::size_t,  \
                                std::size_t, T*);                                                                    \
  template void affine_steps<T>(const WeightMatrix<T>&, const T*, const T*, std::size_t, std::size_t, T*, std::size_t, \
                                std::size_t, T*);
LSRL_KERNELS_INSTANTIATE(double)
LSRL_KERNELS_INSTANTIATE(float)
LSRL_KERNELS_INSTANTIATE(F16)
#undef LSRL_KERNELS_INSTANTIATE

}  // namespace lsrl
