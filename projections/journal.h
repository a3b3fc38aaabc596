// Journal: each case's journal as a caseworker reads it, one human-readable entry per
// meaningful event (opened, closed, officers, people, strands and their moves, notes,
// actions, deletion), and JournalProjection, which keeps what the log alone does not say.
// The entries are the events of the case's stream, read newest first from the log through
// its stream index when a page is asked for and described then: an entry row per event
// would be the largest thing the runner writes.
//
//   rm.journal  key := 'f' case-id 0x00 kind id 0x00 position:u64   value := fact
//                    | the case marks ('d', 'x', 'o': see case_marks.h)
//   entry := JSON {position, at, actor, type, text, strand_id?, other_case_id?,
//                  other_strand_id?, client_id?, action_id?}
//   kind  := 'p' (a person's relationship) | 'a' (an action's title) | 's' (a strand's type)
//   u64   := 8 bytes big-endian, so a fact's versions sort by position.
//
// Facts are what later entries name but their events do not carry (a person's
// relationship when they leave, an action's title when it is completed), each version
// kept at the position of the event that set it: an entry reads the facts as they were
// when its event was applied, so a page says what it said when it was first shown. The
// case marks hide soft-deleted and erased cases.
//
// A page shows the events the read model has applied (up to the position it is given),
// so a deletion, an erasure and the facts an entry names are always those of the same
// moment. A note's text is opened from the log for the page shown ("Note: " and the text,
// or "Note (erased)" once the key is destroyed); no entry, and so no note text, is ever
// in the read model's files. Layouts 1 (entries with note texts, and a note index) and 2
// (entries without texts) kept a row per entry; a runner rebuilds such a read model at
// open.
//
// Invariants: ids hold no 0x00 (stream ids are printable ASCII). When a client is erased
// the journals of their own cases go, facts and all, under an 'x' mark, as
// ClientDeleted(erase) is applied, and the runner purges the family after an erasure
// (titles are free text that may name the person); the CaseDeleted(erase) events that
// follow mark what is left. A soft-deleted case reads NotFound until restored, an erased
// one for good.
//
// Threading: Apply and Load on the runner's thread; Read from any thread
// (the store, the log and the codec are thread-safe and Read keeps no state). SetLog
// before the first Read.
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

class Journal {
 public:
  static constexpr size_t kDefaultLimit = 50;
  static constexpr size_t kMaxLimit = 1000;

  // A page of the case's journal, newest first: {entries: [entry...], next_cursor}. limit 0
  // means kDefaultLimit. The cursor is the decimal position of the last entry of the
  // previous page ("" for the first page); next_cursor is "" on the last page. Events
  // after `upto` are not shown: it is the position the runner has applied (the default
  // shows the whole log, for a runner that has caught up).
  // NotFound when the case is soft-deleted or has no journal (unknown, erased or not yet
  // applied); InvalidArgument for a limit above kMaxLimit or a malformed cursor.
  Status Read(const std::string& case_id, size_t limit, const std::string& cursor,
              nlohmann::json* page, uint64_t upto = UINT64_MAX) const;

 private:
  friend class JournalProjection;
  std::atomic<const Store*> store_{nullptr};
  std::atomic<FamilyId> family_{0};
  std::atomic<const EventLog*> log_{nullptr};
  std::atomic<const EventCodec*> codec_{nullptr};
};

class JournalProjection : public Projection {
 public:
  const char* name() const override { return "journal"; }
  Status Load(const Store& store, FamilyId family) override;
  void Apply(const ProjectedEvent& e, RowWriter* rows) override;
  // The case marks read rows at a client's or case's erasure alone.
  ReadsRows reads_rows_only_at() const override { return &CaseMarks::ReadsRows; }
  bool personal() const override { return true; }
  uint64_t layout() const override { return 3; }
  // Note texts are opened from the log when a page is read; an action's title is kept
  // as a fact (and dropped with the case's other facts when the case is erased).
  bool reads_personal(EventType type) const override { return type == EventType::kActionCreated; }

  const Journal& journal() const { return journal_; }
  // The log that notes' texts are read from (the one this read model projects) and the
  // codec that opens them.
  void SetLog(const EventLog* log, const EventCodec* codec) {
    journal_.codec_.store(codec, std::memory_order_release);
    journal_.log_.store(log, std::memory_order_release);
  }

 private:
  Journal journal_;
};

}  // namespace caseengine
