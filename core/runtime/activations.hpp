// The activation functions of every executor, in the run's precision: ReLU
// and the Multi gate (the program's own nodes, element-wise over arrays too),
// and the architectures' sigmoid, tanh, GeLU, SiLU and softplus.
#pragma once

#include <cmath>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "runtime/scalar.hpp"

namespace lsrl {

// max(x, 0), with the program's ReLU semantics for the odd inputs: a NaN or a
// zero of either sign gives +0 (x > 0 is false for them).
template <typename T>
inline T act_relu(T x) {
#if defined(__SSE2__)
  // MAXSD / MAXSS return their first operand when it is greater and the
  // second otherwise: exactly the expression below, without the branch g++
  // makes of it, which mispredicts on every sign change of a ReLU's input (a
  // quarter of a GRU's run time). These are the kernels' only intrinsics,
  // and native only: em++ (no __SSE2__) compiles the portable expression.
  if constexpr (std::is_same_v<T, double>) return _mm_cvtsd_f64(_mm_max_sd(_mm_set_sd(x), _mm_setzero_pd()));
  if constexpr (std::is_same_v<T, float>) return _mm_cvtss_f32(_mm_max_ss(_mm_set_ss(x), _mm_setzero_ps()));
#endif
  const T zero{};
  return x > zero ? x : zero;
}

// y = relu(x) element-wise over n values (y may be x).
template <typename T>
inline void relu(const T* x, T* y, std::size_t n) {
  const T zero{};
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > zero ? x[i] : zero;
}

// The Multi gate: y[i] = x[i] * x[i + half], i < half.
template <typename T>
inline void multi_gate(const T* x, std::size_t half, T* y) {
  for (std::size_t i = 0; i < half; ++i) y[i] = x[i] * x[i + half];
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

}  // namespace lsrl
