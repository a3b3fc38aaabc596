// What a command's caller is told: the options it sends a command with, and the result
// it gets back from the command service.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aggregates/outcome.h"
#include "base/status.h"
#include "events/event_log.h"

namespace caseengine {

struct CommandOptions {
  std::string command_id;                    // idempotency key; generated when empty
  std::optional<uint64_t> expected_version;  // If-Match on the command's own stream
  std::string correlation_id;
  // What the request was (its caller's digest of it), kept with the command's answer: a
  // repeat of the command id with another digest is refused
  // (Rejection::IdempotencyKeyReused), not answered with the first command's answer.
  std::string request_digest;
};

struct CommandResult {
  Status status;          // not ok: the log failed (I/O, unavailable): nothing is known
  bool rejected = false;  // a rule or a field said no (see rejection); nothing written
  Rejection rejection;
  bool unchanged = false;  // accepted, but there was nothing to change: nothing written
  bool duplicate = false;  // the command id was seen before: this is its first answer
  // Of the command's last event (0 when nothing was written)
  uint64_t position = 0;
  // For a command that changed nothing: the log's durable head when it was answered (what
  // it was decided on is there), the position a read must reach to see that state.
  uint64_t durable_head = 0;
  std::vector<StreamVersion> versions;
  nlohmann::json response = nlohmann::json::object();

  bool ok() const { return status.ok() && !rejected; }
};

}  // namespace caseengine
