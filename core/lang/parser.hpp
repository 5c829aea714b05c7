// The parser: tokens into a Module (a recursive-descent parser for the
// Python subset LSRL uses). Errors say where, what was expected and what was
// found; constructs of Python that LSRL leaves out (classes, lambdas, dicts,
// try, with...) are named as such rather than reported as odd syntax.
#pragma once

#include <string>
#include <vector>

#include "lang/ast.hpp"
#include "lang/lexer.hpp"

namespace lsrl::lang {

// Nesting limits: deeper programs get an error instead of exhausting the
// stack of the parser or the evaluator.
constexpr int kMaxExpressionHeight = 256;
constexpr int kMaxBlockDepth = 64;
constexpr int kMaxParseNesting = 200;  // counted per recursive rule (about 100 brackets deep)

// Throws LsrlError on the first syntax error.
Module parse(const std::vector<Token>& tokens);

// Convenience: tokenize + parse.
Module parse_source(const std::string& source);

// Words that cannot be used as names.
bool is_reserved_word(const std::string& word);

}  // namespace lsrl::lang
