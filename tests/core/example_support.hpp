// Loading the examples and their companions (examples/NAME.example.json) and
// turning a companion's prompt into tokens, for the example and acceptance
// tests and the benchmarks. No GoogleTest here: failures come back as text.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "api/api.hpp"
#include "output_comparison.hpp"
#include "prompts/prompts.hpp"

namespace lsrl::example_support {

inline std::string examples_dir() { return std::string(LSRL_SOURCE_DIR) + "/examples"; }

inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every examples/*.lsrl, by name without extension, sorted.
inline std::vector<std::string> example_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(examples_dir())) {
    if (entry.path().extension() == ".lsrl") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

inline std::string example_source(const std::string& name) {
  return read_text_file(examples_dir() + "/" + name + ".lsrl");
}

inline nlohmann::json example_companion(const std::string& name) {
  return nlohmann::json::parse(read_text_file(examples_dir() + "/" + name + ".example.json"));
}

// The companion's "params" as --param text ("3", "0.5", "multiplicative").
inline std::map<std::string, std::string> companion_params(const nlohmann::json& companion) {
  std::map<std::string, std::string> params;
  if (!companion.contains("params")) return params;
  for (const auto& [key, value] : companion["params"].items())
    params[key] = value.is_string() ? value.get<std::string>() : value.dump();
  return params;
}

// The 25 pairs of examples/data/country_capitals.csv, in file order.
inline std::vector<std::pair<std::string, std::string>> country_capitals() {
  std::ifstream csv(examples_dir() + "/data/country_capitals.csv");
  std::vector<std::pair<std::string, std::string>> pairs;
  std::string line;
  std::getline(csv, line);  // header
  while (std::getline(csv, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto comma = line.find(',');
    if (comma == std::string::npos) continue;
    pairs.emplace_back(line.substr(0, comma), line.substr(comma + 1));
  }
  return pairs;
}

struct PromptTokens {
  bool ok = false;
  std::string error;
  std::vector<std::vector<double>> tokens;
};

inline std::string first_message(const std::vector<Diagnostic>& diagnostics) {
  return diagnostics.empty() ? std::string("(no diagnostic)") : diagnostics.front().render();
}

// Builds the tokens of a companion's "prompt" for a built program.
inline PromptTokens companion_tokens(const nlohmann::json& prompt, const ProgramInfo& info) {
  PromptTokens out;
  const std::string kind = prompt.value("kind", "");
  if (kind == "tokens") {
    api::TokensResult r = api::parse_tokens(prompt.at("text").get<std::string>(), info.input_dim);
    out.ok = r.ok;
    out.tokens = std::move(r.tokens);
    if (!r.ok) out.error = first_message(r.diagnostics);
  } else if (kind == "text") {
    api::TokensResult r = api::encode_text(prompt.at("text").get<std::string>(), info);
    out.ok = r.ok;
    out.tokens = std::move(r.tokens);
    if (!r.ok) out.error = first_message(r.diagnostics);
  } else if (kind == "continuous") {
    const auto query = prompt.at("query").get<std::vector<double>>();
    TargetFunction f;
    Diagnostic error;
    if (!TargetFunction::parse(prompt.at("function").get<std::string>(), static_cast<int>(query.size()), f, error)) {
      out.error = error.render();
      return out;
    }
    PromptResult r = build_continuous_prompt(f, prompt.at("cells").get<int>(), query);
    out.ok = r.ok;
    out.tokens = std::move(r.tokens);
    if (!r.ok) out.error = first_message(r.diagnostics);
  } else if (kind == "dictionary") {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& pair : prompt.at("pairs"))
      pairs.emplace_back(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
    if (!info.vocab) {
      out.error = "a dictionary prompt needs a program with a vocab(...)";
      return out;
    }
    PromptResult r = build_dictionary_prompt(prompt.at("query").get<std::string>(), pairs, *info.vocab);
    out.ok = r.ok;
    out.tokens = std::move(r.tokens);
    if (!r.ok) out.error = first_message(r.diagnostics);
  } else {
    out.error = "unknown prompt kind '" + kind + "'";
  }
  return out;
}

// |a - b| / max(1, |a|), the largest over all steps and units; +inf when the
// shapes differ or a non-finite value is not matched (output_comparison.hpp).
inline double max_relative_difference(const OutputRows& reference, const OutputRows& other) {
  return output_comparison::max_deviation(reference, other);
}

}  // namespace lsrl::example_support
