// Exact matrix algebra on Num for the compiler: products, stacking, selections.
// Eigen's sparse storage holds the matrices; the loops are our own so every
// operation stays exact (rational) where its inputs are, drops exact zeros,
// and costs time in proportion to the non-zeros it touches.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "num/num.hpp"

namespace lsrl {

// A row-major sparse matrix assembled row by row (columns in any order within
// a row; duplicates are summed, exact zeros dropped).
class SparseAssembler {
 public:
  SparseAssembler(int rows, int cols) : rows_(rows), cols_(cols) {}
  void add(int row, int col, const Num& value);
  NumSparse finish();

 private:
  int rows_;
  int cols_;
  std::vector<Eigen::Triplet<Num>> triplets_;
};

// product(A, B) = A * B (A: m x k, B: k x n).
NumSparse multiply(const NumSparse& A, const NumSparse& B);
// A * v.
NumVector multiply(const NumSparse& A, const NumVector& v);
NumVector add(const NumVector& a, const NumVector& b);
NumSparse add(const NumSparse& A, const NumSparse& B);
NumSparse negate(const NumSparse& A);
NumVector negate(const NumVector& v);
NumSparse scale(const NumSparse& A, const Num& factor);

// [A1; A2; ...] (all with the same column count).
NumSparse vstack(const std::vector<const NumSparse*>& blocks);
NumVector stack_vectors(const std::vector<const NumVector*>& blocks);
// [A1, A2, ...] (same row count).
NumSparse hstack(const std::vector<const NumSparse*>& blocks);
// diag(A1, A2, ...).
NumSparse block_diagonal(const std::vector<const NumSparse*>& blocks);

// The (end - begin) x width matrix selecting x[begin:end].
NumSparse selection_matrix(int width, int begin, int end);
// Rows [begin, end) of A.
NumSparse row_range(const NumSparse& A, int begin, int end);
NumVector segment(const NumVector& v, int begin, int end);
// Rows of A listed in `rows` (in that order).
NumSparse pick_rows(const NumSparse& A, const std::vector<int>& rows);
NumVector pick_entries(const NumVector& v, const std::vector<int>& rows);
// Columns of A listed in `cols` (new column k = old column cols[k]).
NumSparse pick_columns(const NumSparse& A, const std::vector<int>& cols);
// Places A's columns at `offset` inside a matrix with `width` columns.
NumSparse embed_columns(const NumSparse& A, int offset, int width);
NumVector constant_vector(int n, const Num& value);
bool is_zero_matrix(const NumSparse& A);
bool is_zero_vector(const NumVector& v);
bool is_identity(const NumSparse& A);

// ±2^k (exact): multiplying by it never rounds.
bool is_signed_power_of_two(const Num& v);
// Would computing A2 (A1 x + b1) + b2 as (A2 A1) x + (A2 b1 + b2) round
// exactly as the two steps do (the program's own evaluation order: bias,
// then the terms by column)? Row by row, it does when the row of A2 is one
// signed power of two times one row of A1 and adds no bias of its own, or
// when every row of A1 it reads only picks one input (times a power of two,
// adding nothing) and those inputs come in column order. Other fusions are
// exact in the rationals but round differently, and programs with large
// constants (f_ifelse's lambda = 1e10 times a step's 1000 - 1000 * 0.999)
// turn a last-bit difference into a wrong answer; so the compiler makes
// only these.
bool composition_rounds_alike(const NumSparse& A2, const NumVector& b2, const NumSparse& A1, const NumVector& b1);
// The same for a LinState's B (and bias) reading C x + c: every row of B
// reads only rows of C that pick one input, in column order, adding nothing.
bool state_input_rounds_alike(const NumSparse& B, const NumSparse& C, const NumVector& c);

// A double holds it exactly (an exact rational with a power-of-two
// denominator and a numerator below 2^53).
bool is_double_exact(const Num& v);
// start + t_1 + t_2 + ... with every term and every partial sum held exactly
// by a double: summing it in floating point, in any order the program might,
// gives exactly the rational result.
bool sum_is_double_exact(const Num& start, const std::vector<Num>& terms);

// A hashable, exactly comparable key for a Num: exact values by (p, q),
// inexact ones by their bits; an exact and an inexact value never match,
// which only ever costs a missed merge.
struct NumKey {
  bool exact = true;
  std::int64_t a = 0;
  std::int64_t b = 0;
  explicit NumKey(const Num& x) : exact(x.is_exact()) {
    if (exact) {
      a = x.numerator();
      b = x.denominator();
    } else {
      double d = x.to_double();
      if (d == 0.0) d = 0.0;  // -0.0 and 0.0 are the same weight
      std::memcpy(&a, &d, sizeof d);
    }
  }
  bool operator==(const NumKey& o) const { return exact == o.exact && a == o.a && b == o.b; }
  bool operator<(const NumKey& o) const {
    if (exact != o.exact) return exact < o.exact;
    if (a != o.a) return a < o.a;
    return b < o.b;
  }
  std::size_t hash() const {
    std::size_t h = std::hash<std::int64_t>()(a);
    h ^= std::hash<std::int64_t>()(b) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h ^ (exact ? 0x51ULL : 0x93ULL);
  }
};

}  // namespace lsrl
