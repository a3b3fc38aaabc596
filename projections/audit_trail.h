// AuditTrail: who did what and when, an entry per event of every stream (ids only, never
// personal data), filtered by actor, by stream and by time; and AuditTrailProjection,
// which keeps its one index. The entries are the log's own envelopes: the read model
// holds only what the log cannot find fast, the events of each actor.
//
//   rm.audit_trail  key := 'a' actor 0x00 position:u64       value := ""
//   u64 := big-endian, so keys sort by position.
//
// All events, a position range, are read from the log; a stream's through the log's
// stream index; an actor's through this index. A time range is a position range: the
// log's writer gives every event a recorded_at no smaller than the one before it (max of
// the clock and the last, also across restarts), so its bounds are found by binary search
// over the log. An event without an actor has no key.
//
// Folders written before this layout also hold 'p' (a copy of each event's metadata) and
// 's' (stream index) keys, which nothing reads any more; `caseengine rebuild --projection
// audit_trail` removes them.
//
// Threading: Apply and Load on the runner's thread; Query and ForEach from any thread (the
// store and the log are thread-safe and they keep no state). SetLog before the first query.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "events/event_log.h"
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
  std::atomic<const EventLog*> log_{nullptr};
};

class AuditTrailProjection : public Projection {
 public:
  const char* name() const override { return "audit_trail"; }
  Status Load(const Store& store, FamilyId family) override;
  void Apply(const ProjectedEvent& e, RowWriter* rows) override;
  bool personal() const override { return false; }

  const AuditTrail& trail() const { return trail_; }
  // The log the entries are read from (the one this read model projects).
  void SetLog(const EventLog* log) { trail_.log_.store(log, std::memory_order_release); }

 private:
  AuditTrail trail_;
  std::string key_;  // reused: Apply runs for every event
};

}  // namespace caseengine
