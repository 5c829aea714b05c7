// Num: the scalar of compilation. An exact rational (64-bit numerator and
// denominator) for as long as every value that went into it was rational and
// nothing overflowed; a double otherwise (cos(pi/5), or a product that no
// longer fits). Compilation multiplies and adds weights many times (fusing
// Linear chains, folding Linears into LinStates, building bypasses); doing it
// exactly and rounding to double once, at the end, is what keeps the large
// constants of f_ifelse (1e10) from eating the small values beside them.
#pragma once

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <ostream>
#include <string>
#include <string_view>

namespace lsrl {

// 128-bit intermediates make the 64-bit rational arithmetic overflow-free;
// __extension__ keeps -Wpedantic quiet about the GNU type (g++, clang, em++).
__extension__ typedef __int128 WideInt;

class Num {
 public:
  Num() = default;
  Num(int value) : num_(value) {}        // NOLINT(google-explicit-constructor)
  Num(long value) : num_(value) {}       // NOLINT(google-explicit-constructor)
  Num(long long value) : num_(value) {}  // NOLINT(google-explicit-constructor)
  // A double is exact only when it holds an integer that fits; other doubles
  // stay inexact (a computed cos() is not the rational its bits spell).
  Num(double value) {  // NOLINT(google-explicit-constructor)
    if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 9.0e18) {
      num_ = static_cast<std::int64_t>(value);
    } else {
      exact_ = false;
      approx_ = value;
    }
  }

  // p / q exactly (q != 0); falls back to a double if it cannot be held.
  static Num rational(std::int64_t p, std::int64_t q) { return from_wide(p, q); }
  static Num inexact(double value) {
    Num n;
    n.exact_ = false;
    n.approx_ = value;
    return n;
  }
  // Parses a decimal literal ("0.001", "1e10", "2.5E-3", "42") exactly when it
  // fits; otherwise as a double. Returns false on malformed text.
  static bool parse_decimal(std::string_view text, Num& out);

  bool is_exact() const { return exact_; }
  bool is_integer() const { return exact_ ? den_ == 1 : approx_ == std::trunc(approx_); }
  std::int64_t numerator() const { return num_; }
  std::int64_t denominator() const { return den_; }
  double to_double() const { return exact_ ? static_cast<double>(num_) / static_cast<double>(den_) : approx_; }
  bool is_zero() const { return exact_ ? num_ == 0 : approx_ == 0.0; }
  int sign() const {
    if (exact_) return (num_ > 0) - (num_ < 0);
    return (approx_ > 0) - (approx_ < 0);
  }
  std::string to_string() const;

  friend Num operator+(const Num& a, const Num& b) {
    if (a.exact_ && b.exact_) {
      if (a.den_ == b.den_) return from_wide(static_cast<WideInt>(a.num_) + b.num_, a.den_);
      return from_wide(static_cast<WideInt>(a.num_) * b.den_ + static_cast<WideInt>(b.num_) * a.den_,
                       static_cast<WideInt>(a.den_) * b.den_);
    }
    return inexact(a.to_double() + b.to_double());
  }
  friend Num operator-(const Num& a, const Num& b) { return a + (-b); }
  friend Num operator*(const Num& a, const Num& b) {
    if (a.exact_ && b.exact_) {
      if (a.num_ == 0 || b.num_ == 0) return Num();
      if (a.den_ == 1 && b.den_ == 1) return from_wide(static_cast<WideInt>(a.num_) * b.num_, 1);
      return from_wide(static_cast<WideInt>(a.num_) * b.num_, static_cast<WideInt>(a.den_) * b.den_);
    }
    return inexact(a.to_double() * b.to_double());
  }
  friend Num operator/(const Num& a, const Num& b) {
    if (a.exact_ && b.exact_ && b.num_ != 0) {
      return from_wide(static_cast<WideInt>(a.num_) * b.den_, static_cast<WideInt>(a.den_) * b.num_);
    }
    return inexact(a.to_double() / b.to_double());
  }
  Num operator-() const {
    if (exact_) {
      if (num_ == INT64_MIN) return inexact(-to_double());
      Num n = *this;
      n.num_ = -num_;
      return n;
    }
    return inexact(-approx_);
  }
  Num& operator+=(const Num& o) { return *this = *this + o; }
  Num& operator-=(const Num& o) { return *this = *this - o; }
  Num& operator*=(const Num& o) { return *this = *this * o; }
  Num& operator/=(const Num& o) { return *this = *this / o; }

  friend bool operator==(const Num& a, const Num& b) {
    if (a.exact_ && b.exact_) return a.num_ == b.num_ && a.den_ == b.den_;
    return a.to_double() == b.to_double();
  }
  friend bool operator!=(const Num& a, const Num& b) { return !(a == b); }
  friend bool operator<(const Num& a, const Num& b) {
    if (a.exact_ && b.exact_) {
      return static_cast<WideInt>(a.num_) * b.den_ < static_cast<WideInt>(b.num_) * a.den_;
    }
    return a.to_double() < b.to_double();
  }
  friend bool operator>(const Num& a, const Num& b) { return b < a; }
  friend bool operator<=(const Num& a, const Num& b) { return !(b < a); }
  friend bool operator>=(const Num& a, const Num& b) { return !(a < b); }

  std::size_t hash() const {
    if (exact_) return std::hash<std::int64_t>()(num_) * 31u + std::hash<std::int64_t>()(den_);
    return std::hash<double>()(approx_);
  }

 private:
  static Num from_wide(WideInt p, WideInt q) {
    if (q < 0) {
      p = -p;
      q = -q;
    }
    if (p == 0) return Num();
    WideInt g = gcd128(p < 0 ? -p : p, q);
    p /= g;
    q /= g;
    constexpr WideInt kMax = static_cast<WideInt>(INT64_MAX);
    if (p > kMax || p < -kMax || q > kMax) {
      return inexact(static_cast<double>(p) / static_cast<double>(q));
    }
    Num n;
    n.num_ = static_cast<std::int64_t>(p);
    n.den_ = static_cast<std::int64_t>(q);
    return n;
  }
  static WideInt gcd128(WideInt a, WideInt b) {
    while (b != 0) {
      WideInt t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  std::int64_t num_ = 0;
  std::int64_t den_ = 1;
  bool exact_ = true;
  double approx_ = 0.0;
};

inline Num abs(const Num& x) { return x.sign() < 0 ? -x : x; }
inline std::ostream& operator<<(std::ostream& os, const Num& x) { return os << x.to_string(); }

}  // namespace lsrl

namespace Eigen {
template <>
struct NumTraits<lsrl::Num> : GenericNumTraits<lsrl::Num> {
  using Real = lsrl::Num;
  using NonInteger = lsrl::Num;
  using Nested = lsrl::Num;
  using Literal = lsrl::Num;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = 2,
    AddCost = 8,
    MulCost = 8
  };
  static inline Real epsilon() { return lsrl::Num(0); }
  static inline Real dummy_precision() { return lsrl::Num(0); }
  static inline Real highest() { return lsrl::Num(INT64_MAX); }
  static inline Real lowest() { return lsrl::Num(-INT64_MAX); }
  static inline int digits10() { return 18; }
};
}  // namespace Eigen

namespace lsrl {

// Matrices of compilation. Weights of the program and the compiled models are
// sparse (most compiled weights are zero); small dense vectors hold biases and
// initial states.
using NumSparse = Eigen::SparseMatrix<Num, Eigen::RowMajor>;
using NumVector = Eigen::Matrix<Num, Eigen::Dynamic, 1>;
using NumDense = Eigen::Matrix<Num, Eigen::Dynamic, Eigen::Dynamic>;

// Conversions to the runtime's doubles.
Eigen::MatrixXd to_double(const NumDense& m);
Eigen::VectorXd to_double(const NumVector& v);
Eigen::SparseMatrix<double, Eigen::RowMajor> to_double(const NumSparse& m);

// Small builders used all over the compiler and the sugar library.
NumSparse sparse_identity(int n);
NumSparse sparse_zero(int rows, int cols);
NumSparse sparse_from_dense(const NumDense& m);
NumDense dense_from_sparse(const NumSparse& m);
NumVector zero_vector(int n);
// Drops explicit zeros (exact zeros only: an inexact 1e-300 is kept).
void prune_exact_zeros(NumSparse& m);

}  // namespace lsrl
