// Numbers as users type them, for core/api's readers of typed text (tokens,
// option values, query points). Internal to core/api.
#pragma once

#include <string_view>

namespace lsrl::api {

// A decimal number (or inf/infinity/nan) spanning all of `text`; a leading
// '+' is accepted. Hex floats and spaces are refused: not numbers a user
// means to type. The caller decides about inf and nan.
bool parse_decimal(std::string_view text, double& out);

}  // namespace lsrl::api
