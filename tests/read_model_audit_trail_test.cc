// Tests of the audit trail read model: only an actor index with entries read from the log,
// blocks of the log that batches do not change, and filters by actor, stream and time range
// with paging.
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "projections/audit_trail.h"
#include "projections/projection_runner.h"
#include "tests/domain_fixture.h"
#include "tests/read_models_logs_support.h"

namespace caseengine {

namespace {

using testing::read_models_logs::Audit;
using testing::read_models_logs::AuditPositions;
using testing::read_models_logs::ChunkedModels;
using testing::read_models_logs::Expected;
using testing::read_models_logs::FamilyRows;
using testing::read_models_logs::Harness;
using testing::read_models_logs::Recorded;
using testing::read_models_logs::Rows;
using testing::read_models_logs::WholeLog;

}  // namespace

TEST_CASE("the audit trail keeps only an actor index and reads its entries from the log",
          "[read-models]") {
  // Given a short log written by the officer and the supervisor
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  h.Run("officer", AddNote{case_a, "a note", ""});
  h.Run("supervisor", CreateAction{case_a, "an action", "", ""});
  h.CatchUp();
  // Then the audit trail keeps one row per actor, indexing every event with an actor once
  const std::vector<Recorded> log = WholeLog(*h.f.log);
  const Rows rows = FamilyRows(*h.store, "rm.audit_trail");
  size_t with_actor = 0, indexed = 0;
  std::set<std::string> actors;
  for (const Recorded& r : log) {
    with_actor += !r.actor.empty();
    if (!r.actor.empty()) actors.insert(r.actor);
  }
  CHECK(rows.size() == actors.size());  // a short log is one block: a row per actor
  for (const auto& [key, value] : rows) {
    CHECK(key[0] == 'b');
    CHECK(value.size() % 2 == 0);
    indexed += value.size() / 2;
  }
  CHECK(indexed == with_actor);  // every event with an actor, once
  // And a folder from before this layout also holds 'p' and 's' keys: nothing reads them
  FamilyId family;
  REQUIRE(h.store->Family("rm.audit_trail", &family).ok());
  WriteBatch old;
  old.Put(family, std::string("p") + std::string(8, '\x01'), "stale");
  old.Put(family, "scase-" + case_a + std::string(1, '\0') + std::string(8, '\x02'), "");
  REQUIRE(h.store->Write(old, /*sync=*/true).ok());
  for (const AuditQuery& q : {Audit(""), Audit("officer"), Audit("", "case-" + case_a)}) {
    CHECK(AuditPositions(h.audit(), q) == Expected(log, q));
  }
  // And without its log the read model cannot answer
  AuditTrailProjection alone;
  nlohmann::json page;
  CHECK(alone.trail().Query(AuditQuery(), &page).code() == Status::Code::kUnavailable);
}

TEST_CASE(
    "the audit trail indexes an actor's events in blocks of the log that batches do not change",
    "[read-models]") {
  // Given a log past two blocks of positions, the actors taking turns, caught up now and then
  Harness h;
  // Past two blocks of positions, the actors taking turns.
  const uint64_t target = 2 * AuditTrailProjection::kBucketPositions + 100;
  std::vector<std::string> cases;
  for (int i = 0; h.f.Head() < target; ++i) {
    if (i % 10 == 0) cases.push_back(h.f.Register("Client" + std::to_string(i)).second);
    const std::string& kase = cases[i % cases.size()];
    if (i % 3 == 0) {
      h.Run("supervisor", CreateAction{kase, "action", "", ""});
    } else {
      h.Run("officer", AddNote{kase, "note", ""});
    }
    // Catch up now and then: batches end anywhere in the blocks.
    if (i % 97 == 0) h.CatchUp();
  }
  h.CatchUp();
  // Then the trail keeps at most a row per actor per block and answers every actor and time range
  // as the log says
  const std::vector<Recorded> log = WholeLog(*h.f.log);
  const Rows rows = FamilyRows(*h.store, "rm.audit_trail");
  CHECK(rows.size() <= 3 * 3);  // at most a row per actor per block
  CHECK(rows.size() >= 2 * 3);
  const uint64_t middle = log[log.size() / 2].position;
  for (const char* actor : {"officer", "supervisor", "admin", ""}) {
    INFO(actor);
    CHECK(AuditPositions(h.audit(), Audit(actor)) == Expected(log, Audit(actor)));
    // A time range that starts and ends inside blocks.
    const AuditQuery q = Audit(actor, "", log[700].at, log[middle + 500].at);
    CHECK(AuditPositions(h.audit(), q) == Expected(log, q));
  }

  // And a runner that applied the log 7 events at a time, or all at once, writes the same rows
  // applied it all at once.
  for (size_t batch : {size_t{7}, size_t{100000}}) {
    INFO(batch);
    ChunkedModels m(&h.f, batch);
    REQUIRE(m.runner.Open().ok());
    REQUIRE(m.runner.CatchUp().ok());
    CHECK(FamilyRows(*m.store, "rm.audit_trail") == rows);
  }
}

TEST_CASE("the audit trail filters by actor and stream and time range with paging",
          "[read-models]") {
  // Given two cases worked by the officer, the supervisor and the administrator over a little time
  Harness h;
  auto [a, case_a] = h.f.Register("Able");
  auto [b, case_b] = h.f.Register("Baker");
  for (int i = 0; i < 4; ++i) {
    // Spread the events over time a little, so time ranges cut between them.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    h.Run("officer", AddNote{case_a, "note " + std::to_string(i), ""});
    h.Run("supervisor", CreateAction{case_b, "action " + std::to_string(i), "", ""});
  }
  const std::string strand =
      h.Run("officer", AddStrand{case_a, "homeless_application"})["strand_id"];
  h.Run("supervisor", MoveStrand{case_a, strand, case_b});
  h.Run("admin", ChangeClientStatus{a, "inactive"});
  h.CatchUp();
  const std::vector<Recorded> log = WholeLog(*h.f.log);
  REQUIRE(log.size() > 15);
  for (size_t i = 1; i < log.size(); ++i) REQUIRE(log[i].at >= log[i - 1].at);

  // When the trail is queried by actor, stream and time range, alone and together
  std::vector<AuditQuery> queries;
  queries.push_back(Audit(""));
  queries.push_back(Audit("supervisor"));
  queries.push_back(Audit("officer"));
  queries.push_back(Audit("nobody"));
  queries.push_back(Audit("", "case-" + case_a));
  queries.push_back(Audit("", "case-" + case_b));
  queries.push_back(Audit("officer", "case-" + case_b));
  queries.push_back(Audit("supervisor", "case-" + case_b));
  for (size_t from : {size_t{0}, size_t{3}, log.size() / 2}) {
    for (size_t to : {log.size() / 2, log.size() - 2}) {
      if (to < from) continue;
      queries.push_back(Audit("", "", log[from].at, log[to].at));
      queries.push_back(Audit("officer", "", log[from].at, log[to].at));
      queries.push_back(Audit("", "case-" + case_b, log[from].at));
    }
    queries.push_back(Audit("", "", 0, log[from].at));
  }
  queries.push_back(Audit("", "", log.back().at + 1));
  queries.push_back(Audit("", "", 0, log.front().at - 1));
  // Then each answers the log's events that pass, in order
  for (const AuditQuery& q : queries) {
    INFO("actor=" << q.actor << " stream=" << q.stream << " from=" << q.from_micros
                  << " to=" << q.to_micros);
    CHECK(AuditPositions(h.audit(), q) == Expected(log, q));
  }

  // And an entry names its type, actor, stream, position, time, command id and correlation id
  nlohmann::json page;
  REQUIRE(h.audit().Query(Audit("", "client-" + a), &page).ok());
  REQUIRE(page["entries"].size() == 2);
  const nlohmann::json first = page["entries"][0];
  CHECK(first["type"] == "ClientRegistered");
  CHECK(first["actor"] == "officer");
  CHECK(first["stream"] == "client-" + a);
  CHECK(first["position"] == 1);
  CHECK(first["at"].get<std::string>().size() == 27);
  CHECK_FALSE(first["command_id"].get<std::string>().empty());
  CHECK(first.contains("correlation_id"));
  CHECK(page["entries"][1]["actor"] == "admin");
  CHECK(page["next_cursor"] == "");
  // And a command's events share its command id, and a page names the next cursor
  AuditQuery one = Audit("", "case-" + case_a);
  one.limit = 1;
  REQUIRE(h.audit().Query(one, &page).ok());
  CHECK(page["entries"][0]["command_id"] == first["command_id"]);
  CHECK(page["next_cursor"] == "2");

  // And bad limits and cursors are refused
  AuditQuery bad;
  bad.limit = 1001;
  CHECK(h.audit().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  bad = AuditQuery();
  bad.cursor = "-1";
  CHECK(h.audit().Query(bad, &page).code() == Status::Code::kInvalidArgument);
  CHECK_FALSE(h.models->audit.personal());

  // And the limit does not cut ForEach short
  AuditQuery one_each = Audit("supervisor");
  one_each.limit = 1;
  std::vector<uint64_t> streamed;
  REQUIRE(h.audit()
              .ForEach(one_each,
                       [&](const nlohmann::json& e) {
                         streamed.push_back(e["position"].get<uint64_t>());
                         return true;
                       })
              .ok());
  CHECK(streamed == Expected(log, Audit("supervisor")));
  int calls = 0;
  REQUIRE(h.audit().ForEach(AuditQuery(), [&](const nlohmann::json&) { return ++calls < 2; }).ok());
  CHECK(calls == 2);
}

}  // namespace caseengine
