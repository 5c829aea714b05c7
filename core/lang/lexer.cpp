#include "lang/lexer.hpp"

#include <cstdio>

namespace lsrl::lang {

const char* token_kind_name(TokenKind kind) {
  switch (kind) {
    case TokenKind::Name:
      return "name";
    case TokenKind::Int:
      return "integer";
    case TokenKind::Float:
      return "number";
    case TokenKind::String:
      return "string";
    case TokenKind::Op:
      return "operator";
    case TokenKind::Newline:
      return "end of line";
    case TokenKind::Indent:
      return "indent";
    case TokenKind::Dedent:
      return "dedent";
    case TokenKind::End:
      return "end of file";
  }
  return "token";
}

std::string describe_token(const Token& token) {
  switch (token.kind) {
    case TokenKind::Name:
      return "'" + token.text + "'";
    case TokenKind::Int:
    case TokenKind::Float:
      return "number " + token.text;
    case TokenKind::String:
      return "a string";
    case TokenKind::Op:
      return "'" + token.text + "'";
    case TokenKind::Newline:
      return "end of line";
    case TokenKind::Indent:
      return "an indented block";
    case TokenKind::Dedent:
      return "the end of the indented block";
    case TokenKind::End:
      return "end of file";
  }
  return "token";
}

namespace {

// Decodes one UTF-8 sequence at s[i]; returns its length, 0 if invalid.
std::size_t decode_utf8(const std::string& s, std::size_t i, char32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  std::size_t len = 0;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string code_point_label(char32_t cp) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(cp));
  return buffer;
}

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }
bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

char closing_for(char open) { return open == '(' ? ')' : open == '[' ? ']' : '}'; }

class Lexer {
 public:
  explicit Lexer(const std::string& source) : src_(source) {}

  std::vector<Token> run() {
    while (i_ < src_.size()) {
      if (at_line_start_ && brackets_.empty()) {
        if (!handle_indentation()) continue;
      }
      const char c = src_[i_];
      if (c == '\n') {
        end_line();
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
        advance();
        continue;
      }
      if (c == '#') {
        skip_comment();
        continue;
      }
      if (c == '\\') {
        line_continuation();
        continue;
      }
      if (is_digit(c) || (c == '.' && i_ + 1 < src_.size() && is_digit(src_[i_ + 1]))) {
        number();
        continue;
      }
      if (is_ident_start(c)) {
        name_or_prefixed_string();
        continue;
      }
      if (c == '"' || c == '\'') {
        string_literal(false, here());
        continue;
      }
      if (static_cast<unsigned char>(c) >= 0x80) stray_non_ascii();
      op();
    }
    if (!brackets_.empty()) {
      const auto& [open, span] = brackets_.back();
      throw LsrlError(span,
                      std::string("'") + open + "' was never closed; add the matching '" + closing_for(open) + "'");
    }
    if (!tokens_.empty() && tokens_.back().kind != TokenKind::Newline) push(TokenKind::Newline, "", here());
    while (indents_.size() > 1) {
      indents_.pop_back();
      push(TokenKind::Dedent, "", here());
    }
    push(TokenKind::End, "", here());
    return std::move(tokens_);
  }

 private:
  SourceSpan here(int length = 1) const { return SourceSpan{line_, col_, length}; }

  void advance() {
    if (src_[i_] == '\n') {
      ++line_;
      col_ = 1;
    } else if ((static_cast<unsigned char>(src_[i_]) & 0xC0) != 0x80) {
      ++col_;
    }
    ++i_;
  }
  // A code point in a column count: its first byte moved col_ already.
  void advance_bytes(std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) advance();
  }

  void push(TokenKind kind, std::string text, SourceSpan span) {
    tokens_.push_back(Token{kind, std::move(text), span});
  }

  // At the start of a line: measure its indentation and emit INDENT/DEDENT.
  // Returns false when the line is blank or a comment (nothing to emit; the
  // caller continues with the next line).
  bool handle_indentation() {
    int width = 0;
    while (i_ < src_.size() && (src_[i_] == ' ' || src_[i_] == '\t' || src_[i_] == '\f')) {
      width = src_[i_] == '\t' ? (width / 8 + 1) * 8 : width + 1;
      advance();
    }
    if (i_ >= src_.size()) return false;
    const char c = src_[i_];
    if (c == '\n' || c == '#' || c == '\r') {
      if (c == '#') skip_comment();
      if (i_ < src_.size() && src_[i_] == '\r') advance();
      if (i_ < src_.size() && src_[i_] == '\n') advance();
      return false;
    }
    at_line_start_ = false;
    if (width > indents_.back()) {
      indents_.push_back(width);
      push(TokenKind::Indent, "", here());
    } else if (width < indents_.back()) {
      while (width < indents_.back()) {
        indents_.pop_back();
        push(TokenKind::Dedent, "", here());
      }
      if (width != indents_.back()) {
        throw LsrlError(here(),
                        "this line's indentation matches no enclosing block; indent it like the lines of "
                        "the block it belongs to");
      }
    }
    return true;
  }

  void end_line() {
    if (brackets_.empty()) {
      if (!tokens_.empty() && tokens_.back().kind != TokenKind::Newline && tokens_.back().kind != TokenKind::Indent &&
          tokens_.back().kind != TokenKind::Dedent)
        push(TokenKind::Newline, "", here());
      at_line_start_ = true;
    }
    advance();
  }

  void skip_comment() {
    while (i_ < src_.size() && src_[i_] != '\n') {
      char32_t cp;
      const std::size_t len = decode_utf8(src_, i_, cp);
      if (len == 0) invalid_utf8();
      advance_bytes(len);
    }
  }

  void line_continuation() {
    const SourceSpan at = here();
    advance();
    if (i_ < src_.size() && src_[i_] == '\r') advance();
    if (i_ >= src_.size() || src_[i_] != '\n') {
      throw LsrlError(at, "a backslash outside a string must end the line (it continues the line on the next one)");
    }
    advance();
  }

  [[noreturn]] void invalid_utf8() {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(src_[i_])));
    throw LsrlError(here(), std::string("the file is not valid UTF-8 here (byte ") + buffer + ")");
  }

  [[noreturn]] void stray_non_ascii() {
    char32_t cp;
    const std::size_t len = decode_utf8(src_, i_, cp);
    if (len == 0) invalid_utf8();
    std::string shown = src_.substr(i_, len);
    throw LsrlError(here(), "unexpected character '" + shown + "' (" + code_point_label(cp) +
                                "); outside strings and comments a program is plain ASCII (look for a typographic "
                                "quote, dash or space pasted from a document)");
  }

  void number() {
    const SourceSpan start = here();
    const std::size_t begin = i_;
    std::string text;
    bool is_float = false;
    auto digits = [&](bool hex) {
      while (i_ < src_.size() && (hex ? is_hex_digit(src_[i_]) : is_digit(src_[i_]) || src_[i_] == '_')) {
        if (src_[i_] != '_') text.push_back(src_[i_]);
        advance();
        while (hex && i_ < src_.size() && src_[i_] == '_') advance();
      }
    };
    if (src_[i_] == '0' && i_ + 1 < src_.size() && (src_[i_ + 1] == 'x' || src_[i_ + 1] == 'X')) {
      advance();
      advance();
      text = "0x";
      digits(true);
      if (text.size() == 2) throw LsrlError(start, "'0x' must be followed by hexadecimal digits");
    } else {
      digits(false);
      if (i_ < src_.size() && src_[i_] == '.' && !(i_ + 1 < src_.size() && src_[i_ + 1] == '.')) {
        is_float = true;
        text.push_back('.');
        advance();
        digits(false);
      }
      if (i_ < src_.size() && (src_[i_] == 'e' || src_[i_] == 'E')) {
        std::size_t look = i_ + 1;
        if (look < src_.size() && (src_[look] == '+' || src_[look] == '-')) ++look;
        if (look < src_.size() && is_digit(src_[look])) {
          is_float = true;
          text.push_back('e');
          advance();
          if (src_[i_] == '+' || src_[i_] == '-') {
            text.push_back(src_[i_]);
            advance();
          }
          digits(false);
        }
      }
    }
    if (i_ < src_.size() && is_ident_char(src_[i_])) {
      throw LsrlError(start,
                      "invalid number '" + src_.substr(begin, i_ - begin + 1) + "'; a name cannot start with a digit");
    }
    SourceSpan span = start;
    span.length = static_cast<int>(i_ - begin);
    push(is_float ? TokenKind::Float : TokenKind::Int, text, span);
  }

  void name_or_prefixed_string() {
    const SourceSpan start = here();
    const std::size_t begin = i_;
    while (i_ < src_.size() && is_ident_char(src_[i_])) advance();
    std::string name = src_.substr(begin, i_ - begin);
    if (i_ < src_.size() && (src_[i_] == '"' || src_[i_] == '\'') && name.size() <= 2) {
      std::string lower;
      for (char ch : name) lower.push_back(static_cast<char>(ch | 0x20));
      if (lower == "r" || lower == "u") {
        string_literal(lower == "r", start);
        return;
      }
      if (lower.find('f') != std::string::npos) {
        throw LsrlError(start, "f-strings are not supported; join text with + and str(...)");
      }
      if (lower.find('b') != std::string::npos) throw LsrlError(start, "byte strings are not supported");
    }
    SourceSpan span = start;
    span.length = static_cast<int>(name.size());
    push(TokenKind::Name, std::move(name), span);
  }

  void string_literal(bool raw, SourceSpan start) {
    const char quote = src_[i_];
    const bool triple = i_ + 2 < src_.size() && src_[i_ + 1] == quote && src_[i_ + 2] == quote;
    advance_bytes(triple ? 3 : 1);
    std::string value;
    while (true) {
      if (i_ >= src_.size()) {
        throw LsrlError(start, triple ? "this triple-quoted string is never closed"
                                      : "this string is never closed; add the closing quote");
      }
      const char c = src_[i_];
      if (c == quote) {
        if (!triple) {
          advance();
          break;
        }
        if (i_ + 2 < src_.size() && src_[i_ + 1] == quote && src_[i_ + 2] == quote) {
          advance_bytes(3);
          break;
        }
      }
      if (c == '\n' && !triple) {
        throw LsrlError(start,
                        "this string is never closed on its line; add the closing quote (use triple quotes "
                        "for text over several lines)");
      }
      if (c == '\\' && !raw && i_ + 1 < src_.size()) {
        escape(value);
        continue;
      }
      char32_t cp;
      const std::size_t len = decode_utf8(src_, i_, cp);
      if (len == 0) invalid_utf8();
      value.append(src_, i_, len);
      advance_bytes(len);
    }
    SourceSpan span = start;
    span.length = start.line == line_ ? col_ - start.col : 1;
    push(TokenKind::String, std::move(value), span);
  }

  void escape(std::string& value) {
    const SourceSpan at = here();
    advance();  // the backslash
    const char e = src_[i_];
    auto hex_value = [&](int count) {
      char32_t cp = 0;
      for (int k = 0; k < count; ++k) {
        if (i_ >= src_.size() || !is_hex_digit(src_[i_])) {
          throw LsrlError(at, "this escape needs " + std::to_string(count) + " hexadecimal digits");
        }
        const char h = src_[i_];
        cp = cp * 16 + static_cast<char32_t>(is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
        advance();
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) throw LsrlError(at, "this escape is not a character");
      append_utf8(value, cp);
    };
    switch (e) {
      case 'n':
        value.push_back('\n');
        advance();
        return;
      case 't':
        value.push_back('\t');
        advance();
        return;
      case 'r':
        value.push_back('\r');
        advance();
        return;
      case '0':
        value.push_back('\0');
        advance();
        return;
      case '\\':
        value.push_back('\\');
        advance();
        return;
      case '\'':
        value.push_back('\'');
        advance();
        return;
      case '"':
        value.push_back('"');
        advance();
        return;
      case '\n':
        advance();
        return;  // a backslash at the end of a line joins the lines
      case 'x':
        advance();
        hex_value(2);
        return;
      case 'u':
        advance();
        hex_value(4);
        return;
      case 'U':
        advance();
        hex_value(8);
        return;
      default:
        value.push_back('\\');
        return;  // kept as written, as Python does
    }
  }

  void op() {
    static const char* const kThree[] = {"**=", "//=", "..."};
    static const char* const kTwo[] = {
        "**", "//", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "@=", "->", "<<", ">>", ":="};
    const SourceSpan start = here();
    for (const char* t : kThree) {
      if (src_.compare(i_, 3, t) == 0) {
        advance_bytes(3);
        push(TokenKind::Op, t, SourceSpan{start.line, start.col, 3});
        return;
      }
    }
    for (const char* t : kTwo) {
      if (src_.compare(i_, 2, t) == 0) {
        advance_bytes(2);
        push(TokenKind::Op, t, SourceSpan{start.line, start.col, 2});
        return;
      }
    }
    const char c = src_[i_];
    static const std::string kOne = "+-*/%@<>=()[]{},:.;~&|^";
    if (kOne.find(c) == std::string::npos) {
      if (c == '!') throw LsrlError(start, "unexpected '!'; write 'not x' for negation and '!=' for inequality");
      if (c == '$' || c == '?' || c == '`') {
        throw LsrlError(start, std::string("unexpected character '") + c + "'");
      }
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(c)));
      throw LsrlError(start, std::string("unexpected control character (byte ") + buffer + ")");
    }
    if (c == '(' || c == '[' || c == '{') brackets_.emplace_back(c, start);
    if (c == ')' || c == ']' || c == '}') {
      if (brackets_.empty()) throw LsrlError(start, std::string("'") + c + "' closes nothing; remove it");
      const auto [open, open_span] = brackets_.back();
      if (closing_for(open) != c) {
        throw LsrlError(start, std::string("'") + c + "' does not match '" + open + "' on line " +
                                   std::to_string(open_span.line) + " column " + std::to_string(open_span.col) +
                                   "; expected '" + closing_for(open) + "'");
      }
      brackets_.pop_back();
    }
    advance();
    push(TokenKind::Op, std::string(1, c), start);
  }

  const std::string& src_;
  std::size_t i_ = 0;
  int line_ = 1;
  int col_ = 1;
  bool at_line_start_ = true;
  std::vector<int> indents_{0};
  std::vector<std::pair<char, SourceSpan>> brackets_;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(const std::string& source) { return Lexer(source).run(); }

}  // namespace lsrl::lang
