// api::with_weight_noise: see api.hpp and compile/path_noise.hpp.
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <new>

#include "api/api.hpp"
#include "compile/path_noise.hpp"
#include "targets/registry.hpp"

namespace lsrl::api {

bool supports_weight_noise(const std::string& target) { return target == "linear-rnn" || target == "gated-linear-rnn"; }

CompileResult with_weight_noise(const CompiledModel& model, double sigma, std::uint64_t seed) {
  CompileResult result;
  auto fail = [&](const std::string& message) {
    Diagnostic d;
    d.file = model.filename;
    d.message = message;
    result.diagnostics.push_back(d);
    return result;
  };
  if (!model.path || !model.model) {
    return fail("weight noise perturbs a compiled model, and '" + model.target +
                "' is the program itself; compile it for linear-rnn or gated-linear-rnn");
  }
  if (!supports_weight_noise(model.target)) {
    return fail(
        "weight noise is implemented for linear-rnn and gated-linear-rnn (the paper's own compiled form), "
        "not for " +
        model.target + "; choose one of those targets");
  }
  if (!std::isfinite(sigma) || sigma < 0) {
    return fail("the noise's standard deviation must be a finite number >= 0");
  }
  try {
    auto noisy = std::make_shared<CompiledModel>(model);
    if (sigma > 0) {
      noisy->path = add_weight_noise(*model.path, sigma, seed);
      // Lowering to these two targets is the identity on the PathModel, so
      // the options do not matter.
      noisy->model = std::shared_ptr<const TargetModel>(lower_to_target(*noisy->path, model.target, TargetOptions{}));
    }
    result.ok = true;
    result.model = std::move(noisy);
  } catch (const LsrlError& e) {
    return fail(e.what());
  } catch (const std::bad_alloc&) {
    return fail("out of memory while adding noise to the weights");
  } catch (const std::exception& e) {
    return fail(std::string("internal error while adding noise to the weights: ") + e.what());
  }
  return result;
}

namespace {

// The centres of a 4^d grid: the continuous sweep's queries besides the
// example's own (the same points for every form and sigma).
constexpr int kGridPerAxis = 4;

// One prompt of the sweep and, for a dictionary, the token ids its answer must be.
struct SweepQuery {
  std::vector<std::vector<double>> tokens;
  std::vector<double> expected_ids;
};

// NaN-aware: once a NaN is seen the result stays NaN (a NaN must never look small).
double nan_aware_max(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  return a > b ? a : b;
}

}  // namespace

NoiseSweepResult noise_sweep(const std::string& source, const NoiseSweepOptions& options) {
  NoiseSweepResult result;
  auto fail = [&](const std::string& message) {
    Diagnostic d;
    d.file = options.compile.filename;
    d.message = message;
    result.diagnostics.push_back(d);
    result.ok = false;
    return result;
  };
  auto fail_with = [&](const std::vector<Diagnostic>& diagnostics) {
    result.diagnostics.insert(result.diagnostics.end(), diagnostics.begin(), diagnostics.end());
    result.ok = false;
    return result;
  };
  if (!supports_weight_noise(options.compile.target)) {
    return fail("target '" + options.compile.target +
                "': the noise sweep perturbs the paper's own compiled form; use linear-rnn or gated-linear-rnn");
  }
  if (options.sigmas.empty() || options.sigmas.size() > kMaxNoiseSigmas) {
    return fail("the sweep takes 1 to " + std::to_string(kMaxNoiseSigmas) + " noise levels");
  }
  for (double sigma : options.sigmas) {
    if (!std::isfinite(sigma) || sigma < 0)
      return fail("a noise level (standard deviation) must be a finite number >= 0");
  }
  if (options.trials < 1 || options.trials > kMaxNoiseTrials) {
    return fail("the number of trials must be a whole number between 1 and " + std::to_string(kMaxNoiseTrials));
  }
  if (options.kind != "dictionary" && options.kind != "continuous") {
    return fail("prompt kind '" + options.kind + "' has no noise measure; the sweep knows dictionary and continuous");
  }

  CompileOptions base = options.compile;
  base.params.erase("form");
  const CheckResult checked = check(source, base);
  if (!checked.ok) return fail_with(checked.diagnostics);
  std::vector<std::string> forms = options.forms;
  const bool every_form = forms.empty();
  if (every_form) {
    for (const auto& p : checked.info.params)
      if (p.name == "form") forms = p.choices;
    if (forms.empty()) forms.push_back("");  // no form parameter: the program as it is
  }

  std::vector<SweepQuery> queries;
  int answer_tokens = 0;
  if (options.kind == "dictionary") {
    if (!checked.info.vocab) return fail("a dictionary prompt needs a program with a vocab(...)");
    if (options.pairs.empty()) return fail("a dictionary prompt needs at least one key/value pair");
    for (const auto& [key, value] : options.pairs) {
      TokensResult built = dictionary_prompt(key, options.pairs, *checked.info.vocab);
      if (!built.ok) return fail_with(built.diagnostics);
      SweepQuery q;
      q.tokens = std::move(built.tokens);
      for (char c : value) q.expected_ids.push_back(static_cast<double>(checked.info.vocab->find(c)));
      answer_tokens = static_cast<int>(value.size());
      queries.push_back(std::move(q));
    }
    result.measure = "wrong_tokens";
  } else {
    const int dims = static_cast<int>(options.query.size());
    if (dims < 1 || dims > 4) return fail("a continuous prompt's query has 1 to 4 coordinates");
    std::vector<std::vector<double>> points;
    int total = 1;
    for (int d = 0; d < dims; ++d) total *= kGridPerAxis;
    for (int index = 0; index < total; ++index) {
      std::vector<double> point(static_cast<std::size_t>(dims));
      int rest = index;
      for (int d = 0; d < dims; ++d) {
        point[static_cast<std::size_t>(d)] = (rest % kGridPerAxis + 0.5) / kGridPerAxis;
        rest /= kGridPerAxis;
      }
      points.push_back(point);
    }
    points.push_back(options.query);
    for (const auto& point : points) {
      TokensResult built = continuous_prompt(options.function, dims, options.cells, point);
      if (!built.ok) return fail_with(built.diagnostics);
      queries.push_back(SweepQuery{std::move(built.tokens), {}});
    }
    result.measure = "max_error";
  }
  result.queries = static_cast<int>(queries.size());
  if (options.kind == "dictionary") result.out_of = static_cast<long long>(queries.size()) * answer_tokens;

  RunOptions run_options;
  run_options.compare_with_program = false;
  std::vector<Diagnostic> run_failure;
  auto run_all = [&](const CompiledModel& model, std::vector<OutputRows>& outputs) {
    outputs.clear();
    for (const SweepQuery& q : queries) {
      RunResult r = run(model, q.tokens, run_options);
      if (!r.ok) {
        run_failure = r.diagnostics;
        return false;
      }
      outputs.push_back(std::move(r.outputs));
    }
    return true;
  };

  for (const std::string& form : forms) {
    CompileOptions form_options = base;
    if (!form.empty()) form_options.params["form"] = form;
    CompileResult compiled = compile(source, form_options);
    if (!compiled.ok && every_form && forms.size() > 1) {
      // Sweeping every form: one the target cannot hold (a multiplicative
      // form on linear-rnn) is left out, and the caller told why.
      result.left_out.push_back(NoiseSweepResult::LeftOut{form, compiled.diagnostics});
      continue;
    }
    if (!compiled.ok) return fail_with(compiled.diagnostics);
    std::vector<OutputRows> clean;
    if (!run_all(*compiled.model, clean)) return fail_with(run_failure);
    for (double sigma : options.sigmas) {
      for (int trial = 0; trial < options.trials; ++trial) {
        const CompileResult noisy =
            with_weight_noise(*compiled.model, sigma, options.seed + static_cast<std::uint64_t>(trial));
        if (!noisy.ok) return fail_with(noisy.diagnostics);
        std::vector<OutputRows> outputs;
        if (!run_all(*noisy.model, outputs)) return fail_with(run_failure);
        double value = 0;
        for (std::size_t qi = 0; qi < queries.size(); ++qi) {
          const OutputRows& out = outputs[qi];
          if (options.kind == "dictionary") {
            const auto& expected = queries[qi].expected_ids;
            const std::size_t first = out.size() - expected.size();
            for (std::size_t k = 0; k < expected.size(); ++k) {
              const double got = out[first + k][0];
              if (!(std::isfinite(got) && std::round(got) == expected[k])) value += 1;
            }
          } else {
            const auto& last = out.back();
            const auto& reference = clean[qi].back();
            for (std::size_t c = 0; c < last.size(); ++c)
              value = nan_aware_max(value, std::fabs(last[c] - reference[c]));
          }
        }
        result.rows.push_back(NoiseSweepRow{form, sigma, trial, value});
      }
    }
  }
  if (result.rows.empty()) {
    return fail("no form of the program compiles for " + options.compile.target + "; try gated-linear-rnn");
  }
  result.ok = true;
  return result;
}

nlohmann::json noise_sweep_json(const NoiseSweepResult& result) {
  nlohmann::json j;
  j["measure"] = result.measure;
  j["queries"] = result.queries;
  if (result.measure == "wrong_tokens") j["out_of"] = result.out_of;
  j["rows"] = nlohmann::json::array();
  for (const NoiseSweepRow& r : result.rows) {
    nlohmann::json row{{"form", r.form}, {"sigma", r.sigma}, {"trial", r.trial}};
    // JSON has no NaN or Infinity: a blown-up error is written as null.
    if (std::isfinite(r.value))
      row["value"] = r.value;
    else
      row["value"] = nullptr;
    j["rows"].push_back(row);
  }
  j["left_out"] = nlohmann::json::array();
  for (const auto& left : result.left_out) {
    std::string why;
    for (const Diagnostic& d : left.why) why += (why.empty() ? "" : "; ") + d.message;
    j["left_out"].push_back({{"form", left.form}, {"message", why}});
  }
  return j;
}

}  // namespace lsrl::api
