// CaseHistory: every change to a case and its strands (every event of its stream), for the
// case's History tab, filtered by month and event type; and CaseHistoryProjection, which
// keeps what the log alone does not say. The entries are the events of the case's stream,
// read from the log through its stream index when asked for: a history row per event
// would double what the runner writes for the events it holds.
//
//   rm.case_history  key := the case marks ('d', 'x', 'o': see case_marks.h)
//   entry   := JSON {position, version, at, actor, type, details}
//   details := JSON object of the event's fields that are set, personal ones excepted (a
//              note shows as its note id and strand, never its text)
//
// The case marks are all it keeps: they hide soft-deleted and erased cases. Layout 1 held
// a row per event ('h' case-id 0x00 position); a runner rebuilds such a read model at
// open.
//
// Invariants: of the sealed fields only free text typed about the case (action titles,
// close and reopen reasons: HasFreeText) is opened and shown; a person's details never
// are. An erased case's key is gone, so its free text reads as nothing. A month is a
// range of recorded times, and the log's recorded_at never goes back along the log, so it
// is a range of positions found by binary search. A soft-deleted case reads NotFound
// until restored, an erased case for good: the case is gone, and free text such as
// reasons and action titles may still name people. A page shows the events the read
// model has applied (up to the position it is given), so a deletion or an erasure and the
// entries are always of the same moment, as in the journal.
//
// Threading: Apply and Load on the runner's thread; Read from any thread (the store
// and the log are thread-safe and Read keeps no state). SetLog before the first Read.
#pragma once

#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "aggregates/event_codec.h"
#include "events/event_log.h"
#include "projections/case_marks.h"
#include "projections/projection.h"

namespace caseengine {

class CaseHistory {
 public:
  static constexpr size_t kDefaultLimit = 50;
  static constexpr size_t kMaxLimit = 1000;

  // A page of the case's history, oldest first: {entries: [row...], next_cursor}. `month`
  // ("YYYY-MM", UTC) and `type` (an event type name) filter when not empty. limit 0 means
  // kDefaultLimit. The cursor is the decimal position of the last row of the previous page
  // ("" for the first page); next_cursor is "" on the last page. Events after `upto` are
  // not shown: it is the position the runner has applied (the default shows the whole
  // log, for a runner that has caught up).
  // NotFound when the case is soft-deleted, erased or has no events; InvalidArgument for a
  // malformed month, an unknown type, a limit above kMaxLimit or a malformed cursor.
  Status Read(const std::string& case_id, const std::string& month, const std::string& type,
              size_t limit, const std::string& cursor, nlohmann::json* page,
              uint64_t upto = UINT64_MAX) const;

 private:
  friend class CaseHistoryProjection;
  std::atomic<const Store*> store_{nullptr};
  std::atomic<FamilyId> family_{0};
  std::atomic<const EventLog*> log_{nullptr};
  std::atomic<const EventCodec*> codec_{nullptr};
};

class CaseHistoryProjection : public Projection {
 public:
  const char* name() const override { return "case_history"; }
  Status Load(const Store& store, FamilyId family) override;
  void Apply(const ProjectedEvent& e, RowWriter* rows) override;
  // The case marks read rows at a client's or case's erasure alone.
  ReadsRows reads_rows_only_at() const override { return &CaseMarks::ReadsRows; }
  bool personal() const override { return false; }
  uint64_t layout() const override { return 2; }
  bool reads_personal(EventType) const override { return false; }

  const CaseHistory& history() const { return history_; }
  // The log the entries are read from (the one this read model projects) and the codec
  // that decodes them.
  void SetLog(const EventLog* log, const EventCodec* codec) {
    history_.codec_.store(codec, std::memory_order_release);
    history_.log_.store(log, std::memory_order_release);
  }

 private:
  CaseHistory history_;
};

}  // namespace caseengine
