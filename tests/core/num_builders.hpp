// Literal matrices and vectors of Num for hand-built test programs:
// matrix({{1, 0}, {0, 1}}), vec({1, 2}).
#pragma once

#include <initializer_list>

#include "num/num.hpp"

namespace lsrl::test {

inline NumSparse matrix(std::initializer_list<std::initializer_list<Num>> rows) {
  NumDense dense(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.begin()->size()));
  Eigen::Index r = 0;
  for (const auto& row : rows) {
    Eigen::Index c = 0;
    for (const Num& v : row) dense(r, c++) = v;
    ++r;
  }
  return sparse_from_dense(dense);
}

inline NumVector vec(std::initializer_list<Num> values) {
  NumVector v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (const Num& x : values) v[i++] = x;
  return v;
}

}  // namespace lsrl::test
