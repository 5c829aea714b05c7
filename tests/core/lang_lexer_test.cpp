// The lexer: token kinds and values, Python's block structure (INDENT /
// DEDENT / NEWLINE), continuation lines, columns in characters, and the
// errors a stray character or an unclosed string or bracket gives.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lang/lexer.hpp"

namespace lsrl::lang {
namespace {

std::vector<TokenKind> kinds(const std::string& source) {
  std::vector<TokenKind> out;
  for (const Token& t : tokenize(source)) out.push_back(t.kind);
  return out;
}

LsrlError lex_error(const std::string& source) {
  try {
    tokenize(source);
  } catch (const LsrlError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a lexer error for: " << source;
  return LsrlError(SourceSpan{}, "");
}

TEST(LangLexer, SimpleLineGivesNamesOperatorsNumbersAndNewline) {
  const auto tokens = tokenize("y = f_step(x, mu=1000)\n");
  ASSERT_EQ(tokens.size(), 12u);
  EXPECT_EQ(tokens[0].kind, TokenKind::Name);
  EXPECT_EQ(tokens[0].text, "y");
  EXPECT_EQ(tokens[1].text, "=");
  EXPECT_EQ(tokens[2].text, "f_step");
  EXPECT_EQ(tokens[3].text, "(");
  EXPECT_EQ(tokens[7].text, "=");
  EXPECT_EQ(tokens[8].kind, TokenKind::Int);
  EXPECT_EQ(tokens[8].text, "1000");
  EXPECT_EQ(tokens[10].kind, TokenKind::Newline);
  EXPECT_EQ(tokens[11].kind, TokenKind::End);
  // Columns are 1-based; lengths cover the token.
  EXPECT_EQ(tokens[2].span.line, 1);
  EXPECT_EQ(tokens[2].span.col, 5);
  EXPECT_EQ(tokens[2].span.length, 6);
}

TEST(LangLexer, IndentationOpensAndClosesBlocks) {
  const std::string src =
      "for i in range(3):\n"
      "    if i:\n"
      "        pass\n"
      "x = 1\n";
  int indents = 0;
  int dedents = 0;
  for (TokenKind k : kinds(src)) {
    indents += k == TokenKind::Indent;
    dedents += k == TokenKind::Dedent;
  }
  EXPECT_EQ(indents, 2);
  EXPECT_EQ(dedents, 2);
  // Blocks still open at the end of the file are closed.
  const auto open = kinds("if x:\n    y = 1");
  EXPECT_EQ(open[open.size() - 2], TokenKind::Dedent);
  EXPECT_EQ(open.back(), TokenKind::End);
}

TEST(LangLexer, BlankLinesAndCommentsDoNotChangeIndentation) {
  const std::string src =
      "if x:\n"
      "    a = 1\n"
      "\n"
      "  # a comment indented oddly, with text: é ü 漢\n"
      "    b = 2\n";
  int dedents_before_end = 0;
  for (TokenKind k : kinds(src)) dedents_before_end += k == TokenKind::Dedent;
  EXPECT_EQ(dedents_before_end, 1);
}

TEST(LangLexer, NewlinesInsideBracketsAndAfterBackslashContinueTheLine) {
  int newlines = 0;
  for (TokenKind k : kinds("A = [[1, 0],\n     [0, 1]]\nb = 1 + \\\n    2\n")) newlines += k == TokenKind::Newline;
  EXPECT_EQ(newlines, 2);
}

TEST(LangLexer, NumbersOfEveryForm) {
  const auto tokens = tokenize("1_000 0.001 1e10 2.5E-3 .5 10. 0x1F 7");
  EXPECT_EQ(tokens[0].kind, TokenKind::Int);
  EXPECT_EQ(tokens[0].text, "1000");
  EXPECT_EQ(tokens[1].kind, TokenKind::Float);
  EXPECT_EQ(tokens[2].kind, TokenKind::Float);
  EXPECT_EQ(tokens[2].text, "1e10");
  EXPECT_EQ(tokens[3].kind, TokenKind::Float);
  EXPECT_EQ(tokens[3].text, "2.5e-3");
  EXPECT_EQ(tokens[4].kind, TokenKind::Float);
  EXPECT_EQ(tokens[5].kind, TokenKind::Float);
  EXPECT_EQ(tokens[6].kind, TokenKind::Int);
  EXPECT_EQ(tokens[6].text, "0x1F");
  EXPECT_EQ(tokens[7].kind, TokenKind::Int);
}

TEST(LangLexer, StringsDecodeEscapesAndKeepUnicode) {
  const auto tokens = tokenize(R"(s = "a\tb\"c" + 'd\'e' + "é漢\u00e9" + r"\n")");
  EXPECT_EQ(tokens[2].kind, TokenKind::String);
  EXPECT_EQ(tokens[2].text, "a\tb\"c");
  EXPECT_EQ(tokens[4].text, "d'e");
  EXPECT_EQ(tokens[6].text, "é漢é");
  EXPECT_EQ(tokens[8].text, "\\n");
  const auto triple = tokenize("s = \"\"\"two\nlines\"\"\"\n");
  EXPECT_EQ(triple[2].text, "two\nlines");
}

TEST(LangLexer, ColumnsCountCharactersNotBytes) {
  // "é" is two bytes but one column: x is the twelfth character.
  const auto tokens = tokenize("s = \"éé\" + x");
  EXPECT_EQ(tokens[4].text, "x");
  EXPECT_EQ(tokens[4].span.col, 12);
}

TEST(LangLexer, StrayNonAsciiIsAnErrorNamingTheCharacter) {
  const LsrlError e = lex_error("x = Input(dim=1)\ny = x – 1\n");
  EXPECT_EQ(e.span().line, 2);
  EXPECT_EQ(e.span().col, 7);
  EXPECT_NE(e.message().find("U+2013"), std::string::npos) << e.message();
}

TEST(LangLexer, UnterminatedStringPointsAtItsStart) {
  const LsrlError e = lex_error("vocab(\"?ABC)\nx = 1\n");
  EXPECT_EQ(e.span().line, 1);
  EXPECT_EQ(e.span().col, 7);
  EXPECT_NE(e.message().find("never closed"), std::string::npos);
}

TEST(LangLexer, UnclosedAndMismatchedBrackets) {
  const LsrlError open = lex_error("y = Linear(x, [[1]]\n");
  EXPECT_EQ(open.span().col, 11);
  EXPECT_NE(open.message().find("'(' was never closed"), std::string::npos);
  const LsrlError wrong = lex_error("y = [1, 2)\n");
  EXPECT_EQ(wrong.span().col, 10);
  EXPECT_NE(wrong.message().find("does not match '['"), std::string::npos);
  const LsrlError extra = lex_error("y = 1)\n");
  EXPECT_NE(extra.message().find("closes nothing"), std::string::npos);
}

TEST(LangLexer, DedentToAnUnknownLevelIsAnError) {
  const LsrlError e = lex_error("if x:\n        a = 1\n    b = 2\n");
  EXPECT_EQ(e.span().line, 3);
  EXPECT_NE(e.message().find("matches no enclosing block"), std::string::npos);
}

TEST(LangLexer, UnsupportedStringPrefixesAndBadBytes) {
  EXPECT_NE(lex_error("s = f\"{x}\"").message().find("f-strings"), std::string::npos);
  EXPECT_NE(lex_error(std::string("x = 1 \xff")).message().find("UTF-8"), std::string::npos);
  EXPECT_NE(lex_error("x = 3y").message().find("invalid number"), std::string::npos);
  EXPECT_NE(lex_error("x = a ! b").message().find("not"), std::string::npos);
}

}  // namespace
}  // namespace lsrl::lang
