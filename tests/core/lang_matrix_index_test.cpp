// Subscripts of build-time matrices follow the reference library's Matrix
// (github:AleksandarPetrov/LSRL, lsrl/matrix_tools.py, Matrix.__getitem__, in
// its default symbolic mode): every result is a matrix. The expected values
// below are what the reference printed (r.shape, r.matrix.tolist()) for
//   from lsrl import Matrix
//   M = Matrix([[1,2,3],[4,5,6],[7,8,9]]); v = Matrix([[10],[20],[30],[40]])
// run with Debian's python3 3.11, sympy 1.11.1 (scipy, networkx and
// matplotlib stubbed out: the symbolic mode does not use them). Lists of lists
// stay Python lists.
#include <gtest/gtest.h>

#include <string>

#include "lang/build.hpp"
#include "runtime/dag_eval.hpp"

namespace lsrl {
namespace {

const char* const kMatrices = "M = Matrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]])\nv = Matrix([[10], [20], [30], [40]])\n";

BuildResult build(const std::string& source) {
  BuildOptions options;
  options.filename = "test.lsrl";
  return build_program(source, options);
}

// Each line is an assert about M and v; the build fails if one does not hold.
void expect_asserts_hold(const std::string& asserts) {
  const BuildResult r = build(std::string(kMatrices) + asserts + "x = Input(dim=1)\nreturn x\n");
  EXPECT_TRUE(r.ok) << render_all(r.diagnostics) << "\nfor:\n" << asserts;
}

// The one-line `statement` (line 3, after kMatrices) fails with `fragment`.
void expect_error(const std::string& statement, const std::string& fragment) {
  const BuildResult r = build(std::string(kMatrices) + statement + "\nx = Input(dim=1)\nreturn x\n");
  ASSERT_FALSE(r.ok) << "expected an error for: " << statement;
  ASSERT_FALSE(r.diagnostics.empty());
  const Diagnostic& d = r.diagnostics.front();
  EXPECT_EQ(d.span.line, 3) << statement << ": " << d.message;
  EXPECT_GE(d.span.col, 1) << statement;
  EXPECT_NE(d.message.find(fragment), std::string::npos) << statement << ": " << d.message;
}

TEST(LangMatrixIndex, TwoIndicesGiveMatricesAsInTheReference) {
  expect_asserts_hold(
      // reference: M[1, 1] -> (1, 1) [[5]]
      "assert M[1, 1] == Matrix([[5]]) and M[1, 1].shape == (1, 1)\n"
      // M[0, :] -> (1, 3) [[1, 2, 3]];  M[0, 0:] -> (1, 3) [[1, 2, 3]]
      "assert M[0, :] == Matrix([[1, 2, 3]]) and M[0, 0:] == Matrix([[1, 2, 3]])\n"
      // M[:, 1] -> (3, 1) [[2], [5], [8]]
      "assert M[:, 1] == Matrix([[2], [5], [8]])\n"
      // M[0:2, 1:3] -> (2, 2) [[2, 3], [5, 6]]
      "assert M[0:2, 1:3] == Matrix([[2, 3], [5, 6]])\n"
      // M[-1, -1] -> (1, 1) [[9]];  M[-1, :] -> (1, 3) [[7, 8, 9]];  M[:, -1] -> (3, 1) [[3], [6], [9]]
      "assert M[-1, -1] == Matrix([[9]]) and M[-1, :] == Matrix([[7, 8, 9]]) and M[:, -1] == Matrix([[3], [6], [9]])\n"
      // M[1:, :-1] -> (2, 2) [[4, 5], [7, 8]];  M[-2:, -2:] -> (2, 2) [[5, 6], [8, 9]]
      "assert M[1:, :-1] == Matrix([[4, 5], [7, 8]]) and M[-2:, -2:] == Matrix([[5, 6], [8, 9]])\n"
      // M[::2, :] -> (2, 3) [[1, 2, 3], [7, 8, 9]];  M[:, ::2] -> (3, 2) [[1, 3], [4, 6], [7, 9]]
      "assert M[::2, :] == Matrix([[1, 2, 3], [7, 8, 9]]) and M[:, ::2] == Matrix([[1, 3], [4, 6], [7, 9]])\n"
      // M[0, ::-1] -> (1, 3) [[3, 2, 1]];  M[0:5, 0:5] -> (3, 3) the whole matrix
      "assert M[0, ::-1] == Matrix([[3, 2, 1]]) and M[0:5, 0:5] == M\n"
      // M.T[0, :] -> (1, 3) [[1, 4, 7]]
      "assert M.T[0, :] == Matrix([[1, 4, 7]])\n"
      // M[0, :] @ v[0:3] -> (1, 1) [[140]];  M[1, 1] * 2 + 1 -> (1, 1) [[11]]
      "assert M[0, :] @ v[0:3] == Matrix([[140]]) and M[1, 1] * 2 + 1 == Matrix([[11]])\n");
}

TEST(LangMatrixIndex, OneIndexOnAColumnVectorAsInTheReference) {
  expect_asserts_hold(
      // v[1] -> (1, 1) [[20]];  v[-1] -> (1, 1) [[40]]
      "assert v[1] == Matrix([[20]]) and v[-1] == Matrix([[40]])\n"
      // v[1:3] -> (2, 1) [[20], [30]];  v[-2:] -> (2, 1) [[30], [40]];  v[:-1] -> (3, 1) [[10], [20], [30]]
      "assert v[1:3] == Matrix([[20], [30]]) and v[-2:] == Matrix([[30], [40]]) and v[:-1] == Matrix([[10], [20], "
      "[30]])\n"
      // v[2:10] -> (2, 1) [[30], [40]] (a slice past the end is cut, as in Python)
      "assert v[2:10] == Matrix([[30], [40]])\n"
      // v[1, 0] -> (1, 1) [[20]];  v[1:3, 0] -> (2, 1) [[20], [30]];  v[1, :] -> (1, 1) [[20]]
      "assert v[1, 0] == Matrix([[20]]) and v[1:3, 0] == Matrix([[20], [30]]) and v[1, :] == Matrix([[20]])\n");
}

TEST(LangMatrixIndex, WhatTheReferenceRefusesIsAPositionedError) {
  // reference: M[1] -> IndexError "Cannot get a single element from a matrix with multiple columns."
  expect_error("r = M[1]", "take a row with M[i, :]");
  // M[0:2] -> IndexError (the same)
  expect_error("r = M[0:2]", "needs a column vector, but this is a 3 x 3 matrix");
  // v[::2] -> IndexError "Matrix does not support steps in slicing"
  expect_error("r = v[::2]", "cannot have a step");
  // M[2:1, :] -> ValueError "Matrix must have at least one row and one column, got (0, 3)"
  expect_error("r = M[2:1, :]", "is empty (0 x 3)");
  // v[3:1] -> ValueError (0, 0)
  expect_error("r = v[3:1]", "is empty");
  // M[3, 0], M[0, 3], M[-4, 0], v[4] -> IndexError "Index out of range"
  expect_error("r = M[3, 0]", "index 3 is out of range for the rows of a 3 x 3 matrix");
  expect_error("r = M[0, 3]", "index 3 is out of range for the columns of a 3 x 3 matrix");
  expect_error("r = M[-4, 0]", "index -4 is out of range");
  expect_error("r = v[4]", "index 4 is out of range for the rows of a 4 x 1 matrix");
  // M[0, 1, 2] -> IndexError "Matrix supports only 2D slicing"
  expect_error("r = M[0, 1, 2]", "a matrix has two axes");
  // Python (sympy) would call M[1, 1] == 5 False: here it is an error that says what to write.
  expect_error("r = M[1, 1] == 5", "float(M[i, j])");
}

TEST(LangMatrixIndex, ListsOfListsStayPythonLists) {
  expect_asserts_hold(
      "xs = [[1, 2, 3], [4, 5, 6]]\n"
      "assert xs[1] == [4, 5, 6] and xs[1][2] == 6 and xs[-1][-1] == 6\n"
      "assert xs[0][::2] == [1, 3] and xs[::-1] == [[4, 5, 6], [1, 2, 3]] and xs[5:] == []\n"
      "w = [10, 20, 30]\n"
      "assert w[1] == 20 and w[-1] == 30 and w[0:2] == [10, 20]\n");
  expect_error("r = [[1, 2], [3, 4]][0, 1]", "index it as xs[i]");
}

TEST(LangMatrixIndex, AOneByOneMatrixStandsForItsNumber) {
  expect_asserts_hold(
      "assert float(M[1, 1]) == 5 and int(v[2]) == 30\n"
      "assert M[1, 1] + 1 == Matrix([[6]])\n"
      // Rows taken from a matrix stack into one, as lists of numbers do.
      "assert [M[2, :], M[0, :]] @ v[0:3] == Matrix([[500], [140]])\n"
      "assert [M[0, 0], M[1, 1]] @ Matrix([[1, 2]]) == Matrix([[1, 2], [5, 10]])\n");
  expect_error("r = range(M[1, 1])", "take its number with int(M[i, j])");
}

// A program ported from the reference that uses a matrix row as Linear's A
// computes the dot product with that row (the reference's M[0, :] is 1 x 3).
TEST(LangMatrixIndex, ARowAsLinearsMatrixComputesTheRowTimesTheInput) {
  const BuildResult r = build(std::string(kMatrices) +
                              "x = Input(dim=3)\n"
                              "y = Linear(x, A=M[1, :], b=v[0])\n"
                              "z = x * M[2, 2]\n"
                              "return Concat([y, z])\n");
  ASSERT_TRUE(r.ok) << render_all(r.diagnostics);
  ASSERT_EQ(r.program.output_dim(), 4);
  const std::vector<std::vector<double>> tokens = {{1, 0, 0}, {0.5, -2, 3}};
  const OutputRows out = evaluate_program(r.program, tokens, Precision::F64, nullptr);
  ASSERT_EQ(out.size(), 2u);
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    const auto& in = tokens[t];
    // Row [4, 5, 6] of M, plus b = 10; then 9 times the input.
    EXPECT_EQ(out[t][0], 4 * in[0] + 5 * in[1] + 6 * in[2] + 10) << t;
    for (int i = 0; i < 3; ++i) EXPECT_EQ(out[t][static_cast<std::size_t>(i) + 1], 9 * in[static_cast<std::size_t>(i)]);
  }
}

TEST(LangMatrixIndex, AShapeThePrimitiveCannotUseNamesBothShapes) {
  const std::string head = std::string(kMatrices) + "x = Input(dim=3)\n";
  BuildResult r = build(head + "y = Linear(x, A=M[:, 0])\nreturn y\n");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.diagnostics.front().span.line, 4);
  EXPECT_NE(r.diagnostics.front().message.find("A is 3 x 1"), std::string::npos) << r.diagnostics.front().message;
  EXPECT_NE(r.diagnostics.front().message.find("A must have 3 columns"), std::string::npos);
  r = build(head + "y = Linear(x, A=M, b=M[0, :])\nreturn y\n");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.diagnostics.front().span.line, 4);
  EXPECT_NE(r.diagnostics.front().message.find("must be a column vector, but it is a 1 x 3 matrix"), std::string::npos)
      << r.diagnostics.front().message;
}

}  // namespace
}  // namespace lsrl
