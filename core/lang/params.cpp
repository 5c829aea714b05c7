// param(...) and vocab(...): what a program declares about itself for the
// tools around it (the playground's controls, lsrlc's --param, text input).
#include <set>

#include "lang/builtins.hpp"
#include "lang/evaluator.hpp"
#include "lang/limits.hpp"

namespace lsrl::lang {

namespace {

std::string quoted_list(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : ", ") + ("'" + item + "'");
  return s;
}

// Checks a value against the param's range; `source` says where it came
// from ("the default" or "--param n=20").
void check_range(const ParamSpec& spec, const Num& value, const std::string& source, SourceSpan span) {
  if (spec.min && value.to_double() < *spec.min) {
    throw LsrlError(span, source + " of parameter '" + spec.name + "' is below its min " + Num(*spec.min).to_string() +
                              " (allowed: " + Num(*spec.min).to_string() + " to " +
                              (spec.max ? Num(*spec.max).to_string() : std::string("any")) + ")");
  }
  if (spec.max && value.to_double() > *spec.max) {
    throw LsrlError(span, source + " of parameter '" + spec.name + "' is above its max " + Num(*spec.max).to_string() +
                              " (allowed: " + (spec.min ? Num(*spec.min).to_string() : std::string("any")) + " to " +
                              Num(*spec.max).to_string() + ")");
  }
}

bool parse_integer_text(const std::string& text, Num& out) {
  if (text.empty() || text.find_first_of(".eE") != std::string::npos) return false;
  return Num::parse_decimal(text, out) && out.is_exact() && out.denominator() == 1;
}

Value builtin_param(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const std::string name = ev.param_name_for(call);
  for (const auto& existing : ev.info().params) {
    if (existing.name == name) {
      throw LsrlError(call, "parameter '" + name + "' is declared twice (first on line " +
                                std::to_string(existing.origin.line) + ")");
    }
  }
  ParamSpec spec;
  spec.name = name;
  spec.origin = call;
  const Value& def = args.value(0);
  if (args.given(3)) {
    if (args.value(3).kind != ValueKind::Str) throw LsrlError(args.span(3), "param: doc must be a string");
    spec.doc = args.value(3).str();
  }
  if (args.given(4)) {
    for (const Value& choice : ev.items_of(args.value(4), args.span(4))) {
      if (choice.kind != ValueKind::Str) {
        throw LsrlError(args.span(4), "param: choices must be strings, got " + type_name(choice));
      }
      for (const auto& c : spec.choices)
        if (c == choice.str()) throw LsrlError(args.span(4), "param: the choice '" + c + "' appears twice");
      spec.choices.push_back(choice.str());
    }
    if (spec.choices.empty()) throw LsrlError(args.span(4), "param: choices cannot be empty");
  }

  if (def.kind == ValueKind::Str) {
    spec.kind = "choice";
    if (spec.choices.empty()) {
      throw LsrlError(args.span(0), "a text parameter needs its choices: param(\"" + def.str() + "\", choices=[...])");
    }
    if (args.given(1) || args.given(2)) throw LsrlError(call, "param: min and max apply to numbers, not to choices");
  } else if (def.kind == ValueKind::Int || def.kind == ValueKind::Float) {
    spec.kind = def.kind == ValueKind::Int ? "int" : "float";
    if (!spec.choices.empty()) {
      throw LsrlError(args.span(4), "param: choices are for text parameters; a number takes min= and max=");
    }
  } else {
    throw LsrlError(args.span(0),
                    "param: the default must be an int, a float or a string (with choices), got " + type_name(def));
  }
  if (args.given(1)) spec.min = as_number(args.value(1), "param: min", args.span(1)).to_double();
  if (args.given(2)) spec.max = as_number(args.value(2), "param: max", args.span(2)).to_double();
  if (spec.min && spec.max && *spec.min > *spec.max) {
    throw LsrlError(call, "param: min " + Num(*spec.min).to_string() + " is above max " + Num(*spec.max).to_string());
  }
  spec.default_value = to_text(def);

  Value result = def;
  if (spec.kind == "choice") {
    bool known = false;
    for (const auto& c : spec.choices) known = known || c == def.str();
    if (!known) {
      throw LsrlError(args.span(0), "the default '" + def.str() + "' of parameter '" + name +
                                        "' is not one of its choices: " + quoted_list(spec.choices));
    }
  } else {
    check_range(spec, def.num, "the default " + spec.default_value, args.span(0));
  }

  auto override_it = ev.options().params.find(name);
  if (override_it != ev.options().params.end()) {
    ev.mark_override_used(name);
    const std::string& text = override_it->second;
    const std::string source = "--param " + name + "=" + text;
    if (spec.kind == "choice") {
      bool known = false;
      for (const auto& c : spec.choices) known = known || c == text;
      if (!known) {
        throw LsrlError(call, source + ": '" + text + "' is not a choice of parameter '" + name + "'; choose one of " +
                                  quoted_list(spec.choices));
      }
      result = Value::string(text);
    } else {
      Num value;
      if (spec.kind == "int") {
        if (!parse_integer_text(text, value)) {
          throw LsrlError(call, source + ": parameter '" + name + "' takes an integer, not '" + text + "'");
        }
        result = Value::integer(value);
      } else {
        if (!Num::parse_decimal(text, value)) {
          throw LsrlError(call, source + ": parameter '" + name + "' takes a number, not '" + text + "'");
        }
        result = Value::floating(value);
      }
      check_range(spec, value, source, call);
    }
  }
  spec.value = to_text(result);
  ev.info().params.push_back(std::move(spec));
  return result;
}

Value builtin_vocab(Evaluator& ev, BoundArgs& args, SourceSpan call) {
  const Value& v = args.value(0);
  if (v.kind != ValueKind::Str) {
    throw LsrlError(args.span(0), "vocab needs a string whose i-th character is token i, e.g. vocab(\"?ABC\")");
  }
  if (ev.info().vocab) throw LsrlError(call, "vocab(...) is given twice; a program has one vocabulary");
  const std::vector<Value> chars = ev.items_of(v, args.span(0));
  if (chars.empty()) throw LsrlError(args.span(0), "the vocabulary cannot be empty");
  if (static_cast<std::int64_t>(chars.size()) > kMaxWidth) {
    throw LsrlError(args.span(0),
                    "limit exceeded: a vocabulary of more than " + std::to_string(kMaxWidth) + " characters");
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    if (!seen.insert(chars[i].str()).second) {
      throw LsrlError(args.span(0), "the vocabulary has '" + chars[i].str() + "' twice (again as token " +
                                        std::to_string(i) + "); each character must be one token");
    }
  }
  ev.info().vocab = v.str();
  return Value::none();
}

}  // namespace

void add_program_builtins(std::vector<BuiltinSpec>& table) {
  table.push_back({"param",
                   {ParamDecl{"default", {"value"}, true}, ParamDecl{"min", {}, false}, ParamDecl{"max", {}, false},
                    ParamDecl{"doc", {}, false}, ParamDecl{"choices", {}, false}},
                   false,
                   builtin_param});
  table.push_back({"vocab", {ParamDecl{"chars", {"text"}, true}}, false, builtin_vocab});
}

}  // namespace lsrl::lang
