// Tests of read models kept in memory by the projection runner: written once per write
// interval while the log is tailed, taking turns, and erasures written at once.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "projections/case_list.h"
#include "projections/case_officers.h"
#include "projections/projection_runner.h"
#include "projections/read_models.h"
#include "tests/domain_fixture.h"
#include "tests/projection_runner_support.h"

namespace caseengine::testing {

namespace {

using projection_runner::Cases;
using projection_runner::CaughtUp;
using projection_runner::Dump;
using projection_runner::ReadModelStore;
using projection_runner::Workload;

// Waits (up to 10 s) until the runner has written every read model up to `position`;
// returns Written().
uint64_t WaitForWritten(const ProjectionRunner& runner, uint64_t position) {
  const auto start = std::chrono::steady_clock::now();
  while (runner.Written() < position &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return runner.Written();
}

}  // namespace

TEST_CASE("a read model kept in memory is written once per write interval while the log is tailed",
          "[projections]") {
  // Given a case list kept in memory, tailing the log in chunks of three, written once a second
  DomainFixture d;
  CaseListProjection live;
  auto store = ReadModelStore(&live);
  ProjectionRunnerOptions options;
  options.max_batch_events = 3;  // many small chunks
  options.write_interval = std::chrono::seconds(1);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&live}, options);
  REQUIRE(runner.Open().ok());
  runner.Start();
  // When casework is done
  Workload(d, 10);
  REQUIRE(runner.WaitForApplied(d.Head(), std::chrono::seconds(10)) == d.Head());
  // Then queries see every event at once; the store has its rows later, with their checkpoint
  CHECK(Cases(live).total == 12);
  CHECK(WaitForWritten(runner, d.Head()) == d.Head());
  // And there are far fewer batches than chunks: each changed row went once per write
  CHECK(runner.Stats().batches <= 4);
  // And the rows are what a stop would have written anyway, and what one pass over the log writes
  CaseListProjection fresh;
  auto fresh_store = ReadModelStore(&fresh);
  CaughtUp(d, &fresh, fresh_store.get()).reset();
  CHECK(Dump(*store, "rm.case_list") == Dump(*fresh_store, "rm.case_list"));

  // And when stopped before its interval is up, everything applied is written first
  Workload(d, 3);
  REQUIRE(runner.WaitForApplied(d.Head(), std::chrono::seconds(10)) == d.Head());
  runner.Stop();
  CHECK(runner.Written() == d.Head());
  CaseListProjection reopened;
  ProjectionRunner next(d.log.get(), &d.handler->codec(), store.get(), {&reopened});
  REQUIRE(next.Open().ok());
  CHECK(next.Applied() == d.Head());
  CHECK(Cases(reopened).total == Cases(live).total);
}

TEST_CASE("read models kept in memory take turns to be written and all get written",
          "[projections]") {
  // Given two read models kept in memory, both due at every chunk of one event
  DomainFixture d;
  CaseListProjection list;
  CaseOfficersProjection officers;
  auto store = std::make_unique<MemoryStore>(ProjectionRunner::FamilyNames({&list, &officers}));
  ProjectionRunnerOptions options;
  options.max_batch_events = 1;
  options.write_interval = std::chrono::milliseconds(0);  // both due at every chunk
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&list, &officers},
                          options);
  REQUIRE(runner.Open().ok());
  runner.Start();
  // When casework is done
  Workload(d, 10);
  REQUIRE(runner.WaitForApplied(d.Head(), std::chrono::seconds(10)) == d.Head());
  // Then both get written, and their rows are what one pass over the log writes
  CHECK(WaitForWritten(runner, d.Head()) == d.Head());
  runner.Stop();
  CaseListProjection fresh_list;
  CaseOfficersProjection fresh_officers;
  auto fresh =
      std::make_unique<MemoryStore>(ProjectionRunner::FamilyNames({&fresh_list, &fresh_officers}));
  ProjectionRunner full(d.log.get(), &d.handler->codec(), fresh.get(),
                        {&fresh_list, &fresh_officers});
  REQUIRE(full.Open().ok());
  REQUIRE(full.CatchUp().ok());
  for (const char* family : {"rm.case_list", "rm.case_officers"}) {
    INFO(family);
    CHECK(Dump(*store, family) == Dump(*fresh, family));
  }
}

TEST_CASE("a read model kept in memory writes an erasure at once while the log is tailed",
          "[projections][erasure]") {
  // Given a case list kept in memory with a client's name written to the store
  DomainFixture d;
  CaseListProjection live;
  auto store = ReadModelStore(&live);
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&live});
  REQUIRE(runner.Open().ok());
  const std::string client = d.Register("Zanzibarova").first;
  REQUIRE(runner.CatchUp().ok());  // written: the name is in the store
  auto has_name = [&] {
    for (const auto& [key, value] : Dump(*store, "rm.case_list")) {
      if (value.find("Zanzibarova") != std::string::npos) return true;
    }
    return false;
  };
  REQUIRE(has_name());
  // When the client is erased while the log is tailed
  runner.Start();
  const uint64_t erasure = d.Head() + 1;  // ClientDeleted(erase), then its case's deletion
  REQUIRE(Kind(d.Run("admin", DeleteClient{client, DeleteMode::kErase})) == "ok");
  REQUIRE(runner.WaitForApplied(d.Head(), std::chrono::seconds(10)) == d.Head());
  // Then the erasure is written not a second later but with the erasure itself, and the name is
  // gone
  CHECK(runner.Written() >= erasure);
  CHECK_FALSE(has_name());
  runner.Stop();
}

}  // namespace caseengine::testing
