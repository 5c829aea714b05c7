// Diagnostics: every error a user can cause, at any stage (lexing, parsing,
// building the program, compiling for a target, running), is one of these.
// Core code reports a problem by throwing LsrlError; the API layer (core/api)
// catches it and hands back structured results, so no C++ exception text and
// no exception ever reaches a user of the CLI or the page.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lsrl {

// A place in the source: 1-based line and column; length in characters of
// the span to underline (at least 1). line == 0 means "no position" (for
// example a malformed --input given on the command line).
struct SourceSpan {
  int line = 0;
  int col = 0;
  int length = 1;
  bool known() const { return line > 0; }
};

enum class Severity { Error, Warning, Note };
// "error", "warning" or "note": how diagnostics are printed and serialised.
const char* severity_name(Severity s);

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string file;  // the program's file name ("<input>" for the page)
  SourceSpan span;
  std::string message;      // what is wrong and what to do about it
  std::string source_line;  // the text of span.line, filled in by render helpers

  // FILE:LINE:COL: error: MESSAGE, then the source line and a caret under the
  // span. Without a position: "FILE: error: MESSAGE" (or "error: MESSAGE").
  std::string render() const;
};

// An error about a whole file rather than a place in it (an option, a prompt,
// a limit): "FILE: error: MESSAGE".
inline Diagnostic file_error(std::string file, std::string message) {
  Diagnostic d;
  d.file = std::move(file);
  d.message = std::move(message);
  return d;
}

// Fills source_line of each diagnostic from the program text.
void attach_source_lines(std::vector<Diagnostic>& diagnostics, const std::string& source);
std::string render_all(const std::vector<Diagnostic>& diagnostics);

class LsrlError : public std::runtime_error {
 public:
  LsrlError(SourceSpan span, std::string message)
      : std::runtime_error(message), span_(span), message_(std::move(message)) {}
  const SourceSpan& span() const { return span_; }
  const std::string& message() const { return message_; }
  Diagnostic to_diagnostic(const std::string& file) const {
    Diagnostic d;
    d.file = file;
    d.span = span_;
    d.message = message_;
    return d;
  }

 private:
  SourceSpan span_;
  std::string message_;
};

// "did you mean 'f_larger'?" helper: the closest candidate by edit distance,
// or "" when none is close enough to be a plausible typo.
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace lsrl
