// Statements and expressions. Operators on graph variables, indexing,
// attributes and calls live in operators.cpp; the builtins in builtins_*.cpp.
#include "lang/evaluator.hpp"

#include <numbers>

#include "lang/limits.hpp"
#include "lang/parser.hpp"

namespace lsrl::lang {

namespace {

// Restores the evaluator's current scope when a comprehension ends.
struct ScopeGuard {
  Env*& slot;
  Env* saved;
  ScopeGuard(Env*& s, Env* next) : slot(s), saved(s) { slot = next; }
  ~ScopeGuard() { slot = saved; }
};

// Names that read like Python but are not part of LSRL, with the way out.
std::string unavailable_name_hint(const std::string& name) {
  if (name == "print")
    return "print is not available: a program builds a model and prints nothing (use lsrlc run --trace to see values)";
  if (name == "np" || name == "numpy" || name == "sympy" || name == "scipy" || name == "torch") {
    return name +
           " is not available; the matrix helpers eye, zeros, ones, diag, hstack, vstack and Matrix are builtins";
  }
  if (name == "dict" || name == "set") return name + " is not part of LSRL; use lists";
  if (name == "ForEach") {
    return "ForEach is implicit: the whole program is its body, ended by 'return VARIABLE' (a 'ForEach:' header "
           "above an indented body is also accepted)";
  }
  if (name == "open" || name == "input" || name == "eval" || name == "exec") return name + " is not available in LSRL";
  return "";
}

}  // namespace

Evaluator::Evaluator(Program& program, ProgramInfo& info, const BuildOptions& options)
    : program_(program), info_(info), options_(options), globals_(std::make_unique<Env>()) {
  env_ = globals_.get();
}

Evaluator::~Evaluator() = default;

void Evaluator::run(const Module& module) {
  exec_block(module.body);
  finish(module);
}

void Evaluator::finish(const Module& module) {
  for (const auto& [name, value] : options_.params) {
    if (used_overrides_.count(name)) continue;
    std::string names;
    for (const auto& p : info_.params) names += (names.empty() ? "" : ", ") + p.name;
    throw LsrlError(SourceSpan{},
                    "no parameter '" + name + "' in this program; " +
                        (names.empty() ? std::string("it declares no parameters") : "its parameters are: " + names));
  }
  if (program_.input() == kNoNode) {
    const SourceSpan at = module.body.empty() ? SourceSpan{1, 1, 1} : module.body.front()->span;
    throw LsrlError(at, "the program has no Input; declare the current token first, e.g. x = Input(dim=1)");
  }
  if (!output_set_) {
    const SourceSpan at{std::max(1, module.last_code_line), module.last_code_col, 1};
    throw LsrlError(at, "the program has no top-level return; end it with 'return VARIABLE' to choose its output");
  }
  if (info_.vocab && program_.input_domain().bounds_source == "default" && program_.input_dim() == 1) {
    // A token id is one of 0 .. |vocab| - 1 (vocab may come after Input).
    InputDomain domain = program_.input_domain();
    std::size_t tokens = 0;
    for (const char c : *info_.vocab) tokens += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    domain.lower.assign(1, 0.0);
    domain.upper.assign(1, static_cast<double>(tokens) - 1.0);
    domain.bounds_source = "vocabulary";
    program_.set_input_domain(std::move(domain));
  }
  info_.input_domain = program_.input_domain();
  info_.input_dim = program_.input_dim();
  info_.output_dim = program_.output_dim();
  info_.node_count = static_cast<int>(program_.topological_order().size());
}

void Evaluator::check_node_limit(SourceSpan span) const {
  if (static_cast<std::int64_t>(program_.size()) > kMaxNodes) {
    throw LsrlError(span, "limit exceeded: the program has more than " + std::to_string(kMaxNodes) +
                              " nodes; look for a loop that builds far more than intended");
  }
}

void Evaluator::count_iteration(SourceSpan span) {
  if (++iterations_ > kMaxLoopIterations) {
    throw LsrlError(span, "limit exceeded: loops have run more than " + std::to_string(kMaxLoopIterations) +
                              " iterations in total; look for a loop that does not end or is far larger than "
                              "intended");
  }
}

std::string Evaluator::param_name_for(SourceSpan call) {
  if (param_call_ == nullptr || param_call_ != calling_) {
    throw LsrlError(call,
                    "param(...) declares a parameter named by the variable it is assigned to; write it as "
                    "NAME = param(default, ...)");
  }
  if (call_depth_ > 0 || loop_depth_ > 0) {
    throw LsrlError(call, "param(...) must be declared at the top level of the program, not inside a def or a loop");
  }
  return param_target_;
}

// ---- scopes ---------------------------------------------------------------------------

const Value* Evaluator::lookup(const std::string& name) const {
  for (const Env* env = env_; env != nullptr; env = env->parent) {
    auto it = env->vars.find(name);
    if (it != env->vars.end()) return &it->second;
  }
  return nullptr;
}

std::vector<std::string> Evaluator::visible_names() const {
  std::vector<std::string> names = builtin_names();
  names.push_back("pi");
  names.push_back("lsrl");
  names.push_back("math");
  for (const Env* env = env_; env != nullptr; env = env->parent)
    for (const auto& [name, value] : env->vars) names.push_back(name);
  return names;
}

// ---- statements -------------------------------------------------------------------------

Evaluator::Flow Evaluator::exec_block(const StmtList& body) {
  for (std::size_t i = 0; i < body.size(); ++i) {
    const Flow flow = exec(*body[i]);
    if (flow == Flow::Normal) continue;
    // A statement right after the program's return can never run (one after
    // an if whose branch returned may, when the other branch is taken).
    if (flow == Flow::Return && call_depth_ == 0 && body[i]->kind == StmtKind::Return && i + 1 < body.size()) {
      throw LsrlError(body[i + 1]->span,
                      "this statement comes after the program's return and would never run; "
                      "the top-level return must be the last statement");
    }
    return flow;
  }
  return Flow::Normal;
}

Evaluator::Flow Evaluator::exec(const Stmt& stmt) {
  if (call_depth_ == 0 && loop_depth_ == 0) work_.set_anchor(stmt.span);
  work_.charge(1, stmt.span);
  switch (stmt.kind) {
    case StmtKind::Expr:
      eval(*stmt.value);
      return Flow::Normal;
    case StmtKind::Assign:
      exec_assign(stmt);
      return Flow::Normal;
    case StmtKind::AugAssign:
      exec_aug_assign(stmt);
      return Flow::Normal;
    case StmtKind::For:
      return exec_for(stmt);
    case StmtKind::While:
      return exec_while(stmt);
    case StmtKind::If:
      if (truthy(eval(*stmt.value), stmt.value->span)) return exec_block(stmt.body);
      return exec_block(stmt.orelse);
    case StmtKind::Def:
      exec_def(stmt);
      return Flow::Normal;
    case StmtKind::Return:
      return exec_return(stmt);
    case StmtKind::Pass:
      return Flow::Normal;
    case StmtKind::Break:
      return Flow::Break;
    case StmtKind::Continue:
      return Flow::Continue;
    case StmtKind::Assert:
      exec_assert(stmt);
      return Flow::Normal;
    case StmtKind::Import:
      exec_import(stmt);
      return Flow::Normal;
    case StmtKind::ForEach:
      if (call_depth_ > 0 || loop_depth_ > 0) {
        throw LsrlError(stmt.span, "'ForEach:' marks the body of the whole program; it belongs at the top level");
      }
      return exec_block(stmt.body);
  }
  return Flow::Normal;
}

void Evaluator::exec_assert(const Stmt& stmt) {
  if (truthy(eval(*stmt.value), stmt.value->span)) return;
  std::string message = "assertion failed";
  if (stmt.message) message += ": " + to_text(eval(*stmt.message));
  throw LsrlError(stmt.span, message);
}

void Evaluator::exec_assign(const Stmt& stmt) {
  const Expr& value_expr = *stmt.value;
  const bool may_be_param =
      value_expr.kind == ExprKind::Call && stmt.targets.size() == 1 && stmt.targets[0]->kind == ExprKind::Name;
  if (may_be_param) {
    param_call_ = &value_expr;
    param_target_ = stmt.targets[0]->text;
  }
  Value value = eval(value_expr);
  param_call_ = nullptr;
  for (const auto& target : stmt.targets) assign(*target, value);
}

void Evaluator::exec_aug_assign(const Stmt& stmt) {
  const Expr& target = *stmt.targets[0];
  Value current = eval(target);
  Value rhs = eval(*stmt.value);
  if (current.kind == ValueKind::List && stmt.op == "+") {
    // xs += [...] extends the list in place, as in Python.
    std::vector<Value> extra = iterate(rhs, stmt.value->span);
    if (static_cast<std::int64_t>(current.list->size() + extra.size()) > kMaxListLength) {
      throw LsrlError(stmt.span, "limit exceeded: a list of more than " + std::to_string(kMaxListLength) + " elements");
    }
    work_.charge(static_cast<std::int64_t>(extra.size()), stmt.span);
    current.list->insert(current.list->end(), extra.begin(), extra.end());
    if (target.kind == ExprKind::Name) label(current, target.text);
    return;
  }
  Value result = (current.kind == ValueKind::Var || rhs.kind == ValueKind::Var)
                     ? graph_binary(stmt.op, current, rhs, stmt.span)
                     : binary_constant(stmt.op, current, rhs, stmt.span, work_);
  assign(target, result);
}

void Evaluator::assign(const Expr& target, const Value& value) {
  switch (target.kind) {
    case ExprKind::Name:
      env_->vars[target.text] = value;
      label(value, target.text);
      return;
    case ExprKind::Tuple:
    case ExprKind::List: {
      std::vector<Value> items = iterate(value, target.span);
      if (items.size() != target.items.size()) {
        throw LsrlError(target.span, "cannot unpack " + std::to_string(items.size()) + " value" +
                                         (items.size() == 1 ? "" : "s") + " into " +
                                         std::to_string(target.items.size()) + " names");
      }
      for (std::size_t i = 0; i < items.size(); ++i) assign(*target.items[i], items[i]);
      return;
    }
    case ExprKind::Subscript:
      return assign_subscript(target, value);
    case ExprKind::Attribute:
      return assign_attribute(target, value);
    default:
      throw LsrlError(target.span, "cannot assign to this expression");
  }
}

void Evaluator::label(const Value& value, const std::string& name, int depth, std::int64_t& visits_left) {
  if (value.kind == ValueKind::Var) {
    program_.name_node(value.node, name);
  } else if (value.is_sequence() && depth < 3) {
    const auto& items = *value.list;
    for (std::size_t i = 0; i < items.size() && visits_left > 0; ++i) {
      --visits_left;
      if (items[i].kind == ValueKind::Var || items[i].is_sequence()) {
        label(items[i], name + "[" + std::to_string(i) + "]", depth + 1, visits_left);
      }
    }
  }
}

Evaluator::Flow Evaluator::exec_for(const Stmt& stmt) {
  ++loop_depth_;
  Flow result = Flow::Normal;
  each_item(*stmt.iter, [&](const Value& item) {
    count_iteration(stmt.span);
    assign(*stmt.target, item);
    const Flow flow = exec_block(stmt.body);
    if (flow == Flow::Break) return false;
    if (flow == Flow::Return) {
      result = Flow::Return;
      return false;
    }
    return true;
  });
  --loop_depth_;
  return result;
}

void Evaluator::each_item(const Expr& iter, const std::function<bool(const Value&)>& body) {
  const bool direct_range = iter.kind == ExprKind::Call && iter.items[0]->kind == ExprKind::Name &&
                            iter.items[0]->text == "range" && lookup("range") == nullptr;
  if (direct_range) {
    work_.charge(1, iter.span);
    const RangeBounds r = range_bounds(bind_arguments(*find_builtin("range"), collect_arguments(iter)));
    for (std::int64_t k = 0; k < r.count; ++k) {
      if (!body(Value::integer(Num(static_cast<long long>(range_element(r, k)))))) return;
    }
    return;
  }
  const Value v = eval(iter);
  if (v.is_sequence()) {
    // Python walks the live list: elements appended in the loop are visited.
    const std::shared_ptr<ValueList> items = v.list;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const Value item = (*items)[i];
      if (!body(item)) return;
    }
    return;
  }
  for (const Value& item : iterate(v, iter.span)) {
    if (!body(item)) return;
  }
}

Evaluator::Flow Evaluator::exec_while(const Stmt& stmt) {
  ++loop_depth_;
  Flow result = Flow::Normal;
  while (truthy(eval(*stmt.value), stmt.value->span)) {
    count_iteration(stmt.span);
    const Flow flow = exec_block(stmt.body);
    if (flow == Flow::Break) break;
    if (flow == Flow::Return) {
      result = Flow::Return;
      break;
    }
  }
  --loop_depth_;
  return result;
}

void Evaluator::exec_def(const Stmt& stmt) {
  auto fn = std::make_shared<FunctionValue>();
  fn->def = &stmt;
  fn->closure = env_;
  for (const auto& p : stmt.params)
    if (p.default_value) fn->defaults.push_back(eval(*p.default_value));
  if (env_ != globals_.get()) env_->captured = true;
  Value v;
  v.kind = ValueKind::Function;
  v.function = std::move(fn);
  env_->vars[stmt.name] = std::move(v);
}

void Evaluator::exec_import(const Stmt& stmt) {
  const std::string root = stmt.name.substr(0, stmt.name.find('.'));
  if (root == "lsrl" || root == "math") {
    if (stmt.op == "import") {
      const std::string bound = stmt.alias.empty() ? root : stmt.alias;
      env_->vars[bound] = Value::module(root);
    }
    return;
  }
  std::string hint = unavailable_name_hint(root);
  throw LsrlError(stmt.span,
                  hint.empty() ? "only lsrl and math can be imported; '" + stmt.name + "' is not available" : hint);
}

Evaluator::Flow Evaluator::exec_return(const Stmt& stmt) {
  if (call_depth_ > 0) {
    return_value_ = stmt.value ? eval(*stmt.value) : Value::none();
    return Flow::Return;
  }
  const Value v = program_return_value(stmt);
  program_.set_output(v.node, stmt.span);
  output_set_ = true;
  return_span_ = stmt.span;
  return Flow::Return;
}

Value Evaluator::program_return_value(const Stmt& stmt) {
  if (loop_depth_ > 0) {
    throw LsrlError(stmt.span,
                    "the program's return cannot be inside a loop: the output is chosen once; collect "
                    "values in the loop and return after it");
  }
  if (!stmt.value) {
    throw LsrlError(stmt.span, "the program's return needs a value: the graph variable that is its output");
  }
  Value v = eval(*stmt.value);
  if (v.kind != ValueKind::Var) {
    std::string hint;
    if (v.is_sequence())
      hint = "; to output several variables, return Concat([a, b, ...])";
    else if (v.is_number())
      hint = "; for a constant output use f_constant(x, value)";
    throw LsrlError(stmt.value->span, "the program must return a graph variable, got " + type_name(v) + " " +
                                          describe_value(v, &program_) + hint);
  }
  return v;
}

// ---- expressions -------------------------------------------------------------------------

Value Evaluator::eval(const Expr& e) {
  work_.charge(1, e.span);
  switch (e.kind) {
    case ExprKind::Name:
      return eval_name(e);
    case ExprKind::Number:
      return e.is_float ? Value::floating(e.number) : Value::integer(e.number);
    case ExprKind::String:
      return Value::string(e.text);
    case ExprKind::Bool:
      return Value::boolean(e.flag);
    case ExprKind::None:
      return Value::none();
    case ExprKind::List:
      return eval_sequence(e, ValueKind::List);
    case ExprKind::Tuple:
      return eval_sequence(e, ValueKind::Tuple);
    case ExprKind::ListComp:
      return eval_comprehension(e);
    case ExprKind::Unary:
      return eval_unary(e);
    case ExprKind::Binary:
      return eval_binary(e);
    case ExprKind::BoolOp:
      return eval_bool_op(e);
    case ExprKind::Compare:
      return eval_compare(e);
    case ExprKind::IfExp:
      return truthy(eval(*e.items[0]), e.items[0]->span) ? eval(*e.items[1]) : eval(*e.items[2]);
    case ExprKind::Call:
      return eval_call(e);
    case ExprKind::Subscript:
      return eval_subscript(e);
    case ExprKind::Attribute:
      return eval_attribute(e);
    case ExprKind::Slice:
      throw LsrlError(e.span, "a slice a:b can only appear inside [...]");
    case ExprKind::Starred:
      throw LsrlError(e.span, "*list can only appear in a call's arguments or a list");
  }
  throw LsrlError(e.span, "unsupported expression");
}

Value Evaluator::eval_name(const Expr& e) {
  if (const Value* v = lookup(e.text)) return *v;
  if (find_builtin(e.text) != nullptr) return Value::builtin(e.text);
  if (e.text == "pi") return Value::floating(Num::inexact(std::numbers::pi));
  if (e.text == "lsrl" || e.text == "math") return Value::module(e.text);
  std::string hint = unavailable_name_hint(e.text);
  if (!hint.empty()) throw LsrlError(e.span, hint);
  // The program's own names first: a typo of a variable is likelier than of a builtin.
  std::vector<std::string> own;
  for (const Env* env = env_; env != nullptr; env = env->parent)
    for (const auto& [name, value] : env->vars) own.push_back(name);
  std::string guess = closest_name(e.text, own);
  if (guess.empty()) guess = closest_name(e.text, visible_names());
  throw LsrlError(e.span, "unknown name '" + e.text + "'" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"));
}

Value Evaluator::eval_sequence(const Expr& e, ValueKind kind) {
  ValueList items;
  items.reserve(e.items.size());
  for (const auto& item : e.items) {
    if (item->kind == ExprKind::Starred) {
      std::vector<Value> expanded = iterate(eval(*item->items[0]), item->span);
      items.insert(items.end(), expanded.begin(), expanded.end());
    } else {
      items.push_back(eval(*item));
    }
  }
  return work_.make_list(std::move(items), e.span, kind);
}

Value Evaluator::eval_comprehension(const Expr& e) {
  Env scope;
  scope.parent = env_;
  ScopeGuard guard(env_, &scope);
  ValueList out;
  comprehension_level(e, 0, out);
  return work_.make_list(std::move(out), e.span);
}

void Evaluator::comprehension_level(const Expr& e, std::size_t clause_index, ValueList& out) {
  if (clause_index == e.clauses.size()) {
    out.push_back(eval(*e.items[0]));
    return;
  }
  const CompClause& clause = e.clauses[clause_index];
  each_item(*clause.iter, [&](const Value& item) {
    count_iteration(e.span);
    assign(*clause.target, item);
    for (const auto& condition : clause.conditions) {
      if (!truthy(eval(*condition), condition->span)) return true;
    }
    comprehension_level(e, clause_index + 1, out);
    return true;
  });
}

Value Evaluator::eval_unary(const Expr& e) {
  Value operand = eval(*e.items[0]);
  if (e.text == "not") return Value::boolean(!truthy(operand, e.items[0]->span));
  if (operand.kind == ValueKind::Var) return e.text == "-" ? graph_negate(operand, e.span) : operand;
  return unary_constant(e.text, operand, e.span);
}

Value Evaluator::eval_binary(const Expr& e) {
  Value a = eval(*e.items[0]);
  Value b = eval(*e.items[1]);
  if (a.kind == ValueKind::Var || b.kind == ValueKind::Var) return graph_binary(e.text, a, b, e.span);
  return binary_constant(e.text, a, b, e.span, work_);
}

Value Evaluator::binary(const std::string& op, const Value& a, const Value& b, SourceSpan span) {
  if (a.kind == ValueKind::Var || b.kind == ValueKind::Var) return graph_binary(op, a, b, span);
  return binary_constant(op, a, b, span, work_);
}

Value Evaluator::eval_bool_op(const Expr& e) {
  const bool is_and = e.text == "and";
  Value v;
  for (const auto& item : e.items) {
    v = eval(*item);
    const bool t = truthy(v, item->span);
    if (is_and != t) return v;  // and: the first falsy; or: the first truthy
  }
  return v;
}

Value Evaluator::eval_compare(const Expr& e) {
  Value left = eval(*e.items[0]);
  for (std::size_t i = 0; i < e.compare_ops.size(); ++i) {
    Value right = eval(*e.items[i + 1]);
    if (!compare_constant(e.compare_ops[i], left, right, e.span)) return Value::boolean(false);
    left = std::move(right);
  }
  return Value::boolean(true);
}

Value Evaluator::eval_call(const Expr& e) {
  Value callee = eval(*e.items[0]);
  CallArgs args = collect_arguments(e);
  const Expr* saved = calling_;
  calling_ = &e;
  Value result = call_value(callee, args, e.span);
  calling_ = saved;
  return result;
}

CallArgs Evaluator::collect_arguments(const Expr& call) {
  CallArgs args;
  args.span = call.span;
  for (const auto& arg : call.args) {
    if (arg.star) {
      for (Value& v : iterate(eval(*arg.value), arg.span)) args.positional.push_back(ArgValue{std::move(v), arg.span});
    } else if (!arg.keyword.empty()) {
      args.keywords.emplace_back(arg.keyword, ArgValue{eval(*arg.value), arg.span});
    } else {
      args.positional.push_back(ArgValue{eval(*arg.value), arg.span});
    }
  }
  return args;
}

Value Evaluator::call_value(const Value& callee, CallArgs& args, SourceSpan span) {
  switch (callee.kind) {
    case ValueKind::Function:
      return call_function(*callee.function, args, span);
    case ValueKind::Builtin:
      return call_builtin(callee.str(), args, span);
    case ValueKind::BoundMethod:
      return call_method(callee, args, span);
    default:
      not_callable(callee, span);
  }
}

void Evaluator::not_callable(const Value& callee, SourceSpan span) {
  throw LsrlError(span, describe_value(callee, &program_) + " is " + (callee.kind == ValueKind::Int ? "an " : "a ") +
                            type_name(callee) + ", not a function, so it cannot be called" +
                            (callee.is_number() ? " (is a '*' missing before the '('?)" : ""));
}

Value Evaluator::call_builtin(const std::string& name, CallArgs& args, SourceSpan span) {
  const BuiltinSpec* spec = find_builtin(name);
  if (spec == nullptr) throw LsrlError(span, "unknown function '" + name + "'");
  BoundArgs bound = bind_arguments(*spec, args);
  Value result = spec->handler(*this, bound, span);
  check_node_limit(span);
  return result;
}

Value Evaluator::call_function(const FunctionValue& fn, CallArgs& args, SourceSpan span) {
  std::unique_ptr<Env> env = bind_parameters(fn, args, span);
  Env* const saved_env = env_;
  const int saved_loops = loop_depth_;
  env_ = env.get();
  loop_depth_ = 0;
  ++call_depth_;
  const Flow flow = exec_block(fn.def->body);
  --call_depth_;
  env_ = saved_env;
  loop_depth_ = saved_loops;
  Value result = flow == Flow::Return ? std::move(return_value_) : Value::none();
  return_value_ = Value::none();
  if (env->captured) kept_envs_.push_back(std::move(env));
  return result;
}

std::unique_ptr<Env> Evaluator::bind_parameters(const FunctionValue& fn, const CallArgs& args, SourceSpan span) {
  const Stmt& def = *fn.def;
  if (call_depth_ >= kMaxCallDepth) {
    throw LsrlError(span, "limit exceeded: function calls nest deeper than " + std::to_string(kMaxCallDepth) +
                              " (does '" + def.name + "' call itself without end?)");
  }
  auto env = std::make_unique<Env>();
  env->parent = fn.closure;
  const std::size_t n = def.params.size();
  std::vector<bool> set(n, false);
  auto param_list = [&]() {
    std::string s;
    for (const auto& p : def.params) s += (s.empty() ? "" : ", ") + p.name;
    return s.empty() ? std::string("none") : s;
  };
  if (args.positional.size() > n) {
    throw LsrlError(args.positional[n].span, def.name + "() takes " + std::to_string(n) + " argument" +
                                                 (n == 1 ? "" : "s") + " (" + param_list() + ") but " +
                                                 std::to_string(args.positional.size()) + " were given");
  }
  for (std::size_t i = 0; i < args.positional.size(); ++i) {
    env->vars[def.params[i].name] = args.positional[i].value;
    set[i] = true;
  }
  for (const auto& [keyword, arg] : args.keywords) {
    std::size_t index = n;
    for (std::size_t i = 0; i < n; ++i)
      if (def.params[i].name == keyword) index = i;
    if (index == n) {
      std::vector<std::string> names;
      for (const auto& p : def.params) names.push_back(p.name);
      const std::string guess = closest_name(keyword, names);
      throw LsrlError(arg.span, def.name + "() has no parameter '" + keyword + "'" +
                                    (guess.empty() ? "" : "; did you mean '" + guess + "'?") +
                                    " Its parameters: " + param_list());
    }
    if (set[index]) throw LsrlError(arg.span, def.name + "() got two values for '" + keyword + "'");
    env->vars[keyword] = arg.value;
    set[index] = true;
  }
  const std::size_t first_default = n - fn.defaults.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (set[i]) continue;
    if (i >= first_default) {
      env->vars[def.params[i].name] = fn.defaults[i - first_default];
    } else {
      throw LsrlError(span, def.name + "() is missing the argument '" + def.params[i].name +
                                "' (its parameters: " + param_list() + ")");
    }
  }
  return env;
}

Value Evaluator::eval_subscript(const Expr& e) {
  Value object = eval(*e.items[0]);
  if (object.kind == ValueKind::Var) return index_variable(object, *e.items[1], e.span);
  return index_constant(object, *e.items[1], e.span);
}

Value Evaluator::eval_attribute(const Expr& e) { return attribute_of(eval(*e.items[0]), e.text, e.span); }

std::vector<Value> Evaluator::iterate(const Value& v, SourceSpan span) {
  switch (v.kind) {
    case ValueKind::List:
    case ValueKind::Tuple:
      return *v.list;
    case ValueKind::Str: {
      std::vector<Value> chars;
      for (std::string& c : code_points(v.str())) chars.push_back(Value::string(std::move(c)));
      return chars;
    }
    case ValueKind::Matrix: {
      std::vector<Value> rows;
      for (Eigen::Index r = 0; r < v.matrix->rows(); ++r) {
        ValueList row;
        for (Eigen::Index c = 0; c < v.matrix->cols(); ++c) row.push_back(Value::number((*v.matrix)(r, c)));
        rows.push_back(work_.make_list(std::move(row), span));
      }
      return rows;
    }
    case ValueKind::Var:
      throw LsrlError(span, "cannot loop over a graph variable; loop over range(x.dim) and use x[i]");
    default:
      throw LsrlError(span, type_name(v) + " " + describe_value(v, &program_) + " cannot be looped over" +
                                (v.kind == ValueKind::Int ? "; use range(n)" : ""));
  }
}

}  // namespace lsrl::lang
