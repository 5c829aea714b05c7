// The values a program computes with while it is built: compile-time numbers
// (Num, with Python's int / float distinction kept for range(), //, %),
// booleans, strings, lists, matrices, functions, and graph variables (nodes
// of the Program being built). Lists have Python's reference semantics.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/diagnostics.hpp"
#include "graph/program.hpp"
#include "lang/ast.hpp"
#include "num/num.hpp"

namespace lsrl::lang {

struct Value;
using ValueList = std::vector<Value>;
struct Env;

enum class ValueKind {
  None,
  Bool,
  Int,
  Float,
  Str,
  List,
  Tuple,
  Matrix,
  Var,          // a graph variable: a node of the Program
  Function,     // a def
  Builtin,      // a primitive, sugar or helper function (name in `text`)
  BoundMethod,  // obj.method, e.g. M.inv or xs.append (name in `text`, object in `self`)
  Module,       // lsrl (name in `text`)
};

struct FunctionValue {
  const Stmt* def = nullptr;
  Env* closure = nullptr;       // owned by the evaluator
  std::vector<Value> defaults;  // one per parameter with a default, evaluated at the def
};

struct Value {
  ValueKind kind = ValueKind::None;
  Num num;                                  // Bool (0 / 1), Int, Float
  std::shared_ptr<const std::string> text;  // Str; the name of a Builtin, BoundMethod, Module
  std::shared_ptr<ValueList> list;          // List, Tuple
  std::shared_ptr<NumDense> matrix;         // Matrix (shared and mutable, as a numpy array: M[i, j] = v)
  NodeId node = kNoNode;                    // Var
  std::shared_ptr<const FunctionValue> function;
  std::shared_ptr<const Value> self;  // BoundMethod

  static Value none() { return Value(); }
  static Value boolean(bool b) {
    Value v;
    v.kind = ValueKind::Bool;
    v.num = Num(b ? 1 : 0);
    return v;
  }
  static Value integer(Num n) {
    Value v;
    v.kind = ValueKind::Int;
    v.num = n;
    return v;
  }
  static Value floating(Num n) {
    Value v;
    v.kind = ValueKind::Float;
    v.num = n;
    return v;
  }
  static Value string(std::string s) {
    Value v;
    v.kind = ValueKind::Str;
    v.text = std::make_shared<const std::string>(std::move(s));
    return v;
  }
  static Value of_matrix(NumDense m) {
    Value v;
    v.kind = ValueKind::Matrix;
    v.matrix = std::make_shared<NumDense>(std::move(m));
    return v;
  }
  static Value var(NodeId id) {
    Value v;
    v.kind = ValueKind::Var;
    v.node = id;
    return v;
  }
  static Value builtin(const std::string& name) {
    Value v;
    v.kind = ValueKind::Builtin;
    v.text = std::make_shared<const std::string>(name);
    return v;
  }
  static Value module(const std::string& name) {
    Value v;
    v.kind = ValueKind::Module;
    v.text = std::make_shared<const std::string>(name);
    return v;
  }
  static Value method(const Value& self, const std::string& name) {
    Value v;
    v.kind = ValueKind::BoundMethod;
    v.text = std::make_shared<const std::string>(name);
    v.self = std::make_shared<const Value>(self);
    return v;
  }

  // A number read out of a matrix: an int if it is a whole number, else a float.
  static Value number(Num n) { return n.is_exact() && n.denominator() == 1 ? integer(n) : floating(n); }

  bool is_number() const { return kind == ValueKind::Bool || kind == ValueKind::Int || kind == ValueKind::Float; }
  bool is_sequence() const { return kind == ValueKind::List || kind == ValueKind::Tuple; }
  const std::string& str() const { return *text; }
};

// What evaluation shares: the lists it makes and the work it has done.
// Lists are shared (Python semantics), so a program can make one contain
// itself. Every list is made here; at the end of the build the workspace
// empties the ones still alive, which breaks any such cycle (no leak).
// Lists are freed one at a time from a queue rather than recursively, so a
// list nested a million deep (`for i in ...: a = [a]`) cannot overflow the
// stack when it goes. Lists must not outlive their workspace.
// charge() counts work against kMaxSteps so that no program runs forever.
class Workspace {
 public:
  Workspace() = default;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  ~Workspace();
  // A new list (or tuple); throws "limit exceeded" past kMaxListLength.
  Value make_list(ValueList items, SourceSpan span, ValueKind kind = ValueKind::List);
  // Past the budget, the error points at the anchor (the top-level statement
  // being run, which is where a runaway build can be fixed), else at span.
  void charge(std::int64_t work, SourceSpan span);
  void set_anchor(SourceSpan span) { anchor_ = span; }
  std::int64_t steps() const { return steps_; }

 private:
  void retire(ValueList* list);

  std::vector<std::weak_ptr<ValueList>> lists_;
  std::vector<ValueList*> retired_;  // lists whose last reference is gone, to free
  bool freeing_ = false;
  std::size_t compact_at_ = 1024;
  std::int64_t steps_ = 0;
  SourceSpan anchor_;
};

// Variables of one scope (the program's top level, or one call of a def).
struct Env {
  std::unordered_map<std::string, Value> vars;
  Env* parent = nullptr;
  bool captured = false;  // a def inside refers to it: it must outlive the call
};

// "int", "float", "graph variable", ... for messages.
std::string type_name(const Value& v);
// A short rendering for messages: 3, 0.5, 'abc', [1, 2], a 2 x 2 matrix, 'ctr' (LinState, width 1).
std::string describe_value(const Value& v, const Program* program);
// Python's str(): the text of a string, numbers as Python prints them.
std::string to_text(const Value& v);

// Truth value (Python rules); a graph variable has none at build time.
bool truthy(const Value& v, SourceSpan span);
// Python's ==; lists are compared element by element (an error with `span`
// past 100 levels of nesting).
bool values_equal(const Value& a, const Value& b, SourceSpan span = SourceSpan{});

// Conversions that name the argument in their errors ("Linear: A must be ...").
// An integer: Int or Bool (Python's rule: a float is not an index).
std::int64_t as_integer(const Value& v, const std::string& what, SourceSpan span);
// Any number.
Num as_number(const Value& v, const std::string& what, SourceSpan span);
// A matrix: a Matrix, a list of rows, a flat list of numbers (a column), or a
// number (1 x 1).
NumDense as_matrix(const Value& v, const std::string& what, SourceSpan span);
// A column vector: as_matrix, which must then have one column (a flat list
// of numbers is one).
NumVector as_column(const Value& v, const std::string& what, SourceSpan span);
bool is_matrix_like(const Value& v);
// Throws "limit exceeded" for a rows x cols matrix past kMaxWidth / kMaxMatrixEntries,
// and an error for a dimension below 1.
void check_matrix_shape(std::int64_t rows, std::int64_t cols, const std::string& what,
                        SourceSpan span);  // Matrix, or a non-empty list of numbers / of lists of numbers

// Operators on compile-time values (not graph variables): + - * / // % ** @,
// comparisons, unary - + not. Errors name the operand types.
Value binary_constant(const std::string& op, const Value& a, const Value& b, SourceSpan span, Workspace& work);
Value unary_constant(const std::string& op, const Value& a, SourceSpan span);
bool compare_constant(const std::string& op, const Value& a, const Value& b, SourceSpan span);

// The code points of a UTF-8 string, each as its own string (what iterating a
// Python str gives).
std::vector<std::string> code_points(const std::string& s);

}  // namespace lsrl::lang
