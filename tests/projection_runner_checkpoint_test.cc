// Tests of the projection runner's checkpoint: rows and checkpoint written in one batch,
// resumed after a restart, rebuilds identical to live rows, and power cuts that lose rows and
// checkpoint together or cut a rebuild short.
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "base/coding.h"
#include "projections/case_list.h"
#include "projections/projection_runner.h"
#include "tests/domain_fixture.h"
#include "tests/projection_runner_support.h"

namespace caseengine::testing {

namespace {

using projection_runner::Cases;
using projection_runner::CaughtUp;
using projection_runner::Dump;
using projection_runner::ReadModelStore;
using projection_runner::Workload;

}  // namespace

TEST_CASE("a read model's rows and checkpoint are written in one batch", "[projections]") {
  // Given a log of casework and a case list over a store whose next write fails
  DomainFixture d;
  Workload(d, 10);
  CaseListProjection live;
  auto store = ReadModelStore(&live);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&live});
  REQUIRE(runner.Open().ok());
  store->FailNextWrites(1);
  // When the runner catches up
  // Then it fails
  CHECK_FALSE(runner.CatchUp().ok());
  CHECK_FALSE(runner.error().ok());
  // And nothing of the failed batch is there: no rows, no checkpoint (only the layout that
  // Open recorded for the empty read model).
  CHECK(Dump(*store, "rm.case_list").empty());
  CHECK(Dump(*store, kCheckpointsFamily) ==
        std::map<std::string, std::string>{{LayoutKey(live), BigEndian64(live.layout())}});

  // And another runner catches up from nothing
  CaseListProjection again;
  ProjectionRunner second(d.log.get(), &d.handler->codec(), store.get(), {&again});
  REQUIRE(second.Open().ok());
  REQUIRE(second.CatchUp().ok());
  CHECK(second.Applied() == d.Head());
  CHECK(Cases(again).total == 12);
}

TEST_CASE("a read model resumes from its checkpoint after a restart", "[projections]") {
  // Given a case list caught up with a log of casework
  DomainFixture d;
  Workload(d, 12);
  auto first_store = [&] {
    CaseListProjection p;
    return ReadModelStore(&p);
  }();
  {
    CaseListProjection p;
    ProjectionRunner runner(d.log.get(), &d.handler->codec(), first_store.get(), {&p});
    REQUIRE(runner.Open().ok());
    REQUIRE(runner.CatchUp().ok());
  }
  // When more casework is done and a runner opens the store again
  const uint64_t before = d.Head();
  Workload(d, 5);
  CaseListProjection resumed;
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), first_store.get(), {&resumed});
  REQUIRE(runner.Open().ok());
  // Then it resumes from its checkpoint, applying only the new events
  CHECK(runner.Applied() == before);
  REQUIRE(runner.CatchUp().ok());
  // Only the new events were applied.
  CHECK(runner.Stats().events == d.Head() - before);

  // And the rows are the same as one pass over the whole log writes
  CaseListProjection fresh;
  auto fresh_store = ReadModelStore(&fresh);
  ProjectionRunner full(d.log.get(), &d.handler->codec(), fresh_store.get(), {&fresh});
  REQUIRE(full.Open().ok());
  REQUIRE(full.CatchUp().ok());
  CHECK(Dump(*first_store, "rm.case_list") == Dump(*fresh_store, "rm.case_list"));
  CHECK(Cases(resumed, {}, "case_id", 1000).rows == Cases(fresh, {}, "case_id", 1000).rows);
}

TEST_CASE("a rebuild gives rows identical to the live ones", "[projections]") {
  // Given a case list that tailed the log in many small batches
  DomainFixture d;
  CaseListProjection live;
  auto store = ReadModelStore(&live);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&live},
                          ProjectionRunnerOptions{7});  // many small batches
  REQUIRE(runner.Open().ok());
  runner.Start();
  Workload(d, 30);
  CHECK(runner.WaitForApplied(d.Head(), std::chrono::seconds(10)) == d.Head());
  runner.Stop();
  const auto before = Dump(*store, "rm.case_list");
  const auto page = Cases(live, {}, "case_id", 1000).rows;
  // When it is rebuilt
  // Then its rows and answers are identical, and an unknown read model is not found
  REQUIRE(runner.Rebuild({}).ok());
  CHECK(Dump(*store, "rm.case_list") == before);
  CHECK(Cases(live, {}, "case_id", 1000).rows == page);
  CHECK(runner.Rebuild({"no_such_model"}).code() == Status::Code::kNotFound);
}

TEST_CASE("a power cut loses read model rows and checkpoint together", "[projections]") {
  // Given a case list caught up with a log of casework in unsynced batches
  DomainFixture d;
  Workload(d, 8);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  CaughtUp(d, &p, store.get()).reset();
  // When the power goes
  store->SimulatePowerLoss();  // batches are unsynced: all of them go
  // Then rows and checkpoint are lost together, and the next runner starts from 0
  CaseListProjection after;
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&after});
  REQUIRE(runner.Open().ok());
  CHECK(runner.Applied() == 0);
  REQUIRE(runner.CatchUp().ok());
  CHECK(Cases(after).total == 10);
}

TEST_CASE("a rebuild cut short by a power cut is done again when the runner next opens",
          "[projections]") {
  // Given a case list caught up with a log of casework
  DomainFixture d;
  Workload(d, 30);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  std::map<std::string, std::string> whole;
  size_t total = 0;
  {
    auto runner = CaughtUp(d, &p, store.get());
    whole = Dump(*store, "rm.case_list");
    total = Cases(p).total;
    // When a rebuild stops half way: the synced batch that empties and marks it goes, then
    // a write fails (the read model is kept in memory: its rows go in one batch at the end
    // of the catch-up)
    store->FailNextWrites(1000, 1);
    CHECK_FALSE(runner->Rebuild({}).ok());
    CHECK(runner->Interrupted() == std::vector<std::string>{"case_list"});
  }
  // And the power goes
  store->FailNextWrites(0);
  store->SimulatePowerLoss();  // the unlogged rows were never flushed
  CHECK(Dump(*store, "rm.case_list").empty());
  // Then the next runner finds the rebuild interrupted, does it again from 0 and writes the same
  // rows
  CaseListProjection after;
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&after});
  REQUIRE(runner.Open().ok());
  CHECK(runner.Interrupted() == std::vector<std::string>{"case_list"});
  CHECK(runner.Applied() == 0);
  REQUIRE(runner.CatchUp().ok());
  CHECK(runner.Interrupted().empty());
  CHECK(Dump(*store, "rm.case_list") == whole);
  CHECK(Cases(after).total == total);
  // And, done and flushed, a power cut now keeps it all, marker gone
  store->SimulatePowerLoss();
  CHECK(Dump(*store, "rm.case_list") == whole);
  FamilyId checkpoints;
  REQUIRE(store->Family(kCheckpointsFamily, &checkpoints).ok());
  std::string value;
  CHECK(store->Get(checkpoints, "rebuilding/case_list", &value).code() == Status::Code::kNotFound);
}

TEST_CASE("a rebuild that failed half way is done again by the next catch-up", "[projections]") {
  // Given a case list caught up with a log of casework
  DomainFixture d;
  Workload(d, 20);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  auto runner = CaughtUp(d, &p, store.get());
  const auto whole = Dump(*store, "rm.case_list");
  // When a rebuild fails half way (the marking batch goes, the rows do not)
  store->FailNextWrites(1, 1);  // the marking batch goes, the rows do not
  // Then it is interrupted
  CHECK_FALSE(runner->Rebuild({}).ok());
  CHECK(runner->Interrupted() == std::vector<std::string>{"case_list"});
  CHECK_FALSE(runner->error().ok());
  // And the next catch-up does it again, whole
  REQUIRE(runner->CatchUp().ok());
  CHECK(runner->Interrupted().empty());
  CHECK(runner->error().ok());  // whole again
  CHECK(runner->Applied() == d.Head());
  CHECK(Dump(*store, "rm.case_list") == whole);
}

}  // namespace caseengine::testing
