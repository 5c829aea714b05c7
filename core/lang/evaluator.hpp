// The evaluator: runs a parsed program at build time. Loops, conditionals and
// functions run here; primitives and sugar add nodes to the Program; the
// top-level return sets its output. Every problem is an LsrlError at the
// code responsible, and every resource is bounded (lang/limits.hpp).
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "graph/program.hpp"
#include "lang/ast.hpp"
#include "lang/build.hpp"
#include "lang/builtins.hpp"
#include "lang/value.hpp"

namespace lsrl::lang {

class Evaluator {
 public:
  Evaluator(Program& program, ProgramInfo& info, const BuildOptions& options);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Runs the module; on success the program has its Input and output and
  // `info` is filled in.
  void run(const Module& module);

  // ---- for the builtins --------------------------------------------------------
  Program& program() { return program_; }
  Workspace& work() { return work_; }
  ProgramInfo& info() { return info_; }
  const BuildOptions& options() const { return options_; }
  // The name a param(...) call is assigned to; an error unless the call is
  // the whole right side of `NAME = param(...)` at the top level.
  std::string param_name_for(SourceSpan call);
  void mark_override_used(const std::string& name) { used_overrides_.insert(name); }
  // Throws "limit exceeded" once the program has too many nodes.
  void check_node_limit(SourceSpan span) const;
  // Calls any callable value (used by the builtins that take functions).
  Value call_value(const Value& callee, CallArgs& args, SourceSpan span);
  // a OP b for any two values (graph variables or constants), as in an expression.
  Value binary(const std::string& op, const Value& a, const Value& b, SourceSpan span);
  std::vector<Value> items_of(const Value& v, SourceSpan span) { return iterate(v, span); }

 private:
  enum class Flow { Normal, Return, Break, Continue };

  // statements
  Flow exec_block(const StmtList& body);
  Flow exec(const Stmt& stmt);
  Flow exec_for(const Stmt& stmt);
  Flow exec_while(const Stmt& stmt);
  void exec_assign(const Stmt& stmt);
  [[gnu::noinline]] void exec_assert(const Stmt& stmt);
  void exec_aug_assign(const Stmt& stmt);
  void exec_def(const Stmt& stmt);
  void exec_import(const Stmt& stmt);
  Flow exec_return(const Stmt& stmt);
  void assign(const Expr& target, const Value& value);
  void assign_subscript(const Expr& target, const Value& value);
  void assign_attribute(const Expr& target, const Value& value);
  // Names the graph variables in `value` (x, x[0], x[0][1]) for the drawings
  // and traces. `visits_left` bounds the elements looked at: the names are a
  // convenience, and a 100000 x 100000 list of numbers must not cost 10^10 steps.
  void label(const Value& value, const std::string& name, int depth, std::int64_t& visits_left);
  void label(const Value& value, const std::string& name) {
    std::int64_t visits_left = kMaxLabelVisits;
    label(value, name, 0, visits_left);
  }
  static constexpr std::int64_t kMaxLabelVisits = 100'000;
  void count_iteration(SourceSpan span);

  // expressions
  Value eval(const Expr& e);
  Value eval_name(const Expr& e);
  Value eval_sequence(const Expr& e, ValueKind kind);
  Value eval_comprehension(const Expr& e);
  void comprehension_level(const Expr& e, std::size_t clause, ValueList& out);
  Value eval_unary(const Expr& e);
  Value eval_binary(const Expr& e);
  Value eval_bool_op(const Expr& e);
  Value eval_compare(const Expr& e);
  Value eval_call(const Expr& e);
  Value eval_subscript(const Expr& e);
  Value eval_attribute(const Expr& e);
  std::vector<Value> iterate(const Value& v, SourceSpan span);
  // Runs body on each element of what `iter` evaluates to, until it returns
  // false. A direct range(...) is counted out and a list is walked in place,
  // so big loops build no big lists.
  void each_item(const Expr& iter, const std::function<bool(const Value&)>& body);

  // operators.cpp: graph variables in + - * / @ and unary -, indexing a variable
  Value graph_binary(const std::string& op, const Value& a, const Value& b, SourceSpan span);
  Value graph_negate(const Value& a, SourceSpan span);
  Value index_variable(const Value& var, const Expr& index, SourceSpan span);
  Value index_constant(const Value& object, const Expr& index, SourceSpan span);
  Value index_matrix(const NumDense& m, const Expr& index, SourceSpan span);
  struct IndexPart;
  IndexPart index_part(const Expr& index);
  Value attribute_of(const Value& object, const std::string& name, SourceSpan span);
  Value call_method(const Value& method, CallArgs& args, SourceSpan span);
  Value call_function(const FunctionValue& fn, CallArgs& args, SourceSpan span);
  // The pieces of a call kept out of the frames that recursion stacks up
  // (each level of a recursive def costs stack; these are not on it).
  [[gnu::noinline]] std::unique_ptr<Env> bind_parameters(const FunctionValue& fn, const CallArgs& args,
                                                         SourceSpan span);
  [[gnu::noinline]] CallArgs collect_arguments(const Expr& call);
  [[gnu::noinline]] Value program_return_value(const Stmt& stmt);
  [[noreturn, gnu::noinline]] void not_callable(const Value& callee, SourceSpan span);
  Value call_builtin(const std::string& name, CallArgs& args, SourceSpan span);

  // scopes
  const Value* lookup(const std::string& name) const;
  std::vector<std::string> visible_names() const;

  void finish(const Module& module);

  Program& program_;
  ProgramInfo& info_;
  const BuildOptions& options_;
  Workspace work_;
  std::unique_ptr<Env> globals_;
  Env* env_ = nullptr;
  std::vector<std::unique_ptr<Env>> kept_envs_;  // call scopes that a def captured
  std::set<std::string> used_overrides_;

  int call_depth_ = 0;
  int loop_depth_ = 0;  // loops around the statement being run, in the current function
  std::int64_t iterations_ = 0;
  const Expr* calling_ = nullptr;     // the call whose function is running (for param)
  const Expr* param_call_ = nullptr;  // the call of `NAME = param(...)` being evaluated
  std::string param_target_;
  Value return_value_;
  bool output_set_ = false;
  SourceSpan return_span_;
};

}  // namespace lsrl::lang
