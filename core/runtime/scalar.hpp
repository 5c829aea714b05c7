// The run's scalar: every executor (the program's evaluator and every target)
// computes in double, float or F16, and this is the one place that says what
// those are and how a weight becomes one. A weight is rounded once, from the
// double nearest the compiler's exact number (NumSparse / NumVector) or from
// the targets' double matrices, to the run's scalar; a step's output goes back
// to double exactly (every float and half is a double).
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>
#include <xtl/xhalf_float.hpp>

#include "num/num.hpp"
#include "runtime/trace.hpp"

namespace lsrl {

// Half precision. xtl::half_float (half 2.x) rounds the result of every
// operation to half: `a + b * c` is two roundings, as a half-precision model
// computes it (there are no expression templates that would carry b * c in
// float). The wrapper adds nothing to that arithmetic; it exists because
// xtl::half_float's unconstrained operator templates are found by
// argument-dependent lookup on anything templated over it (even
// std::vector<half>::iterator + int becomes ambiguous). Hidden friends are
// found only for F16 itself.
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

// A double rounded to the run's scalar. F16 goes through float (double ->
// float -> half, the conversion every executor has always used, so weights
// round identically everywhere).
template <typename T>
inline T to_scalar(double v) {
  if constexpr (std::is_same_v<T, F16>) {
    return F16(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}

// The scalar back in double (exact).
template <typename T>
inline double from_scalar(T v) {
  if constexpr (std::is_same_v<T, F16>) {
    return static_cast<double>(v.to_float());
  } else {
    return static_cast<double>(v);
  }
}

// Neither infinite nor NaN.
template <typename T>
inline bool is_finite(T v) {
  if constexpr (std::is_same_v<T, F16>) {
    return std::isfinite(v.to_float());
  } else {
    return std::isfinite(v);
  }
}

// -0.0: the one value whose sum with a +0.0 term is not itself (-0 + +0 = +0).
template <typename T>
inline bool is_negative_zero(T v) {
  return v == T{} && std::signbit(from_scalar(v));
}

// The wider type the transcendental functions are evaluated in: double for
// f64, float for f32 and f16 (then rounded to the run's scalar), the way a
// half-precision kernel computes them in a wider register.
template <typename T>
using WideOf = std::conditional_t<std::is_same_v<T, double>, double, float>;

template <typename T>
std::vector<T> to_scalars(const Eigen::VectorXd& v) {
  std::vector<T> out(static_cast<std::size_t>(v.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) out[static_cast<std::size_t>(i)] = to_scalar<T>(v[i]);
  return out;
}

template <typename T>
std::vector<T> to_scalars(const NumVector& v) {
  std::vector<T> out(static_cast<std::size_t>(v.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) out[static_cast<std::size_t>(i)] = to_scalar<T>(v[i].to_double());
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

// The chunked executors hold a chunk of steps feature-major (component i of
// step t at [i * ld + t]). Tokens [first, first + steps) into such a chunk:
template <typename T>
void load_chunk(const std::vector<std::vector<double>>& tokens, std::size_t first, std::size_t steps, std::size_t width,
                T* chunk, std::size_t ld) {
  for (std::size_t t = 0; t < steps; ++t)
    for (std::size_t i = 0; i < width; ++i) chunk[i * ld + t] = to_scalar<T>(tokens[first + t][i]);
}

// ... and a chunk's output back to one row of doubles per step.
template <typename T>
void append_chunk_rows(const T* chunk, std::size_t width, std::size_t ld, std::size_t steps, OutputRows& outputs) {
  for (std::size_t t = 0; t < steps; ++t) {
    std::vector<double> row(width);
    for (std::size_t i = 0; i < width; ++i) row[i] = from_scalar(chunk[i * ld + t]);
    outputs.push_back(std::move(row));
  }
}

// Calls run_typed with a value of the scalar type `precision` names (double,
// float or F16): a generic lambda reads the type as decltype(argument).
template <typename RunTyped>
auto run_in_precision(Precision precision, const RunTyped& run_typed) {
  switch (precision) {
    case Precision::F64:
      return run_typed(double{});
    case Precision::F32:
      return run_typed(float{});
    case Precision::F16:
      return run_typed(F16{});
  }
  return run_typed(double{});
}

}  // namespace lsrl
