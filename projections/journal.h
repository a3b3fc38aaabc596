// Journal: each case's journal as a caseworker reads it, one human-readable entry per
// meaningful event (opened, closed, officers, people, strands and their moves, notes,
// actions, deletion), and JournalProjection, which writes it. The rows live in the store
// only (they grow with every event); Read pages them newest first straight from the store.
//
//   rm.journal  key := 'e' case-id 0x00 position:u64   value := entry
//                    | 'd' case-id                       value := ""
//                    | 'f' case-id 0x00 kind id          value := fact
//                    | 'o' client-id 0x00 case-id        value := ""
//   entry := JSON {position, at, actor, type, text?, strand_id?, other_case_id?,
//                  other_strand_id?, client_id?, action_id?}
//   kind  := 'p' (a person's relationship) | 'a' (an action's title) | 's' (a strand's type)
//   u64   := 8 bytes big-endian, so keys sort by position.
//
// 'd' marks a soft-deleted case. Facts are what later entries name but their events do
// not carry (a person's relationship when they leave, an action's title when it is
// completed). 'o' lists the cases opened on a client, so its erasure finds them by a range
// scan, with nothing to hold in memory or to load at start.
//
// A note's entry holds no text: its text is personal, sealed in the log with the key of
// the client it is about, and Read opens it from the log for the page it shows ("Note: "
// and the text, or "Note (erased)" once the key is destroyed). So no note text is ever in
// the read model's files, and an erasure has no entry to rewrite. Layout 1 held the text
// and an index of the notes per subject ('n'); a runner rebuilds such a read model at open.
//
// Invariants: ids hold no 0x00 (stream ids are printable ASCII). When a client is erased
// the journals of their own cases are deleted, rows, facts and all, as ClientDeleted(erase)
// is applied, and the runner purges the family after an erasure (reasons and titles are
// free text that may name the person); the CaseDeleted(erase) events that follow find
// nothing left. A soft-deleted case keeps its rows under a 'd' mark and reads NotFound
// until restored.
//
// Threading: Apply, Flush, Load and Reset on the runner's thread; Read from any thread
// (the store, the log and the codec are thread-safe and Read keeps no state). SetLog
// before the first Read.
#pragma once

#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>

#include "aggregates/event_codec.h"
#include "events/event_log.h"
#include "projections/projection.h"

namespace caseengine {

class Journal {
 public:
  static constexpr size_t kDefaultLimit = 50;
  static constexpr size_t kMaxLimit = 1000;

  // A page of the case's journal, newest first: {entries: [entry...], next_cursor}. limit 0
  // means kDefaultLimit. The cursor is the decimal position of the last entry of the
  // previous page ("" for the first page); next_cursor is "" on the last page.
  // NotFound when the case is soft-deleted or has no journal (unknown, erased or not yet
  // applied); InvalidArgument for a limit above kMaxLimit or a malformed cursor.
  Status Read(const std::string& case_id, size_t limit, const std::string& cursor,
              nlohmann::json* page) const;

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
  void Flush(RowWriter* rows) override;
  void Reset() override;
  bool personal() const override { return true; }
  uint64_t layout() const override { return 2; }
  // Note texts are opened from the log when a page is read.
  bool reads_personal(EventType) const override { return false; }

  const Journal& journal() const { return journal_; }
  // The log that notes' texts are read from (the one this read model projects) and the
  // codec that opens them.
  void SetLog(const EventLog* log, const EventCodec* codec) {
    journal_.codec_.store(codec, std::memory_order_release);
    journal_.log_.store(log, std::memory_order_release);
  }

 private:
  void ApplyCaseEvent(const ProjectedEvent& pe, const std::string& case_id, RowWriter* rows);
  void EraseClient(const std::string& client_id, RowWriter* rows);
  void PutFact(const std::string& key, const std::string& value, RowWriter* rows);
  std::string Fact(const std::string& key, const RowWriter& rows) const;
  const std::string& At(int64_t micros);

  Journal journal_;
  // Facts written in the batch being built: not yet in the store, where later lookups go.
  std::unordered_map<std::string, std::string> pending_facts_;
  // Consecutive events mostly share their instant: formatted once.
  int64_t at_micros_ = -1;
  std::string at_;
  std::string row_;  // reused: Apply runs for every event
};

}  // namespace caseengine
