// AuditTrail: who did what and when, a row per event of every stream (ids only, never
// personal data), filtered by actor, by stream and by time with index range scans; and
// AuditTrailProjection, which writes it. The rows live in the store only (they grow with
// every event); queries read the store.
//
//   rm.audit_trail  key := 'p' position:u64                  value := row
//                        | 'a' actor 0x00 position:u64       value := ""
//                        | 's' stream 0x00 position:u64      value := ""
//   row := recorded_at:u64 str(stream) str(actor) str(type) str(command_id)
//          str(correlation_id)
//   str := length:u32 bytes
//   u32, u64 := big-endian, so keys sort by position.
//
// A time range is a position range: the log's writer gives every event a recorded_at no
// smaller than the one before it (max of the clock and the last, also across restarts), so
// the bounds are found by binary search over the 'p' rows, and combine with the actor and
// stream indexes. An event without an actor has no 'a' key.
//
// Invariants: a 'p' row for every event applied (also those this build cannot decode), so
// positions run without gaps; the rows of erased clients stay (they hold ids only).
//
// Threading: Apply and Load on the runner's thread; Query and ForEach from any thread (the
// store is thread-safe and they keep no state).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "projections/projection.h"

namespace caseengine {

struct AuditQuery {
  std::string actor, stream;  // empty: any
  // Microseconds since the epoch, both inclusive; 0: open. A whole day `to` is its last
  // microsecond (the next midnight minus one).
  int64_t from_micros = 0, to_micros = 0;
  size_t limit = 100;  // 1..AuditTrail::kMaxLimit; 0 means 100
  // The decimal position of the last entry of the previous page; "" for the first page.
  std::string cursor;
};

class AuditTrail {
 public:
  static constexpr size_t kDefaultLimit = 100;
  static constexpr size_t kMaxLimit = 1000;

  // A page in position order: {entries: [{position, at, actor, stream, type, command_id,
  // correlation_id}...], next_cursor ("" on the last page)}. InvalidArgument for a limit
  // above kMaxLimit or a malformed cursor.
  Status Query(const AuditQuery& query, nlohmann::json* page) const;
  // Every entry the query matches after its cursor, in position order, for exports; the
  // limit is ignored. Stops early when fn returns false.
  Status ForEach(const AuditQuery& query,
                 const std::function<bool(const nlohmann::json&)>& fn) const;

 private:
  friend class AuditTrailProjection;
  Status Scan(const AuditQuery& query,
              const std::function<bool(uint64_t position, nlohmann::json entry)>& fn) const;

  std::atomic<const Store*> store_{nullptr};
  std::atomic<FamilyId> family_{0};
};

class AuditTrailProjection : public Projection {
 public:
  const char* name() const override { return "audit_trail"; }
  Status Load(const Store& store, FamilyId family) override;
  void Apply(const ProjectedEvent& e, RowWriter* rows) override;
  bool personal() const override { return false; }

  const AuditTrail& trail() const { return trail_; }

 private:
  AuditTrail trail_;
  std::string key_, value_;  // reused: Apply runs for every event
};

}  // namespace caseengine
