// The paper's two prompts (prompts/prompts.hpp) behind the facade: from the
// page's typed values, or from the command line's text checked against the
// built program. Diagnostics name where the text came from ("--prompt-fn",
// "--query", the dictionary's path; "<function>" for the page's function box)
// and point into it.
#include "prompts/prompts.hpp"

#include <charconv>
#include <cmath>
#include <exception>
#include <new>
#include <sstream>
#include <string>

#include "api/api.hpp"
#include "api/number_text.hpp"

namespace lsrl::api {
namespace {

Diagnostic error_at(const std::string& file, SourceSpan span, const std::string& message,
                    const std::string& source_line = "") {
  Diagnostic d;
  d.file = file;
  d.span = span;
  d.message = message;
  d.source_line = source_line;
  return d;
}

template <typename Result>
Result failure(Diagnostic d) {
  Result r;
  r.diagnostics.push_back(std::move(d));
  return r;
}

// A prompt builder's result, with `file` on the diagnostics that name none.
TokensResult tokens_from(PromptResult prompt, const std::string& file) {
  TokensResult result;
  result.ok = prompt.ok;
  result.diagnostics = std::move(prompt.diagnostics);
  for (auto& d : result.diagnostics) {
    if (d.file.empty()) d.file = file;
  }
  result.tokens = std::move(prompt.tokens);
  return result;
}

// Parses f; false with `error` pointing into `text` (named `file`), the text
// shown under the message when the error has a column in it.
bool parse_function(const std::string& text, int input_dims, const std::string& file, TargetFunction& f,
                    Diagnostic& error) {
  if (TargetFunction::parse(text, input_dims, f, error)) return true;
  error.file = file;
  if (error.span.known() && error.source_line.empty()) error.source_line = text;
  return false;
}

// Runs `body`, whose only failures are a bad allocation or a bug: the prompt
// builders report what a user caused as diagnostics.
template <typename Result, typename Body>
Result guarded(const char* what, Body&& body) {
  try {
    return body();
  } catch (const LsrlError& e) {
    return failure<Result>(e.to_diagnostic(""));
  } catch (const std::bad_alloc&) {
    return failure<Result>(
        error_at("", SourceSpan{},
                 std::string("ran out of memory while ") + what + "; give fewer cells or a shorter dictionary"));
  } catch (const std::exception& e) {
    return failure<Result>(error_at("", SourceSpan{},
                                    std::string("internal error while ") + what + " (" + e.what() +
                                        "); this is a bug in the LSRL core, please report it"));
  }
}

std::string trim(const std::string& s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

// --query 0.3,0.7 for --prompt-fn: numbers separated by ','.
bool parse_query_point(const std::string& text, std::vector<double>& point, Diagnostic& error) {
  std::size_t begin = 0;
  int component = 1;
  while (true) {
    std::size_t end = text.find(',', begin);
    if (end == std::string::npos) end = text.size();
    std::string piece = trim(text.substr(begin, end - begin));
    double value = 0;
    if (!parse_decimal(piece, value) || !std::isfinite(value)) {
      error =
          error_at("--query",
                   SourceSpan{1, static_cast<int>(begin) + 1, static_cast<int>(std::max<std::size_t>(1, end - begin))},
                   "query component " + std::to_string(component) + " ('" + piece +
                       "') is not a number; give the query point as numbers in [0, 1] separated by ',' (0.3,0.7)",
                   text);
      return false;
    }
    point.push_back(value);
    if (end == text.size()) return true;
    begin = end + 1;
    ++component;
  }
}

}  // namespace

TokensResult continuous_prompt(const std::string& function, int input_dims, int cells_per_axis,
                               const std::vector<double>& query) {
  return guarded<TokensResult>("building the prompt", [&] {
    TargetFunction f;
    Diagnostic error;
    if (!parse_function(function, input_dims, "<function>", f, error)) return failure<TokensResult>(error);
    return tokens_from(build_continuous_prompt(f, cells_per_axis, query), "");
  });
}

TokensResult dictionary_prompt(const std::string& query, const std::vector<std::pair<std::string, std::string>>& pairs,
                               const std::string& vocab) {
  return guarded<TokensResult>("building the prompt",
                               [&] { return tokens_from(build_dictionary_prompt(query, pairs, vocab), ""); });
}

FunctionValues evaluate_function(const std::string& function, int input_dims,
                                 const std::vector<std::vector<double>>& points) {
  return guarded<FunctionValues>("evaluating the function", [&] {
    TargetFunction f;
    Diagnostic error;
    if (!parse_function(function, input_dims, "<function>", f, error)) return failure<FunctionValues>(error);
    FunctionValues result;
    result.output_dim = f.output_dims();
    result.values.reserve(points.size());
    for (const auto& x : points) {
      if (static_cast<int>(x.size()) != input_dims) {
        return failure<FunctionValues>(error_at("", SourceSpan{},
                                                "a point has " + std::to_string(x.size()) +
                                                    " coordinates but the function takes " +
                                                    std::to_string(input_dims)));
      }
      result.values.push_back(f(x));
    }
    result.ok = true;
    return result;
  });
}

TokensResult continuous_prompt_for(const ProgramInfo& info, const std::string& function, const std::string& cells_text,
                                   const std::string& query_text) {
  std::vector<double> query;
  Diagnostic error;
  if (!parse_query_point(query_text, query, error)) return failure<TokensResult>(error);

  int cells = 0;
  auto [ptr, ec] = std::from_chars(cells_text.data(), cells_text.data() + cells_text.size(), cells);
  if (ec != std::errc() || ptr != cells_text.data() + cells_text.size() || cells < 1) {
    return failure<TokensResult>(
        error_at("", SourceSpan{}, "--cells needs a whole number of cells per axis >= 1, got '" + cells_text + "'"));
  }

  TargetFunction f;
  if (!parse_function(function, static_cast<int>(query.size()), "--prompt-fn", f, error)) {
    return failure<TokensResult>(error);
  }
  const int width = 1 + f.input_dims() + f.output_dims();
  if (width != info.input_dim) {
    return failure<TokensResult>(error_at(
        "", SourceSpan{},
        "a prompt for f: [0,1]^" + std::to_string(f.input_dims()) + " -> R^" + std::to_string(f.output_dims()) +
            " has tokens of width 1 + " + std::to_string(f.input_dims()) + " + " + std::to_string(f.output_dims()) +
            " = " + std::to_string(width) + " but the program's Input has width " + std::to_string(info.input_dim) +
            "; match the query's dimension (" + std::to_string(query.size()) +
            " components) and the function's outputs to the program (e.g. --param d_in=" +
            std::to_string(f.input_dims()) + " --param d_out=" + std::to_string(f.output_dims()) + ")"));
  }
  return guarded<TokensResult>("building the prompt",
                               [&] { return tokens_from(build_continuous_prompt(f, cells, query), "--prompt-fn"); });
}

TokensResult dictionary_prompt_for(const ProgramInfo& info, const std::string& csv, const std::string& path,
                                   const std::string& query) {
  if (!info.vocab) {
    return failure<TokensResult>(
        error_at("", SourceSpan{},
                 "--dict encodes keys and values with the program's vocab(...), but the "
                 "program declares none; add a line like vocab(\"?ABCDEFGHIJKLMNOPQRSTUVWXYZ\")"));
  }
  if (info.input_dim != 1) {
    return failure<TokensResult>(
        error_at("", SourceSpan{},
                 "--dict gives one character per 1-wide token, but the program's Input has width " +
                     std::to_string(info.input_dim)));
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  std::istringstream lines(csv);
  std::string raw;
  int line_number = 0;
  bool first_content_line = true;
  while (std::getline(lines, raw)) {
    ++line_number;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    const bool is_first = first_content_line;
    first_content_line = false;
    const auto comma = line.find(',');
    if (is_first && comma != std::string::npos && trim(line.substr(0, comma)) == "key" &&
        trim(line.substr(comma + 1)) == "value") {
      continue;  // a `key,value` header line, as examples/data/country_capitals.csv has
    }
    if (comma == std::string::npos || line.find(',', comma + 1) != std::string::npos) {
      const int col = static_cast<int>(raw.find_first_not_of(" \t")) + 1;
      return failure<TokensResult>(
          error_at(path, SourceSpan{line_number, col, static_cast<int>(line.size())},
                   "each line of a dictionary must be KEY,VALUE (one comma), for example CAN,OTT", raw));
    }
    pairs.emplace_back(trim(line.substr(0, comma)), trim(line.substr(comma + 1)));
  }
  return guarded<TokensResult>("building the prompt",
                               [&] { return tokens_from(build_dictionary_prompt(query, pairs, *info.vocab), path); });
}

}  // namespace lsrl::api
