#include "inputs.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <fstream>
#include <sstream>

#include "prompts/prompts.hpp"

namespace lsrl::cli {
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

api::TokensResult failure(Diagnostic d) {
  api::TokensResult r;
  r.diagnostics.push_back(std::move(d));
  return r;
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
    std::string_view digits = piece;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    double value = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (piece.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || !std::isfinite(value)) {
      error = error_at("--query", SourceSpan{1, static_cast<int>(begin) + 1, static_cast<int>(std::max<std::size_t>(1, end - begin))},
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

api::TokensResult continuous_prompt(const Arguments& args, const ProgramInfo& info) {
  std::vector<double> query;
  Diagnostic error;
  if (!parse_query_point(*args.query, query, error)) return failure(error);

  int cells = 0;
  const std::string& cells_text = *args.cells;
  auto [ptr, ec] = std::from_chars(cells_text.data(), cells_text.data() + cells_text.size(), cells);
  if (ec != std::errc() || ptr != cells_text.data() + cells_text.size() || cells < 1) {
    return failure(error_at("", SourceSpan{}, "--cells needs a whole number of cells per axis >= 1, got '" + cells_text + "'"));
  }

  TargetFunction f;
  if (!TargetFunction::parse(*args.prompt_fn, static_cast<int>(query.size()), f, error)) {
    error.file = "--prompt-fn";
    if (error.span.known() && error.source_line.empty()) error.source_line = *args.prompt_fn;
    return failure(error);
  }
  const int width = 1 + f.input_dims() + f.output_dims();
  if (width != info.input_dim) {
    return failure(error_at(
        "", SourceSpan{},
        "a prompt for f: [0,1]^" + std::to_string(f.input_dims()) + " -> R^" + std::to_string(f.output_dims()) +
            " has tokens of width 1 + " + std::to_string(f.input_dims()) + " + " + std::to_string(f.output_dims()) +
            " = " + std::to_string(width) + " but the program's Input has width " + std::to_string(info.input_dim) +
            "; match the query's dimension (" + std::to_string(query.size()) +
            " components) and the function's outputs to the program (e.g. --param d_in=" +
            std::to_string(f.input_dims()) + " --param d_out=" + std::to_string(f.output_dims()) + ")"));
  }
  PromptResult prompt = build_continuous_prompt(f, cells, query);
  api::TokensResult result;
  result.ok = prompt.ok;
  result.diagnostics = std::move(prompt.diagnostics);
  for (auto& d : result.diagnostics) {
    if (d.file.empty()) d.file = "--prompt-fn";
  }
  result.tokens = std::move(prompt.tokens);
  return result;
}

api::TokensResult dictionary_prompt(const Arguments& args, const ProgramInfo& info) {
  if (!info.vocab) {
    return failure(error_at("", SourceSpan{},
                            "--dict encodes keys and values with the program's vocab(...), but the program declares "
                            "none; add a line like vocab(\"?ABCDEFGHIJKLMNOPQRSTUVWXYZ\")"));
  }
  if (info.input_dim != 1) {
    return failure(error_at("", SourceSpan{},
                            "--dict gives one character per 1-wide token, but the program's Input has width " +
                                std::to_string(info.input_dim)));
  }
  const std::string& path = *args.dict_file;
  std::string csv;
  Diagnostic error;
  if (!read_file(path, csv, error)) return failure(error);

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
      return failure(error_at(path, SourceSpan{line_number, col, static_cast<int>(line.size())},
                              "each line of a dictionary must be KEY,VALUE (one comma), for example CAN,OTT", raw));
    }
    pairs.emplace_back(trim(line.substr(0, comma)), trim(line.substr(comma + 1)));
  }
  PromptResult prompt = build_dictionary_prompt(*args.query, pairs, *info.vocab);
  api::TokensResult result;
  result.ok = prompt.ok;
  result.diagnostics = std::move(prompt.diagnostics);
  for (auto& d : result.diagnostics) {
    if (d.file.empty()) d.file = path;
  }
  result.tokens = std::move(prompt.tokens);
  return result;
}

}  // namespace

bool read_file(const std::string& path, std::string& contents, Diagnostic& error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = error_at(path, SourceSpan{}, "is a directory, not a file");
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = error_at(path, SourceSpan{}, std::string("cannot read the file: ") + std::strerror(errno));
    return false;
  }
  contents.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = error_at(path, SourceSpan{}, "cannot read the file");
    return false;
  }
  return true;
}

api::TokensResult tokens_for_run(const Arguments& args, const ProgramInfo& info) {
  if (args.input) return api::parse_tokens(*args.input, info.input_dim);
  if (args.text) return api::encode_text(*args.text, info);
  if (args.input_file) {
    std::string csv;
    Diagnostic error;
    if (!read_file(*args.input_file, csv, error)) return failure(error);
    api::TokensResult result = api::parse_csv(csv, info.input_dim);
    for (auto& d : result.diagnostics) d.file = *args.input_file;
    return result;
  }
  if (args.prompt_fn) return continuous_prompt(args, info);
  if (args.dict_file) return dictionary_prompt(args, info);
  return failure(error_at("", SourceSpan{}, "no input given"));
}

}  // namespace lsrl::cli
