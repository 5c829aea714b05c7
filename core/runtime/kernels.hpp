// The matrix products of every executor (the program's evaluator, the linear
// RNNs and every other target), over the run's scalar (runtime/scalar.hpp):
// weights rounded once, then a product per token or for a chunk of steps.
//
// One summation order, the program's: a row starts at its bias (or at what y
// holds), then adds w * x for each of its non-zero weights in column order,
// rounding after every multiply and every add. Which weights are terms is the
// matrix's own pattern (see prepare_matrix and to_csr). A matrix-multiply-then-add
// order (the sum first, the bias last) rounds differently wherever a bias is
// large next to the terms, e.g. 1e10 - 0.2 + 0.3, and f_ifelse's lambda turns
// that last bit into a wrong token; so the compiled models give the program's
// outputs bit for bit, and native and WebAssembly runs agree bit for bit.
// The build keeps that order: -ffp-contract=off for every file (CMakeLists),
// so no multiply and add are fused into one rounding.
//
// Storage: compressed rows (CsrMatrix) or, for a WeightMatrix dense enough,
// column-major dense, whose per-token product keeps blocks of 8 rows' sums in
// registers while the columns stream by (it vectorises across the rows) and
// skips an input that is exactly zero (ReLU layers are mostly zeros) where
// that provably changes nothing (see kernels.cpp). The dense and compressed
// forms give identical bits for every input, -0.0, infinities and NaN included.
// Plain loops, no intrinsics: g++ -O3 (SSE2) and em++ -O3 -msimd128
// auto-vectorise them alike.
#pragma once

#include <Eigen/SparseCore>
#include <cstddef>
#include <vector>

#include "num/num.hpp"
#include "runtime/scalar.hpp"

namespace lsrl {

using SparseD = Eigen::SparseMatrix<double, Eigen::RowMajor>;

// A matrix in compressed-row form over the run's scalar: row r's non-zeros
// are value[row_start[r] .. row_start[r + 1]), in column order.
template <typename T>
struct CsrMatrix {
  int rows = 0;
  int cols = 0;
  std::vector<int> row_start;  // rows + 1 offsets into col / value
  std::vector<int> col;
  std::vector<T> value;
};

// A weight matrix stored the way its density favours: dense (column-major)
// when at least a quarter of its entries are non-zero or it is tiny, else
// compressed rows.
template <typename T>
struct WeightMatrix {
  int rows = 0;
  int cols = 0;
  bool dense = true;
  std::vector<T> values;  // dense: rows x cols, column-major; a rounded-away weight is 0
  bool finite = true;     // dense: no entry is infinite or NaN (f16 rounds 1e10 to infinity)
  CsrMatrix<T> csr;       // always (the chunked product reads it)
  long long nonzeros = 0;
};

// The program's weights (the compiler's exact numbers, through their nearest
// double) rounded to the run's scalar. A weight that rounds to zero in this
// precision is a zero of the program: no term at all, even beside an infinite
// or NaN input (the program's evaluation has always read them so, and the
// linear RNNs run the program's own matrices).
template <typename T>
WeightMatrix<T> prepare_matrix(const NumSparse& m);
// A target's weights (doubles) rounded to the run's scalar, every stored
// weight kept: one that rounds to zero is a zero weight of the model, as in a
// dense half-precision network, so it still turns an infinite input into NaN
// (which is how a construction too large for f16 shows up as a numeric
// failure, not as quietly wrong outputs: NumericDiagnostics).
template <typename T>
CsrMatrix<T> to_csr(const SparseD& m);

// ---------------------------------------------------------- one token --
//
// The compressed-row products are inline templates here, not calls into
// kernels.cpp: they are the innermost loops of the evaluator and of the
// cell stacks (a call per gate per token), and inlined at a call site whose
// strides and chunk width are constants they compile to the fixed-width loops
// the executors had before the kernels were shared (bench_speed: the DAG's
// tokens per second and the GRU's fell 10-20% while they were out of line).

// Row r's terms added to acc in column order: acc + w x_c + ..., x_c read at
// x[c * x_stride].
template <typename T>
inline T csr_row_terms(const CsrMatrix<T>& m, int r, T acc, const T* x, std::size_t x_stride = 1) {
  const int* col = m.col.data();
  const T* val = m.value.data();
  const int end = m.row_start[static_cast<std::size_t>(r) + 1];
  for (int k = m.row_start[static_cast<std::size_t>(r)]; k < end; ++k)
    acc = acc + val[k] * x[static_cast<std::size_t>(col[k]) * x_stride];
  return acc;
}

// y = start + M x for compressed rows (start may be y).
template <typename T>
inline void csr_accumulate(const CsrMatrix<T>& m, const T* start, const T* x, T* y) {
  for (int r = 0; r < m.rows; ++r) y[r] = csr_row_terms(m, r, start[r], x);
}

// y = start + M x for a dense WeightMatrix (start may be y): kernels.cpp,
// where it is blocked over the rows and skips zero inputs where that is exact.
template <typename T>
void dense_accumulate(const WeightMatrix<T>& m, const T* start, const T* x, T* y);

// y = y + M x (y holds the bias, or zeros, on entry).
template <typename T>
inline void multiply_add_into(const CsrMatrix<T>& m, const T* x, T* y) {
  csr_accumulate(m, y, x, y);
}
template <typename T>
inline void multiply_add(const WeightMatrix<T>& m, const T* x, T* y) {
  if (m.dense) {
    dense_accumulate(m, y, x, y);
  } else {
    csr_accumulate(m.csr, y, x, y);
  }
}
// y = b + M x, summed in that order (b may be y).
template <typename T>
inline void affine(const WeightMatrix<T>& m, const T* b, const T* x, T* y) {
  if (m.dense) {
    dense_accumulate(m, b, x, y);
  } else {
    csr_accumulate(m.csr, b, x, y);
  }
}

template <typename T>
inline void multiply_add(const CsrMatrix<T>& m, const std::vector<T>& x, std::vector<T>& y) {
  multiply_add_into(m, x.data(), y.data());
}

// bias + M x as a new vector.
template <typename T>
inline std::vector<T> affine(const CsrMatrix<T>& m, const std::vector<T>& bias, const std::vector<T>& x) {
  std::vector<T> y = bias;
  multiply_add_into(m, x.data(), y.data());
  return y;
}

// ---------------------------------------------------- a chunk of steps --

// The same affine map for `steps` time steps at once: column c of M reads
// x[c * x_stride + t] for t < steps, and row r of step t goes to
// y[r * row_stride + t * step_stride]. Each element is summed exactly as the
// per-token product sums it (b, then the non-zero terms in column order), so
// a chunked executor gives the per-token one's results bit for bit, while the
// loops over the steps vectorise. `scratch` (steps values) is needed when
// step_stride != 1. A WeightMatrix is read through its compressed rows
// whatever its density: the same terms in the same order as the dense layout
// with its zero weights skipped, and a branch per stored weight instead of
// one per entry.
template <typename T>
inline void affine_steps(const CsrMatrix<T>& m, const T* b, const T* x, std::size_t x_stride, std::size_t steps, T* y,
                         std::size_t row_stride, std::size_t step_stride, T* scratch) {
  const int* col = m.col.data();
  const T* val = m.value.data();
  for (int r = 0; r < m.rows; ++r) {
    const std::size_t row = static_cast<std::size_t>(r);
    // Row r's sums for the chunk: in place when its steps are contiguous in
    // y, else in scratch (then scattered).
    T* acc = step_stride == 1 ? y + row * row_stride : scratch;
    const T bias = b[row];
    for (std::size_t t = 0; t < steps; ++t) acc[t] = bias;
    for (int k = m.row_start[row]; k < m.row_start[row + 1]; ++k) {
      const T w = val[k];
      const T* xc = x + static_cast<std::size_t>(col[k]) * x_stride;
      for (std::size_t t = 0; t < steps; ++t) acc[t] = acc[t] + w * xc[t];
    }
    if (step_stride != 1)
      for (std::size_t t = 0; t < steps; ++t) y[t * step_stride + row * row_stride] = acc[t];
  }
}
template <typename T>
inline void affine_steps(const WeightMatrix<T>& m, const T* b, const T* x, std::size_t x_stride, std::size_t steps,
                         T* y, std::size_t row_stride, std::size_t step_stride, T* scratch) {
  affine_steps(m.csr, b, x, x_stride, steps, y, row_stride, step_stride, scratch);
}

// A whole chunk of kSteps steps, feature-major in and out (component i of
// step t at [i * kSteps + t]), with the width a compile-time constant: the
// evaluator's chunk buffers, whose loops over the steps then vectorise with
// no remainder and no run-time strides. For a last chunk shorter than kSteps
// the caller computes the stale steps beyond it too (they read defined
// values of an earlier chunk, and are never output): cheaper than a loop of
// run-time length.
template <std::size_t kSteps, typename T>
inline void affine_chunk(const CsrMatrix<T>& m, const T* b, const T* x, T* y) {
  const int* col = m.col.data();
  const T* val = m.value.data();
  for (int r = 0; r < m.rows; ++r) {
    T* acc = y + static_cast<std::size_t>(r) * kSteps;
    const T bias = b[r];
    for (std::size_t t = 0; t < kSteps; ++t) acc[t] = bias;
    for (int k = m.row_start[static_cast<std::size_t>(r)]; k < m.row_start[static_cast<std::size_t>(r) + 1]; ++k) {
      const T w = val[k];
      const T* xc = x + static_cast<std::size_t>(col[k]) * kSteps;
      for (std::size_t t = 0; t < kSteps; ++t) acc[t] = acc[t] + w * xc[t];
    }
  }
}

// Feature-major in and out (component i of step t at [i * ld + t]), steps <= ld.
template <typename T>
inline void affine_columns(const WeightMatrix<T>& m, const T* b, const T* x, std::size_t ld, std::size_t steps, T* y) {
  affine_steps(m.csr, b, x, ld, steps, y, ld, 1, static_cast<T*>(nullptr));
}

// Feature-major in, step-major out (row r of step t at y[t * y_stride + r]),
// the cell stacks' gate projections; acc holds `steps` values.
template <typename T>
inline void project_columns(const CsrMatrix<T>& m, const std::vector<T>& bias, const T* x, std::size_t x_stride,
                            std::size_t steps, T* y, std::size_t y_stride, T* acc) {
  affine_steps(m, bias.data(), x, x_stride, steps, y, 1, y_stride, acc);
}

#define LSRL_KERNELS_DECLARE(T)                                        \
  extern template CsrMatrix<T> to_csr<T>(const SparseD&);              \
  extern template WeightMatrix<T> prepare_matrix<T>(const NumSparse&); \
  extern template void dense_accumulate<T>(const WeightMatrix<T>&, const T*, const T*, T*);
LSRL_KERNELS_DECLARE(double)
LSRL_KERNELS_DECLARE(float)
LSRL_KERNELS_DECLARE(F16)
#undef LSRL_KERNELS_DECLARE

}  // namespace lsrl
