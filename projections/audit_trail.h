// AuditTrail: who did what and when, an entry per event of every stream (ids only, never
// personal data), filtered by actor, by stream and by time; and AuditTrailProjection,
// which keeps its one index. The entries are the log's own envelopes: the read model
// holds only what the log cannot find fast, the events of each actor.
//
//   rm.audit_trail  key   := 'b' actor 0x00 bucket:u64
//                   value := offset:u16*   (ascending)
//   bucket := position >> 10: the log's positions in blocks of kBucketPositions
//   offset := position - bucket * kBucketPositions
//   u16, u64 := big-endian, so keys sort by bucket.
//
// A row lists an actor's positions in one block of the log: an index entry costs two
// bytes and, live, one row write per actor per batch rather than one per event (the rows
// of a batch are most of what the runner spends). A batch that adds to a block rewrites
// its row whole, at most 2 KB; what a block holds depends only on the log, so a rebuild
// writes the same rows. An event without an actor has no entry.
//
// All events, a position range, are read from the log; a stream's through the log's
// stream index; an actor's through this index. A time range is a position range: the
// log's writer gives every event a recorded_at no smaller than the one before it (max of
// the clock and the last, also across restarts), so its bounds are found by binary search
// over the log.
//
// Layout 1 had a key per event ('a' actor 0x00 position:u64), and folders older still
// 'p' and 's' keys; a runner rebuilds such a read model at open, which removes them.
//
// Threading: Apply, Flush, Load and Reset on the runner's thread; Query and ForEach from
// any thread (the store and the log are thread-safe and they keep no state). SetLog
// before the first query.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
  static constexpr int kBucketBits = 10;
  static constexpr uint64_t kBucketPositions = uint64_t{1} << kBucketBits;

  const char* name() const override { return "audit_trail"; }
  Status Load(const Store& store, FamilyId family) override;
  void Apply(const ProjectedEvent& e, RowWriter* rows) override;
  void Flush(RowWriter* rows) override;
  void Reset() override;
  bool personal() const override { return false; }
  uint64_t layout() const override { return 2; }
  bool reads_personal(EventType) const override { return false; }

  const AuditTrail& trail() const { return trail_; }
  // The log the entries are read from (the one this read model projects).
  void SetLog(const EventLog* log) { trail_.log_.store(log, std::memory_order_release); }

 private:
  // An actor's row of the block the log is in now, as this runner has it.
  struct Block {
    uint64_t bucket = 0;
    uint64_t last = 0;  // its last position; a replayed event (at or before it) adds nothing
    std::string offsets;
    bool dirty = false;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  AuditTrail trail_;
  std::unordered_map<std::string, Block, Hash, std::equal_to<>> blocks_;
  std::vector<const std::string*> dirty_;  // actors whose rows the next Flush writes
  uint64_t bucket_ = 0;                    // of the last event applied
};

}  // namespace caseengine
