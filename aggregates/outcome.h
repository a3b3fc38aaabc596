// What deciding a command gives: the events to append per stream, or why not.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aggregates/event.h"

namespace caseengine {

// Why a command was refused. `kind` maps to an HTTP status and problem type; `rule` is a
// stable name of the rule (for 409s), tests and clients match on it.
struct Rejection {
  enum class Kind {
    kValidation,            // 422: fields are missing or malformed (see `fields`)
    kNotFound,              // 404: an id names nothing (or something deleted)
    kForbidden,             // 403: the actor lacks a permission
    kRuleViolated,          // 409: a domain rule says no
    kVersionMismatch,       // 412: the stream is not at the version the caller expected
    kIdempotencyKeyReused,  // 422: the command id was first used for another request
  };
  struct FieldError {
    std::string field, message;
  };
  Kind kind = Kind::kValidation;
  std::string rule;
  std::string message;
  std::vector<FieldError> fields;

  static Rejection Validation(std::string field, std::string message);
  static Rejection NotFound(std::string message);
  static Rejection Forbidden(std::string permission);
  static Rejection Rule(std::string rule, std::string message);
  static Rejection VersionMismatch(std::string stream, uint64_t expected, uint64_t actual);
  static Rejection IdempotencyKeyReused();
};

// A list for a decision's events, with the capacity of one the thread gave back: an Event
// is over a kilobyte, past malloc's per-thread cache, and Decide, which runs for every
// command on the log's writer thread, would otherwise take the arena's slow path for each
// list it makes (7% of that thread's time).
std::vector<Event> EventList();
// Empties `events` and keeps its buffer for this thread's next EventList (a few dozen
// are kept; the rest are freed).
void GiveBack(std::vector<Event>* events);

struct StreamEvents {
  std::string stream;
  uint64_t expected_version = 0;  // the version Decide saw (0: a new stream)
  std::vector<Event> events;
};

// Decide's result: either a rejection, or events (possibly none: nothing to change), the
// answer for the caller (ids created and the like) and the keys to destroy after them.
struct Outcome {
  bool rejected = false;
  Rejection rejection;
  std::vector<StreamEvents> streams;
  nlohmann::json response = nlohmann::json::object();
  // Subjects whose data keys go once the events are durable (an erasure): what they
  // sealed can no longer be read anywhere.
  std::vector<std::string> destroy_keys;

  static Outcome Reject(Rejection r) {
    Outcome o;
    o.rejected = true;
    o.rejection = std::move(r);
    return o;
  }
  bool Unchanged() const { return !rejected && streams.empty(); }
  // Appends an event for `stream` (after the others for it when it was the last added).
  // Moved in: a braced list would copy it (an initializer_list holds const elements),
  // and an Event is a few dozen strings.
  void Add(std::string stream, uint64_t expected_version, Event e) {
    if (streams.empty() || streams.back().stream != stream) {
      streams.push_back({std::move(stream), expected_version, EventList()});
    }
    streams.back().events.push_back(std::move(e));
  }
};

}  // namespace caseengine
