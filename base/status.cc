// Status: see status.h.
#include "base/status.h"

namespace caseengine {

const std::string& Status::message() const {
  static const std::string kEmpty;
  return message_ ? *message_ : kEmpty;
}

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kNotFound:
      return "not found";
    case Code::kInvalidArgument:
      return "invalid argument";
    case Code::kConflict:
      return "conflict";
    case Code::kCorruption:
      return "corruption";
    case Code::kIoError:
      return "I/O error";
    case Code::kBusy:
      return "busy";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kFailedPrecondition:
      return "failed precondition";
    case Code::kNoSpace:
      return "no space";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message();
}

}  // namespace caseengine
