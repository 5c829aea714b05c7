// The syntax tree of an LSRL program. One Expr and one Stmt struct with a
// kind tag (rather than a class per construct): the evaluator switches on
// the kind, and every node carries the span errors point at.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/diagnostics.hpp"
#include "num/num.hpp"

namespace lsrl::lang {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using StmtList = std::vector<StmtPtr>;

enum class ExprKind {
  Name,    // text
  Number,  // number, is_float
  String,  // text
  Bool,    // flag
  None,
  List,       // items
  Tuple,      // items ("a, b" or "(a, b)")
  ListComp,   // items[0] the element; clauses
  Unary,      // op ("-", "+", "not"); items[0]
  Binary,     // op; items[0], items[1]
  BoolOp,     // op ("and" / "or"); items (two or more)
  Compare,    // compare_ops; items (one more than ops)
  IfExp,      // items: condition, then-value, else-value
  Call,       // items[0] the callee; args
  Subscript,  // items[0] the object; items[1] the index (a Slice, a Tuple of indices/slices, or any expression)
  Slice,      // items: lower, upper, step (each may be null)
  Attribute,  // items[0]; text the attribute
  Starred,    // *items[0] in a call or a list
};

struct Argument {
  std::string keyword;  // "" for a positional argument
  ExprPtr value;
  bool star = false;  // *list
  SourceSpan span;
};

struct CompClause {
  ExprPtr target;  // Name or Tuple of names
  ExprPtr iter;
  std::vector<ExprPtr> conditions;
};

struct Expr {
  ExprKind kind = ExprKind::None;
  SourceSpan span;
  std::string text;  // Name, String, Attribute, and the operator of Unary / Binary / BoolOp
  Num number;
  bool is_float = false;  // Number written with a point or exponent
  bool flag = false;      // Bool's value
  std::vector<ExprPtr> items;
  std::vector<std::string> compare_ops;  // "<", "==", "in", "not in", "is", "is not", ...
  std::vector<Argument> args;
  std::vector<CompClause> clauses;
  int height = 1;  // nesting depth of this subtree (bounded by the parser so evaluation cannot overflow the stack)
};

enum class StmtKind {
  Expr,       // value
  Assign,     // targets (a = b = value), value
  AugAssign,  // targets[0], op ("+", "-", ...), value
  For,        // target, iter, body
  While,      // value (the condition), body
  If,         // value (the condition), body, orelse (an elif is an If inside orelse)
  Def,        // name, params, body
  Return,     // value (may be null)
  Pass,
  Break,
  Continue,
  Assert,   // value, message (may be null)
  Import,   // ignored when it imports lsrl; name holds the module
  ForEach,  // the optional `ForEach:` header of the paper's listings; body
};

struct Param {
  std::string name;
  ExprPtr default_value;  // null if required
  SourceSpan span;
};

struct Stmt {
  StmtKind kind = StmtKind::Pass;
  SourceSpan span;
  std::vector<ExprPtr> targets;
  ExprPtr value;
  ExprPtr message;  // Assert
  std::string op;   // AugAssign: the operator; Import: "import" or "from"
  ExprPtr target;   // For
  ExprPtr iter;     // For
  StmtList body;
  StmtList orelse;
  std::string name;   // Def; Import: the module ("lsrl", "lsrl.matrix_tools", "numpy")
  std::string alias;  // Import: `import lsrl as L` binds L
  std::vector<Param> params;
  int end_line = 0;  // the last line of a Def's body (for messages)
};

struct Module {
  StmtList body;
  int last_code_line = 0;  // the last line that holds code
  int last_code_col = 1;   // the column just after the code on that line
};

}  // namespace lsrl::lang
