// What every executor checks of a prompt before its first step.
#pragma once

#include <string>
#include <vector>

namespace lsrl {

// Throws LsrlError (no position) at the first token whose width is not
// input_dim, naming the input as `input_name` ("the program's Input", "the
// model's input").
void check_token_widths(const std::vector<std::vector<double>>& tokens, int input_dim, const std::string& input_name);

}  // namespace lsrl
