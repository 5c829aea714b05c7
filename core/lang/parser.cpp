#include "lang/parser.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace lsrl::lang {

namespace {

const std::set<std::string>& reserved_words() {
  static const std::set<std::string> words = {"and",  "as",       "assert", "break",  "class", "continue", "def",
                                              "del",  "elif",     "else",   "except", "False", "finally",  "for",
                                              "from", "global",   "if",     "import", "in",    "is",       "lambda",
                                              "None", "nonlocal", "not",    "or",     "pass",  "raise",    "return",
                                              "True", "try",      "while",  "with",   "yield", "async",    "await"};
  return words;
}

// Python constructs LSRL leaves out, with what to do instead.
std::string unsupported_word_hint(const std::string& word) {
  if (word == "class") return "classes are not part of LSRL; use functions (def)";
  if (word == "lambda") return "lambda is not part of LSRL; define a function with def";
  if (word == "try" || word == "except" || word == "finally" || word == "raise") {
    return "exceptions are not part of LSRL; use assert CONDITION, \"message\" to stop with an error";
  }
  if (word == "with") return "'with' is not part of LSRL";
  if (word == "global" || word == "nonlocal") return "'" + word + "' is not part of LSRL; return values instead";
  if (word == "del") return "'del' is not part of LSRL";
  if (word == "yield" || word == "async" || word == "await") return "'" + word + "' is not part of LSRL";
  return "";
}

int height_of(const Expr& e) {
  int h = 0;
  for (const auto& item : e.items)
    if (item) h = std::max(h, item->height);
  for (const auto& arg : e.args) h = std::max(h, arg.value->height);
  for (const auto& clause : e.clauses) {
    h = std::max(h, clause.target->height);
    h = std::max(h, clause.iter->height);
    for (const auto& c : clause.conditions) h = std::max(h, c->height);
  }
  return h + 1;
}

class Parser {
 public:
  explicit Parser(const std::vector<Token>& tokens) : toks_(tokens) {}

  Module module() {
    Module m;
    while (!at(TokenKind::End)) {
      if (at(TokenKind::Newline)) {
        ++pos_;
        continue;
      }
      if (at(TokenKind::Indent)) {
        throw LsrlError(peek().span,
                        "unexpected indentation; this line is indented but follows no ':' that opens a "
                        "block");
      }
      statement(m.body);
    }
    // The last code token: where a missing top-level return is reported.
    for (std::size_t k = toks_.size(); k-- > 0;) {
      const Token& t = toks_[k];
      if (t.kind == TokenKind::Newline || t.kind == TokenKind::Dedent || t.kind == TokenKind::End ||
          t.kind == TokenKind::Indent)
        continue;
      m.last_code_line = t.span.line;
      m.last_code_col = t.span.col + t.span.length;
      break;
    }
    return m;
  }

 private:
  // ---- token helpers ----------------------------------------------------------
  const Token& peek(std::size_t ahead = 0) const { return toks_[std::min(pos_ + ahead, toks_.size() - 1)]; }
  bool at(TokenKind kind) const { return peek().kind == kind; }
  bool at_op(const char* op, std::size_t ahead = 0) const {
    return peek(ahead).kind == TokenKind::Op && peek(ahead).text == op;
  }
  bool at_word(const char* word, std::size_t ahead = 0) const {
    return peek(ahead).kind == TokenKind::Name && peek(ahead).text == word;
  }
  const Token& next() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool accept_op(const char* op) {
    if (!at_op(op)) return false;
    next();
    return true;
  }
  bool accept_word(const char* word) {
    if (!at_word(word)) return false;
    next();
    return true;
  }

  [[noreturn]] void fail_expected(const std::string& expected) const {
    const Token& t = peek();
    if (t.kind == TokenKind::Op && t.text == "=" && expected.find("'='") == std::string::npos) {
      throw LsrlError(t.span, "expected " + expected + ", found '='; to compare, write '=='");
    }
    if (t.kind == TokenKind::Indent) {
      throw LsrlError(t.span, "unexpected indentation; expected " + expected);
    }
    throw LsrlError(t.span, "expected " + expected + ", found " + describe_token(t));
  }
  const Token& expect_op(const char* op, const std::string& context) {
    if (!at_op(op)) fail_expected("'" + std::string(op) + "' " + context);
    return next();
  }
  std::string expect_name(const std::string& what) {
    const Token& t = peek();
    if (t.kind != TokenKind::Name) fail_expected(what);
    if (is_reserved_word(t.text)) {
      throw LsrlError(t.span, "expected " + what + ", found the reserved word '" + t.text + "'");
    }
    return next().text;
  }
  void expect_end_of_statement() {
    if (at(TokenKind::Newline)) {
      next();
      return;
    }
    if (at(TokenKind::End)) return;
    const Token& t = peek();
    if (t.kind == TokenKind::Op && t.text == ":") {
      throw LsrlError(t.span, "unexpected ':'; only if, elif, else, for, while and def lines end with ':'");
    }
    if (t.kind == TokenKind::Op && t.text == "=") {
      throw LsrlError(t.span, "unexpected '='; only a name, an element x[i] or a list of names can be assigned to");
    }
    throw LsrlError(t.span, "unexpected " + describe_token(t) +
                                " after the end of an expression; is an operator, a comma or a line break missing?");
  }

  SourceSpan span_to_previous(SourceSpan start) const {
    const Token& last = toks_[pos_ == 0 ? 0 : pos_ - 1];
    SourceSpan s = start;
    if (last.span.line == start.line && last.span.col + last.span.length > start.col) {
      s.length = last.span.col + last.span.length - start.col;
    }
    return s;
  }

  ExprPtr make(ExprKind kind, SourceSpan span) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->span = span;
    return e;
  }
  ExprPtr finish(ExprPtr e) {
    e->height = height_of(*e);
    if (e->height > kMaxExpressionHeight) {
      throw LsrlError(e->span, "limit exceeded: this expression nests deeper than " +
                                   std::to_string(kMaxExpressionHeight) + " levels; split it over several assignments");
    }
    return e;
  }

  // ---- statements -------------------------------------------------------------
  void statement(StmtList& out) {
    const Token& t = peek();
    if (t.kind == TokenKind::Name) {
      if (t.text == "def") return out.push_back(def_statement());
      if (t.text == "for") return out.push_back(for_statement());
      if (t.text == "while") return out.push_back(while_statement());
      if (t.text == "if") return out.push_back(if_statement());
      if (t.text == "elif" || t.text == "else") {
        throw LsrlError(t.span, "'" + t.text + "' without a matching 'if' (check its indentation)");
      }
      if (t.text == "ForEach" && at_op(":", 1)) return out.push_back(foreach_statement());
      std::string hint = unsupported_word_hint(t.text);
      if (!hint.empty()) throw LsrlError(t.span, hint);
    }
    simple_statements(out);
  }

  void simple_statements(StmtList& out) {
    out.push_back(small_statement());
    while (accept_op(";")) {
      if (at(TokenKind::Newline) || at(TokenKind::End)) break;
      out.push_back(small_statement());
    }
    expect_end_of_statement();
  }

  StmtPtr new_stmt(StmtKind kind, SourceSpan span) {
    auto s = std::make_unique<Stmt>();
    s->kind = kind;
    s->span = span;
    return s;
  }

  StmtPtr small_statement() {
    const Token& t = peek();
    const SourceSpan start = t.span;
    if (t.kind == TokenKind::Name) {
      if (t.text == "pass") {
        next();
        return new_stmt(StmtKind::Pass, start);
      }
      if (t.text == "break" || t.text == "continue") {
        next();
        if (loop_depth_ == 0) throw LsrlError(start, "'" + t.text + "' outside a loop");
        return new_stmt(t.text == "break" ? StmtKind::Break : StmtKind::Continue, start);
      }
      if (t.text == "return") {
        next();
        auto s = new_stmt(StmtKind::Return, start);
        if (!at(TokenKind::Newline) && !at(TokenKind::End) && !at_op(";")) s->value = expression_list();
        return s;
      }
      if (t.text == "assert") {
        next();
        auto s = new_stmt(StmtKind::Assert, start);
        s->value = expression();
        if (accept_op(",")) s->message = expression();
        return s;
      }
      if (t.text == "import" || t.text == "from") return import_statement();
      std::string hint = unsupported_word_hint(t.text);
      if (!hint.empty()) throw LsrlError(t.span, hint);
    }
    ExprPtr first = expression_list(true);
    if (at_op("=")) {
      auto s = new_stmt(StmtKind::Assign, first->span);
      check_target(*first);
      s->targets.push_back(std::move(first));
      while (true) {
        const Token& eq = next();
        (void)eq;
        ExprPtr value = expression_list(true);
        if (at_op("=")) {
          check_target(*value);
          s->targets.push_back(std::move(value));
          continue;
        }
        s->value = std::move(value);
        break;
      }
      return s;
    }
    static const char* const kAugmented[] = {"+=", "-=", "*=", "/=", "//=", "%=", "**=", "@="};
    for (const char* op : kAugmented) {
      if (at_op(op)) {
        const Token& op_token = next();
        if (first->kind != ExprKind::Name && first->kind != ExprKind::Subscript && first->kind != ExprKind::Attribute) {
          throw LsrlError(first->span, "'" + op_token.text + "' needs a name or an element x[i] on its left");
        }
        auto s = new_stmt(StmtKind::AugAssign, op_token.span);
        s->op = std::string(op).substr(0, std::string(op).size() - 1);
        s->targets.push_back(std::move(first));
        s->value = expression_list();
        return s;
      }
    }
    auto s = new_stmt(StmtKind::Expr, first->span);
    s->value = std::move(first);
    return s;
  }

  void check_target(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Name:
      case ExprKind::Subscript:
      case ExprKind::Attribute:
        return;
      case ExprKind::Tuple:
      case ExprKind::List:
        for (const auto& item : e.items) check_target(*item);
        return;
      case ExprKind::Call:
        throw LsrlError(e.span, "cannot assign to a function call; to compare, write '=='");
      default:
        throw LsrlError(e.span,
                        "cannot assign to this expression; the left of '=' must be a name, an element "
                        "x[i], or names separated by commas");
    }
  }

  StmtPtr import_statement() {
    const Token& kw = next();
    auto s = new_stmt(StmtKind::Import, kw.span);
    s->op = kw.text;  // "import" or "from"
    auto dotted = [&]() {
      std::string name = expect_name("a module name");
      while (accept_op(".")) name += "." + expect_name("a module name after '.'");
      return name;
    };
    s->name = dotted();
    if (kw.text == "import") {
      if (accept_word("as")) s->alias = expect_name("a name after 'as'");
      return s;
    }
    if (!accept_word("import")) fail_expected("'import' after the module name");
    if (accept_op("*")) return s;
    const bool parenthesized = accept_op("(");
    do {
      if (parenthesized && at_op(")")) break;
      expect_name("a name to import");
      if (accept_word("as")) expect_name("a name after 'as'");
    } while (accept_op(","));
    if (parenthesized) expect_op(")", "to close the import list");
    return s;
  }

  // The body after a ':' ending a header line (header names it in messages).
  StmtList block(const std::string& header, SourceSpan header_span) {
    StmtList body;
    if (!at(TokenKind::Newline)) {
      // `if c: x = 1` -- statements on the header's line.
      if (at(TokenKind::End)) fail_expected("a statement after ':'");
      simple_statements(body);
      return body;
    }
    next();
    if (!at(TokenKind::Indent)) {
      throw LsrlError(peek().span, "expected an indented block after the '" + header + "' on line " +
                                       std::to_string(header_span.line) + " (write 'pass' for an empty one)");
    }
    if (++block_depth_ > kMaxBlockDepth) {
      throw LsrlError(peek().span,
                      "limit exceeded: blocks nest deeper than " + std::to_string(kMaxBlockDepth) + " levels");
    }
    next();
    while (!at(TokenKind::Dedent) && !at(TokenKind::End)) {
      if (at(TokenKind::Indent)) {
        throw LsrlError(peek().span,
                        "unexpected indentation; this line is indented more than the line above it, "
                        "which opens no block");
      }
      statement(body);
    }
    if (at(TokenKind::Dedent)) next();
    --block_depth_;
    return body;
  }

  void expect_header_colon(const std::string& header) {
    if (at_op(":")) {
      next();
      return;
    }
    fail_expected("':' at the end of the '" + header + "' line");
  }

  StmtPtr def_statement() {
    const Token& kw = next();
    auto s = new_stmt(StmtKind::Def, kw.span);
    const Token& name_token = peek();
    s->name = expect_name("a function name after 'def'");
    s->span = name_token.span;
    expect_op("(", "after the function name");
    bool seen_default = false;
    while (!at_op(")")) {
      Param p;
      p.span = peek().span;
      if (at_op("*") || at_op("**")) {
        throw LsrlError(peek().span, "*args and **kwargs parameters are not part of LSRL; pass a list instead");
      }
      p.name = expect_name("a parameter name");
      for (const auto& other : s->params) {
        if (other.name == p.name) throw LsrlError(p.span, "the parameter '" + p.name + "' appears twice");
      }
      if (accept_op(":")) expression();  // a type annotation: read and ignored
      if (accept_op("=")) {
        p.default_value = expression();
        seen_default = true;
      } else if (seen_default) {
        throw LsrlError(p.span, "the parameter '" + p.name +
                                    "' has no default but follows one that has; put parameters with defaults last");
      }
      s->params.push_back(std::move(p));
      if (!accept_op(",")) break;
    }
    expect_op(")", "to close the parameter list");
    if (accept_op("->")) expression();  // a return annotation: read and ignored
    expect_header_colon("def " + s->name);
    ++function_depth_;
    const int saved_loops = loop_depth_;
    loop_depth_ = 0;
    s->body = block("def " + s->name, kw.span);
    loop_depth_ = saved_loops;
    --function_depth_;
    s->end_line = toks_[pos_ == 0 ? 0 : pos_ - 1].span.line;
    return s;
  }

  ExprPtr target_list() {
    const SourceSpan start = peek().span;
    std::vector<ExprPtr> items;
    do {
      if (at_word("in")) break;
      items.push_back(primary());
      check_target(*items.back());
    } while (accept_op(","));
    if (items.empty()) fail_expected("a loop variable");
    if (items.size() == 1) return std::move(items.front());
    auto tuple = make(ExprKind::Tuple, start);
    tuple->items = std::move(items);
    return finish(std::move(tuple));
  }

  StmtPtr for_statement() {
    const Token& kw = next();
    auto s = new_stmt(StmtKind::For, kw.span);
    s->target = target_list();
    if (!accept_word("in")) fail_expected("'in' after the loop variable");
    s->iter = expression_list();
    expect_header_colon("for");
    ++loop_depth_;
    s->body = block("for", kw.span);
    --loop_depth_;
    if (at_word("else")) throw LsrlError(peek().span, "'for ... else' is not part of LSRL");
    return s;
  }

  StmtPtr while_statement() {
    const Token& kw = next();
    auto s = new_stmt(StmtKind::While, kw.span);
    s->value = expression();
    expect_header_colon("while");
    ++loop_depth_;
    s->body = block("while", kw.span);
    --loop_depth_;
    return s;
  }

  StmtPtr if_statement() {
    const Token& kw = next();  // 'if' or 'elif'
    const std::string word = kw.text;
    auto s = new_stmt(StmtKind::If, kw.span);
    s->value = expression();
    expect_header_colon(word);
    s->body = block(word, kw.span);
    if (at_word("elif")) {
      s->orelse.push_back(if_statement());
    } else if (at_word("else")) {
      const Token& else_kw = next();
      expect_header_colon("else");
      s->orelse = block("else", else_kw.span);
    }
    return s;
  }

  StmtPtr foreach_statement() {
    const Token& kw = next();
    next();  // ':'
    auto s = new_stmt(StmtKind::ForEach, kw.span);
    s->body = block("ForEach", kw.span);
    return s;
  }

  // ---- expressions ------------------------------------------------------------
  // a, b, c (a Tuple) or a single expression; allow_star lets `*xs` appear.
  ExprPtr expression_list(bool allow_star = false) {
    const SourceSpan start = peek().span;
    ExprPtr first = allow_star && at_op("*") ? starred() : expression();
    if (!at_op(",")) return first;
    auto tuple = make(ExprKind::Tuple, start);
    tuple->items.push_back(std::move(first));
    while (accept_op(",")) {
      if (at(TokenKind::Newline) || at(TokenKind::End) || at_op("=") || at_op(")") || at_op(":") || at_op(";")) break;
      tuple->items.push_back(allow_star && at_op("*") ? starred() : expression());
    }
    return finish(std::move(tuple));
  }

  ExprPtr starred() {
    const Token& star = next();
    auto e = make(ExprKind::Starred, star.span);
    e->items.push_back(or_test());
    return finish(std::move(e));
  }

  // Counts the parser's own recursion, so that "((((...))))" nested a
  // thousand deep is an error and not a stack overflow.
  struct NestingGuard {
    NestingGuard(Parser& p) : parser(p) {
      if (++parser.nesting_ > kMaxParseNesting) {
        throw LsrlError(parser.peek().span, "limit exceeded: brackets and operators nest deeper than " +
                                                std::to_string(kMaxParseNesting) +
                                                " levels here; split the expression over several assignments");
      }
    }
    ~NestingGuard() { --parser.nesting_; }
    Parser& parser;
  };

  ExprPtr expression() {
    NestingGuard guard(*this);
    if (at_word("lambda")) throw LsrlError(peek().span, unsupported_word_hint("lambda"));
    ExprPtr value = or_test();
    if (!at_word("if")) return value;
    const Token& kw = next();
    auto e = make(ExprKind::IfExp, kw.span);
    ExprPtr condition = or_test();
    if (!accept_word("else")) fail_expected("'else' in the conditional expression 'a if condition else b'");
    ExprPtr other = expression();
    e->items.push_back(std::move(condition));
    e->items.push_back(std::move(value));
    e->items.push_back(std::move(other));
    return finish(std::move(e));
  }

  ExprPtr bool_chain(const char* word, ExprPtr (Parser::*operand)()) {
    ExprPtr first = (this->*operand)();
    if (!at_word(word)) return first;
    auto e = make(ExprKind::BoolOp, peek().span);
    e->text = word;
    e->items.push_back(std::move(first));
    while (accept_word(word)) e->items.push_back((this->*operand)());
    return finish(std::move(e));
  }
  ExprPtr or_test() { return bool_chain("or", &Parser::and_test); }
  ExprPtr and_test() { return bool_chain("and", &Parser::not_test); }

  ExprPtr not_test() {
    if (!at_word("not")) return comparison();
    NestingGuard guard(*this);
    const Token& kw = next();
    auto e = make(ExprKind::Unary, kw.span);
    e->text = "not";
    e->items.push_back(not_test());
    return finish(std::move(e));
  }

  bool comparison_operator(std::string& op) {
    static const char* const kOps[] = {"<", ">", "==", "!=", "<=", ">="};
    for (const char* o : kOps) {
      if (at_op(o)) {
        op = o;
        next();
        return true;
      }
    }
    if (at_word("in")) {
      next();
      op = "in";
      return true;
    }
    if (at_word("not") && at_word("in", 1)) {
      next();
      next();
      op = "not in";
      return true;
    }
    if (at_word("is")) {
      next();
      op = accept_word("not") ? "is not" : "is";
      return true;
    }
    return false;
  }

  ExprPtr comparison() {
    ExprPtr first = arith();
    std::string op;
    const SourceSpan op_span = peek().span;
    if (!comparison_operator(op)) return first;
    auto e = make(ExprKind::Compare, op_span);
    e->items.push_back(std::move(first));
    do {
      e->compare_ops.push_back(op);
      e->items.push_back(arith());
    } while (comparison_operator(op));
    return finish(std::move(e));
  }

  ExprPtr binary(ExprPtr left, const Token& op_token, ExprPtr right) {
    auto e = make(ExprKind::Binary, op_token.span);
    e->text = op_token.text;
    e->items.push_back(std::move(left));
    e->items.push_back(std::move(right));
    return finish(std::move(e));
  }

  ExprPtr arith() {
    ExprPtr left = term();
    while (at_op("+") || at_op("-")) {
      const Token& op = next();
      left = binary(std::move(left), op, term());
    }
    return left;
  }

  ExprPtr term() {
    ExprPtr left = factor();
    while (at_op("*") || at_op("/") || at_op("//") || at_op("%") || at_op("@")) {
      const Token& op = next();
      left = binary(std::move(left), op, factor());
    }
    return left;
  }

  ExprPtr factor() {
    NestingGuard guard(*this);
    if (at_op("-") || at_op("+")) {
      const Token& op = next();
      auto e = make(ExprKind::Unary, op.span);
      e->text = op.text;
      e->items.push_back(factor());
      return finish(std::move(e));
    }
    return power();
  }

  ExprPtr power() {
    ExprPtr base = primary();
    if (at_op("**")) {
      const Token& op = next();
      return binary(std::move(base), op, factor());
    }
    return base;
  }

  ExprPtr primary() {
    ExprPtr e = atom();
    while (true) {
      if (at_op("(")) {
        e = call(std::move(e));
      } else if (at_op("[")) {
        e = subscript(std::move(e));
      } else if (at_op(".")) {
        next();
        const Token& name_token = peek();
        auto attr = make(ExprKind::Attribute, name_token.span);
        attr->text = expect_name("an attribute name after '.'");
        attr->items.push_back(std::move(e));
        e = finish(std::move(attr));
      } else {
        return e;
      }
    }
  }

  ExprPtr call(ExprPtr callee) {
    const SourceSpan start = callee->span;
    const Token& open = next();
    auto e = make(ExprKind::Call, start);
    e->items.push_back(std::move(callee));
    bool seen_keyword = false;
    while (!at_op(")")) {
      Argument arg;
      arg.span = peek().span;
      if (at_op("**")) throw LsrlError(peek().span, "**kwargs in a call is not part of LSRL");
      if (at_op("*")) {
        next();
        arg.star = true;
        arg.value = expression();
        arg.span = span_to_previous(arg.span);
      } else if (peek().kind == TokenKind::Name && at_op("=", 1)) {
        arg.keyword = expect_name("a keyword");
        next();
        for (const auto& other : e->args) {
          if (other.keyword == arg.keyword) {
            throw LsrlError(arg.span, "the keyword '" + arg.keyword + "' is given twice");
          }
        }
        arg.value = expression();
        arg.span = span_to_previous(arg.span);
        seen_keyword = true;
      } else {
        if (seen_keyword) {
          throw LsrlError(arg.span,
                          "a positional argument cannot follow a keyword argument; give it by keyword or "
                          "move it before the keywords");
        }
        arg.value = expression();
        arg.span = span_to_previous(arg.span);
        if (at_word("for")) {
          // f(x for x in xs): a generator argument, taken as a list.
          if (!e->args.empty()) throw LsrlError(arg.span, "a generator argument must be the only argument");
          arg.value = comprehension(std::move(arg.value), arg.span, ")");
          e->args.push_back(std::move(arg));
          break;
        }
      }
      e->args.push_back(std::move(arg));
      if (!accept_op(",")) break;
    }
    if (!at_op(")")) {
      fail_expected("',' or ')' to close the call opened at line " + std::to_string(open.span.line) + " column " +
                    std::to_string(open.span.col));
    }
    next();
    e->span = span_to_previous(start);
    return finish(std::move(e));
  }

  ExprPtr slice_or_index() {
    const SourceSpan start = peek().span;
    ExprPtr lower;
    if (!at_op(":")) {
      lower = expression();
      if (!at_op(":")) return lower;
    }
    auto s = make(ExprKind::Slice, start);
    next();  // ':'
    ExprPtr upper;
    ExprPtr step;
    if (!at_op("]") && !at_op(",") && !at_op(":")) upper = expression();
    if (accept_op(":")) {
      if (!at_op("]") && !at_op(",")) step = expression();
    }
    s->items.push_back(std::move(lower));
    s->items.push_back(std::move(upper));
    s->items.push_back(std::move(step));
    return finish(std::move(s));
  }

  ExprPtr subscript(ExprPtr object) {
    const Token& open = next();
    auto e = make(ExprKind::Subscript, open.span);
    if (at_op("]")) fail_expected("an index or a slice inside '[]'");
    ExprPtr index = slice_or_index();
    if (at_op(",")) {
      auto tuple = make(ExprKind::Tuple, index->span);
      tuple->items.push_back(std::move(index));
      while (accept_op(",")) {
        if (at_op("]")) break;
        tuple->items.push_back(slice_or_index());
      }
      index = finish(std::move(tuple));
    }
    expect_op("]", "to close the index");
    e->items.push_back(std::move(object));
    e->items.push_back(std::move(index));
    return finish(std::move(e));
  }

  // [element for target in iter if cond ...] (also used for generator arguments).
  ExprPtr comprehension(ExprPtr element, SourceSpan start, const char* closer) {
    auto e = make(ExprKind::ListComp, start);
    e->items.push_back(std::move(element));
    while (at_word("for")) {
      next();
      CompClause clause;
      clause.target = target_list();
      if (!accept_word("in")) fail_expected("'in' in the comprehension");
      clause.iter = or_test();
      while (at_word("if")) {
        next();
        clause.conditions.push_back(or_test());
      }
      e->clauses.push_back(std::move(clause));
    }
    if (!at_op(closer)) fail_expected(std::string("'") + closer + "' to close the comprehension");
    return finish(std::move(e));
  }

  ExprPtr atom() {
    const Token& t = peek();
    switch (t.kind) {
      case TokenKind::Name: {
        if (t.text == "True" || t.text == "False") {
          next();
          auto e = make(ExprKind::Bool, t.span);
          e->flag = t.text == "True";
          return e;
        }
        if (t.text == "None") {
          next();
          return make(ExprKind::None, t.span);
        }
        if (is_reserved_word(t.text)) {
          std::string hint = unsupported_word_hint(t.text);
          if (!hint.empty()) throw LsrlError(t.span, hint);
          throw LsrlError(t.span, "expected an expression, found the reserved word '" + t.text + "'");
        }
        next();
        auto e = make(ExprKind::Name, t.span);
        e->text = t.text;
        return e;
      }
      case TokenKind::Int:
      case TokenKind::Float: {
        next();
        auto e = make(ExprKind::Number, t.span);
        e->is_float = t.kind == TokenKind::Float;
        e->number = number_value(t);
        return e;
      }
      case TokenKind::String: {
        next();
        auto e = make(ExprKind::String, t.span);
        e->text = t.text;
        while (at(TokenKind::String)) e->text += next().text;  // "a" "b" is "ab"
        return e;
      }
      case TokenKind::Op:
        if (t.text == "(") return parenthesized();
        if (t.text == "[") return bracketed();
        if (t.text == "{") {
          throw LsrlError(t.span, "dicts and sets are not part of LSRL; use lists (and functions for lookups)");
        }
        break;
      default:
        break;
    }
    fail_expected("an expression");
  }

  Num number_value(const Token& t) {
    if (t.text.size() > 2 && t.text[0] == '0' && (t.text[1] == 'x' || t.text[1] == 'X')) {
      std::int64_t value = 0;
      for (std::size_t k = 2; k < t.text.size(); ++k) {
        const char h = t.text[k];
        const int digit = (h >= '0' && h <= '9') ? h - '0' : (h | 0x20) - 'a' + 10;
        if (value > (INT64_MAX - digit) / 16) throw LsrlError(t.span, "this integer is too large (limit 2^63 - 1)");
        value = value * 16 + digit;
      }
      return Num(static_cast<long long>(value));
    }
    Num out;
    if (!Num::parse_decimal(t.text, out)) throw LsrlError(t.span, "malformed number '" + t.text + "'");
    if (!std::isfinite(out.to_double())) throw LsrlError(t.span, "the number " + t.text + " is too large");
    return out;
  }

  ExprPtr parenthesized() {
    const Token& open = next();
    if (accept_op(")")) {
      auto e = make(ExprKind::Tuple, open.span);
      return e;
    }
    ExprPtr first = at_op("*") ? starred() : expression();
    if (at_word("for")) {
      ExprPtr comp = comprehension(std::move(first), open.span, ")");
      next();
      return comp;
    }
    if (accept_op(")")) return first;
    auto tuple = make(ExprKind::Tuple, open.span);
    tuple->items.push_back(std::move(first));
    while (accept_op(",")) {
      if (at_op(")")) break;
      tuple->items.push_back(at_op("*") ? starred() : expression());
    }
    if (!at_op(")")) {
      fail_expected("',' or ')' to close the '(' at line " + std::to_string(open.span.line) + " column " +
                    std::to_string(open.span.col));
    }
    next();
    tuple->span = span_to_previous(open.span);
    return finish(std::move(tuple));
  }

  ExprPtr bracketed() {
    const Token& open = next();
    auto list = make(ExprKind::List, open.span);
    if (accept_op("]")) return list;
    ExprPtr first = at_op("*") ? starred() : expression();
    if (at_word("for")) {
      ExprPtr comp = comprehension(std::move(first), open.span, "]");
      next();
      return comp;
    }
    list->items.push_back(std::move(first));
    while (accept_op(",")) {
      if (at_op("]")) break;
      list->items.push_back(at_op("*") ? starred() : expression());
    }
    if (!at_op("]")) {
      fail_expected("',' or ']' to close the list opened at line " + std::to_string(open.span.line) + " column " +
                    std::to_string(open.span.col));
    }
    next();
    list->span = span_to_previous(open.span);
    return finish(std::move(list));
  }

  const std::vector<Token>& toks_;
  std::size_t pos_ = 0;
  int loop_depth_ = 0;
  int function_depth_ = 0;
  int block_depth_ = 0;
  int nesting_ = 0;
};

}  // namespace

bool is_reserved_word(const std::string& word) { return reserved_words().count(word) > 0; }

Module parse(const std::vector<Token>& tokens) { return Parser(tokens).module(); }

Module parse_source(const std::string& source) { return parse(tokenize(source)); }

}  // namespace lsrl::lang
