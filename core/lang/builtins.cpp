#include "lang/builtins.hpp"

#include <algorithm>
#include <unordered_map>

namespace lsrl::lang {

namespace {

struct BuiltinTable {
  std::unordered_map<std::string, BuiltinSpec> by_name;
  std::vector<std::string> names;
};

// Built once, read-only afterwards.
const BuiltinTable& table() {
  static const BuiltinTable instance = [] {
    std::vector<BuiltinSpec> specs;
    add_value_builtins(specs);
    add_graph_builtins(specs);
    add_program_builtins(specs);
    BuiltinTable t;
    for (auto& spec : specs) {
      t.names.push_back(spec.name);
      t.by_name.emplace(spec.name, std::move(spec));
    }
    std::sort(t.names.begin(), t.names.end());
    return t;
  }();
  return instance;
}

std::string keyword_list(const BuiltinSpec& spec) {
  std::string s;
  for (const auto& p : spec.params) {
    if (!s.empty()) s += ", ";
    s += p.name;
    for (const auto& alias : p.aliases) s += " (or " + alias + ")";
  }
  return s.empty() ? "none" : s;
}

}  // namespace

const BuiltinSpec* find_builtin(const std::string& name) {
  const auto& t = table();
  auto it = t.by_name.find(name);
  return it == t.by_name.end() ? nullptr : &it->second;
}

const std::vector<std::string>& builtin_names() { return table().names; }

std::string signature_text(const BuiltinSpec& spec) {
  std::string s = spec.name + "(";
  bool first = true;
  for (const auto& p : spec.params) {
    if (!first) s += ", ";
    first = false;
    s += p.name;
    if (!p.required) s += "=...";
  }
  if (spec.variadic) s += first ? "..." : ", ...";
  return s + ")";
}

BoundArgs bind_arguments(const BuiltinSpec& spec, const CallArgs& args) {
  BoundArgs bound;
  bound.call = args.span;
  bound.slots.resize(spec.params.size());
  std::vector<std::size_t> positional_slots;
  for (std::size_t i = 0; i < spec.params.size(); ++i)
    if (!spec.params[i].keyword_only) positional_slots.push_back(i);
  for (std::size_t i = 0; i < args.positional.size(); ++i) {
    if (i < positional_slots.size()) {
      bound.slots[positional_slots[i]] = args.positional[i];
    } else if (spec.variadic) {
      bound.rest.push_back(args.positional[i]);
    } else {
      std::size_t required = 0;
      for (const auto& p : spec.params) required += p.required ? 1 : 0;
      const std::size_t most = positional_slots.size();
      const std::string counts =
          required == most ? std::to_string(most) : std::to_string(required) + " to " + std::to_string(most);
      throw LsrlError(args.positional[i].span, spec.name + "() takes " + counts + " argument" +
                                                   (most == 1 && required == 1 ? "" : "s") + " but " +
                                                   std::to_string(args.positional.size()) + " were given; it is " +
                                                   signature_text(spec));
    }
  }
  for (const auto& [keyword, arg] : args.keywords) {
    std::size_t index = spec.params.size();
    for (std::size_t i = 0; i < spec.params.size() && index == spec.params.size(); ++i) {
      const auto& p = spec.params[i];
      if (p.name == keyword || std::find(p.aliases.begin(), p.aliases.end(), keyword) != p.aliases.end()) index = i;
    }
    if (index == spec.params.size()) {
      std::vector<std::string> candidates;
      for (const auto& p : spec.params) {
        candidates.push_back(p.name);
        candidates.insert(candidates.end(), p.aliases.begin(), p.aliases.end());
      }
      const std::string guess = closest_name(keyword, candidates);
      throw LsrlError(arg.span, spec.name + "() has no keyword '" + keyword + "'" +
                                    (guess.empty() ? "" : "; did you mean '" + guess + "'?") +
                                    " Its keywords: " + keyword_list(spec));
    }
    if (bound.slots[index]) {
      throw LsrlError(arg.span, spec.name + "() got '" + spec.params[index].name +
                                    "' twice (by position and by keyword " + keyword + "=)");
    }
    bound.slots[index] = arg;
  }
  for (std::size_t i = 0; i < spec.params.size(); ++i) {
    if (spec.params[i].required && !bound.slots[i]) {
      throw LsrlError(args.span, spec.name + "() is missing the argument '" + spec.params[i].name + "'; it is " +
                                     signature_text(spec));
    }
  }
  return bound;
}

NumDense matrix_argument(const BoundArgs& args, std::size_t i, const std::string& what) {
  return as_matrix(args.value(i), what, args.span(i));
}

NumVector column_argument(const BoundArgs& args, std::size_t i, const std::string& what) {
  return as_column(args.value(i), what, args.span(i));
}

std::int64_t integer_argument(const BoundArgs& args, std::size_t i, const std::string& what) {
  return as_integer(args.value(i), what, args.span(i));
}

Num number_argument(const BoundArgs& args, std::size_t i, const std::string& what) {
  return as_number(args.value(i), what, args.span(i));
}

}  // namespace lsrl::lang
