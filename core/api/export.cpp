// api::export_model: a compiled model's weights as a file and its PyTorch
// loader, with the names both doors offer them under.
#include "export/export.hpp"

#include <exception>
#include <new>
#include <string>

#include "api/api.hpp"

namespace lsrl::api {
namespace {

// "examples/more_ones.lsrl" -> "more_ones"; a name in angle brackets (the
// page's "<input>") or none at all -> "model".
std::string base_name(const std::string& filename) {
  std::string name = filename;
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name = name.substr(slash + 1);
  const auto dot = name.rfind('.');
  if (dot != std::string::npos && dot > 0) name = name.substr(0, dot);
  if (name.empty() || name.front() == '<') name = "model";
  return name;
}

}  // namespace

ExportResult export_model(const CompiledModel& model, ExportFormat format) {
  ExportResult result;
  auto fail = [&](const std::string& message) {
    result.diagnostics.push_back(file_error(model.filename, message));
    return result;
  };
  if (!model.model) {
    return fail(
        "the dag target has no weights to export: it is the program itself; compile for a target such as "
        "gated-linear-rnn");
  }
  try {
    const std::string stem = base_name(model.filename) + "-" + model.target;
    if (format == ExportFormat::Json) {
      result.bytes = export_json(*model.model);
      result.filename = stem + ".json";
    } else {
      result.bytes = export_safetensors(*model.model);
      result.filename = stem + ".safetensors";
    }
    result.loader = pytorch_loader_source(*model.model);
    if (!result.loader.empty()) result.loader_filename = stem + "_loader.py";
  } catch (const LsrlError& e) {
    result.diagnostics.push_back(e.to_diagnostic(model.filename));
    return result;
  } catch (const std::bad_alloc&) {
    return fail("ran out of memory while exporting the model");
  } catch (const std::exception& e) {
    return fail(std::string("internal error while exporting the model (") + e.what() +
                "); this is a bug in the LSRL core, please report it with the program");
  }
  result.ok = true;
  return result;
}

}  // namespace lsrl::api
