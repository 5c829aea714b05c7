#include "common/diagnostics.hpp"

#include <algorithm>
#include <sstream>

namespace lsrl {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "note";
  }
  return "error";
}

std::string Diagnostic::render() const {
  std::ostringstream os;
  if (!file.empty()) os << file << ':';
  if (span.known()) os << span.line << ':' << span.col << ':';
  if (!file.empty() || span.known()) os << ' ';
  os << severity_name(severity) << ": " << message << '\n';
  if (span.known() && !source_line.empty()) {
    os << "    " << source_line << '\n' << "    ";
    // Keep tabs so the caret lines up under tab-indented code.
    for (int i = 1; i < span.col && i - 1 < static_cast<int>(source_line.size()); ++i)
      os << (source_line[static_cast<std::size_t>(i - 1)] == '\t' ? '\t' : ' ');
    os << '^';
    for (int i = 1; i < span.length; ++i) os << '~';
    os << '\n';
  }
  return os.str();
}

void attach_source_lines(std::vector<Diagnostic>& diagnostics, const std::string& source) {
  std::vector<std::string> lines;
  std::string current;
  for (char c : source) {
    if (c == '\n') {
      lines.push_back(current);
      current.clear();
    } else if (c != '\r') {
      current.push_back(c);
    }
  }
  lines.push_back(current);
  for (auto& d : diagnostics) {
    if (d.span.known() && d.span.line <= static_cast<int>(lines.size()))
      d.source_line = lines[static_cast<std::size_t>(d.span.line - 1)];
  }
}

std::string render_all(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.render();
  return out;
}

std::string closest_name(const std::string& name, const std::vector<std::string>& candidates) {
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      }
      std::swap(prev, cur);
    }
    return prev[b.size()];
  };
  std::string best;
  std::size_t best_distance = 0;
  for (const auto& c : candidates) {
    std::size_t d = distance(name, c);
    if (best.empty() || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  // A typo changes a few characters; beyond a third of the name it is another word.
  if (best.empty() || best_distance == 0 || best_distance > std::max<std::size_t>(2, name.size() / 3)) return "";
  return best;
}

}  // namespace lsrl
