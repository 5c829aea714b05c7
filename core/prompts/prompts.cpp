// Prompt builders for the paper's universal approximation programs.
//
// TargetFunction is a tiny recursive-descent parser and tree evaluator for
// the expressions a user types as a target function ("sin(3*x1)*x2"). It is
// deliberately separate from the LSRL language: these expressions are
// evaluated numerically at cell centres, never turned into graph nodes.
#include "prompts/prompts.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <numbers>
#include <sstream>

namespace lsrl {

// ---------------------------------------------------------------------------
// Expression tree
// ---------------------------------------------------------------------------

namespace {

// A node of the parsed formula. TargetFunction::Expr (private to the class)
// only wraps the root, so the parser below can build nodes freely.
struct FormulaNode {
  enum class Kind { Number, Variable, Negate, Add, Subtract, Multiply, Divide, Power, Call };
  Kind kind = Kind::Number;
  double number = 0;     // Number
  int variable = 0;      // Variable: 0-based index into x
  std::string function;  // Call
  std::vector<std::shared_ptr<const FormulaNode>> operands;

  double evaluate(const std::vector<double>& x) const {
    switch (kind) {
      case Kind::Number:
        return number;
      case Kind::Variable:
        return x[static_cast<std::size_t>(variable)];
      case Kind::Negate:
        return -operands[0]->evaluate(x);
      case Kind::Add:
        return operands[0]->evaluate(x) + operands[1]->evaluate(x);
      case Kind::Subtract:
        return operands[0]->evaluate(x) - operands[1]->evaluate(x);
      case Kind::Multiply:
        return operands[0]->evaluate(x) * operands[1]->evaluate(x);
      case Kind::Divide:
        return operands[0]->evaluate(x) / operands[1]->evaluate(x);
      case Kind::Power:
        return std::pow(operands[0]->evaluate(x), operands[1]->evaluate(x));
      case Kind::Call:
        return call(x);
    }
    return 0;
  }

 private:
  double call(const std::vector<double>& x) const {
    std::vector<double> args;
    args.reserve(operands.size());
    for (const auto& operand : operands) args.push_back(operand->evaluate(x));
    const double a = args[0];
    if (function == "sin") return std::sin(a);
    if (function == "cos") return std::cos(a);
    if (function == "tan") return std::tan(a);
    if (function == "exp") return std::exp(a);
    if (function == "log") return std::log(a);
    if (function == "sqrt") return std::sqrt(a);
    if (function == "abs") return std::fabs(a);
    if (function == "tanh") return std::tanh(a);
    if (function == "floor") return std::floor(a);
    if (function == "pow") return std::pow(a, args[1]);
    if (function == "min" || function == "max") {
      double best = a;
      for (double v : args) best = function == "min" ? std::fmin(best, v) : std::fmax(best, v);
      return best;
    }
    return std::nan("");  // unreachable: the parser only builds known calls
  }
};

using ExprPtr = std::shared_ptr<const FormulaNode>;

struct FunctionArity {
  int min_args;
  int max_args;  // -1: any number >= min_args
};

const std::map<std::string, FunctionArity>& known_functions() {
  static const std::map<std::string, FunctionArity> table = {
      {"sin", {1, 1}}, {"cos", {1, 1}},  {"tan", {1, 1}},   {"exp", {1, 1}}, {"log", {1, 1}},  {"sqrt", {1, 1}},
      {"abs", {1, 1}}, {"tanh", {1, 1}}, {"floor", {1, 1}}, {"pow", {2, 2}}, {"min", {2, -1}}, {"max", {2, -1}},
  };
  return table;
}

// Thrown inside the parser only; parse() turns it into a Diagnostic.
struct ParseFailure {
  int column;  // 1-based
  int length;
  std::string message;
};

// Text from the user, made safe to put in a message (which may end up in
// JSON, and JSON must be valid UTF-8): valid UTF-8 stays as it is, control
// characters and bytes that are not UTF-8 become \xNN.
std::string printable(const std::string& text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 0;
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(text[i + k]) >> 6) == 0x2;
    if (valid && !(length == 1 && (lead < 0x20 || lead == 0x7f))) {
      out.append(text, i, length);
      i += length;
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[lead >> 4];
      out += hex[lead & 0xf];
      ++i;
    }
  }
  return out;
}

class ExpressionParser {
 public:
  using Expr = FormulaNode;

  ExpressionParser(const std::string& text, std::size_t begin, std::size_t end, int input_dims)
      : text_(text), pos_(begin), end_(end), input_dims_(input_dims) {}

  ExprPtr parse_component() {
    skip_spaces();
    if (pos_ >= end_) fail(pos_, 1, "empty expression: write a formula in " + variable_list());
    ExprPtr e = parse_sum();
    skip_spaces();
    if (pos_ < end_) {
      if (text_[pos_] == ')') fail(pos_, 1, "unmatched ')'");
      if (text_[pos_] == ',')
        fail(pos_, 1, "unexpected ',' outside a function call (separate output components with ';')");
      fail(pos_, 1,
           "unexpected '" + printable(text_.substr(pos_, 1)) +
               "' after a complete expression: expected an operator (+ - * / **)");
    }
    return e;
  }

 private:
  [[noreturn]] void fail(std::size_t at, std::size_t length, const std::string& message) const {
    throw ParseFailure{static_cast<int>(at) + 1, static_cast<int>(length == 0 ? 1 : length), message};
  }

  std::string variable_list() const {
    return input_dims_ == 1 ? std::string("x1") : "x1..x" + std::to_string(input_dims_);
  }

  void skip_spaces() {
    while (pos_ < end_ && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool accept(const char* token) {
    skip_spaces();
    std::size_t n = std::char_traits<char>::length(token);
    if (pos_ + n <= end_ && text_.compare(pos_, n, token) == 0) {
      pos_ += n;
      return true;
    }
    return false;
  }

  static ExprPtr make(Expr::Kind kind, std::vector<ExprPtr> operands) {
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    e->operands = std::move(operands);
    return e;
  }

  // Bounds the recursion so that hostile input ("((((...", "-----...") gets
  // an error instead of exhausting the stack.
  class DepthGuard {
   public:
    DepthGuard(ExpressionParser& parser) : parser_(parser) {
      if (++parser_.depth_ > kMaxDepth) parser_.fail(parser_.pos_, 1, "the expression is nested too deeply");
    }
    ~DepthGuard() { --parser_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    ExpressionParser& parser_;
  };
  static constexpr int kMaxDepth = 500;

  // sum := product (('+' | '-') product)*
  ExprPtr parse_sum() {
    DepthGuard guard(*this);
    ExprPtr left = parse_product();
    for (;;) {
      if (accept("+")) {
        left = make(Expr::Kind::Add, {left, parse_product()});
      } else if (accept("-")) {
        left = make(Expr::Kind::Subtract, {left, parse_product()});
      } else {
        return left;
      }
    }
  }

  // product := unary (('*' | '/') unary)*   ('**' is a power, not a product)
  ExprPtr parse_product() {
    ExprPtr left = parse_unary();
    for (;;) {
      skip_spaces();
      if (pos_ + 1 < end_ && text_[pos_] == '*' && text_[pos_ + 1] == '*') return left;
      if (accept("*")) {
        left = make(Expr::Kind::Multiply, {left, parse_unary()});
      } else if (accept("/")) {
        left = make(Expr::Kind::Divide, {left, parse_unary()});
      } else {
        return left;
      }
    }
  }

  // unary := ('-' | '+') unary | power   (as in Python, -x**2 is -(x**2))
  ExprPtr parse_unary() {
    DepthGuard guard(*this);
    if (accept("-")) return make(Expr::Kind::Negate, {parse_unary()});
    if (accept("+")) return parse_unary();
    return parse_power();
  }

  // power := primary (('**' | '^') unary)?   (right-associative)
  ExprPtr parse_power() {
    ExprPtr base = parse_primary();
    if (accept("**") || accept("^")) return make(Expr::Kind::Power, {base, parse_unary()});
    return base;
  }

  ExprPtr parse_primary() {
    skip_spaces();
    if (pos_ >= end_)
      fail(pos_, 1,
           "the expression ends too early: expected a number, " + variable_list() + ", a function call or '('");
    const char c = text_[pos_];
    if (c == '(') {
      const std::size_t open = pos_++;
      ExprPtr inner = parse_sum();
      if (!accept(")")) fail(open, 1, "this '(' is never closed");
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return parse_number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return parse_name();
    fail(pos_, 1,
         "unexpected '" + printable(std::string(1, c)) + "': expected a number, " + variable_list() +
             ", a function call or '('");
  }

  ExprPtr parse_number() {
    const std::size_t start = pos_;
    while (pos_ < end_ && (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.')) ++pos_;
    if (pos_ < end_ && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      std::size_t look = pos_ + 1;
      if (look < end_ && (text_[look] == '+' || text_[look] == '-')) ++look;
      if (look < end_ && std::isdigit(static_cast<unsigned char>(text_[look]))) {
        pos_ = look;
        while (pos_ < end_ && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      }
    }
    const std::string literal = text_.substr(start, pos_ - start);
    std::size_t used = 0;
    double value = 0;
    bool ok = std::count(literal.begin(), literal.end(), '.') <= 1 && literal != ".";
    if (ok) {
      try {
        value = std::stod(literal, &used);
      } catch (...) {
        ok = false;
      }
    }
    if (!ok || used != literal.size() || !std::isfinite(value))
      fail(start, literal.size(), "malformed number '" + literal + "'");
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::Number;
    e->number = value;
    return e;
  }

  ExprPtr parse_name() {
    const std::size_t start = pos_;
    while (pos_ < end_ && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    const std::string name = text_.substr(start, pos_ - start);

    skip_spaces();
    const bool is_call = pos_ < end_ && text_[pos_] == '(';
    if (is_call) return parse_call(name, start);

    if (name == "pi" || name == "e") {
      auto e = std::make_shared<Expr>();
      e->kind = Expr::Kind::Number;
      e->number = name == "pi" ? std::numbers::pi : std::numbers::e;
      return e;
    }
    if (name.size() >= 2 && name[0] == 'x' && name.find_first_not_of("0123456789", 1) == std::string::npos &&
        name[1] != '0') {
      const long index = name.size() <= 4 ? std::stol(name.substr(1)) : 100000;
      if (index >= 1 && index <= input_dims_) {
        auto e = std::make_shared<Expr>();
        e->kind = Expr::Kind::Variable;
        e->variable = static_cast<int>(index - 1);
        return e;
      }
      fail(start, name.size(),
           "'" + name + "' is not an input: this function has " + std::to_string(input_dims_) +
               (input_dims_ == 1 ? " input, x1" : " inputs, " + variable_list()));
    }
    if (known_functions().count(name))
      fail(start, name.size(), "'" + name + "' is a function: call it with parentheses, e.g. " + name + "(x1)");
    std::vector<std::string> candidates = {"pi", "e"};
    for (int i = 1; i <= input_dims_; ++i) candidates.push_back(std::string("x").append(std::to_string(i)));
    std::string message = "unknown name '" + name + "': the inputs are " + variable_list() + ", the constants pi and e";
    const std::string suggestion = closest_name(name, candidates);
    if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
    fail(start, name.size(), message);
  }

  ExprPtr parse_call(const std::string& name, std::size_t start) {
    auto found = known_functions().find(name);
    if (found == known_functions().end()) {
      std::vector<std::string> names;
      for (const auto& [known, arity] : known_functions()) names.push_back(known);
      std::string message = "unknown function '" + name + "'";
      const std::string suggestion = closest_name(name, names);
      if (!suggestion.empty()) {
        message += "; did you mean '" + suggestion + "'?";
      } else {
        message += ": the functions are sin cos tan exp log sqrt abs tanh min max pow floor";
      }
      fail(start, name.size(), message);
    }
    const std::size_t open = pos_;
    ++pos_;  // '('
    std::vector<ExprPtr> args;
    skip_spaces();
    if (!(pos_ < end_ && text_[pos_] == ')')) {
      for (;;) {
        args.push_back(parse_sum());
        if (accept(",")) continue;
        break;
      }
    }
    if (!accept(")")) {
      skip_spaces();
      if (pos_ >= end_) fail(open, 1, "this '(' of " + name + "(...) is never closed");
      fail(pos_, 1,
           "unexpected '" + printable(text_.substr(pos_, 1)) + "' in the arguments of " + name +
               ": expected ',' or ')'");
    }
    const FunctionArity arity = found->second;
    const int count = static_cast<int>(args.size());
    if (count < arity.min_args || (arity.max_args >= 0 && count > arity.max_args)) {
      std::string expected =
          arity.max_args < 0 ? "at least " + std::to_string(arity.min_args) : std::to_string(arity.min_args);
      fail(start, pos_ - start,
           name + " takes " + expected + " argument" + (expected == "1" ? "" : "s") + ", got " + std::to_string(count));
    }
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::Call;
    e->function = name;
    e->operands = std::move(args);
    return e;
  }

  const std::string& text_;
  std::size_t pos_;
  std::size_t end_;
  int input_dims_;
  int depth_ = 0;
};

Diagnostic error_without_position(const std::string& message) {
  Diagnostic d;
  d.message = message;
  return d;
}

std::string format_point(const std::vector<double>& x) {
  std::ostringstream os;
  os << '(';
  for (std::size_t i = 0; i < x.size(); ++i) os << (i ? ", " : "") << x[i];
  os << ')';
  return os.str();
}

// Splits UTF-8 text into code points (each kept as its byte sequence), so a
// vocabulary may hold non-ASCII characters. Returns false on invalid UTF-8.
bool split_utf8(const std::string& text, std::vector<std::string>& out) {
  out.clear();
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k)
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return false;
    out.push_back(text.substr(i, length));
    i += length;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------
// TargetFunction
// ---------------------------------------------------------------------------

struct TargetFunction::Expr {
  ExprPtr root;
};

bool TargetFunction::parse(const std::string& text, int input_dims, TargetFunction& out, Diagnostic& error) {
  error = Diagnostic{};
  if (input_dims < 1) {
    error.message = "a target function needs at least one input (x1), got " + std::to_string(input_dims);
    return false;
  }
  std::vector<std::shared_ptr<const Expr>> components;
  try {
    std::size_t begin = 0;
    for (;;) {
      std::size_t end = text.find(';', begin);
      if (end == std::string::npos) end = text.size();
      ExpressionParser parser(text, begin, end, input_dims);
      auto component = std::make_shared<Expr>();
      component->root = parser.parse_component();
      components.push_back(std::move(component));
      if (end == text.size()) break;
      begin = end + 1;
    }
  } catch (const ParseFailure& failure) {
    error.span = SourceSpan{1, failure.column, failure.length};
    error.message = failure.message;
    error.source_line = text;
    return false;
  }
  out.input_dims_ = input_dims;
  out.components_ = std::move(components);
  return true;
}

std::vector<double> TargetFunction::operator()(const std::vector<double>& x) const {
  std::vector<double> padded = x;
  padded.resize(static_cast<std::size_t>(input_dims_), 0.0);
  std::vector<double> values;
  values.reserve(components_.size());
  for (const auto& component : components_) values.push_back(component->root->evaluate(padded));
  return values;
}

// ---------------------------------------------------------------------------
// Listing 1 prompt (Eq. 8)
// ---------------------------------------------------------------------------

namespace {
// Enough for any plot or test and small enough that nobody's browser tab is
// asked to hold a billion tokens by a typo in the cell count.
constexpr long long kMaxContinuousPromptTokens = 1'000'000;
}  // namespace

PromptResult build_continuous_prompt(const TargetFunction& f, int cells_per_axis, const std::vector<double>& query) {
  PromptResult result;
  const int d_in = f.input_dims();
  const int d_out = f.output_dims();
  if (d_in < 1 || d_out < 1) {
    result.diagnostics.push_back(error_without_position("the target function is empty: parse it first (x1..xd)"));
    return result;
  }
  if (cells_per_axis < 1) {
    result.diagnostics.push_back(error_without_position("the number of cells per axis must be at least 1, got " +
                                                        std::to_string(cells_per_axis)));
    return result;
  }
  long long token_count = 1;
  for (int axis = 0; axis < d_in; ++axis) {
    token_count *= cells_per_axis;
    if (token_count > kMaxContinuousPromptTokens) {
      result.diagnostics.push_back(error_without_position(
          std::to_string(cells_per_axis) + " cells per axis in " + std::to_string(d_in) + " dimensions is more than " +
          std::to_string(kMaxContinuousPromptTokens) + " prompt tokens: use fewer cells per axis"));
      return result;
    }
  }
  if (static_cast<int>(query.size()) != d_in) {
    result.diagnostics.push_back(error_without_position("the query has " + std::to_string(query.size()) + " component" +
                                                        (query.size() == 1 ? "" : "s") + " but the function has " +
                                                        std::to_string(d_in) + " input" + (d_in == 1 ? "" : "s") +
                                                        ": give one number in [0, 1] per input"));
    return result;
  }
  for (std::size_t k = 0; k < query.size(); ++k) {
    if (!std::isfinite(query[k]) || query[k] < 0.0 || query[k] > 1.0) {
      std::ostringstream os;
      os << "query component " << k + 1 << " is " << query[k] << ": the program approximates f on [0, 1]^" << d_in
         << ", so every component must lie in [0, 1]";
      result.diagnostics.push_back(error_without_position(os.str()));
      return result;
    }
  }

  const std::size_t width = static_cast<std::size_t>(1 + d_in + d_out);
  result.tokens.reserve(static_cast<std::size_t>(token_count) + 1);

  // The query comes first, padded with zeros to the token width.
  std::vector<double> query_token(width, 0.0);
  for (int k = 0; k < d_in; ++k) query_token[static_cast<std::size_t>(k)] = query[static_cast<std::size_t>(k)];
  result.tokens.push_back(std::move(query_token));

  // Then one token per cell, the first axis varying slowest:
  // [1/N, lower corner l_1..l_d_in, f(cell centre)].
  const double N = static_cast<double>(cells_per_axis);
  std::vector<int> index(static_cast<std::size_t>(d_in), 0);
  std::vector<double> centre(static_cast<std::size_t>(d_in));
  for (long long cell = 0; cell < token_count; ++cell) {
    std::vector<double> token(width, 0.0);
    token[0] = 1.0 / N;
    for (int k = 0; k < d_in; ++k) {
      const auto i = static_cast<std::size_t>(k);
      token[i + 1] = index[i] / N;
      centre[i] = (index[i] + 0.5) / N;
    }
    const std::vector<double> values = f(centre);
    for (int j = 0; j < d_out; ++j) {
      const double v = values[static_cast<std::size_t>(j)];
      if (!std::isfinite(v)) {
        std::ostringstream os;
        os << "the target function is not finite at the cell centre " << format_point(centre)
           << (d_out > 1 ? " (component " + std::to_string(j + 1) + ")" : std::string())
           << ": choose a function defined on all of [0, 1]^" << d_in;
        result.diagnostics.push_back(error_without_position(os.str()));
        result.tokens.clear();
        return result;
      }
      token[static_cast<std::size_t>(1 + d_in + j)] = v;
    }
    result.tokens.push_back(std::move(token));
    // Advance the mixed-radix cell index, last axis fastest.
    for (int k = d_in - 1; k >= 0; --k) {
      if (++index[static_cast<std::size_t>(k)] < cells_per_axis) break;
      index[static_cast<std::size_t>(k)] = 0;
    }
  }
  result.ok = true;
  return result;
}

// ---------------------------------------------------------------------------
// Listing 2 prompt
// ---------------------------------------------------------------------------

PromptResult build_dictionary_prompt(const std::string& query,
                                     const std::vector<std::pair<std::string, std::string>>& pairs,
                                     const std::string& vocab) {
  PromptResult result;
  auto fail = [&](const std::string& message) {
    result.diagnostics.push_back(error_without_position(message));
    result.tokens.clear();
    result.ok = false;
    return result;
  };

  std::vector<std::string> vocab_chars;
  if (!split_utf8(vocab, vocab_chars)) return fail("the vocabulary is not valid UTF-8 text");
  if (vocab_chars.empty()) return fail("the program's vocabulary is empty: declare one with vocab(\"?ABC...\")");
  std::map<std::string, int> id_of;
  for (std::size_t i = 0; i < vocab_chars.size(); ++i) {
    auto [it, inserted] = id_of.emplace(vocab_chars[i], static_cast<int>(i));
    if (!inserted)
      return fail("the vocabulary lists '" + printable(vocab_chars[i]) + "' twice (ids " + std::to_string(it->second) +
                  " and " + std::to_string(i) + "): every character needs exactly one id");
  }

  // Encodes `text`, naming `what` ("the query", "key 3 (\"CAN\")") in errors.
  auto encode = [&](const std::string& text, const std::string& what, std::vector<double>& ids) -> std::string {
    std::vector<std::string> chars;
    if (!split_utf8(text, chars)) return what + " is not valid UTF-8 text";
    for (std::size_t i = 0; i < chars.size(); ++i) {
      auto found = id_of.find(chars[i]);
      if (found == id_of.end())
        return "character " + std::to_string(i + 1) + " of " + what + ", '" + printable(chars[i]) +
               "', is not in the vocabulary \"" + printable(vocab) + "\": use only those characters";
      ids.push_back(found->second);
    }
    return "";
  };

  std::vector<double> query_ids;
  if (std::string error = encode(query, "the query \"" + printable(query) + "\"", query_ids); !error.empty())
    return fail(error);
  const std::size_t n = query_ids.size();
  if (n == 0) return fail("the query is empty: give a key of n characters (for example CAN)");
  if (pairs.empty()) return fail("the dictionary has no pairs: give at least one key -> value pair");

  std::vector<double> prompt_ids;
  std::map<std::string, std::size_t> first_pair_with_key;
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    const auto& [key, value] = pairs[p];
    const std::string key_what = "key " + std::to_string(p + 1) + " (\"" + printable(key) + "\")";
    const std::string value_what = "value " + std::to_string(p + 1) + " (\"" + printable(value) + "\")";
    std::vector<double> key_ids, value_ids;
    if (std::string error = encode(key, key_what, key_ids); !error.empty()) return fail(error);
    if (std::string error = encode(value, value_what, value_ids); !error.empty()) return fail(error);
    if (key_ids.size() != n)
      return fail(key_what + " has " + std::to_string(key_ids.size()) + " characters but the query has " +
                  std::to_string(n) + ": every key and value must have exactly n = " + std::to_string(n) +
                  " characters");
    if (value_ids.size() != n)
      return fail(value_what + " has " + std::to_string(value_ids.size()) + " characters but the query has " +
                  std::to_string(n) + ": every key and value must have exactly n = " + std::to_string(n) +
                  " characters");
    auto [it, inserted] = first_pair_with_key.emplace(key, p);
    if (!inserted)
      return fail(key_what + " repeats key " + std::to_string(it->second + 1) +
                  ": a lookup needs distinct keys (the program would add both values together)");
    prompt_ids.insert(prompt_ids.end(), key_ids.begin(), key_ids.end());
    prompt_ids.insert(prompt_ids.end(), value_ids.begin(), value_ids.end());
  }

  if (!first_pair_with_key.count(query)) {
    Diagnostic warning;
    warning.severity = Severity::Warning;
    warning.message = "the query \"" + printable(query) +
                      "\" is not one of the keys: the program will answer with id 0 ('" + printable(vocab_chars[0]) +
                      "') in every position";
    result.diagnostics.push_back(warning);
  }

  result.tokens.reserve(query_ids.size() + prompt_ids.size());
  for (double id : query_ids) result.tokens.push_back({id});
  for (double id : prompt_ids) result.tokens.push_back({id});
  result.ok = true;
  return result;
}

}  // namespace lsrl
