// The arithmetic every target executor shares: weights held as double sparse
// matrices, rounded once per run to the run's scalar (f64, f32 or f16), a
// compressed-row matrix-vector product, and the activation functions of the
// architectures (sigmoid, tanh, ReLU, GeLU, SiLU, softplus) evaluated in the
// run's precision. Header-only so each architecture's file reads as its own
// equations.
#pragma once

#include <cmath>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <xtl/xhalf_float.hpp>

namespace lsrl {

using SparseD = Eigen::SparseMatrix<double, Eigen::RowMajor>;

// Half precision for the executors. xtl::half_float's operator templates are
// found by argument-dependent lookup on anything templated over it (even
// std::vector<...>::iterator arithmetic becomes ambiguous), so the executors
// use this thin wrapper: every operation rounds through xtl::half_float.
struct F16 {
  xtl::half_float v;
  F16() : v(0.0f) {}
  explicit F16(float f) : v(f) {}
  explicit F16(xtl::half_float h) : v(h) {}
  float to_float() const { return static_cast<float>(v); }
  friend F16 operator+(F16 a, F16 b) { return F16(xtl::half_float(a.v + b.v)); }
  friend F16 operator-(F16 a, F16 b) { return F16(xtl::half_float(a.v - b.v)); }
  friend F16 operator*(F16 a, F16 b) { return F16(xtl::half_float(a.v * b.v)); }
  friend F16 operator/(F16 a, F16 b) { return F16(xtl::half_float(a.v / b.v)); }
  F16 operator-() const { return F16(xtl::half_float(-v)); }
  friend bool operator<(F16 a, F16 b) { return a.v < b.v; }
  friend bool operator>(F16 a, F16 b) { return a.v > b.v; }
  friend bool operator==(F16 a, F16 b) { return a.v == b.v; }
};

template <typename T>
inline T to_scalar(double v) {
  if constexpr (std::is_same_v<T, F16>) {
    return F16(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}

template <typename T>
inline double from_scalar(T v) {
  if constexpr (std::is_same_v<T, F16>) {
    return static_cast<double>(v.to_float());
  } else {
    return static_cast<double>(v);
  }
}

// The transcendental functions are evaluated in double for f64 and in float
// for f32 and f16 (then rounded to the run's scalar), the way a half-precision
// kernel computes them in a wider register.
template <typename T>
using WideOf = std::conditional_t<std::is_same_v<T, double>, double, float>;

template <typename T>
inline T act_relu(T x) {
#if defined(__SSE2__)
  // MAXSD / MAXSS return their first operand when it is greater and the
  // second otherwise (a NaN or a zero of either sign gives +0): exactly the
  // expression below, without the branch g++ makes of it, which mispredicts
  // on every sign change of a ReLU's input (a quarter of a GRU's run time).
  if constexpr (std::is_same_v<T, double>) return _mm_cvtsd_f64(_mm_max_sd(_mm_set_sd(x), _mm_setzero_pd()));
  if constexpr (std::is_same_v<T, float>) return _mm_cvtss_f32(_mm_max_ss(_mm_set_ss(x), _mm_setzero_ps()));
#endif
  const T zero = to_scalar<T>(0.0);
  return x > zero ? x : zero;
}

// PyTorch's sigmoid: 1 / (1 + exp(-x)).
template <typename T>
inline T act_sigmoid(T x) {
  using W = WideOf<T>;
  const W w = static_cast<W>(from_scalar(x));
  return to_scalar<T>(static_cast<double>(W(1) / (W(1) + std::exp(-w))));
}

template <typename T>
inline T act_tanh(T x) {
  using W = WideOf<T>;
  return to_scalar<T>(static_cast<double>(std::tanh(static_cast<W>(from_scalar(x)))));
}

// GeLU with the tanh approximation (recurrentgemma's `gelu`, PyTorch's
// gelu(approximate="tanh")): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
template <typename T>
inline T act_gelu(T x) {
  using W = WideOf<T>;
  const W w = static_cast<W>(from_scalar(x));
  const W k = static_cast<W>(0.7978845608028654);  // sqrt(2 / pi)
  const W inner = k * (w + static_cast<W>(0.044715) * w * w * w);
  return to_scalar<T>(static_cast<double>(W(0.5) * w * (W(1) + std::tanh(inner))));
}

// SiLU (Mamba's activation): x * sigmoid(x).
template <typename T>
inline T act_silu(T x) {
  using W = WideOf<T>;
  const W w = static_cast<W>(from_scalar(x));
  return to_scalar<T>(static_cast<double>(w / (W(1) + std::exp(-w))));
}

// PyTorch's softplus (beta 1, threshold 20): x for x > 20, else log1p(exp(x)).
template <typename T>
inline T act_softplus(T x) {
  using W = WideOf<T>;
  const W w = static_cast<W>(from_scalar(x));
  if (w > W(20)) return x;
  return to_scalar<T>(static_cast<double>(std::log1p(std::exp(w))));
}

inline double softplus_double(double x) { return x > 20.0 ? x : std::log1p(std::exp(x)); }

// A matrix in compressed-row form over the run's scalar.
template <typename T>
struct CsrMatrix {
  int rows = 0;
  int cols = 0;
  std::vector<int> row_start;
  std::vector<int> col;
  std::vector<T> value;
};

template <typename T>
CsrMatrix<T> to_csr(const SparseD& m) {
  CsrMatrix<T> out;
  out.rows = static_cast<int>(m.rows());
  out.cols = static_cast<int>(m.cols());
  out.row_start.reserve(static_cast<std::size_t>(out.rows) + 1);
  out.row_start.push_back(0);
  for (int r = 0; r < out.rows; ++r) {
    for (SparseD::InnerIterator it(m, r); it; ++it) {
      if (it.value() == 0.0) continue;
      out.col.push_back(static_cast<int>(it.col()));
      out.value.push_back(to_scalar<T>(it.value()));
    }
    out.row_start.push_back(static_cast<int>(out.col.size()));
  }
  return out;
}

template <typename T>
std::vector<T> to_scalars(const Eigen::VectorXd& v) {
  std::vector<T> out(static_cast<std::size_t>(v.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) out[static_cast<std::size_t>(i)] = to_scalar<T>(v[i]);
  return out;
}

template <typename T>
std::vector<T> to_scalars(const std::vector<double>& values) {
  std::vector<T> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = to_scalar<T>(values[i]);
  return out;
}

template <typename T>
std::vector<double> to_doubles(const std::vector<T>& values) {
  std::vector<double> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = from_scalar(values[i]);
  return out;
}

// y = y + M x (y must already hold the bias or zeros), summed as the program
// sums a Linear (runtime/dag_eval): each row starts at its bias and adds its
// terms one by one in column order. A matrix-multiply-then-add order (the sum
// first, the bias last) rounds differently wherever a bias is large next to
// the terms, e.g. 1e10 - 0.2 + 0.3, and f_ifelse's lambda turns that last
// bit into a wrong answer.
template <typename T>
void multiply_add(const CsrMatrix<T>& m, const std::vector<T>& x, std::vector<T>& y) {
  for (int r = 0; r < m.rows; ++r) {
    const int begin = m.row_start[static_cast<std::size_t>(r)];
    const int end = m.row_start[static_cast<std::size_t>(r) + 1];
    T acc = y[static_cast<std::size_t>(r)];
    for (int k = begin; k < end; ++k) {
      acc = acc + m.value[static_cast<std::size_t>(k)] * x[static_cast<std::size_t>(m.col[static_cast<std::size_t>(k)])];
    }
    y[static_cast<std::size_t>(r)] = acc;
  }
}

// The same product for a block of time steps at once, the input projection
// of a whole chunk: X is feature-major (column c of the matrix reads
// x[c * x_stride + t] for t < steps), and row r of step t goes to
// y[t * y_stride + r]. Each element is summed exactly as multiply_add sums
// it (the row's bias, then its terms in column order), so the chunked
// executors give the per-token ones' results bit for bit; the loops over t
// are what the compiler vectorises.
template <typename T>
void project_columns(const CsrMatrix<T>& m, const std::vector<T>& bias, const T* x, std::size_t x_stride,
                     std::size_t steps, T* y, std::size_t y_stride, T* acc) {
  for (int r = 0; r < m.rows; ++r) {
    const std::size_t row = static_cast<std::size_t>(r);
    const T b = bias[row];
    for (std::size_t t = 0; t < steps; ++t) acc[t] = b;
    for (int k = m.row_start[row]; k < m.row_start[row + 1]; ++k) {
      const T w = m.value[static_cast<std::size_t>(k)];
      const T* xc = x + static_cast<std::size_t>(m.col[static_cast<std::size_t>(k)]) * x_stride;
      for (std::size_t t = 0; t < steps; ++t) acc[t] = acc[t] + w * xc[t];
    }
    for (std::size_t t = 0; t < steps; ++t) y[t * y_stride + row] = acc[t];
  }
}

// multiply_add over raw arrays (y holds the bias on entry), for buffers
// that are not vectors of exactly the matrix's height.
template <typename T>
void multiply_add_into(const CsrMatrix<T>& m, const T* x, T* y) {
  for (int r = 0; r < m.rows; ++r) {
    const std::size_t row = static_cast<std::size_t>(r);
    T acc = y[row];
    for (int k = m.row_start[row]; k < m.row_start[row + 1]; ++k) {
      acc = acc + m.value[static_cast<std::size_t>(k)] * x[static_cast<std::size_t>(m.col[static_cast<std::size_t>(k)])];
    }
    y[row] = acc;
  }
}

// bias + M x as a new vector.
template <typename T>
std::vector<T> affine(const CsrMatrix<T>& m, const std::vector<T>& bias, const std::vector<T>& x) {
  std::vector<T> y = bias;
  multiply_add(m, x, y);
  return y;
}

}  // namespace lsrl
