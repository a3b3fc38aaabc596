// Tests of the case history read model (and the journal where they share a rule): hidden
// while a case is soft-deleted, filters by month and type, no note text, no row per event,
// and rows of the first layout rebuilt away at open.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "base/coding.h"
#include "projections/projection_runner.h"
#include "tests/domain_fixture.h"
#include "tests/read_models_logs_support.h"

namespace caseengine {

namespace {

using testing::read_models_logs::AnyRowContains;
using testing::read_models_logs::FamilyRows;
using testing::read_models_logs::FindEntry;
using testing::read_models_logs::Harness;
using testing::read_models_logs::Positions;
using testing::read_models_logs::Rows;

}  // namespace

TEST_CASE("a soft-deleted case hides its journal and history until restored", "[read-models]") {
  // Given a case with a note
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  h.Run("officer", AddNote{case_a, "Able note", ""});
  // When its client is soft-deleted
  h.Run("supervisor", DeleteClient{a, DeleteMode::kSoft});
  h.CatchUp();
  // Then its journal and history are not found, as deleted
  nlohmann::json page;
  Status s = h.journal().Read(case_a, 10, "", &page);
  CHECK(s.code() == Status::Code::kNotFound);
  CHECK(s.message().find("deleted") != std::string::npos);
  CHECK(h.history().Read(case_a, "", "", 10, "", &page).code() == Status::Code::kNotFound);
  // And they are hidden, not gone: a mark, and the entries in the log
  CHECK(FamilyRows(*h.store, "rm.journal").count("d" + case_a) == 1);

  // When the client is restored
  // Then the journal and history are back, with the deletion and the restore
  h.Run("admin", RestoreClient{a});
  h.CatchUp();
  const nlohmann::json entries = h.JournalOf(case_a);
  REQUIRE(entries.size() >= 4);
  CHECK(entries[0]["type"] == "CaseRestored");
  CHECK(entries[1]["type"] == "CaseDeleted");
  CHECK(entries[1]["text"] == "Case deleted with its client");
  CHECK(entries[2]["text"] == "Note: Able note");
  CHECK(h.HistoryOf(case_a).size() == 4);
}

TEST_CASE("case history filters by month and type and never holds note text", "[read-models]") {
  // Given a case with a Housing Register application, a note on it, an action, closed
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  const std::string hr = h.Run("officer", AddStrand{case_a, "housing_register"})["strand_id"];
  const std::string note = h.Run("officer", AddNote{case_a, "Secret history text", hr})["note_id"];
  h.Run("officer", CreateAction{case_a, "Call the landlord", "2026-12-01", ""});
  h.Run("officer", CloseCase{case_a, "housed"});
  h.CatchUp();

  // When its history is read
  // Then every change is there oldest first, with details but never the note's text
  const nlohmann::json all = h.HistoryOf(case_a);
  REQUIRE(all.size() == 6);
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i]["version"] == i + 1);  // oldest first
    if (i > 0) CHECK(all[i]["position"] > all[i - 1]["position"]);
  }
  CHECK(all[0]["type"] == "CaseOpened");
  CHECK(all[0]["details"]["client_id"] == a);
  CHECK(all[0]["actor"] == "officer");
  const nlohmann::json* n = FindEntry(all, "NoteAdded");
  REQUIRE(n != nullptr);
  CHECK((*n)["details"] == nlohmann::json({{"item_id", note}, {"strand_id", hr}}));
  CHECK(FindEntry(all, "CaseClosed")->at("details")["reason"] == "housed");
  CHECK_FALSE(AnyRowContains(FamilyRows(*h.store, "rm.case_history"), "Secret history"));
  CHECK_FALSE(h.models->history.personal());

  // And it filters by type and month
  CHECK(h.HistoryOf(case_a, "", "NoteAdded").size() == 1);
  CHECK(h.HistoryOf(case_a, "", "StrandAdded").size() == 2);
  const std::string month = all[0]["at"].get<std::string>().substr(0, 7);
  size_t in_month = 0;
  for (const auto& r : all) in_month += r["at"].get<std::string>().starts_with(month) ? 1 : 0;
  CHECK(h.HistoryOf(case_a, month).size() == in_month);
  CHECK(h.HistoryOf(case_a, month, "StrandAdded").size() <= 2);
  CHECK(h.HistoryOf(case_a, "2000-01").empty());

  // And bad months, types, cursors and cases are refused
  nlohmann::json page;
  for (const char* bad : {"2026-13", "2026-1", "202611", "2026/11", "2026-00", "26-11-01"}) {
    INFO(bad);
    CHECK(h.history().Read(case_a, bad, "", 10, "", &page).code() ==
          Status::Code::kInvalidArgument);
  }
  CHECK(h.history().Read(case_a, "", "NoSuchEvent", 10, "", &page).code() ==
        Status::Code::kInvalidArgument);
  CHECK(h.history().Read(case_a, "", "", 10, "zz", &page).code() == Status::Code::kInvalidArgument);
  CHECK(h.history().Read("no-such-case", "", "", 10, "", &page).code() == Status::Code::kNotFound);

  // And pages with a cursor give every entry once
  std::vector<uint64_t> paged;
  std::string cursor;
  for (int pages = 0; pages < 100; ++pages) {
    REQUIRE(h.history().Read(case_a, "", "", 4, cursor, &page).ok());
    for (uint64_t p : Positions(page["entries"])) paged.push_back(p);
    cursor = page["next_cursor"];
    if (cursor.empty()) break;
  }
  CHECK(paged == Positions(all));
}

TEST_CASE("case history keeps no row per event and reads its entries from the log",
          "[read-models]") {
  // Given two cases with notes and an action
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  auto [b, case_b] = h.f.Register("Baker");
  for (int i = 0; i < 5; ++i) h.Run("officer", AddNote{case_a, "note", ""});
  h.Run("officer", CreateAction{case_b, "Call", "", ""});
  h.CatchUp();
  // Then the read model keeps only the marks: a case per client opened, none deleted or erased
  const Rows rows = FamilyRows(*h.store, "rm.case_history");
  CHECK(rows.size() == 2);
  for (const auto& [key, value] : rows) {
    INFO(key);
    CHECK(key[0] == 'o');
    CHECK(value.empty());
  }
  CHECK(h.HistoryOf(case_a).size() == h.f.EventTypes("case-" + case_a).size());
  // And it reads straight from the log, up to the position given: the runner's applied position
  // hides an event not yet applied; the whole log shows it.
  h.Run("officer", AddNote{case_b, "later", ""});
  const nlohmann::json history_b = h.HistoryOf(case_b);
  CHECK(history_b.back()["type"] == "NoteAdded");
  CHECK(h.runner->Applied() < h.f.Head());
  nlohmann::json applied;
  REQUIRE(h.history().Read(case_b, "", "", 100, "", &applied, h.runner->Applied()).ok());
  CHECK(applied["entries"].size() == history_b.size() - 1);
  CHECK(applied["entries"].back()["type"] == "ActionCreated");
  CHECK(h.history().Read(case_b, "", "", 100, "", &applied, 0).code() == Status::Code::kNotFound);
  CHECK(h.HistoryOf(case_b, "2099-12").empty());  // a December ends with the year
  CHECK(h.HistoryOf(case_b, "9999-12").empty());  // and the last one with time
}

TEST_CASE("case history and journal rows of the first layout are rebuilt away at open",
          "[read-models]") {
  // Given a case with a note, and its history and journal as read
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  h.Run("officer", AddNote{case_a, "Able note", ""});
  h.CatchUp();
  const nlohmann::json history = h.HistoryOf(case_a), journal = h.JournalOf(case_a);
  // And a folder of an older build: a history row per event, the note's text in the journal
  // with its index, no layouts recorded.
  FamilyId history_rows, journal_rows, checkpoints;
  REQUIRE(h.store->Family("rm.case_history", &history_rows).ok());
  REQUIRE(h.store->Family("rm.journal", &journal_rows).ok());
  REQUIRE(h.store->Family(kCheckpointsFamily, &checkpoints).ok());
  const uint64_t note_at = journal[0]["position"];
  std::string history_key = "h" + case_a + '\0', note_key = "e" + case_a + '\0',
              index_key = "nclient-" + a + '\0' + case_a + '\0';
  PutBigEndian64(&history_key, 1);
  PutBigEndian64(&note_key, note_at);
  PutBigEndian64(&index_key, note_at);
  WriteBatch old;
  old.Put(history_rows, history_key, R"({"position":1})");
  old.Put(journal_rows, note_key,
          R"({"position":)" + std::to_string(note_at) +
              R"(,"type":"NoteAdded","text":"Note: Able note"})");
  old.Put(journal_rows, index_key, "");
  old.Delete(checkpoints, "layout/case_history");
  old.Delete(checkpoints, "layout/journal");
  REQUIRE(h.store->Write(old, true).ok());

  // When the runner opens it
  // Then both read models are rebuilt to their layouts, with no row per event or note text, and
  // read the same
  h.Restart();
  CHECK(h.runner->Interrupted() == std::vector<std::string>{"journal", "case_history"});
  h.CatchUp();
  CHECK(h.runner->Interrupted().empty());
  CHECK(FamilyRows(*h.store, "rm.case_history").count(history_key) == 0);
  CHECK(FamilyRows(*h.store, "rm.journal").count(index_key) == 0);
  CHECK_FALSE(AnyRowContains(FamilyRows(*h.store, "rm.journal"), "Able note"));
  for (const auto& [name, layout] : {std::pair<const char*, uint64_t>{"case_history", 2},
                                     std::pair<const char*, uint64_t>{"journal", 3}}) {
    std::string stored;
    REQUIRE(h.store->Get(checkpoints, std::string("layout/") + name, &stored).ok());
    CHECK(stored == BigEndian64(layout));
  }
  CHECK(h.HistoryOf(case_a) == history);
  CHECK(h.JournalOf(case_a) == journal);
  CHECK(journal[0]["text"] == "Note: Able note");

  // And the second layout's journal (an entry row per event, a note's without its text) is rebuilt
  // too
  WriteBatch second;
  second.Put(journal_rows, note_key,
             R"({"position":)" + std::to_string(note_at) + R"(,"type":"NoteAdded"})");
  second.Put(checkpoints, "layout/journal", BigEndian64(2));
  REQUIRE(h.store->Write(second, true).ok());
  h.Restart();
  CHECK(h.runner->Interrupted() == std::vector<std::string>{"journal"});
  h.CatchUp();
  CHECK(FamilyRows(*h.store, "rm.journal").count(note_key) == 0);
  CHECK(h.JournalOf(case_a) == journal);
}

}  // namespace caseengine
