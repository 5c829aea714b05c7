#include "runtime/trace.hpp"

namespace lsrl {

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::F64:
      return "f64";
    case Precision::F32:
      return "f32";
    case Precision::F16:
      return "f16";
  }
  return "f64";
}

bool parse_precision(const std::string& text, Precision& out) {
  if (text == "f64") {
    out = Precision::F64;
  } else if (text == "f32") {
    out = Precision::F32;
  } else if (text == "f16") {
    out = Precision::F16;
  } else {
    return false;
  }
  return true;
}

}  // namespace lsrl
