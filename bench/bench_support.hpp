// Shared by the benchmark drivers: the machine description, timing helpers
// and the discrete_ua inputs. Header-only; each bench/*.cpp is its own program.
#pragma once

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace lsrl::bench {

inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown CPU";
}

// The 1-minute load average: other processes competing for the cores make
// every figure here slower, so each report says how busy the machine was.
inline std::string load_average() {
  std::ifstream loadavg("/proc/loadavg");
  std::string one_minute;
  loadavg >> one_minute;
  return one_minute.empty() ? "unknown" : one_minute;
}

inline std::string machine_line() {
  std::ostringstream os;
  os << "machine: " << cpu_model() << ", nproc " << std::thread::hardware_concurrency() << ", load average "
     << load_average();
#ifdef NDEBUG
  os << ", optimised build";
#else
  os << ", DEBUG build (figures not representative)";
#endif
  return os.str();
}

inline double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// CPU time of the calling thread, in seconds. On a busy machine wall time
// includes waiting for a core; CPU time does not, so the benches print both.
inline double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

inline std::vector<std::pair<std::string, std::string>> country_capitals(const std::string& source_dir) {
  std::ifstream csv(source_dir + "/examples/data/country_capitals.csv");
  std::vector<std::pair<std::string, std::string>> pairs;
  std::string line;
  std::getline(csv, line);  // header
  while (std::getline(csv, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto comma = line.find(',');
    if (comma != std::string::npos) pairs.emplace_back(line.substr(0, comma), line.substr(comma + 1));
  }
  return pairs;
}

inline const std::vector<std::string>& ifelse_forms() {
  static const std::vector<std::string> forms = {"original", "optimized", "step", "multiplicative",
                                                 "multiplicative_optimized"};
  return forms;
}

}  // namespace lsrl::bench
