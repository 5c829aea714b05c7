#include "runtime/kernels.hpp"

#include <cstdint>
#include <cstring>
#include <type_traits>

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

// The bit patterns of the run's scalars, for the exactness checks: testing
// bits is branch-free and vectorises (and costs the same for every scalar),
// where a per-value isfinite / signbit with an early exit cost a fifth of the
// dense product's speed on the models' small matrices (bench_speed).
template <typename T>
struct ScalarBits;
template <>
struct ScalarBits<double> {
  using U = std::uint64_t;
  static constexpr U kSign = U{1} << 63;
  static constexpr U kExponent = U{0x7ff} << 52;
  static constexpr U kExponentLsb = U{1} << 52;
};
template <>
struct ScalarBits<float> {
  using U = std::uint32_t;
  static constexpr U kSign = U{1} << 31;
  static constexpr U kExponent = U{0xff} << 23;
  static constexpr U kExponentLsb = U{1} << 23;
};
template <>
struct ScalarBits<F16> {  // IEEE binary16, xtl::half_float's storage
  using U = std::uint16_t;
  static constexpr U kSign = U{1} << 15;
  static constexpr U kExponent = U{0x1f} << 10;
  static constexpr U kExponentLsb = U{1} << 10;
};
static_assert(sizeof(F16) == 2 && std::is_trivially_copyable_v<F16>, "F16 is a binary16 bit pattern");

template <typename T>
inline typename ScalarBits<T>::U bits_of(T v) {
  typename ScalarBits<T>::U u;
  std::memcpy(&u, &v, sizeof u);
  return u;
}

// Some value is infinite or NaN: its exponent field is all ones, and only
// then does adding one to the field's lowest bit carry into the sign bit.
template <typename T>
inline bool any_non_finite(const T* v, int count) {
  using B = ScalarBits<T>;
  typename B::U carried = 0;
  for (int k = 0; k < count; ++k)
    carried |= static_cast<typename B::U>((bits_of(v[k]) & B::kExponent) + B::kExponentLsb);
  return (carried & B::kSign) != 0;
}

// Some value is -0.0: the sign bit alone.
template <typename T>
inline bool any_negative_zero(const T* v, int count) {
  using B = ScalarBits<T>;
  unsigned found = 0;
  for (int k = 0; k < count; ++k) found |= bits_of(v[k]) == B::kSign ? 1u : 0u;
  return found != 0;
}

// Rows [r0, r0 + kBlock) of y = start + M x for a dense (column-major) M
// with finite weights, the sums held in registers across the columns: each
// row still adds its terms column by column, so the order (and the rounding)
// is the compressed form's. What this fast form adds beyond the compressed
// one, the terms of zero weights, and what it leaves out, the terms of zero
// inputs, change nothing when every input is finite and the row's start is
// not -0: such a term is +-0, and adding a zero leaves a sum unchanged unless
// the sum is -0 (-0 + +0 = +0); a sum is -0 only while it is a -0 start plus
// -0 terms (x + y rounds to -0 only for x = y = -0; a cancellation rounds to
// +0).
//
// So a block whose starts hold a -0 takes exact_rows (its starts are read
// before any row is written: start may be y). And the inputs' finiteness is
// read off the first block's sums, not checked input by input: an infinite
// or NaN input is not zero, so every row adds its product with it, which is
// infinite or NaN whatever the (finite) weight, and a sum stays infinite or
// NaN from then on. A first block whose sums are all finite proves every
// input finite; only one with a non-finite sum (an input, or an overflow)
// checks the inputs, and returns false, before writing anything, when one
// is infinite or NaN. Later blocks check nothing.
template <typename T, int kBlock, bool kFirst>
inline bool dense_block(const WeightMatrix<T>& m, const T* start, const T* x, T* y, int r0) {
  T acc[kBlock];
  for (int k = 0; k < kBlock; ++k) acc[k] = start[r0 + k];
  if (any_negative_zero(acc, kBlock)) {
    if (kFirst && any_non_finite(x, m.cols)) return false;
    exact_rows(m, start, x, y, r0, kBlock);
    return true;
  }
  const T zero{};
  const T* column = m.values.data() + r0;
  for (int c = 0; c < m.cols; ++c, column += m.rows) {
    const T xc = x[c];
    if (xc == zero) continue;  // a zero input adds nothing (ReLU layers are mostly zeros)
    for (int k = 0; k < kBlock; ++k) acc[k] = acc[k] + column[k] * xc;
  }
  if (kFirst && any_non_finite(acc, kBlock) && any_non_finite(x, m.cols)) return false;
  for (int k = 0; k < kBlock; ++k) y[r0 + k] = acc[k];
  return true;
}

template <typename T, int kBlock>
inline bool dense_rows(const WeightMatrix<T>& m, const T* start, const T* x, T* y, int r0) {
  return r0 == 0 ? dense_block<T, kBlock, true>(m, start, x, y, r0) : dense_block<T, kBlock, false>(m, start, x, y, r0);
}

// Every row in blocks of 8, then at most one block each of 4, 2 and 1 (the
// models' matrices are mostly narrower than 8 rows: fewer passes over x).
// False, with nothing written, when an input is infinite or NaN.
template <typename T>
inline bool dense_blocks(const WeightMatrix<T>& m, const T* start, const T* x, T* y) {
  int r = 0;
  for (; r + 8 <= m.rows; r += 8)
    if (!dense_rows<T, 8>(m, start, x, y, r)) return false;
  if (r + 4 <= m.rows) {
    if (!dense_rows<T, 4>(m, start, x, y, r)) return false;
    r += 4;
  }
  if (r + 2 <= m.rows) {
    if (!dense_rows<T, 2>(m, start, x, y, r)) return false;
    r += 2;
  }
  if (r < m.rows && !dense_rows<T, 1>(m, start, x, y, r)) return false;
  return true;
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
void dense_accumulate(const WeightMatrix<T>& m, const T* start, const T* x, T* y) {
  if (m.finite && dense_blocks(m, start, x, y)) return;
  exact_rows(m, start, x, y, 0, m.rows);
}

// Every kernel for the three scalars of a run.
#define LSRL_KERNELS_INSTANTIATE(T)                             \
  template CsrMatrix<T> to_csr<T>(const SparseD&);              \
  template WeightMatrix<T> prepare_matrix<T>(const NumSparse&); \
  template void dense_accumulate<T>(const WeightMatrix<T>&, const T*, const T*, T*);
LSRL_KERNELS_INSTANTIATE(double)
LSRL_KERNELS_INSTANTIATE(float)
LSRL_KERNELS_INSTANTIATE(F16)
#undef LSRL_KERNELS_INSTANTIATE

}  // namespace lsrl
