// The lexer: LSRL source text (UTF-8, a Python subset) into tokens, with
// Python's NEWLINE / INDENT / DEDENT tokens for the block structure. Newlines
// inside brackets and after a backslash continue the line. Columns count
// characters (code points), 1-based, so carets line up under the text.
#pragma once

#include <string>
#include <vector>

#include "common/diagnostics.hpp"

namespace lsrl::lang {

enum class TokenKind {
  Name,     // identifiers and keywords (the parser tells them apart)
  Int,      // 42, 1_000, 0x1F
  Float,    // 0.001, 1e10, .5
  String,   // 'text' or "text" (text holds the decoded value)
  Op,       // operators and punctuation: + - ** // ( ) [ ] , : . = += ...
  Newline,  // end of a logical line
  Indent,
  Dedent,
  End,
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string text;  // as written (Name, Int, Float, Op); the decoded value for String
  SourceSpan span;
};

const char* token_kind_name(TokenKind kind);
// How a token reads in "expected X, found Y" messages: "name 'foo'", "'('", "end of line".
std::string describe_token(const Token& token);

// Throws LsrlError at the offending character for: an unexpected character
// (any non-ASCII outside strings and comments), an unterminated string, an
// unindent that matches no outer level, a closing bracket that closes
// nothing (or the wrong kind), a bracket left open at the end of the file,
// invalid UTF-8.
std::vector<Token> tokenize(const std::string& source);

}  // namespace lsrl::lang
