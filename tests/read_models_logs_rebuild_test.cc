// Tests of rebuilding and restarting the journal, case history and audit trail: identical
// rows from a rebuild, rebuilds a few events at a time, restarts from the checkpoint, and the
// same rows over RocksDB as in memory.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "projections/audit_trail.h"
#include "projections/projection_runner.h"
#include "tests/domain_fixture.h"
#include "tests/read_models_logs_support.h"

namespace caseengine {

namespace {

using testing::read_models_logs::AllRows;
using testing::read_models_logs::AnyRowContains;
using testing::read_models_logs::Audit;
using testing::read_models_logs::AuditPositions;
using testing::read_models_logs::ChunkedModels;
using testing::read_models_logs::Expected;
using testing::read_models_logs::FindEntry;
using testing::read_models_logs::FreshRows;
using testing::read_models_logs::Harness;
using testing::read_models_logs::LogModels;
using testing::read_models_logs::Positions;
using testing::read_models_logs::Recorded;
using testing::read_models_logs::Rows;
using testing::read_models_logs::WholeLog;

// A busy afternoon: three households, a moved application, notes, actions, people coming
// and going, a soft delete and restore, and an erasure of a client who is the primary
// applicant of another's case. Catches up between steps, so the erasure meets rows
// written before it (the live path, not the rebuild's).
struct Scenario {
  std::string a, case_a, b, case_b, c, case_c, moved, new_strand;
};

Scenario RunScenario(Harness* h) {
  Scenario s;
  std::tie(s.a, s.case_a) = h->f.Register("Able");
  std::tie(s.b, s.case_b) = h->f.Register("Baker");
  std::tie(s.c, s.case_c) = h->f.Register("Cole");
  h->Run("officer", AssignOfficer{s.case_a, "supervisor", "supervisor"});
  h->Run("officer", AssignTeam{s.case_a, "allocations"});
  h->Run("officer", AddStrand{s.case_a, "housing_register"});
  s.moved = h->Run("officer", AddStrand{s.case_a, "homeless_application"})["strand_id"];
  h->Run("officer", AddNote{s.case_a, "Able note about the rent arrears", s.moved});
  const std::string action = h->Run(
      "officer", CreateAction{s.case_a, "Call the landlord", "2026-12-01", s.moved})["action_id"];
  h->Run("officer", AddPerson{s.case_a, s.c, "partner", true, ""});
  h->Run("officer", AddPerson{s.case_b, s.c, "sibling", false, ""});
  h->Run("officer", PersonLeaves{s.case_b, s.c, "2026-11-22"});
  h->Run("officer", CompleteAction{s.case_a, action});
  h->CatchUp();
  s.new_strand = h->Run("supervisor", MoveStrand{s.case_a, s.moved, s.case_b})["new_strand_id"];
  // The case's primary applicant changes: later notes are sealed for the new one.
  h->Run("officer", SwitchPrimaryApplicant{s.case_a, s.c});
  h->Run("officer", AddNote{s.case_a, "Cole note about the move", ""});
  h->Run("officer", AddNote{s.case_c, "Cole note on their own case", ""});
  h->Run("officer", CloseCase{s.case_b, "housed"});
  h->Run("officer", ReopenCase{s.case_b, "back again"});
  h->Run("supervisor", DeleteClient{s.b, DeleteMode::kSoft});
  h->Run("admin", RestoreClient{s.b});
  h->CatchUp();
  h->Run("admin", DeleteClient{s.c, DeleteMode::kErase});
  h->CatchUp();
  return s;
}

}  // namespace

// Counts the operations on the journal's and the history's families that reach the store
// before a rebuild's end (WriteUnlogged) and at it (WriteBulk).
class CountingStore : public MemoryStore {
 public:
  CountingStore() : MemoryStore(ProjectionRunner::FamilyNames(LogModels().All())) {}
  Status WriteUnlogged(const WriteBatch& batch) override {
    unlogged += Held(batch);
    return MemoryStore::WriteUnlogged(batch);
  }
  Status WriteBulk(const WriteBatch& batch) override {
    bulk += Held(batch);
    return MemoryStore::WriteUnlogged(batch);
  }
  size_t unlogged = 0, bulk = 0;

 private:
  size_t Held(const WriteBatch& batch) const {
    FamilyId journal = 0, history = 0;
    REQUIRE(Family("rm.journal", &journal).ok());
    REQUIRE(Family("rm.case_history", &history).ok());
    size_t n = 0;
    batch.ForEach([&](FamilyId family, WriteOp, std::string_view, std::string_view) {
      n += family == journal || family == history;
    });
    return n;
  }
};

TEST_CASE("rebuilding the log read models gives identical rows", "[read-models]") {
  // Given the log read models after a scenario of casework with notes, a move and an erasure
  Harness h;
  const Scenario s = RunScenario(&h);
  const std::map<std::string, Rows> live = AllRows(*h.store);
  for (const auto& [family, rows] : live) {
    INFO(family);
    CHECK_FALSE(rows.empty());
    CHECK_FALSE(AnyRowContains(rows, "Cole note"));
  }
  CHECK_FALSE(AnyRowContains(live.at("rm.journal"), "Able note about the rent arrears"));
  CHECK(h.JournalOf(s.case_a).dump().find("Note: Able note about the rent arrears") !=
        std::string::npos);
  nlohmann::json page;
  CHECK(h.journal().Read(s.case_c, 10, "", &page).code() == Status::Code::kNotFound);
  CHECK(h.history().Read(s.case_c, "", "", 10, "", &page).code() == Status::Code::kNotFound);
  const nlohmann::json journal_b = h.JournalOf(s.case_b);
  const nlohmann::json* moved_in = FindEntry(journal_b, "JournalWritten");
  REQUIRE(moved_in != nullptr);
  CHECK(moved_in->at("other_strand_id") == s.moved);
  CHECK(moved_in->at("other_case_id") == s.case_a);

  // When they are rebuilt
  Status st = h.runner->Rebuild({});
  INFO(st.ToString());
  REQUIRE(st.ok());
  // Then the rows are identical
  CHECK(AllRows(*h.store) == live);
  // And from nothing, into a store of its own.
  CHECK(FreshRows(&h.f) == live);
}

TEST_CASE("a rebuild a few events at a time holds the journal's rows and finds them at an erasure",
          "[read-models]") {
  // Given the log read models after a scenario with an erasure
  Harness h;
  const Scenario s = RunScenario(&h);
  const std::map<std::string, Rows> live = AllRows(*h.store);
  // When they are rebuilt a few events a chunk: the journal's and the history's rows are held over
  // many chunks, and the erasure of the third client must find its case's owner row among them,
  // also when it comes first in its chunk.
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}}) {
    INFO(chunk);
    ChunkedModels m(&h.f, chunk);
    REQUIRE(m.runner.Open(/*load_rows=*/false).ok());
    REQUIRE(m.runner.Rebuild({}).ok());
    // Then the rows are the live ones
    CHECK(AllRows(*m.store) == live);
    // And they are written whole at the end: a power cut after the rebuild keeps every row
    m.store->SimulatePowerLoss();
    CHECK(AllRows(*m.store) == live);
  }
  CHECK(AnyRowContains(live.at("rm.journal"), "x" + s.case_c));  // its erased mark
}

TEST_CASE("a rebuild holds the journal's rows past deletions that read none of them",
          "[read-models]") {
  // Given a log with a soft deletion (which deletes rows and reads none of the journal's) between
  // other casework
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  auto [b, case_b] = h.f.Register("Baker");
  h.Run("officer", AddStrand{case_a, "housing_register"});
  h.Run("supervisor",
        DeleteClient{b, DeleteMode::kSoft});  // deletes rows, reads none of the journal's
  h.Run("officer", AddNote{case_a, "after the deletion", ""});
  h.Run("admin", RestoreClient{b});
  h.Run("officer", CreateAction{case_b, "Call the client", "2026-12-01", ""});
  h.CatchUp();
  const std::map<std::string, Rows> live = AllRows(*h.store);

  // When the read models are rebuilt one event a chunk into a store that counts its writes
  CountingStore store;
  LogModels models;
  ProjectionRunner runner(h.f.log.get(), &h.f.handler->codec(), &store, models.All(),
                          ChunkedModels::Options(1));
  REQUIRE(runner.Open(/*load_rows=*/false).ok());
  REQUIRE(runner.Rebuild({}).ok());
  // Then the rows are the live ones
  CHECK(AllRows(store) == live);
  // One event a chunk, and still every row of both written once, at the end, in bulk.
  CHECK(store.unlogged == 0);
  CHECK(store.bulk > 0);
}

TEST_CASE("a restarted runner continues from its checkpoint without duplicating rows",
          "[read-models]") {
  // Given a runner caught up with a case and a note
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  h.Run("officer", AddNote{case_a, "first note", ""});
  h.CatchUp();
  const uint64_t before = h.f.Head();

  // When it stops, more casework is done, and it restarts
  h.runner.reset();
  h.Run("officer", AddNote{case_a, "second note", ""});
  h.Run("officer", AddStrand{case_a, "housing_register"});
  h.Run("supervisor", DeleteClient{a, DeleteMode::kSoft});
  h.Run("admin", RestoreClient{a});
  h.Restart();
  // Then it continues from its checkpoint, applying only the new events
  CHECK(h.runner->Applied() == before);
  h.CatchUp();
  CHECK(h.runner->Stats().events == h.f.Head() - before);

  // And no row is duplicated
  CHECK(AllRows(*h.store) == FreshRows(&h.f));
  const std::vector<uint64_t> positions = Positions(h.JournalOf(case_a));
  CHECK(std::set<uint64_t>(positions.begin(), positions.end()).size() == positions.size());
  nlohmann::json page;
  AuditQuery all = Audit("");
  all.limit = 1000;
  REQUIRE(h.audit().Query(all, &page).ok());
  CHECK(page["entries"].size() == h.f.Head());
}

TEST_CASE("the log read models write the same rows over RocksDB as in memory", "[read-models]") {
  // Given the log read models over RocksDB after a scenario of casework
  Harness h(/*rocks=*/true);
  const Scenario s = RunScenario(&h);
  // Then they write the same rows as in memory
  const std::map<std::string, Rows> rows = AllRows(*h.store);
  CHECK(rows == FreshRows(&h.f));
  // And newest first and paging walk RocksDB's iterators backwards
  const std::vector<uint64_t> positions = Positions(h.JournalOf(s.case_a));
  REQUIRE(positions.size() > 5);
  std::vector<uint64_t> paged;
  std::string cursor;
  for (int pages = 0; pages < 100; ++pages) {
    nlohmann::json page;
    REQUIRE(h.journal().Read(s.case_a, 2, cursor, &page).ok());
    for (uint64_t p : Positions(page["entries"])) paged.push_back(p);
    cursor = page["next_cursor"];
    if (cursor.empty()) break;
  }
  CHECK(paged == positions);
  // And the audit trail answers time ranges, and a rebuild writes the same rows
  const std::vector<Recorded> log = WholeLog(*h.f.log);
  const AuditQuery q = Audit("officer", "", log[4].at, log[log.size() - 3].at);
  CHECK(AuditPositions(h.audit(), q) == Expected(log, q));
  REQUIRE(h.runner->Rebuild({}).ok());
  CHECK(AllRows(*h.store) == rows);
}

}  // namespace caseengine
