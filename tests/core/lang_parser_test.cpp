// The parser: the shape of the tree for each construct of the Python subset,
// and syntax errors that say where and what was expected.
#include <gtest/gtest.h>

#include <string>

#include "lang/parser.hpp"

namespace lsrl::lang {
namespace {

LsrlError parse_error(const std::string& source) {
  try {
    parse_source(source);
  } catch (const LsrlError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a syntax error for:\n" << source;
  return LsrlError(SourceSpan{}, "");
}

void expect_error(const std::string& source, int line, int col, const std::string& fragment) {
  const LsrlError e = parse_error(source);
  EXPECT_EQ(e.span().line, line) << e.message();
  EXPECT_EQ(e.span().col, col) << e.message();
  EXPECT_NE(e.message().find(fragment), std::string::npos) << "message: " << e.message();
}

TEST(LangParser, AssignmentCallWithKeywords) {
  const std::string line = "ctr = LinState(x, A=[[1]], B=[[1]], init_state=[[0]])";
  const Module m = parse_source(line + "\n");
  ASSERT_EQ(m.body.size(), 1u);
  const Stmt& s = *m.body[0];
  ASSERT_EQ(s.kind, StmtKind::Assign);
  EXPECT_EQ(s.targets[0]->text, "ctr");
  const Expr& call = *s.value;
  ASSERT_EQ(call.kind, ExprKind::Call);
  EXPECT_EQ(call.items[0]->text, "LinState");
  ASSERT_EQ(call.args.size(), 4u);
  EXPECT_TRUE(call.args[0].keyword.empty());
  EXPECT_EQ(call.args[1].keyword, "A");
  EXPECT_EQ(call.args[3].keyword, "init_state");
  EXPECT_EQ(call.args[1].value->kind, ExprKind::List);
  // The call's span covers the call on its line.
  EXPECT_EQ(call.span.col, 7);
  EXPECT_EQ(call.span.length, static_cast<int>(line.size()) - 6);
}

TEST(LangParser, OperatorPrecedenceAndAssociativity) {
  // a - b - c * d ** e ** f parses as (a - b) - (c * (d ** (e ** f))).
  const Module m = parse_source("r = a - b - c * d ** e ** f\n");
  const Expr& top = *m.body[0]->value;
  ASSERT_EQ(top.kind, ExprKind::Binary);
  EXPECT_EQ(top.text, "-");
  EXPECT_EQ(top.items[0]->text, "-");
  const Expr& product = *top.items[1];
  EXPECT_EQ(product.text, "*");
  const Expr& power = *product.items[1];
  EXPECT_EQ(power.text, "**");
  EXPECT_EQ(power.items[1]->text, "**");
  // Unary minus binds weaker than **: -2 ** 2 is -(2 ** 2).
  const Module u = parse_source("r = -2 ** 2\n");
  EXPECT_EQ(u.body[0]->value->kind, ExprKind::Unary);
}

TEST(LangParser, ComprehensionsConditionalsAndComparisons) {
  const Module m = parse_source(
      "xs = [f(i) for i in range(n) if i % 2 == 0 for j in ys]\n"
      "y = a if c else b\n"
      "ok = 0 < k <= n and not done or other\n");
  const Expr& comp = *m.body[0]->value;
  ASSERT_EQ(comp.kind, ExprKind::ListComp);
  ASSERT_EQ(comp.clauses.size(), 2u);
  EXPECT_EQ(comp.clauses[0].conditions.size(), 1u);
  EXPECT_EQ(m.body[1]->value->kind, ExprKind::IfExp);
  const Expr& logic = *m.body[2]->value;
  ASSERT_EQ(logic.kind, ExprKind::BoolOp);
  EXPECT_EQ(logic.text, "or");
  const Expr& conj = *logic.items[0];
  EXPECT_EQ(conj.text, "and");
  ASSERT_EQ(conj.items[0]->kind, ExprKind::Compare);
  EXPECT_EQ(conj.items[0]->compare_ops.size(), 2u);
}

TEST(LangParser, SlicesAndMultiIndices) {
  const Module m = parse_source("a = x[-2:]\nb = M[1, 0:2]\nc = xs[::-1]\n");
  const Expr& a = *m.body[0]->value;
  ASSERT_EQ(a.kind, ExprKind::Subscript);
  ASSERT_EQ(a.items[1]->kind, ExprKind::Slice);
  EXPECT_NE(a.items[1]->items[0], nullptr);
  EXPECT_EQ(a.items[1]->items[1], nullptr);
  const Expr& b = *m.body[1]->value;
  ASSERT_EQ(b.items[1]->kind, ExprKind::Tuple);
  EXPECT_EQ(b.items[1]->items.size(), 2u);
  const Expr& c = *m.body[2]->value;
  EXPECT_NE(c.items[1]->items[2], nullptr);
}

TEST(LangParser, CompoundStatements) {
  const Module m = parse_source(
      "import lsrl\n"
      "from lsrl.matrix_tools import Matrix\n"
      "def step(x, mu=1000):\n"
      "    \"\"\"A docstring.\"\"\"\n"
      "    return f_step(x, mu)\n"
      "ForEach:\n"
      "    for i, v in enumerate(vs):\n"
      "        if i == 0:\n"
      "            continue\n"
      "        elif i > 3: break\n"
      "        else:\n"
      "            total += v\n"
      "    while k < 3:\n"
      "        k += 1\n"
      "    a, b = 1, 2\n"
      "    assert a < b, 'ordered'\n"
      "    return x\n");
  ASSERT_EQ(m.body.size(), 4u);
  EXPECT_EQ(m.body[0]->kind, StmtKind::Import);
  EXPECT_EQ(m.body[1]->kind, StmtKind::Import);
  EXPECT_EQ(m.body[1]->op, "from");
  const Stmt& def = *m.body[2];
  ASSERT_EQ(def.kind, StmtKind::Def);
  EXPECT_EQ(def.name, "step");
  ASSERT_EQ(def.params.size(), 2u);
  EXPECT_EQ(def.params[0].default_value, nullptr);
  EXPECT_NE(def.params[1].default_value, nullptr);
  const Stmt& body = *m.body[3];
  ASSERT_EQ(body.kind, StmtKind::ForEach);
  ASSERT_EQ(body.body.size(), 5u);
  const Stmt& loop = *body.body[0];
  EXPECT_EQ(loop.kind, StmtKind::For);
  EXPECT_EQ(loop.target->kind, ExprKind::Tuple);
  const Stmt& branch = *loop.body[0];
  ASSERT_EQ(branch.kind, StmtKind::If);
  ASSERT_EQ(branch.orelse.size(), 1u);  // elif is an If inside else
  EXPECT_EQ(branch.orelse[0]->kind, StmtKind::If);
  EXPECT_EQ(branch.orelse[0]->orelse[0]->kind, StmtKind::AugAssign);
  EXPECT_EQ(body.body[1]->kind, StmtKind::While);
  EXPECT_EQ(body.body[2]->targets.size(), 1u);
  EXPECT_EQ(body.body[3]->kind, StmtKind::Assert);
  EXPECT_EQ(body.body[4]->kind, StmtKind::Return);
}

TEST(LangParser, StatementsSeparatedBySemicolonsAndOneLineBlocks) {
  const Module m = parse_source("a = 1; b = 2\nif a: c = 3\n");
  ASSERT_EQ(m.body.size(), 3u);
  EXPECT_EQ(m.body[2]->body.size(), 1u);
}

TEST(LangParser, SyntaxErrorsSayWhatWasExpected) {
  expect_error("if n > 1\n    n = 2\n", 1, 9, "expected ':' at the end of the 'if' line");
  expect_error("for i in range(3):\nx = 1\n", 2, 1, "expected an indented block after the 'for' on line 1");
  expect_error("x = 1\n    y = 2\n", 2, 5, "unexpected indentation");
  expect_error("y = x 2\n", 1, 7, "is an operator, a comma or a line break missing?");
  expect_error("y = (x +\n", 1, 5, "'(' was never closed");
  expect_error("y = x +\n", 1, 8, "expected an expression, found end of line");
  expect_error("f(x) = 1\n", 1, 1, "cannot assign to a function call");
  expect_error("if x = 1:\n    pass\n", 1, 6, "to compare, write '=='");
  expect_error("y = f(a=1, 2)\n", 1, 12, "positional argument cannot follow a keyword argument");
  expect_error("y = f(a=1, a=2)\n", 1, 12, "given twice");
  expect_error("def f(a=1, b):\n    pass\n", 1, 12, "has no default but follows one that has");
  expect_error("f = lambda x: x\n", 1, 5, "lambda is not part of LSRL");
  expect_error("class A:\n    pass\n", 1, 1, "classes are not part of LSRL");
  expect_error("d = {1: 2}\n", 1, 5, "dicts and sets are not part of LSRL");
  expect_error("break\n", 1, 1, "'break' outside a loop");
  expect_error("else:\n    pass\n", 1, 1, "without a matching 'if'");
  expect_error("x = [1, 2\ny = 3\n", 1, 5, "'[' was never closed");
  expect_error("return = 3\n", 1, 8, "expected an expression");
}

TEST(LangParser, NestingLimitsGiveErrorsInsteadOfExhaustingTheStack) {
  const std::string deep = "x = " + std::string(5000, '(') + "1" + std::string(5000, ')') + "\n";
  EXPECT_NE(parse_error(deep).message().find("limit exceeded"), std::string::npos);
  std::string chain = "x = 1";
  for (int i = 0; i < 2000; ++i) chain += " + 1";
  EXPECT_NE(parse_error(chain + "\n").message().find("limit exceeded"), std::string::npos);
  std::string unary = "x = " + std::string(3000, '-') + "1\n";
  EXPECT_NE(parse_error(unary).message().find("limit exceeded"), std::string::npos);
  std::string blocks;
  for (int i = 0; i < 200; ++i) blocks += std::string(static_cast<std::size_t>(i), ' ') + "if x:\n";
  blocks += std::string(200, ' ') + "pass\n";
  EXPECT_NE(parse_error(blocks).message().find("limit exceeded"), std::string::npos);
}

TEST(LangParser, ReservedWordsCannotBeNames) {
  EXPECT_TRUE(is_reserved_word("lambda"));
  EXPECT_TRUE(is_reserved_word("None"));
  EXPECT_FALSE(is_reserved_word("input"));
  EXPECT_NE(parse_error("def for():\n    pass\n").message().find("reserved word 'for'"), std::string::npos);
}

}  // namespace
}  // namespace lsrl::lang
