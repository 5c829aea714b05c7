// lsrlc's command line, parsed into one struct. Parsing only checks the
// shape of the command line (known flags, values present, flags that belong
// to the command); the values themselves (targets, precisions, params,
// tokens) are checked by the core, which reports them like program errors.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lsrl::cli {

enum class Command { Check, Compile, Run, Export, Help };

struct Arguments {
  Command command = Command::Help;
  std::string program_path;
  std::map<std::string, std::string> params;  // --param k=v
  std::vector<std::string> param_order;       // as given, for messages
  std::optional<std::string> target;
  std::optional<std::string> precision;
  std::optional<std::string> activations;
  std::optional<std::string> linear_chains;  // --linear-chains
  std::optional<std::string> max_length;     // --max-length
  bool json = false;
  bool trace = false;
  // INPUT: exactly one of these (run).
  std::optional<std::string> input;       // --input
  std::optional<std::string> text;        // --text
  std::optional<std::string> input_file;  // --input-file
  std::optional<std::string> prompt_fn;   // --prompt-fn (+ --cells, --query)
  std::optional<std::string> dict_file;   // --dict (+ --query)
  std::optional<std::string> batch_file;  // --batch: one prompt per line
  std::optional<std::string> cells;
  std::optional<std::string> query;
  // export
  std::optional<std::string> format;
  std::optional<std::string> output_path;  // -o
};

struct ParseOutcome {
  bool ok = false;
  Arguments args;
  std::string error;  // usage error, without the usage text
};

ParseOutcome parse_arguments(const std::vector<std::string>& argv);

// The full --help text, and the short usage shown after a usage error.
std::string help_text();
std::string usage_text();

}  // namespace lsrl::cli
