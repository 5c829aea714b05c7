// api::with_weight_noise: see api.hpp and compile/path_noise.hpp.
#include <cmath>
#include <exception>
#include <memory>
#include <new>

#include "api/api.hpp"
#include "compile/path_noise.hpp"
#include "targets/registry.hpp"

namespace lsrl::api {

bool supports_weight_noise(const std::string& target) {
  return target == "linear-rnn" || target == "gated-linear-rnn";
}

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
    return fail("weight noise is implemented for linear-rnn and gated-linear-rnn (the paper's own compiled form), "
                "not for " + model.target + "; choose one of those targets");
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

}  // namespace lsrl::api
