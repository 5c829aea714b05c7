#include "inputs.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace lsrl::cli {
namespace {

Diagnostic error_about(const std::string& file, const std::string& message) {
  Diagnostic d;
  d.file = file;
  d.message = message;
  return d;
}

api::TokensResult failure(Diagnostic d) {
  api::TokensResult r;
  r.diagnostics.push_back(std::move(d));
  return r;
}

}  // namespace

bool read_file(const std::string& path, std::string& contents, Diagnostic& error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = error_about(path, "is a directory, not a file");
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = error_about(path, std::string("cannot read the file: ") + std::strerror(errno));
    return false;
  }
  contents.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = error_about(path, "cannot read the file");
    return false;
  }
  return true;
}

bool write_file(const std::string& path, const std::string& contents, Diagnostic& error) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (file) file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  file.close();
  if (file) return true;
  error = error_about(path, "cannot write the file");
  return false;
}

api::TokensResult tokens_for_run(const Arguments& args, const ProgramInfo& info) {
  if (args.input) return api::parse_tokens(*args.input, info.input_dim);
  if (args.text) return api::encode_text(*args.text, info);
  if (args.prompt_fn) return api::continuous_prompt_for(info, *args.prompt_fn, *args.cells, *args.query);
  // The files named on the command line are read here; the core checks what they hold.
  const std::string& path = args.input_file ? *args.input_file : args.dict_file ? *args.dict_file : std::string();
  if (path.empty()) return failure(error_about("", "no input given"));
  std::string text;
  Diagnostic error;
  if (!read_file(path, text, error)) return failure(error);
  if (args.dict_file) return api::dictionary_prompt_for(info, text, path, *args.query);
  api::TokensResult result = api::parse_csv(text, info.input_dim);
  for (auto& d : result.diagnostics) d.file = path;
  return result;
}

}  // namespace lsrl::cli
