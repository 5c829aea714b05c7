// Runs the built lsrlc (LSRL_LSRLC) as a user would, for the suites that test
// the command line end to end (cli_test, grade_test): arguments quoted as
// single shell words, stdout captured, stderr through a scratch file, the exit
// status or the signal that killed it.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace lsrl::cli_process {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  int signal = 0;  // non-zero if lsrlc was killed by a signal
  std::string out;
  std::string err;
};

// Appends `s` to `command` as one single-quoted shell word. (Appending, not
// "..." + std::string, also sidesteps a GCC 12 -Wrestrict false positive.)
inline void append_quoted(std::string& command, const std::string& s) {
  command += '\'';
  for (char c : s) {
    if (c == '\'') {
      command += "'\\''";
    } else {
      command += c;
    }
  }
  command += '\'';
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// A scratch directory per test process.
inline const fs::path& scratch() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("lsrlc_cli_test_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

inline Outcome lsrlc(const std::vector<std::string>& args) {
  static int counter = 0;
  const fs::path err_path = scratch() / ("stderr_" + std::to_string(counter++));
  // exec: the shell is replaced by lsrlc, so a signal that kills lsrlc shows
  // in the wait status instead of as a shell exit code.
  std::string command = "exec ";
  append_quoted(command, LSRL_LSRLC);
  for (const auto& a : args) {
    command += ' ';
    append_quoted(command, a);
  }
  command += " 2>";
  append_quoted(command, err_path.string());
  command += " </dev/null";
  Outcome o;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) {
    ADD_FAILURE() << "popen failed for " << command;
    return o;
  }
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) o.out.append(buffer, n);
  const int status = ::pclose(pipe);
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
  o.err = read_file(err_path);
  fs::remove(err_path);
  return o;
}

}  // namespace lsrl::cli_process
