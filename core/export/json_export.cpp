// JSON export of a compiled model: the module's metadata and every weight
// tensor under the name the module gives it, in state_dict order, so a reader
// can rebuild the module from this file alone. nlohmann::json writes each
// double in its shortest form that reads back to the same bits.
#include <nlohmann/json.hpp>

#include "export/export.hpp"

namespace lsrl {

std::string export_json(const TargetModel& model) {
  // ordered_json keeps the tensors in the order state_dict() lists them.
  nlohmann::ordered_json out;
  out["metadata"] = nlohmann::ordered_json::parse(model.metadata().dump());
  nlohmann::ordered_json tensors = nlohmann::ordered_json::object();
  for (const NamedTensor& t : model.state_dict()) {
    tensors[t.name] = {{"shape", t.shape}, {"data", t.data}};
  }
  out["tensors"] = std::move(tensors);
  return out.dump() + "\n";
}

}  // namespace lsrl
