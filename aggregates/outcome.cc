// Rejection constructors: see outcome.h.
#include "aggregates/outcome.h"

namespace caseengine {

namespace {
constexpr size_t kSpareEventLists = 64;
thread_local std::vector<std::vector<Event>> spare_event_lists;
}  // namespace

std::vector<Event> EventList() {
  if (spare_event_lists.empty()) return {};
  std::vector<Event> events = std::move(spare_event_lists.back());
  spare_event_lists.pop_back();
  return events;
}

void GiveBack(std::vector<Event>* events) {
  events->clear();
  if (events->capacity() > 0 && spare_event_lists.size() < kSpareEventLists) {
    spare_event_lists.push_back(std::move(*events));
  }
  std::vector<Event>().swap(*events);
}

Rejection Rejection::Validation(std::string field, std::string message) {
  Rejection r;
  r.kind = Kind::kValidation;
  r.message = field + " " + message;
  r.fields.push_back({std::move(field), std::move(message)});
  return r;
}

Rejection Rejection::NotFound(std::string message) {
  Rejection r;
  r.kind = Kind::kNotFound;
  r.message = std::move(message);
  return r;
}

Rejection Rejection::Forbidden(std::string permission) {
  Rejection r;
  r.kind = Kind::kForbidden;
  r.rule = permission;
  r.message = "this needs the permission " + permission;
  return r;
}

Rejection Rejection::Rule(std::string rule, std::string message) {
  Rejection r;
  r.kind = Kind::kRuleViolated;
  r.rule = std::move(rule);
  r.message = std::move(message);
  return r;
}

Rejection Rejection::VersionMismatch(std::string stream, uint64_t expected, uint64_t actual) {
  Rejection r;
  r.kind = Kind::kVersionMismatch;
  r.message =
      stream + " is at version " + std::to_string(actual) + ", not " + std::to_string(expected);
  return r;
}

Rejection Rejection::IdempotencyKeyReused() {
  Rejection r;
  r.kind = Kind::kIdempotencyKeyReused;
  r.message =
      "this Idempotency-Key was first used for another request (another route or body); "
      "nothing was written: use a new key for a new request";
  return r;
}

}  // namespace caseengine
