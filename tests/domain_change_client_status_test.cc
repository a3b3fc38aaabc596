// Given/When/Then tests of ChangeClientStatus (seed 000): active, inactive and closed
// records, closed and inactive clients keeping their record, no-ops and unknown statuses.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/domain_client_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::domain_client::RunAppendingNothing;
using caseengine::testing::domain_client::RunOk;
using caseengine::testing::domain_client::Types;
using caseengine::testing::domain_client::WithEmail;

}  // namespace

TEST_CASE("a client's record status can be set to inactive closed or active", "[domain][client]") {
  // Given an active client
  DomainFixture d;
  const std::string id = d.Register().first;
  CHECK(d.Client(id).status == "active");
  uint64_t version = 1;
  // When its record status is set to inactive, closed, active and closed again
  // Then each appends ClientStatusChanged and the client has that status
  for (const char* status : {"inactive", "closed", "active", "closed"}) {
    INFO(status);
    CommandResult r = RunOk(d, "officer", ChangeClientStatus{id, status});
    ++version;
    CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), version}});
    CHECK(r.position == d.Head());
    CHECK(d.Client(id).status == status);
    const Event e = d.Events(ClientStream(id)).back();
    CHECK(e.type == EventType::kClientStatusChanged);
    CHECK(e.status == status);
  }
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "ClientStatusChanged",
                                                "ClientStatusChanged", "ClientStatusChanged",
                                                "ClientStatusChanged"});
}

TEST_CASE("closed and inactive clients keep their record", "[domain][client]") {
  for (const char* status : {"closed", "inactive"}) {
    INFO(status);
    DomainFixture d;
    // Given a client with a case, a group, a navigator and a case number
    auto [id, case_id] = d.Register("Kept", "1960-10-10", WithEmail("kept@example.org"));
    RunOk(d, "officer", AddClientToGroup{id, "families"});
    RunOk(d, "officer", AssignNavigator{id, "officer"});
    RunOk(d, "supervisor", ChangeCaseNumber{id, "HO-7"});
    // When the record is closed (or made inactive)
    RunOk(d, "officer", ChangeClientStatus{id, status});
    // Then the record and everything on it is still there, and its case too
    ClientState s = d.Client(id);
    CHECK(s.exists);
    CHECK(s.status == status);
    CHECK(s.personal.surname == "Kept");
    CHECK(s.personal.email == "kept@example.org");
    CHECK(s.groups == std::set<std::string>{"families"});
    CHECK(s.navigators == std::set<std::string>{"officer"});
    CHECK(s.case_number == "HO-7");
    CHECK(s.cases == std::vector<std::string>{case_id});
    CaseState k = d.Case(case_id);
    CHECK(k.exists);
    CHECK_FALSE(k.deleted);
    // And it can still be worked on and made active again
    RunOk(d, "officer", AddClientToGroup{id, "reports"});
    RunOk(d, "officer", ChangeClientStatus{id, "active"});
    CHECK(d.Client(id).status == "active");
    CHECK(d.Client(id).groups == std::set<std::string>{"families", "reports"});
  }
}

TEST_CASE("setting the record status a client already has changes nothing", "[domain][client]") {
  // Given an active client
  DomainFixture d;
  const std::string id = d.Register().first;
  // When it is set to active, or closed twice
  // Then the repeat changes nothing and appends nothing
  CommandResult r = RunAppendingNothing(d, "officer", ChangeClientStatus{id, "active"});
  CHECK(Kind(r) == "unchanged");
  RunOk(d, "officer", ChangeClientStatus{id, "closed"});
  r = RunAppendingNothing(d, "officer", ChangeClientStatus{id, "closed"});
  CHECK(Kind(r) == "unchanged");
  CHECK(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "ClientStatusChanged"});
}

TEST_CASE("a record status other than active inactive or closed is refused", "[domain][client]") {
  // Given an active client
  DomainFixture d;
  const std::string id = d.Register().first;
  // When its status is set to anything but active, inactive or closed, in any case
  // Then each is refused naming status, and the client stays active
  for (const char* bad : {"", "Closed", "ACTIVE", "deleted", "open", "pending"}) {
    INFO(bad);
    CommandResult r = RunAppendingNothing(d, "officer", ChangeClientStatus{id, bad});
    CHECK(Kind(r) == "validation");
    CHECK(NamesField(r, "status"));
  }
  CHECK(d.Client(id).status == "active");
}
