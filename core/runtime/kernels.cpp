#include "runtime/kernels.hpp"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace lsrl::kernels {

template <typename T>
Matrix<T> prepare_matrix(const NumSparse& m) {
  Matrix<T> out;
  out.rows = static_cast<int>(m.rows());
  out.cols = static_cast<int>(m.cols());
  long long nnz = 0;
  for (int r = 0; r < m.outerSize(); ++r)
    for (NumSparse::InnerIterator it(m, r); it; ++it)
      if (!(from_double<T>(it.value().to_double()) == T(0.0f))) ++nnz;
  out.nonzeros = nnz;
  const long long entries = static_cast<long long>(out.rows) * out.cols;
  out.dense = entries <= 64 || nnz * 4 >= entries;
  if (out.dense) {
    out.values.assign(static_cast<std::size_t>(entries), T(0.0f));
    for (int r = 0; r < m.outerSize(); ++r)
      for (NumSparse::InnerIterator it(m, r); it; ++it)
        out.values[static_cast<std::size_t>(it.col()) * static_cast<std::size_t>(out.rows) + static_cast<std::size_t>(r)] =
            from_double<T>(it.value().to_double());
  } else {
    out.row_start.reserve(static_cast<std::size_t>(out.rows) + 1);
    out.row_start.push_back(0);
    for (int r = 0; r < out.rows; ++r) {
      for (NumSparse::InnerIterator it(m, r); it; ++it) {
        const T v = from_double<T>(it.value().to_double());
        if (v == T(0.0f)) continue;  // a weight that rounds to zero in this precision is a zero
        out.col.push_back(static_cast<int>(it.col()));
        out.values.push_back(v);
      }
      out.row_start.push_back(static_cast<int>(out.col.size()));
    }
  }
  return out;
}

template <typename T>
std::vector<T> prepare_vector(const NumVector& v) {
  std::vector<T> out(static_cast<std::size_t>(v.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) out[static_cast<std::size_t>(i)] = from_double<T>(v[i].to_double());
  return out;
}

namespace {

// y[0..n) += a * column[0..n): the inner loop of a dense product. No
// reduction, so it vectorises without reassociating anything.
template <typename T>
inline void axpy(T a, const T* __restrict column, T* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = y[i] + a * column[i];
}

#ifdef __wasm_simd128__
template <>
inline void axpy<double>(double a, const double* __restrict column, double* __restrict y, int n) {
  const v128_t va = wasm_f64x2_splat(a);
  int i = 0;
  for (; i + 2 <= n; i += 2) {
    const v128_t c = wasm_v128_load(column + i);
    const v128_t acc = wasm_v128_load(y + i);
    wasm_v128_store(y + i, wasm_f64x2_add(acc, wasm_f64x2_mul(va, c)));
  }
  for (; i < n; ++i) y[i] = y[i] + a * column[i];
}

template <>
inline void axpy<float>(float a, const float* __restrict column, float* __restrict y, int n) {
  const v128_t va = wasm_f32x4_splat(a);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t c = wasm_v128_load(column + i);
    const v128_t acc = wasm_v128_load(y + i);
    wasm_v128_store(y + i, wasm_f32x4_add(acc, wasm_f32x4_mul(va, c)));
  }
  for (; i < n; ++i) y[i] = y[i] + a * column[i];
}
#endif

}  // namespace

template <typename T>
void multiply_add(const Matrix<T>& m, const T* x, T* y) {
  if (m.dense) {
    const T zero(0.0f);
    for (int c = 0; c < m.cols; ++c) {
      const T xc = x[c];
      // A zero input adds nothing (ReLU layers are mostly zeros).
      if (xc == zero) continue;
      axpy(xc, m.values.data() + static_cast<std::size_t>(c) * static_cast<std::size_t>(m.rows), y, m.rows);
    }
    return;
  }
  const int* start = m.row_start.data();
  const int* col = m.col.data();
  const T* val = m.values.data();
  for (int r = 0; r < m.rows; ++r) {
    T acc = y[r];
    for (int k = start[r]; k < start[r + 1]; ++k) acc = acc + val[k] * x[col[k]];
    y[r] = acc;
  }
}

template <typename T>
void relu_in_place(T* y, int n) {
  const T zero(0.0f);
  for (int i = 0; i < n; ++i) y[i] = y[i] > zero ? y[i] : zero;
}

template <typename T>
void multi_gate(const T* x, int half, T* y) {
  for (int i = 0; i < half; ++i) y[i] = x[i] * x[i + half];
}

template Matrix<double> prepare_matrix<double>(const NumSparse&);
template Matrix<float> prepare_matrix<float>(const NumSparse&);
template Matrix<xtl::half_float> prepare_matrix<xtl::half_float>(const NumSparse&);
template std::vector<double> prepare_vector<double>(const NumVector&);
template std::vector<float> prepare_vector<float>(const NumVector&);
template std::vector<xtl::half_float> prepare_vector<xtl::half_float>(const NumVector&);
template void multiply_add<double>(const Matrix<double>&, const double*, double*);
template void multiply_add<float>(const Matrix<float>&, const float*, float*);
template void multiply_add<xtl::half_float>(const Matrix<xtl::half_float>&, const xtl::half_float*, xtl::half_float*);
template void relu_in_place<double>(double*, int);
template void relu_in_place<float>(float*, int);
template void relu_in_place<xtl::half_float>(xtl::half_float*, int);
template void multi_gate<double>(const double*, int, double*);
template void multi_gate<float>(const float*, int, float*);
template void multi_gate<xtl::half_float>(const xtl::half_float*, int, xtl::half_float*);

}  // namespace lsrl::kernels
