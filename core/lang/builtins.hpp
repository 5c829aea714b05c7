// The builtin name table: primitives (Input, Linear, ...), the sugar
// (f_step, f_ifelse, ...), param / vocab / nonneg, and the Python-like
// helpers (range, len, eye, zeros, ...). Each builtin declares its
// parameters (with the reference library's keywords and their aliases);
// bind_arguments matches a call against them and reports wrong counts and
// unknown keywords, naming the valid ones.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lang/value.hpp"

namespace lsrl::lang {

class Evaluator;

struct ArgValue {
  Value value;
  SourceSpan span;
};

struct CallArgs {
  std::vector<ArgValue> positional;
  std::vector<std::pair<std::string, ArgValue>> keywords;
  SourceSpan span;  // the whole call
};

struct ParamDecl {
  std::string name;
  std::vector<std::string> aliases;  // other keywords for the same parameter (scale= for mu=)
  bool required = true;
  bool keyword_only = false;  // never filled by position (Concat(x, y, name=...))
};

struct BoundArgs {
  std::vector<std::optional<ArgValue>> slots;  // by parameter, in declaration order
  std::vector<ArgValue> rest;                  // extra positionals of a variadic builtin
  SourceSpan call;

  bool has(std::size_t i) const { return i < slots.size() && slots[i].has_value(); }
  // Given and not None.
  bool given(std::size_t i) const { return has(i) && slots[i]->value.kind != ValueKind::None; }
  const Value& value(std::size_t i) const { return slots[i]->value; }
  SourceSpan span(std::size_t i) const { return has(i) ? slots[i]->span : call; }
};

using BuiltinHandler = Value (*)(Evaluator& ev, BoundArgs& args, SourceSpan call);

struct BuiltinSpec {
  std::string name;
  std::vector<ParamDecl> params;
  bool variadic = false;  // extra positionals go to BoundArgs::rest
  BuiltinHandler handler = nullptr;
};

// nullptr if the name is no builtin.
const BuiltinSpec* find_builtin(const std::string& name);
// Every builtin name (for "did you mean").
const std::vector<std::string>& builtin_names();
BoundArgs bind_arguments(const BuiltinSpec& spec, const CallArgs& args);
// "f_larger(x, y, mu=1000)": for messages.
std::string signature_text(const BuiltinSpec& spec);

// The parts of the table, one per file.
void add_value_builtins(std::vector<BuiltinSpec>& table);    // builtins_values.cpp
void add_graph_builtins(std::vector<BuiltinSpec>& table);    // builtins_graph.cpp
void add_program_builtins(std::vector<BuiltinSpec>& table);  // params.cpp: param, vocab

// range(start, stop, step)'s numbers, counted without building the list
// (for loops over a direct range(...) call use it as it is).
struct RangeBounds {
  std::int64_t start = 0;
  std::int64_t step = 1;
  std::int64_t count = 0;
};
RangeBounds range_bounds(const BoundArgs& args);
// The k-th number (k < count), computed without overflow.
inline std::int64_t range_element(const RangeBounds& r, std::int64_t k) {
  return static_cast<std::int64_t>(static_cast<WideInt>(r.start) + static_cast<WideInt>(k) * r.step);
}

// Helpers the builtin files share.
// The matrix an argument describes, with "<function>: <param>" in errors.
NumDense matrix_argument(const BoundArgs& args, std::size_t i, const std::string& what);
NumVector column_argument(const BoundArgs& args, std::size_t i, const std::string& what);
std::int64_t integer_argument(const BoundArgs& args, std::size_t i, const std::string& what);
Num number_argument(const BoundArgs& args, std::size_t i, const std::string& what);

}  // namespace lsrl::lang
