// The language front end's one entry point: source text in, Program out.
// Lexing, parsing and evaluation live in their own files (lexer, parser,
// evaluator); this is what the rest of the core calls.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostics.hpp"
#include "graph/program.hpp"

namespace lsrl {

// A build-time parameter declared with param(...).
struct ParamSpec {
  std::string name;
  std::string kind;           // "int" | "float" | "choice"
  std::string default_value;  // as written: "3", "0.5", "multiplicative"
  std::string value;          // the value used for this build
  std::optional<double> min;
  std::optional<double> max;
  std::vector<std::string> choices;  // kind == "choice"
  std::string doc;
  SourceSpan origin;
};

struct ProgramInfo {
  int input_dim = 0;
  int output_dim = 0;
  std::vector<ParamSpec> params;     // in declaration order
  std::optional<std::string> vocab;  // vocab("?ABC..."): token id i is the i-th character
  int node_count = 0;                // nodes the output depends on
  // What the prompts are: bounds per input component and the longest prompt,
  // declared with Input(dim, bounds=..., max_length=...), else from the
  // vocabulary (dim 1: token ids 0..|vocab|-1), else the defaults.
  InputDomain input_domain;
};

struct BuildOptions {
  std::string filename = "<input>";
  // --param name=value overrides, as text; checked against each param's kind,
  // min/max and choices (an error at the param(...) call if out of range; an
  // error without position if the name is not a param of the program).
  std::map<std::string, std::string> params;
};

struct BuildResult {
  bool ok = false;
  std::vector<Diagnostic> diagnostics;  // with source lines attached
  Program program;
  ProgramInfo info;
};

BuildResult build_program(const std::string& source, const BuildOptions& options);

}  // namespace lsrl
