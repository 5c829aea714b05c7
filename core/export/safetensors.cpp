// The safetensors format (huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON header, then the tensors' raw bytes. The
// header maps each tensor name to {"dtype", "shape", "data_offsets": [begin,
// end)} (offsets into the byte buffer after the header) and holds
// "__metadata__", a map of strings. Every tensor here is F64, little-endian,
// row-major, in state_dict order; the header is padded with spaces to a
// multiple of 8 bytes so the data that follows is aligned for doubles.
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

#include "export/export.hpp"

namespace lsrl {

namespace {

void append_le_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

void append_le_double(std::string& out, double d) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  append_le_u64(out, bits);
}

}  // namespace

std::string export_safetensors(const TargetModel& model) {
  const std::vector<NamedTensor> tensors = model.state_dict();
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  nlohmann::ordered_json metadata = nlohmann::ordered_json::object();
  const nlohmann::json model_metadata = model.metadata();
  for (const auto& [key, value] : model_metadata.items()) {
    metadata[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const NamedTensor& t : tensors) {
    std::uint64_t count = 1;
    for (long long d : t.shape) {
      if (d < 0) throw LsrlError(SourceSpan{}, "internal error: tensor '" + t.name + "' has a negative dimension");
      count *= static_cast<std::uint64_t>(d);
    }
    if (count != t.data.size()) {
      throw LsrlError(SourceSpan{}, "internal error: tensor '" + t.name + "' holds " + std::to_string(t.data.size()) +
                                        " values but its shape has " + std::to_string(count));
    }
    if (header.contains(t.name)) throw LsrlError(SourceSpan{}, "internal error: two tensors named '" + t.name + "'");
    const std::uint64_t bytes = count * 8;
    header[t.name] = {{"dtype", "F64"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string json = header.dump();
  while ((8 + json.size()) % 8 != 0) json.push_back(' ');

  std::string out;
  out.reserve(8 + json.size() + offset);
  append_le_u64(out, json.size());
  out += json;
  for (const NamedTensor& t : tensors)
    for (double d : t.data) append_le_double(out, d);
  return out;
}

}  // namespace lsrl
