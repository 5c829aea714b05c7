// The hot loops of compiled-model execution: matrix-vector products, ReLU and
// the Multi gate, over double, float and xtl::half_float. Plain contiguous
// loops that g++ -O3 (SSE2/AVX) and em++ -O3 -msimd128 vectorise alike (no
// intrinsics, no Eigen): a matrix is stored dense (column-major: blocks of
// 8 rows keep their sums in registers while the columns stream by, which
// vectorises across the rows) or in compressed rows, whichever its density
// favours.
//
// The summation order is fixed and is the DAG evaluator's: a row starts at
// its bias, then adds its terms column by column (a state: bias, A s, B x).
// So native and WebAssembly runs agree bit for bit, and, because the
// compiler only rewrites where the rounding stays the program's own, a
// compiled model gives the program's outputs bit for bit. Programs with large
// constants (f_ifelse's lambda = 1e10) need that: they turn a last-bit
// difference in a step's output into a wrong token.
#pragma once

#include <cstddef>
#include <type_traits>
#include <vector>

#include <xtl/xhalf_float.hpp>

#include "num/num.hpp"

namespace lsrl::kernels {

template <typename T>
struct Matrix {
  int rows = 0;
  int cols = 0;
  bool dense = true;
  std::vector<T> values;       // dense: column-major rows x cols; sparse: the non-zeros by row
  std::vector<int> row_start;  // sparse: rows + 1 offsets
  std::vector<int> col;        // sparse: column of each non-zero
  long long nonzeros = 0;
};

// Rounds an exact compiled matrix to T and picks the storage: dense when at
// least a quarter of the entries are non-zero (or the matrix is tiny).
template <typename T>
Matrix<T> prepare_matrix(const NumSparse& m);
template <typename T>
std::vector<T> prepare_vector(const NumVector& v);

// y += M x   (x has M.cols entries, y has M.rows entries)
template <typename T>
void multiply_add(const Matrix<T>& m, const T* x, T* y);
// y = b + M x, summed in that order (b first, then column by column)
template <typename T>
void affine(const Matrix<T>& m, const T* b, const T* x, T* y);
// The same affine map for a block of steps at once: x and y are
// feature-major (component i of step t at [i * ld + t]), steps <= ld. Each
// element is summed exactly as affine sums it (b, then the columns in order;
// the dense form adds nothing for an input that is exactly zero), so a chunked
// executor gives the per-token one's results bit for bit, while the loops over
// the steps vectorise.
template <typename T>
void affine_columns(const Matrix<T>& m, const T* b, const T* x, std::size_t ld, std::size_t steps, T* y);
// y = max(x, 0) element-wise
template <typename T>
void relu(const T* x, T* y, int n);

// y[i] = x[i] * x[i + half], i < half
template <typename T>
void multi_gate(const T* x, int half, T* y);

template <typename T>
inline T from_double(double v) {
  if constexpr (std::is_same_v<T, xtl::half_float>) {
    return T(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}
template <typename T>
inline double to_double(T v) {
  if constexpr (std::is_same_v<T, xtl::half_float>) {
    return static_cast<double>(static_cast<float>(v));
  } else {
    return static_cast<double>(v);
  }
}

extern template Matrix<double> prepare_matrix<double>(const NumSparse&);
extern template Matrix<float> prepare_matrix<float>(const NumSparse&);
extern template Matrix<xtl::half_float> prepare_matrix<xtl::half_float>(const NumSparse&);
extern template std::vector<double> prepare_vector<double>(const NumVector&);
extern template std::vector<float> prepare_vector<float>(const NumVector&);
extern template std::vector<xtl::half_float> prepare_vector<xtl::half_float>(const NumVector&);
extern template void affine<double>(const Matrix<double>&, const double*, const double*, double*);
extern template void affine<float>(const Matrix<float>&, const float*, const float*, float*);
extern template void affine<xtl::half_float>(const Matrix<xtl::half_float>&, const xtl::half_float*,
                                              const xtl::half_float*, xtl::half_float*);
extern template void multiply_add<double>(const Matrix<double>&, const double*, double*);
extern template void multiply_add<float>(const Matrix<float>&, const float*, float*);
extern template void multiply_add<xtl::half_float>(const Matrix<xtl::half_float>&, const xtl::half_float*,
                                                    xtl::half_float*);
extern template void affine_columns<double>(const Matrix<double>&, const double*, const double*, std::size_t,
                                            std::size_t, double*);
extern template void affine_columns<float>(const Matrix<float>&, const float*, const float*, std::size_t, std::size_t,
                                           float*);
extern template void affine_columns<xtl::half_float>(const Matrix<xtl::half_float>&, const xtl::half_float*,
                                                     const xtl::half_float*, std::size_t, std::size_t,
                                                     xtl::half_float*);
extern template void relu<double>(const double*, double*, int);
extern template void relu<float>(const float*, float*, int);
extern template void relu<xtl::half_float>(const xtl::half_float*, xtl::half_float*, int);
extern template void multi_gate<double>(const double*, int, double*);
extern template void multi_gate<float>(const float*, int, float*);
extern template void multi_gate<xtl::half_float>(const xtl::half_float*, int, xtl::half_float*);

}  // namespace lsrl::kernels
