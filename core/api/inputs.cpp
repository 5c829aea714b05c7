// Turning what a user types into tokens (and 1-wide outputs back into text).
// Errors point into the typed text itself: the "file" of a diagnostic is the
// place the text came from ("--input", "--text", a CSV's path set by the
// caller), the line and column are where the bad token sits, so the CLI can
// show a caret under it just as it does for program errors.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "api/api.hpp"
#include "api/number_text.hpp"

namespace lsrl::api {
namespace {

// Line and column (1-based, in bytes) of byte offset `begin` of `text`.
SourceSpan span_of(std::string_view text, std::size_t begin, std::size_t end) {
  SourceSpan span;
  span.line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < begin && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++span.line;
      line_start = i + 1;
    }
  }
  span.col = static_cast<int>(begin - line_start) + 1;
  span.length = end > begin ? static_cast<int>(end - begin) : 1;
  return span;
}

TokensResult failure(const std::string& file, std::string_view text, SourceSpan span, std::string message) {
  TokensResult result;
  Diagnostic d;
  d.file = file;
  d.span = span;
  d.message = std::move(message);
  std::vector<Diagnostic> one{d};
  attach_source_lines(one, std::string(text));
  result.diagnostics = std::move(one);
  return result;
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

struct Component {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Checks and converts one token's components. `describe` names the token in
// messages ("token 3", "line 4").
TokensResult convert_token(const std::string& file, std::string_view text, const std::string& describe,
                           const std::vector<Component>& components, std::size_t token_begin, std::size_t token_end,
                           int input_dim, std::vector<double>& row) {
  for (std::size_t k = 0; k < components.size(); ++k) {
    const Component& c = components[k];
    std::string_view piece = text.substr(c.begin, c.end - c.begin);
    // Built only for a message: a million-token file parses without a string per token.
    const auto component_name = [&] { return describe + ", component " + std::to_string(k + 1); };
    if (piece.empty()) {
      return failure(file, text, span_of(text, c.begin, c.begin + 1),
                     component_name() + " is empty (two commas in a row, or a comma at the start or end of a token)");
    }
    double value = 0;
    if (!parse_decimal(piece, value)) {
      return failure(file, text, span_of(text, c.begin, c.end),
                     component_name() + ": '" + std::string(piece) + "' is not a number");
    }
    if (!std::isfinite(value)) {
      return failure(file, text, span_of(text, c.begin, c.end),
                     component_name() + ": '" + std::string(piece) + "' is not a finite number");
    }
    row.push_back(value);
  }
  if (static_cast<int>(components.size()) != input_dim) {
    return failure(file, text, span_of(text, token_begin, token_end),
                   describe + " has " + plural(components.size(), "component") + " but the program's Input has width " +
                       std::to_string(input_dim) + "; give every token " +
                       plural(static_cast<std::size_t>(input_dim), "number") +
                       (input_dim > 1 ? " separated by ','" : ""));
  }
  TokensResult ok;
  ok.ok = true;
  return ok;
}

// UTF-8: the code points of `text` with their byte offsets. Returns false at
// the first malformed sequence, with `bad` its offset.
struct CodePoint {
  char32_t value = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
};

bool decode_utf8(std::string_view text, std::vector<CodePoint>& out, std::size_t& bad) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    int extra = 0;
    char32_t value = 0;
    if (lead < 0x80) {
      value = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1;
      value = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2;
      value = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3;
      value = lead & 0x07;
    } else {
      bad = i;
      return false;
    }
    if (i + static_cast<std::size_t>(extra) >= text.size()) {
      bad = i;
      return false;
    }
    for (int k = 1; k <= extra; ++k) {
      const auto cont = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      if ((cont & 0xC0) != 0x80) {
        bad = i;
        return false;
      }
      value = (value << 6) | (cont & 0x3F);
    }
    out.push_back(CodePoint{value, i, i + 1 + static_cast<std::size_t>(extra)});
    i += 1 + static_cast<std::size_t>(extra);
  }
  return true;
}

std::string encode_utf8(char32_t c) {
  std::string s;
  if (c < 0x80) {
    s.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (c >> 6)));
    s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (c >> 12)));
    s.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (c >> 18)));
    s.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
  return s;
}

constexpr char32_t kReplacementCharacter = 0xFFFD;

}  // namespace

// A component's text as a double (the caller rejects inf and nan with its
// own message). Decimal notation plus the words inf/infinity/nan only: hex
// floats and spaces are not numbers a user means to type, and strtod's
// locale never matters because the core only ever runs in the "C" locale.
// (Emscripten's libc++ 14 has no floating-point std::from_chars.) A leading
// '+' is accepted.
bool parse_decimal(std::string_view text, double& out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == 'x' || c == 'X' || c == 'p' || c == 'P') return false;
  }
  const std::string copy(text);
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);  // overflow gives +-inf, reported by the caller
  return end == copy.c_str() + copy.size();
}

// What std::to_chars(double) writes (the shortest digits that read back as
// the same double, fixed or scientific notation, whichever is shorter, fixed
// on a tie), written with printf because Emscripten's libc++ 14 has no
// floating-point std::to_chars either. ShortestText.* checks the two agree.
std::string shortest_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char scientific[40];
  int digits = 1;
  for (; digits < 17; ++digits) {
    std::snprintf(scientific, sizeof scientific, "%.*e", digits - 1, v);
    if (std::strtod(scientific, nullptr) == v) break;
  }
  std::snprintf(scientific, sizeof scientific, "%.*e", digits - 1, v);
  const int exponent = std::atoi(std::strchr(scientific, 'e') + 1);
  char fixed[512];  // 5e-324 in fixed notation: 327 characters
  std::snprintf(fixed, sizeof fixed, "%.*f", std::max(0, digits - 1 - exponent), v);
  return std::strlen(fixed) <= std::strlen(scientific) ? fixed : scientific;
}

TokensResult parse_tokens(const std::string& text, int input_dim) {
  const std::string file = "--input";
  TokensResult result;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  auto is_separator = [&](char c) { return is_space(c) || c == ';'; };
  auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (true) {
    while (i < n && is_separator(text[i])) ++i;
    if (i == n) break;
    const std::size_t token_begin = i;
    std::vector<Component> components;
    while (true) {
      Component c;
      c.begin = i;
      while (i < n && !is_separator(text[i]) && text[i] != ',') ++i;
      c.end = i;
      components.push_back(c);
      // "0.5, 1" is one token: blanks around a comma do not separate tokens.
      std::size_t j = i;
      while (j < n && is_blank(text[j])) ++j;
      if (j < n && text[j] == ',') {
        i = j + 1;
        while (i < n && is_blank(text[i])) ++i;
        continue;
      }
      break;
    }
    std::vector<double> row;
    TokensResult checked = convert_token(file, text, "token " + std::to_string(result.tokens.size() + 1), components,
                                         token_begin, i, input_dim, row);
    if (!checked.ok) return checked;
    result.tokens.push_back(std::move(row));
  }
  if (result.tokens.empty()) {
    return failure(file, text, SourceSpan{},
                   "the input is empty; give at least one token (" +
                       std::string(input_dim > 1 ? "components separated by ',', " : "") +
                       "tokens separated by spaces or ';')");
  }
  result.ok = true;
  return result;
}

TokensResult parse_csv(const std::string& csv, int input_dim) {
  const std::string file = "--input-file";
  TokensResult result;
  std::size_t line_begin = 0;
  int line_number = 0;
  while (line_begin <= csv.size()) {
    std::size_t line_end = csv.find('\n', line_begin);
    if (line_end == std::string::npos) line_end = csv.size();
    ++line_number;
    std::size_t begin = line_begin;
    std::size_t end = line_end;
    while (begin < end && (csv[begin] == ' ' || csv[begin] == '\t')) ++begin;
    while (end > begin && (csv[end - 1] == ' ' || csv[end - 1] == '\t' || csv[end - 1] == '\r')) --end;
    if (begin < end && csv[begin] != '#') {
      std::vector<Component> components;
      std::size_t k = begin;
      while (true) {
        // Within the line only: find(',', k) would scan to the end of the
        // file on every comma-less line, quadratic in the file's length.
        std::size_t comma = k;
        while (comma < end && csv[comma] != ',') ++comma;
        Component c{k, comma};
        while (c.begin < c.end && (csv[c.begin] == ' ' || csv[c.begin] == '\t')) ++c.begin;
        while (c.end > c.begin && (csv[c.end - 1] == ' ' || csv[c.end - 1] == '\t')) --c.end;
        components.push_back(c);
        if (comma == end) break;
        k = comma + 1;
      }
      std::vector<double> row;
      TokensResult checked =
          convert_token(file, csv, "line " + std::to_string(line_number), components, begin, end, input_dim, row);
      if (!checked.ok) return checked;
      result.tokens.push_back(std::move(row));
    }
    if (line_end == csv.size()) break;
    line_begin = line_end + 1;
  }
  if (result.tokens.empty()) {
    return failure(file, csv, SourceSpan{},
                   "the file has no tokens; write one token per line, components separated by ','");
  }
  result.ok = true;
  return result;
}

TokensResult encode_text(const std::string& text, const ProgramInfo& info) {
  const std::string file = "--text";
  if (!info.vocab) {
    return failure(file, text, SourceSpan{},
                   "the program declares no vocab(...), so text cannot be turned into tokens; give numbers instead "
                   "(--input), or add a line like vocab(\"?ABCDEFGHIJKLMNOPQRSTUVWXYZ\") to the program");
  }
  if (info.input_dim != 1) {
    return failure(file, text, SourceSpan{},
                   "text is encoded one character per 1-wide token, but the program's Input has width " +
                       std::to_string(info.input_dim) + "; give numbers instead (--input)");
  }
  std::vector<CodePoint> vocab;
  std::size_t bad = 0;
  if (!decode_utf8(*info.vocab, vocab, bad)) {
    return failure(file, text, SourceSpan{}, "the program's vocab(...) is not valid UTF-8");
  }
  std::vector<CodePoint> chars;
  if (!decode_utf8(text, chars, bad)) {
    return failure(file, text, span_of(text, bad, bad + 1),
                   "the text is not valid UTF-8 at byte " + std::to_string(bad + 1));
  }
  if (chars.empty()) {
    return failure(file, text, SourceSpan{}, "the text is empty; give at least one character");
  }
  auto index_of = [&](char32_t c) -> int {
    for (std::size_t k = 0; k < vocab.size(); ++k) {
      if (vocab[k].value == c) return static_cast<int>(k);
    }
    return -1;
  };
  TokensResult result;
  for (std::size_t k = 0; k < chars.size(); ++k) {
    const CodePoint& c = chars[k];
    const int id = index_of(c.value);
    if (id < 0) {
      std::string message = "character '" + text.substr(c.begin, c.end - c.begin) + "' (character " +
                            std::to_string(k + 1) + ") is not in the program's vocabulary \"" + *info.vocab + "\"";
      if (c.value < 0x80 && std::islower(static_cast<int>(c.value)) &&
          index_of(static_cast<char32_t>(std::toupper(static_cast<int>(c.value)))) >= 0) {
        message += "; the vocabulary has upper case letters, write '" +
                   std::string(1, static_cast<char>(std::toupper(static_cast<int>(c.value)))) + "'";
      }
      return failure(file, text, span_of(text, c.begin, c.end), message);
    }
    result.tokens.push_back({static_cast<double>(id)});
  }
  result.ok = true;
  return result;
}

std::string decode_text(const OutputRows& outputs, const std::string& vocab) {
  std::vector<CodePoint> chars;
  std::size_t bad = 0;
  decode_utf8(vocab, chars, bad);  // a malformed tail only shortens the vocab
  std::string text;
  for (const auto& row : outputs) {
    char32_t c = kReplacementCharacter;
    if (row.size() == 1 && std::isfinite(row[0])) {
      const double id = std::round(row[0]);
      if (id >= 0 && id < static_cast<double>(chars.size())) c = chars[static_cast<std::size_t>(id)].value;
    }
    text += encode_utf8(c);
  }
  return text;
}

BatchTokensResult parse_batch(const std::string& text, int input_dim) {
  BatchTokensResult batch;
  std::size_t line_begin = 0;
  int line_number = 0;
  while (line_begin < text.size()) {
    std::size_t line_end = text.find('\n', line_begin);
    if (line_end == std::string::npos) line_end = text.size();
    ++line_number;
    const std::string line = text.substr(line_begin, line_end - line_begin);
    line_begin = line_end + 1;
    const std::size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    TokensResult one = parse_tokens(line, input_dim);
    if (!one.ok) {
      for (Diagnostic& d : one.diagnostics) {
        d.span = SourceSpan{};
        d.message = "line " + std::to_string(line_number) + ": " + d.message;
      }
      batch.diagnostics = std::move(one.diagnostics);
      batch.prompts.clear();
      return batch;
    }
    batch.prompts.push_back(std::move(one.tokens));
  }
  if (batch.prompts.empty()) {
    Diagnostic d;
    d.message = "the batch has no prompt: give one prompt per line (tokens separated by spaces)";
    batch.diagnostics.push_back(std::move(d));
    return batch;
  }
  batch.ok = true;
  return batch;
}

}  // namespace lsrl::api
