// Serialisers for compiled models (`lsrlc export`, the page's download button).
#pragma once

#include <string>

#include "targets/target_model.hpp"

namespace lsrl {

// {"metadata": model.metadata(), "tensors": {name: {"shape": [...], "data": [...]}}}
// serialised. Doubles are written with full (round-trip) precision.
std::string export_json(const TargetModel& model);

// The safetensors format: 8-byte little-endian header length, JSON header
// (dtype F64, shape, data_offsets per tensor, "__metadata__" with string
// values), then the raw little-endian data. Implemented in export/safetensors.cpp.
std::string export_safetensors(const TargetModel& model);

// A dependency-light Python file (torch + the standard library) that builds
// the torch module for this model and loads a safetensors file into it.
// Implemented in export/pytorch_loader.cpp. Returns "" for targets that have
// no torch module (the JSON export still works for them).
std::string pytorch_loader_source(const TargetModel& model);

}  // namespace lsrl
