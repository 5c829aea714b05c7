// `lsrlc noise PROGRAM ...`: the paper's weight-noise sweep (Sec. 5, Fig. 4)
// on an example's companion prompts (examples/NAME.example.json).
#pragma once

#include <string>
#include <vector>

namespace lsrl::cli {

// argv without the leading "noise". Exit status: 0 when the sweep ran, 1 for
// an error in the program, its companion file or an option's value, 2 for a
// malformed command line.
int run_noise(const std::vector<std::string>& argv);

}  // namespace lsrl::cli
