// CaseHistory: every change to a case and its strands (every event of its stream), for the
// case's History tab, filtered by month and event type; and CaseHistoryProjection, which
// writes it. The rows live in the store only (they grow with every event); Read pages them
// oldest first straight from the store.
//
//   rm.case_history  key := 'h' case-id 0x00 position:u64   value := row
//                         | 'd' case-id                       value := ""
//                         | 'o' client-id 0x00 case-id        value := ""
//   row     := JSON {position, version, at, actor, type, details}
//   details := JSON object of the event's fields that are set, personal ones excepted (a
//              note shows as its note id and strand, never its text)
//   u64     := 8 bytes big-endian, so keys sort by position.
//
// 'd' marks a soft-deleted case; 'o' lists the cases opened on a client.
//
// Invariants: no personal data in any row. `at` never goes back as the position grows (the
// log's writer never lets recorded_at decrease), which lets a month filter stop early. A
// soft-deleted case keeps its rows and reads NotFound until restored. An erased case's
// rows are deleted: the case is gone, and free text such as reasons and action titles may
// still name people. That includes a case deleted before its client was erased, for which
// the domain writes no CaseDeleted(erase): 'o' finds it.
//
// Threading: Apply, Load and Reset on the runner's thread; Read from any thread (the store
// is thread-safe and Read keeps no state).
#pragma once

#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "projections/projection.h"

namespace caseengine {

class CaseHistory {
 public:
  static constexpr size_t kDefaultLimit = 50;
  static constexpr size_t kMaxLimit = 1000;

  // A page of the case's history, oldest first: {entries: [row...], next_cursor}. `month`
  // ("YYYY-MM", UTC) and `type` (an event type name) filter when not empty. limit 0 means
  // kDefaultLimit. The cursor is the decimal position of the last row of the previous page
  // ("" for the first page); next_cursor is "" on the last page.
  // NotFound when the case is soft-deleted or has no history (unknown, erased or not yet
  // applied); InvalidArgument for a malformed month, an unknown type, a limit above
  // kMaxLimit or a malformed cursor.
  Status Read(const std::string& case_id, const std::string& month, const std::string& type,
              size_t limit, const std::string& cursor, nlohmann::json* page) const;

 private:
  friend class CaseHistoryProjection;
  std::atomic<const Store*> store_{nullptr};
  std::atomic<FamilyId> family_{0};
};

class CaseHistoryProjection : public Projection {
 public:
  const char* name() const override { return "case_history"; }
  Status Load(const Store& store, FamilyId family) override;
  void Apply(const ProjectedEvent& e, RowWriter* rows) override;
  void Reset() override;
  bool personal() const override { return false; }

  const CaseHistory& history() const { return history_; }

 private:
  const std::string& At(int64_t micros);

  CaseHistory history_;
  // Consecutive events mostly share their instant: formatted once.
  int64_t at_micros_ = -1;
  std::string at_;
  std::string row_;  // reused: Apply runs for every event
};

}  // namespace caseengine
