// Status: the result of an operation that can fail, with a code and a readable message.
//
// The engine does not throw across module boundaries; functions that can fail return a
// Status (or fill an out-parameter and return one). Codes are coarse on purpose: callers
// branch on the code, people read the message. Immutable and cheap to copy when ok().
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace caseengine {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,
    kInvalidArgument,
    kConflict,     // an expected version or a rule did not hold
    kCorruption,   // stored bytes are not what was written
    kIoError,      // the disk or RocksDB failed
    kBusy,         // the resource is held by someone else (a locked data folder)
    kUnavailable,  // the component has stopped and must be reopened
    kFailedPrecondition,
    kNoSpace,  // the disk is full: nothing was written; it can go on once space is freed
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status Conflict(std::string_view msg) { return Status(Code::kConflict, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status IoError(std::string_view msg) { return Status(Code::kIoError, msg); }
  static Status Busy(std::string_view msg) { return Status(Code::kBusy, msg); }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  static Status FailedPrecondition(std::string_view msg) {
    return Status(Code::kFailedPrecondition, msg);
  }

  static Status NoSpace(std::string_view msg) { return Status(Code::kNoSpace, msg); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const;
  std::string ToString() const;
  static const char* CodeName(Code code);

 private:
  Status(Code code, std::string_view msg)
      : code_(code), message_(std::make_shared<const std::string>(msg)) {}

  Code code_ = Code::kOk;
  std::shared_ptr<const std::string> message_;  // null when ok
};

}  // namespace caseengine
