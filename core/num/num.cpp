#include "num/num.hpp"

#include <cstdlib>
#include <sstream>
#include <vector>

namespace lsrl {

bool Num::parse_decimal(std::string_view text, Num& out) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  WideInt mantissa = 0;
  int exponent = 0;
  bool any_digit = false;
  bool overflow = false;
  auto take_digit = [&](char c, bool after_point) {
    any_digit = true;
    if (mantissa < static_cast<WideInt>(1e30)) {
      mantissa = mantissa * 10 + (c - '0');
      if (after_point) --exponent;
    } else if (!after_point) {
      ++exponent;  // digits beyond what we keep only scale the value
      overflow = true;
    } else {
      overflow = true;
    }
  };
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') take_digit(text[i++], false);
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') take_digit(text[i++], true);
  }
  if (!any_digit) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
    int e = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (e < 100000) e = e * 10 + (text[i] - '0');
      ++i;
    }
    exponent += exp_negative ? -e : e;
  }
  if (i != text.size()) return false;

  auto inexact_parse = [&]() {
    std::string copy(text);
    out = Num::inexact(std::strtod(copy.c_str(), nullptr));
  };
  if (overflow || exponent > 36 || exponent < -36) {
    inexact_parse();
    return true;
  }
  WideInt p = mantissa;
  WideInt q = 1;
  constexpr WideInt kLimit = static_cast<WideInt>(1) << 100;
  for (int k = 0; k < exponent; ++k) {
    p *= 10;
    if (p > kLimit) {
      inexact_parse();
      return true;
    }
  }
  for (int k = 0; k < -exponent; ++k) q *= 10;
  out = from_wide(negative ? -p : p, q);
  return true;
}

std::string Num::to_string() const {
  std::ostringstream os;
  if (exact_) {
    if (den_ == 1) {
      os << num_;
    } else {
      os.precision(17);
      os << to_double();
    }
  } else {
    os.precision(17);
    os << approx_;
  }
  return os.str();
}

Eigen::MatrixXd to_double(const NumDense& m) {
  Eigen::MatrixXd out(m.rows(), m.cols());
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) out(r, c) = m(r, c).to_double();
  return out;
}

Eigen::VectorXd to_double(const NumVector& v) {
  Eigen::VectorXd out(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) out(i) = v(i).to_double();
  return out;
}

Eigen::SparseMatrix<double, Eigen::RowMajor> to_double(const NumSparse& m) {
  std::vector<Eigen::Triplet<double>> triplets;
  triplets.reserve(static_cast<std::size_t>(m.nonZeros()));
  for (int r = 0; r < m.outerSize(); ++r)
    for (NumSparse::InnerIterator it(m, r); it; ++it)
      triplets.emplace_back(static_cast<int>(it.row()), static_cast<int>(it.col()), it.value().to_double());
  Eigen::SparseMatrix<double, Eigen::RowMajor> out(m.rows(), m.cols());
  out.setFromTriplets(triplets.begin(), triplets.end());
  return out;
}

NumSparse sparse_identity(int n) {
  NumSparse m(n, n);
  m.reserve(Eigen::VectorXi::Constant(n, 1));
  for (int i = 0; i < n; ++i) m.insert(i, i) = Num(1);
  m.makeCompressed();
  return m;
}

NumSparse sparse_zero(int rows, int cols) { return NumSparse(rows, cols); }

NumSparse sparse_from_dense(const NumDense& m) {
  std::vector<Eigen::Triplet<Num>> triplets;
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c)
      if (!m(r, c).is_zero()) triplets.emplace_back(static_cast<int>(r), static_cast<int>(c), m(r, c));
  NumSparse out(m.rows(), m.cols());
  out.setFromTriplets(triplets.begin(), triplets.end());
  return out;
}

NumDense dense_from_sparse(const NumSparse& m) {
  NumDense out = NumDense::Constant(m.rows(), m.cols(), Num(0));
  for (int r = 0; r < m.outerSize(); ++r)
    for (NumSparse::InnerIterator it(m, r); it; ++it) out(it.row(), it.col()) = it.value();
  return out;
}

NumVector zero_vector(int n) { return NumVector::Constant(n, Num(0)); }

void prune_exact_zeros(NumSparse& m) {
  m.prune([](Eigen::Index, Eigen::Index, const Num& value) { return !value.is_zero(); });
}

}  // namespace lsrl
