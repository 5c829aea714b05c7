// build_program: the front end's entry point. Lex, parse and evaluate; any
// LsrlError becomes a diagnostic with its source line attached. Nothing
// escapes: even exhausted memory or an internal failure is reported.
#include "lang/build.hpp"

#include <new>

#include "lang/evaluator.hpp"
#include "lang/limits.hpp"
#include "lang/parser.hpp"

namespace lsrl {

BuildResult build_program(const std::string& source, const BuildOptions& options) {
  BuildResult result;
  try {
    // Refused before lexing: a source of many megabytes costs seconds and
    // gigabytes to parse before any later limit could notice it.
    if (static_cast<std::int64_t>(source.size()) > lang::kMaxSourceBytes) {
      throw LsrlError(SourceSpan{1, 1, 1}, "limit exceeded: the source is " + std::to_string(source.size()) +
                                               " bytes, more than the " + std::to_string(lang::kMaxSourceBytes) +
                                               " a program may have; a program this long is almost surely "
                                               "generated, so generate a loop instead of its unrolled copies");
    }
    const lang::Module module = lang::parse_source(source);
    lang::Evaluator evaluator(result.program, result.info, options);
    evaluator.run(module);
    result.ok = true;
  } catch (const LsrlError& error) {
    result.diagnostics.push_back(error.to_diagnostic(options.filename));
  } catch (const std::bad_alloc&) {
    Diagnostic d;
    d.file = options.filename;
    d.message = "out of memory while building the program; make it smaller";
    result.diagnostics.push_back(d);
  } catch (const std::exception& error) {
    Diagnostic d;
    d.file = options.filename;
    d.message = std::string("internal error while building the program (please report it): ") + error.what();
    result.diagnostics.push_back(d);
  }
  if (!result.ok) result.program = Program();
  attach_source_lines(result.diagnostics, source);
  return result;
}

}  // namespace lsrl
