// The docs' programs stay runnable: every ```lsrl block in docs/*.md builds
// (api::check, what `lsrlc check` runs), and every playground link of
// docs/tutorial.md (scripts/make-tutorial-links.mjs) decodes to a state whose
// program is the block above it (or the current example file it names) and
// compiles for the state's target with its parameters.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "api/api.hpp"

namespace lsrl {
namespace {

namespace fs = std::filesystem;
const std::string kSourceDir = LSRL_SOURCE_DIR;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream s(text);
  std::string line;
  while (std::getline(s, line)) lines.push_back(line);
  return lines;
}

struct Block {
  int line = 0;  // of the opening fence, 1-based
  std::string source;
};

std::vector<Block> lsrl_blocks(const std::vector<std::string>& lines) {
  std::vector<Block> blocks;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("```lsrl", 0) != 0) continue;
    Block b;
    b.line = static_cast<int>(i) + 1;
    for (++i; i < lines.size() && lines[i].rfind("```", 0) != 0; ++i) b.source += lines[i] + "\n";
    blocks.push_back(b);
  }
  return blocks;
}

// RFC 4648 base64url without padding; false on a character outside it.
bool base64url_decode(const std::string& text, std::string& out) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const auto value = alphabet.find(c);
    if (value == std::string::npos) return false;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return true;
}

TEST(DocsPrograms, EveryLsrlBlockInTheDocsBuilds) {
  int blocks = 0;
  for (const auto& entry : fs::directory_iterator(kSourceDir + "/docs")) {
    if (entry.path().extension() != ".md") continue;
    for (const Block& b : lsrl_blocks(lines_of(read_text(entry.path())))) {
      ++blocks;
      api::CompileOptions options;
      options.filename = entry.path().filename().string() + ":" + std::to_string(b.line);
      const api::CheckResult r = api::check(b.source, options);
      EXPECT_TRUE(r.ok) << "docs/" << options.filename << ": the ```lsrl block does not build:\n"
                        << render_all(r.diagnostics);
    }
  }
  EXPECT_GE(blocks, 4) << "docs/tutorial.md alone has four ```lsrl blocks";
}

TEST(DocsPrograms, EveryTutorialLinkDecodesToItsProgramAndCompiles) {
  const std::vector<std::string> lines = lines_of(read_text(kSourceDir + "/docs/tutorial.md"));
  const std::vector<Block> blocks = lsrl_blocks(lines);
  int links = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto at = lines[i].find("index.html#j=");
    if (at == std::string::npos) continue;
    ++links;
    const std::string where = "docs/tutorial.md:" + std::to_string(i + 1);
    std::string payload = lines[i].substr(at + 13);
    payload = payload.substr(0, payload.find(')'));
    std::string json_text;
    ASSERT_TRUE(base64url_decode(payload, json_text)) << where;
    const nlohmann::json state = nlohmann::json::parse(json_text, nullptr, false);
    ASSERT_TRUE(state.is_object()) << where << ": the link does not decode to a JSON state";
    const std::string source = state.value("source", "");
    if (state["example"].is_string()) {
      EXPECT_EQ(source, read_text(kSourceDir + "/examples/" + state["example"].get<std::string>() + ".lsrl"))
          << where << ": the link carries an old copy of the example; run node scripts/make-tutorial-links.mjs";
    } else {
      bool matches_a_block = false;
      for (const Block& b : blocks)
        if (b.line < static_cast<int>(i) + 1 && b.source == source) matches_a_block = true;
      EXPECT_TRUE(matches_a_block) << where
                                   << ": the link's program is not a block of the tutorial; run node "
                                      "scripts/make-tutorial-links.mjs";
    }
    api::CompileOptions options;
    options.filename = where;
    options.target = state.value("target", "gated-linear-rnn");
    for (const auto& [name, value] : state["params"].items()) options.params[name] = value.get<std::string>();
    const api::CompileResult compiled = api::compile(source, options);
    ASSERT_TRUE(compiled.ok) << where << ":\n" << render_all(compiled.diagnostics);
    const nlohmann::json& prompt = state["prompt"];
    if (prompt.value("kind", "") == "tokens") {
      const api::TokensResult tokens =
          api::parse_tokens(prompt["text"].get<std::string>(), compiled.model->info.input_dim);
      ASSERT_TRUE(tokens.ok) << where << ":\n" << render_all(tokens.diagnostics);
      const api::RunResult run = api::run(*compiled.model, tokens.tokens, api::RunOptions{});
      ASSERT_TRUE(run.ok) << where << ":\n" << render_all(run.diagnostics);
      ASSERT_TRUE(run.fidelity.has_value());
      EXPECT_LT(run.fidelity->max_deviation, 1e-9) << where << ": the compiled model is off the program";
    }
  }
  EXPECT_EQ(links, 6) << "one link per step";
}

}  // namespace
}  // namespace lsrl
