#include "args.hpp"

#include <functional>

namespace lsrl::cli {
namespace {

constexpr unsigned kCheck = 1u << 0;
constexpr unsigned kCompile = 1u << 1;
constexpr unsigned kRun = 1u << 2;
constexpr unsigned kExport = 1u << 3;
constexpr unsigned kAll = kCheck | kCompile | kRun | kExport;

unsigned bit_of(Command c) {
  switch (c) {
    case Command::Check:
      return kCheck;
    case Command::Compile:
      return kCompile;
    case Command::Run:
      return kRun;
    case Command::Export:
      return kExport;
    case Command::Help:
      return 0;
  }
  return 0;
}

const char* command_name(Command c) {
  switch (c) {
    case Command::Check:
      return "check";
    case Command::Compile:
      return "compile";
    case Command::Run:
      return "run";
    case Command::Export:
      return "export";
    case Command::Help:
      return "help";
  }
  return "?";
}

struct Flag {
  const char* name;
  bool takes_value;
  unsigned commands;  // which commands accept it
  // Stores the value; returns an error message or "".
  std::function<std::string(Arguments&, const std::string&)> store;
};

std::function<std::string(Arguments&, const std::string&)> into(std::optional<std::string> Arguments::*field,
                                                                const char* name) {
  return [field, name](Arguments& a, const std::string& value) -> std::string {
    if (a.*field) return std::string(name) + " is given twice";
    a.*field = value;
    return "";
  };
}

const std::vector<Flag>& flags() {
  static const std::vector<Flag> table = {
      {"--param", true, kAll,
       [](Arguments& a, const std::string& value) -> std::string {
         const auto eq = value.find('=');
         if (eq == std::string::npos || eq == 0) {
           return "--param needs NAME=VALUE (for example --param n=5), got '" + value + "'";
         }
         const std::string name = value.substr(0, eq);
         if (a.params.count(name)) return "--param " + name + " is given twice";
         a.params[name] = value.substr(eq + 1);
         a.param_order.push_back(name);
         return "";
       }},
      {"--target", true, kCompile | kRun | kExport, into(&Arguments::target, "--target")},
      {"--precision", true, kCompile | kRun, into(&Arguments::precision, "--precision")},
      {"--activations", true, kCompile | kRun | kExport, into(&Arguments::activations, "--activations")},
      {"--linear-chains", true, kCompile | kRun | kExport, into(&Arguments::linear_chains, "--linear-chains")},
      {"--max-length", true, kCompile | kRun | kExport, into(&Arguments::max_length, "--max-length")},
      {"--json", false, kCompile | kRun,
       [](Arguments& a, const std::string&) -> std::string {
         a.json = true;
         return "";
       }},
      {"--trace", false, kRun,
       [](Arguments& a, const std::string&) -> std::string {
         a.trace = true;
         return "";
       }},
      {"--input", true, kRun, into(&Arguments::input, "--input")},
      {"--text", true, kRun, into(&Arguments::text, "--text")},
      {"--input-file", true, kRun, into(&Arguments::input_file, "--input-file")},
      {"--prompt-fn", true, kRun, into(&Arguments::prompt_fn, "--prompt-fn")},
      {"--cells", true, kRun, into(&Arguments::cells, "--cells")},
      {"--query", true, kRun, into(&Arguments::query, "--query")},
      {"--dict", true, kRun, into(&Arguments::dict_file, "--dict")},
      {"--batch", true, kRun, into(&Arguments::batch_file, "--batch")},
      {"--format", true, kExport, into(&Arguments::format, "--format")},
      {"-o", true, kExport, into(&Arguments::output_path, "-o")},
      {"--output", true, kExport, into(&Arguments::output_path, "-o")},
  };
  return table;
}

}  // namespace

ParseOutcome parse_arguments(const std::vector<std::string>& argv) {
  ParseOutcome out;
  Arguments& a = out.args;
  auto fail = [&](const std::string& message) {
    out.ok = false;
    out.error = message;
    return out;
  };
  if (argv.empty()) return fail("no command given");
  const std::string& command = argv[0];
  if (command == "check") {
    a.command = Command::Check;
  } else if (command == "compile") {
    a.command = Command::Compile;
  } else if (command == "run") {
    a.command = Command::Run;
  } else if (command == "export") {
    a.command = Command::Export;
  } else if (command == "help" || command == "--help" || command == "-h") {
    a.command = Command::Help;
    out.ok = true;
    return out;
  } else {
    return fail("unknown command '" + command + "'; the commands are check, compile, run and export");
  }

  std::vector<std::string> positional;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word == "--help" || word == "-h") {
      a.command = Command::Help;
      out.ok = true;
      return out;
    }
    if (word.size() < 2 || word[0] != '-' || word == "--") {
      if (word == "--") {
        for (++i; i < argv.size(); ++i) positional.push_back(argv[i]);
        break;
      }
      positional.push_back(word);
      continue;
    }
    // --flag=value or --flag value
    std::string name = word;
    std::optional<std::string> inline_value;
    if (const auto eq = word.find('='); eq != std::string::npos && word.rfind("--", 0) == 0) {
      name = word.substr(0, eq);
      inline_value = word.substr(eq + 1);
    }
    const Flag* flag = nullptr;
    for (const auto& f : flags()) {
      if (name == f.name) flag = &f;
    }
    if (!flag) {
      return fail("unknown option '" + name + "'");
    }
    if (!(flag->commands & bit_of(a.command))) {
      return fail(name + " does not apply to '" + command_name(a.command) + "'");
    }
    std::string value;
    if (flag->takes_value) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < argv.size()) {
        value = argv[++i];
      } else {
        return fail(name + " needs a value");
      }
    } else if (inline_value) {
      return fail(name + " takes no value");
    }
    if (std::string error = flag->store(a, value); !error.empty()) return fail(error);
  }
  if (positional.empty()) return fail(std::string(command_name(a.command)) + " needs a PROGRAM file (.lsrl)");
  if (positional.size() > 1) {
    return fail("one PROGRAM file expected, got '" + positional[0] + "' and '" + positional[1] +
                "' (quote --input values that contain spaces)");
  }
  a.program_path = positional[0];

  if ((a.command == Command::Compile || a.command == Command::Export) && !a.target) {
    return fail(std::string(command_name(a.command)) + " needs --target T");
  }
  if (a.command == Command::Export) {
    if (!a.format) return fail("export needs --format json|safetensors");
    if (!a.output_path) return fail("export needs -o FILE");
  }
  if (a.command != Command::Check) {
    // run's INPUT (compile and export take none: the weights never depend on a prompt).
    const std::string name = command_name(a.command);
    const int sources = (a.input ? 1 : 0) + (a.text ? 1 : 0) + (a.input_file ? 1 : 0) + (a.prompt_fn ? 1 : 0) +
                        (a.dict_file ? 1 : 0) + (a.batch_file ? 1 : 0);
    if (sources == 0 && a.command == Command::Run) {
      return fail("run needs an input: --input, --text, --input-file, --prompt-fn, --dict or --batch");
    }
    if (sources > 1) {
      return fail(name +
                  " takes one input: give only one of --input, --text, --input-file, --prompt-fn, --dict, --batch");
    }
    if (a.batch_file && a.trace) return fail("--batch records no trace: run one prompt with --trace");
    if (a.cells && !a.prompt_fn) return fail("--cells goes with --prompt-fn");
    if (a.query && !a.prompt_fn && !a.dict_file) return fail("--query goes with --prompt-fn or --dict");
    if (a.prompt_fn && (!a.cells || !a.query)) {
      return fail("--prompt-fn needs --cells N (cells per axis) and --query Q (a point in [0,1]^d_in, e.g. 0.3,0.7)");
    }
    if (a.dict_file && !a.query) return fail("--dict needs --query KEY (for example --query CAN)");
  }
  out.ok = true;
  return out;
}

std::string usage_text() {
  return "usage: lsrlc check   PROGRAM [--param k=v]...\n"
         "       lsrlc compile PROGRAM --target T [--param k=v]... [MODEL OPTIONS] [--precision P] [--json]\n"
         "       lsrlc run     PROGRAM [--target T] INPUT [--param k=v]... [MODEL OPTIONS] [--precision f64|f32|f16]\n"
         "                     [--json] [--trace]\n"
         "       lsrlc export  PROGRAM --target T --format json|safetensors -o FILE [--param k=v]...\n"
         "                     [MODEL OPTIONS]\n"
         "Run 'lsrlc --help' for details.\n";
}

std::string help_text() {
  return "lsrlc: compile LSRL programs into the weights of recurrent models, and run them.\n"
         "\n"
         "usage:\n"
         "  lsrlc check   PROGRAM [--param k=v]...\n"
         "      Build the program and report errors; prints its widths and parameters.\n"
         "  lsrlc compile PROGRAM --target T [--param k=v]... [MODEL OPTIONS] [--precision P]\n"
         "                [--json]\n"
         "      Compile for target T and print the model summary (layers, sizes,\n"
         "      parameter count, non-zeros, the paper's layer bound, compile time in ms);\n"
         "      with --precision f32 or f16, warn about each constant that precision\n"
         "      cannot hold.\n"
         "  lsrlc run     PROGRAM [--target T] INPUT [--param k=v]... [MODEL OPTIONS]\n"
         "                [--precision f64|f32|f16] [--json] [--trace]\n"
         "      Run on a token sequence; prints one line per step (output components\n"
         "      separated by spaces) and, with a vocab and 1-wide outputs, 'text: ...'.\n"
         "  lsrlc export  PROGRAM --target T --format json|safetensors -o FILE [--param k=v]...\n"
         "                [MODEL OPTIONS]\n"
         "      Write the compiled weights. safetensors also writes a PyTorch loader\n"
         "      (FILE without extension + '_loader.py') where the target has a torch module.\n"
         "\n"
         "INPUT (run only), exactly one of:\n"
         "  --input \"TOKENS\"       tokens separated by spaces or ';', components by ','\n"
         "                          (\"0.2,0.7,0,0 0.5,0,0,1\"); a 1-wide token is a number\n"
         "  --text \"STRING\"        characters encoded with the program's vocab(...)\n"
         "  --input-file FILE.csv  one token per line, components comma-separated\n"
         "  --prompt-fn \"EXPR\" --cells N --query Q\n"
         "                          the prompt of the paper's Listing 1 (continuous_ua): f\n"
         "                          written in x1..xd (';' between output components), N\n"
         "                          cells per axis, query point Q = q1,...,qd in [0,1]^d\n"
         "  --dict FILE.csv --query KEY\n"
         "                          the prompt of Listing 2 (discrete_ua): KEY, then every\n"
         "                          key,value line of FILE (a 'key,value' header is skipped)\n"
         "  --batch FILE           many independent prompts, one per line (tokens as for\n"
         "                          --input; blank and '#' lines skipped), each run from the\n"
         "                          initial state exactly as it runs alone; prints one line\n"
         "                          per prompt: its steps' outputs separated by spaces\n"
         "                          (components by ','), or with --json {\"results\": [...]}\n"
         "\n"
         "MODEL OPTIONS:\n"
         "  --target T             dag (run's default: the program itself, no compilation),\n"
         "                          linear-rnn, gated-linear-rnn, rnn, gated-rnn, gru, lstm,\n"
         "                          hawk, griffin, mamba\n"
         "  --activations A        paper (ReLU everywhere, exact; default) or standard\n"
         "  --linear-chains C      keep (default: a Linear op the compiler kept apart gets\n"
         "                          a layer of its own, so the model follows the program's\n"
         "                          f64 arithmetic) or fuse (one affine map per MLP layer:\n"
         "                          the paper's layer count, exact only in the rationals)\n"
         "  --max-length N         longest prompt the model is built for (T; default: the\n"
         "                          program's Input(..., max_length=...), else 4096); it\n"
         "                          overrides the program's declaration\n"
         "\n"
         "fixed weights: the weights depend on the program and the options only, never on\n"
         "a prompt (compile, export and run build the same model). gru's products and the\n"
         "standard activations of gru and lstm are sized from a static range analysis\n"
         "over every prompt of at most T tokens inside the program's input bounds\n"
         "(Input(dim=..., bounds=[lo, hi]), else the vocabulary's ids, else |x| <= 1e6).\n"
         "run refuses, before running, a prompt longer than T or outside those bounds.\n"
         "\n"
         "other options:\n"
         "  --param k=v            set a param(...) of the program (repeatable)\n"
         "  --precision P          f64 (default), f32 or f16; a run that produces NaN or an\n"
         "                          infinity stops with the step, the variable or layer\n"
         "                          and the cause\n"
         "  --json                 print one JSON object instead of text\n"
         "  --trace                also record every named variable (dag) or layer state\n"
         "  --format F, -o FILE    export format (json or safetensors) and output file\n"
         "  -h, --help             this text\n"
         "\n"
         "Errors are printed as FILE:LINE:COL: error: MESSAGE with the source line and a\n"
         "caret, on stderr; the exit status is then 1 (2 for a malformed command line).\n"
         "\n"
         "grading (docs/exercises.md):\n"
         "  lsrlc grade EXERCISE.json FILE.lsrl...\n"
         "      Run every FILE on every check of the exercise, on its target; prints CSV\n"
         "      file,exercise,check,status,first_differing_step,max_deviation,message.\n"
         "      Exit status 0 when it graded, 1 on a usage error.\n"
         "\n"
         "weight noise (the paper's Fig. 4, docs/experiments.md):\n"
         "  lsrlc noise PROGRAM [--target T] [--param k=v] [--sigmas 0,1e-7,...] [--trials K]\n"
         "              [--seed S] [--json]\n"
         "      Add N(0, sigma^2) to the compiled model's non-zero weights, run the prompts of\n"
         "      PROGRAM's example file for every form, sigma and trial; print the wrong tokens\n"
         "      (Listing 2) or the max error (Listing 1). `lsrlc noise --help` for more.\n";
}

}  // namespace lsrl::cli
