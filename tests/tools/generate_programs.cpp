// lsrl_generate_programs SEED COUNT: the random LSRL programs of
// tests/core/source_program_generator.hpp (the generator GeneratedPrograms.*
// runs natively), each with one prompt, as one JSON array on stdout:
// [{ "source", "input_dim", "has_multi", "prompt": [[...], ...] }]. The
// WebAssembly determinism test (tests/wasm/determinism.test.mjs) runs them in
// the module and through lsrlc, so both sides see the same programs.
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "../core/source_program_generator.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: lsrl_generate_programs SEED COUNT\n";
    return 2;
  }
  char* end = nullptr;
  const unsigned long long seed = std::strtoull(argv[1], &end, 10);
  if (*end != '\0') {
    std::cerr << "lsrl_generate_programs: SEED must be a whole number, got '" << argv[1] << "'\n";
    return 2;
  }
  const long count = std::strtol(argv[2], &end, 10);
  if (*end != '\0' || count < 0 || count > 100000) {
    std::cerr << "lsrl_generate_programs: COUNT must be a whole number from 0 to 100000, got '" << argv[2] << "'\n";
    return 2;
  }
  lsrl::gen::SourceGenerator generator(static_cast<std::uint64_t>(seed));
  nlohmann::json programs = nlohmann::json::array();
  for (long index = 0; index < count; ++index) {
    // The sizes and Multi mix of GeneratedPrograms.EveryTargetMatchesTheDag.
    const lsrl::gen::SourceProgram program = generator.program(4 + static_cast<int>(index % 13), index % 2 == 0);
    programs.push_back({{"source", program.source},
                        {"input_dim", program.input_dim},
                        {"has_multi", program.has_multi},
                        {"prompt", generator.prompt(program.input_dim)}});
  }
  std::cout << programs.dump() << "\n";
  return 0;
}
