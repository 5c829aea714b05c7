// Where run's tokens come from: --input, --text, --input-file, --prompt-fn,
// --dict. The files named are read here; core/api turns their text (or the
// text typed) into tokens or into diagnostics that point into it. And the
// files lsrlc reads and writes.
#pragma once

#include <string>
#include <vector>

#include "api/api.hpp"
#include "args.hpp"

namespace lsrl::cli {

// Tokens for `run`; warnings (if any) come back in diagnostics with ok ==
// true. input_dim and vocab come from the built program.
api::TokensResult tokens_for_run(const Arguments& args, const ProgramInfo& info);

// Reads a whole file; false with `error` (a diagnostic naming the file) if it
// cannot be read.
bool read_file(const std::string& path, std::string& contents, Diagnostic& error);
// Writes (or replaces) a whole file; false with `error` if it cannot.
bool write_file(const std::string& path, const std::string& contents, Diagnostic& error);

}  // namespace lsrl::cli
