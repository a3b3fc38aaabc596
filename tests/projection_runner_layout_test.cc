// Tests of read model layouts in the projection runner: rows of another layout rebuilt at
// open, read models written before layouts were recorded, and read models ahead of the log.
#include <catch2/catch.hpp>
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

// The case list as a later build would write it, in another layout.
struct CaseListLayout2 : CaseListProjection {
  uint64_t layout() const override { return 2; }
};

TEST_CASE("rows of another layout are rebuilt when the runner opens", "[projections]") {
  // Given a case list written in layout 1, with a row only the old layout had
  DomainFixture d;
  Workload(d, 20);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  FamilyId checkpoints, rows;
  REQUIRE(store->Family(kCheckpointsFamily, &checkpoints).ok());
  REQUIRE(store->Family("rm.case_list", &rows).ok());
  std::map<std::string, std::string> whole;
  {
    auto runner = CaughtUp(d, &p, store.get());
    whole = Dump(*store, "rm.case_list");
  }
  std::string value;
  REQUIRE(store->Get(checkpoints, "layout/case_list", &value).ok());
  CHECK(value == BigEndian64(1));
  // A row only the old layout had: the new one never writes it.
  WriteBatch stale;
  stale.Put(rows, "zz-old-layout", "1");
  REQUIRE(store->Write(stale, true).ok());

  // When a build whose case list is layout 2 opens it
  CaseListLayout2 next;
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&next});
  REQUIRE(runner.Open().ok());
  // Then it is rebuilt from 0 to the same rows, stale row gone, and recorded as layout 2
  CHECK(runner.Interrupted() == std::vector<std::string>{"case_list"});
  CHECK(runner.Applied() == 0);
  REQUIRE(runner.CatchUp().ok());
  CHECK(runner.Interrupted().empty());
  CHECK(runner.Applied() == d.Head());
  CHECK(Dump(*store, "rm.case_list") == whole);
  CHECK(Cases(next).total == Cases(p).total);
  REQUIRE(store->Get(checkpoints, "layout/case_list", &value).ok());
  CHECK(value == BigEndian64(2));

  // And opened again by the same build, there is nothing to rebuild
  CaseListLayout2 again;
  ProjectionRunner reopened(d.log.get(), &d.handler->codec(), store.get(), {&again});
  REQUIRE(reopened.Open().ok());
  CHECK(reopened.Interrupted().empty());
  CHECK(reopened.Applied() == d.Head());
}

TEST_CASE("a read model written before layouts were recorded is layout 1", "[projections]") {
  // Given a case list whose layout is not recorded, as before layouts were
  DomainFixture d;
  Workload(d, 5);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  { auto runner = CaughtUp(d, &p, store.get()); }
  FamilyId checkpoints;
  REQUIRE(store->Family(kCheckpointsFamily, &checkpoints).ok());
  WriteBatch old;
  old.Delete(checkpoints, "layout/case_list");
  REQUIRE(store->Write(old, true).ok());
  {
    // When the build of layout 1 opens it
    // Then it is layout 1: nothing to rebuild
    CaseListProjection same;
    ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&same});
    REQUIRE(runner.Open().ok());
    CHECK(runner.Interrupted().empty());
    CHECK(runner.Applied() == d.Head());
  }
  // And a build of layout 2 rebuilds it
  CaseListLayout2 next;
  ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&next});
  REQUIRE(runner.Open().ok());
  CHECK(runner.Interrupted() == std::vector<std::string>{"case_list"});
}

TEST_CASE("a read model ahead of its log is refused", "[projections]") {
  // Given a case list caught up with a log
  DomainFixture d;
  Workload(d, 3);
  CaseListProjection p;
  auto store = ReadModelStore(&p);
  {
    ProjectionRunner runner(d.log.get(), &d.handler->codec(), store.get(), {&p});
    REQUIRE(runner.Open().ok());
    REQUIRE(runner.CatchUp().ok());
  }
  // When it is opened over a shorter log (as if restored from an older backup)
  DomainFixture other;  // a shorter log: as if restored from an older backup
  other.Register();
  CaseListProjection q;
  ProjectionRunner runner(other.log.get(), &other.handler->codec(), store.get(), {&q});
  // Then it is refused
  CHECK(runner.Open().code() == Status::Code::kFailedPrecondition);
}

}  // namespace caseengine::testing
