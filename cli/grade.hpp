// `lsrlc grade EXERCISE.json FILES...`: grades student programs against an
// exercise file (docs/exercises.md), one CSV line per file and check.
#pragma once

#include <string>
#include <vector>

namespace lsrl::cli {

// argv without the leading "grade". Exit status: 0 when it graded (even if
// every student failed), 1 on a usage error or an unreadable exercise.
int run_grade(const std::vector<std::string>& argv);

}  // namespace lsrl::cli
