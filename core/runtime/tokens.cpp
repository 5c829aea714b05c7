#include "runtime/tokens.hpp"

#include "common/diagnostics.hpp"

namespace lsrl {

void check_token_widths(const std::vector<std::vector<double>>& tokens, int input_dim, const std::string& input_name) {
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    if (static_cast<int>(tokens[t].size()) != input_dim) {
      throw LsrlError(SourceSpan{}, "token " + std::to_string(t + 1) + " has " + std::to_string(tokens[t].size()) +
                                        " component" + (tokens[t].size() == 1 ? "" : "s") + " but " + input_name +
                                        " has width " + std::to_string(input_dim) + "; give every token exactly " +
                                        std::to_string(input_dim) + " comma-separated number" +
                                        (input_dim == 1 ? "" : "s"));
    }
  }
}

}  // namespace lsrl
