// The limits on a compiled model and on a run (issue 11 item 2,
// docs/reliability.md): a model past its non-zeros or layers is refused at
// compile time, at the program's output, on the PathModel before a target
// lowers it or on the target's model after; a run past its work or its
// trace's size is refused before it starts. Each test lowers one limit
// through the options (the way a door configures it) and checks that the
// program that fits the default is refused with the limit's message.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/api.hpp"
#include "example_support.hpp"

namespace lsrl {
namespace {

std::string first_message(const std::vector<Diagnostic>& diagnostics) {
  return diagnostics.empty() ? std::string("(no diagnostic)") : diagnostics.front().message;
}

api::CompileResult compile_example(const std::string& name, const std::string& target, api::CompileOptions options) {
  options.target = target;
  options.filename = name + ".lsrl";
  return api::compile(example_support::example_source(name), options);
}

TEST(ResourceLimits, ModelNonzerosAreBoundedBeforeAndAfterLowering) {
  const api::CompileResult fits = compile_example("more_ones", "lstm", {});
  ASSERT_TRUE(fits.ok) << first_message(fits.diagnostics);
  const long long path_nonzeros = fits.model->path->nonzero_count();
  const long long lstm_nonzeros = fits.model->model->nonzero_count();
  ASSERT_GT(lstm_nonzeros, path_nonzeros) << "the LSTM's gates add weights to the path's";

  api::CompileOptions options;
  options.max_model_nonzeros = path_nonzeros - 1;
  const api::CompileResult path_refused = compile_example("more_ones", "lstm", options);
  ASSERT_FALSE(path_refused.ok);
  const Diagnostic& d = path_refused.diagnostics.front();
  EXPECT_NE(d.message.find("limit exceeded: the compiled path has " + std::to_string(path_nonzeros) +
                           " non-zero weights, more than the limit of " + std::to_string(path_nonzeros - 1)),
            std::string::npos)
      << d.message;
  EXPECT_GT(d.span.line, 0) << "at the program's output";

  options.max_model_nonzeros = path_nonzeros;  // the path fits, the LSTM does not
  const api::CompileResult lstm_refused = compile_example("more_ones", "lstm", options);
  ASSERT_FALSE(lstm_refused.ok);
  EXPECT_NE(first_message(lstm_refused.diagnostics).find("the lstm model has " + std::to_string(lstm_nonzeros)),
            std::string::npos)
      << first_message(lstm_refused.diagnostics);
}

TEST(ResourceLimits, ModelLayersAreBounded) {
  const api::CompileResult fits = compile_example("discrete_ua", "lstm", {});
  ASSERT_TRUE(fits.ok) << first_message(fits.diagnostics);
  const auto layers = static_cast<int>(fits.model->model->layers().size());
  const auto path_layers = static_cast<int>(fits.model->path->layers.size());
  ASSERT_GT(layers, path_layers);
  api::CompileOptions options;
  options.max_model_layers = layers - 1;
  const api::CompileResult refused = compile_example("discrete_ua", "lstm", options);
  ASSERT_FALSE(refused.ok);
  EXPECT_NE(first_message(refused.diagnostics)
                .find("limit exceeded: the lstm model has " + std::to_string(layers) +
                      " layers, more than the limit of " + std::to_string(layers - 1)),
            std::string::npos)
      << first_message(refused.diagnostics);
  options.max_model_layers = path_layers - 1;
  const api::CompileResult path_refused = compile_example("discrete_ua", "lstm", options);
  ASSERT_FALSE(path_refused.ok);
  EXPECT_NE(first_message(path_refused.diagnostics).find("the compiled path has"), std::string::npos);
  // The defaults take every example with room to spare.
  EXPECT_LT(layers * 10, api::kDefaultMaxModelLayers);
  EXPECT_LT(fits.model->model->nonzero_count() * 10, api::kDefaultMaxModelNonzeros);
}

TEST(ResourceLimits, RunWorkAndTraceSizeAreBoundedBeforeTheRun) {
  for (const std::string target : {"dag", "gated-linear-rnn"}) {
    SCOPED_TRACE(target);
    const api::CompileResult compiled = compile_example("more_ones", target, {});
    ASSERT_TRUE(compiled.ok) << first_message(compiled.diagnostics);
    const std::vector<std::vector<double>> prompt(8, {1.0});
    api::RunOptions options;
    options.trace = true;
    ASSERT_TRUE(api::run(*compiled.model, prompt, options).ok);

    api::RunOptions little_work = options;
    little_work.max_run_work = 8;
    const api::RunResult refused = api::run(*compiled.model, prompt, little_work);
    ASSERT_FALSE(refused.ok);
    EXPECT_TRUE(refused.outputs.empty());
    EXPECT_NE(first_message(refused.diagnostics).find("limit exceeded: this run would take about"), std::string::npos)
        << first_message(refused.diagnostics);
    EXPECT_NE(first_message(refused.diagnostics).find("8 tokens x"), std::string::npos);

    api::RunOptions small_trace = options;
    small_trace.max_trace_values = 8;
    const api::RunResult no_trace_room = api::run(*compiled.model, prompt, small_trace);
    ASSERT_FALSE(no_trace_room.ok);
    EXPECT_NE(first_message(no_trace_room.diagnostics).find("limit exceeded: the trace of this run would record"),
              std::string::npos)
        << first_message(no_trace_room.diagnostics);
    small_trace.trace = false;  // the same run without its trace fits
    EXPECT_TRUE(api::run(*compiled.model, prompt, small_trace).ok);
  }
}

// The longest prompt a model takes is its T (Input(..., max_length=) or the
// option, at most kMaxSequenceLengthLimit): a longer one is refused before it
// runs, saying how to raise it.
TEST(ResourceLimits, SequenceLengthIsBounded) {
  api::CompileOptions options;
  options.max_sequence_length = 4;
  const api::CompileResult compiled = compile_example("more_ones", "dag", options);
  ASSERT_TRUE(compiled.ok);
  const api::RunResult refused = api::run(*compiled.model, std::vector<std::vector<double>>(5, {1.0}), {});
  ASSERT_FALSE(refused.ok);
  EXPECT_NE(first_message(refused.diagnostics).find("the prompt has 5 tokens but"), std::string::npos)
      << first_message(refused.diagnostics);
  options.max_sequence_length = api::kMaxSequenceLengthLimit + 1;
  const api::CompileResult too_long = compile_example("more_ones", "dag", options);
  ASSERT_FALSE(too_long.ok);
  EXPECT_NE(first_message(too_long.diagnostics).find("between 1 and 65536"), std::string::npos);
}

}  // namespace
}  // namespace lsrl
