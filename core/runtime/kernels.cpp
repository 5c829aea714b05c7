#include "runtime/kernels.hpp"

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

// Rows [r0, r0 + kBlock) of y += M x for a dense (column-major) M, with the
// block's sums held in registers across the columns: each row still adds its
// terms column by column, so the order (and the rounding) is the plain one.
template <typename T, int kBlock>
inline void dense_block(const Matrix<T>& m, const T* x, const T* start, T* y, int r0) {
  T acc[kBlock];
  for (int k = 0; k < kBlock; ++k) acc[k] = start[r0 + k];
  const T zero(0.0f);
  const T* column = m.values.data() + r0;
  for (int c = 0; c < m.cols; ++c, column += m.rows) {
    const T xc = x[c];
    if (xc == zero) continue;  // a zero input adds nothing (ReLU layers are mostly zeros)
    for (int k = 0; k < kBlock; ++k) acc[k] = acc[k] + column[k] * xc;
  }
  for (int k = 0; k < kBlock; ++k) y[r0 + k] = acc[k];
}

// y = start + M x (start may alias y).
template <typename T>
inline void accumulate(const Matrix<T>& m, const T* start, const T* x, T* y) {
  if (m.dense) {
    int r = 0;
    for (; r + 8 <= m.rows; r += 8) dense_block<T, 8>(m, x, start, y, r);
    for (; r + 2 <= m.rows; r += 2) dense_block<T, 2>(m, x, start, y, r);
    for (; r < m.rows; ++r) dense_block<T, 1>(m, x, start, y, r);
    return;
  }
  const int* row_start = m.row_start.data();
  const int* col = m.col.data();
  const T* val = m.values.data();
  for (int r = 0; r < m.rows; ++r) {
    T acc = start[r];
    for (int k = row_start[r]; k < row_start[r + 1]; ++k) acc = acc + val[k] * x[col[k]];
    y[r] = acc;
  }
}

}  // namespace

template <typename T>
void multiply_add(const Matrix<T>& m, const T* x, T* y) {
  accumulate(m, y, x, y);
}

template <typename T>
void affine(const Matrix<T>& m, const T* b, const T* x, T* y) {
  accumulate(m, b, x, y);
}

template <typename T>
void affine_columns(const Matrix<T>& m, const T* b, const T* x, std::size_t ld, std::size_t steps, T* y) {
  const T zero(0.0f);
  for (int r = 0; r < m.rows; ++r) {
    const std::size_t row = static_cast<std::size_t>(r);
    T* acc = y + row * ld;
    for (std::size_t t = 0; t < steps; ++t) acc[t] = b[row];
    if (m.dense) {
      const T* w = m.values.data() + row;
      for (int c = 0; c < m.cols; ++c, w += m.rows) {
        const T wc = *w;
        const T* xc = x + static_cast<std::size_t>(c) * ld;
        // accumulate() skips a zero input; a select keeps that and still vectorises.
        for (std::size_t t = 0; t < steps; ++t) acc[t] = xc[t] == zero ? acc[t] : acc[t] + wc * xc[t];
      }
    } else {
      for (int k = m.row_start[row]; k < m.row_start[row + 1]; ++k) {
        const T wk = m.values[static_cast<std::size_t>(k)];
        const T* xc = x + static_cast<std::size_t>(m.col[static_cast<std::size_t>(k)]) * ld;
        for (std::size_t t = 0; t < steps; ++t) acc[t] = acc[t] + wk * xc[t];
      }
    }
  }
}

template <typename T>
void relu(const T* x, T* y, int n) {
  const T zero(0.0f);
  for (int i = 0; i < n; ++i) y[i] = x[i] > zero ? x[i] : zero;
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
template void affine<double>(const Matrix<double>&, const double*, const double*, double*);
template void affine<float>(const Matrix<float>&, const float*, const float*, float*);
template void affine<xtl::half_float>(const Matrix<xtl::half_float>&, const xtl::half_float*, const xtl::half_float*,
                                      xtl::half_float*);
template void multiply_add<double>(const Matrix<double>&, const double*, double*);
template void multiply_add<float>(const Matrix<float>&, const float*, float*);
template void multiply_add<xtl::half_float>(const Matrix<xtl::half_float>&, const xtl::half_float*, xtl::half_float*);
template void affine_columns<double>(const Matrix<double>&, const double*, const double*, std::size_t, std::size_t,
                                     double*);
template void affine_columns<float>(const Matrix<float>&, const float*, const float*, std::size_t, std::size_t, float*);
template void affine_columns<xtl::half_float>(const Matrix<xtl::half_float>&, const xtl::half_float*,
                                              const xtl::half_float*, std::size_t, std::size_t, xtl::half_float*);
template void relu<double>(const double*, double*, int);
template void relu<float>(const float*, float*, int);
template void relu<xtl::half_float>(const xtl::half_float*, xtl::half_float*, int);
template void multi_gate<double>(const double*, int, double*);
template void multi_gate<float>(const float*, int, float*);
template void multi_gate<xtl::half_float>(const xtl::half_float*, int, xtl::half_float*);

}  // namespace lsrl::kernels
