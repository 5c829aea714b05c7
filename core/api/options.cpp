// The doors' option values, checked in one place: the command line hands
// over its flags' text, the bindings the page's options as text, and both
// get the same checks and the same messages (only the option's name differs).
#include <cmath>
#include <limits>
#include <string>

#include "api/api.hpp"
#include "api/number_text.hpp"

namespace lsrl::api {
namespace {

Diagnostic error_without_position(const std::string& filename, std::string message) {
  Diagnostic d;
  d.file = filename;
  d.message = std::move(message);
  return d;
}

// T as a user gave it: a whole number that fits an int and lies in range.
bool read_max_length(const std::string& text, const char* name, const std::string& filename, int& out,
                     std::vector<Diagnostic>& diagnostics) {
  double number = 0;
  const bool finite = parse_decimal(text, number) && std::isfinite(number);
  const std::string what = std::string("the maximum sequence length (") + name + ")";
  if (!finite || std::trunc(number) != number || number < std::numeric_limits<int>::min() ||
      number > std::numeric_limits<int>::max()) {
    diagnostics.push_back(error_without_position(filename, what + " must be a whole number of tokens between 1 and " +
                                                               std::to_string(kMaxSequenceLengthLimit) +
                                                               (finite ? " (got " + text + ")" : "")));
    return false;
  }
  const int length = static_cast<int>(number);
  if (length < 1 || length > kMaxSequenceLengthLimit) {
    diagnostics.push_back(error_without_position(
        filename, what + " must be between 1 and " + std::to_string(kMaxSequenceLengthLimit) + " tokens (got " +
                      std::to_string(length) + "); give the length of the longest input the model will run"));
    return false;
  }
  out = length;
  return true;
}

}  // namespace

std::vector<TargetInfo> targets() { return list_targets(); }

CompileOptionsResult read_compile_options(const OptionTexts& texts, const OptionNames& names) {
  CompileOptionsResult result;
  CompileOptions& options = result.options;
  options.filename = texts.filename;
  options.params = texts.params;
  if (texts.target) options.target = *texts.target;
  if (texts.activations && !texts.activations->empty() && !parse_activations(*texts.activations, options.activations)) {
    result.diagnostics.push_back(error_without_position(
        texts.filename,
        std::string("unknown ") + names.activations + " '" + *texts.activations + "'; use 'paper' or 'standard'"));
  }
  if (texts.linear_chains && !parse_linear_chains(*texts.linear_chains, options.linear_chains)) {
    result.diagnostics.push_back(error_without_position(
        texts.filename,
        std::string("unknown ") + names.linear_chains + " '" + *texts.linear_chains + "'; use 'keep' or 'fuse'"));
  }
  if (texts.max_length) {
    int length = 0;
    if (read_max_length(*texts.max_length, names.max_length, texts.filename, length, result.diagnostics)) {
      options.max_sequence_length = length;
    }
  }
  result.ok = result.diagnostics.empty();
  return result;
}

bool read_precision(const std::string& text, const OptionNames& names, Precision& out, Diagnostic& error) {
  if (parse_precision(text.empty() ? "f64" : text, out)) return true;
  error =
      error_without_position("", std::string("unknown ") + names.precision + " '" + text + "'; use f64, f32 or f16");
  return false;
}

bool read_export_format(const std::string& text, const OptionNames& names, ExportFormat& out, Diagnostic& error) {
  if (text == "json") {
    out = ExportFormat::Json;
  } else if (text == "safetensors") {
    out = ExportFormat::Safetensors;
  } else {
    error =
        error_without_position("", std::string("unknown ") + names.format + " '" + text + "'; use json or safetensors");
    return false;
  }
  return true;
}

}  // namespace lsrl::api
