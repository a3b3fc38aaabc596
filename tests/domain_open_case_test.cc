// Given/When/Then tests of OpenCase on a client (seed 004): another case assigned to the
// officer who opened it, each case a new one, and cases on closed client records.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/domain_client_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::domain_client::RunOk;
using caseengine::testing::domain_client::Types;

}  // namespace

TEST_CASE("opening another case on a client assigns it to the officer who opened it",
          "[domain][client]") {
  DomainFixture d;
  // Given a client registered by the officer, with its first case
  auto [id, first_case] = d.Register("Returning", "1979-09-09");
  // When the client re-approaches and a supervisor opens another case
  CommandResult r = RunOk(d, "supervisor", OpenCase{id});
  // Then the answer names the new case, and both streams moved
  const std::string case_id = r.response.at("case_id");
  CHECK(r.response.size() == 1);
  CHECK(case_id != first_case);
  CHECK(r.position == d.Head());
  CHECK(d.Head() == 4);
  CHECK(r.versions == std::vector<StreamVersion>{{ClientStream(id), 2}, {CaseStream(case_id), 1}});
  // And the new case is the supervisor's, open on the client, in the supervisor's team
  CaseState k = d.Case(case_id);
  CHECK(k.status == "open");
  CHECK(k.client_id == id);
  CHECK(k.primary_applicant == id);
  CHECK(k.opened_on == DomainFixture::kToday);
  CHECK(k.team_id == "housing-options");
  CHECK(k.officers == std::vector<CaseOfficer>{{"supervisor", "primary"}});
  REQUIRE(k.people.size() == 1);
  CHECK(k.people[0].client_id == id);
  CHECK(k.people[0].relationship == "self");
  // And the client lists both cases in the order they were opened
  CHECK(d.Client(id).cases == std::vector<std::string>{first_case, case_id});
  // And the first case is untouched
  CHECK(d.Case(first_case).officers == std::vector<CaseOfficer>{{"officer", "primary"}});
  CHECK(d.EventTypes(CaseStream(first_case)) == Types{"CaseOpened"});
  // And the events say so
  REQUIRE(d.EventTypes(ClientStream(id)) == Types{"ClientRegistered", "ClientCaseAdded"});
  CHECK(d.Events(ClientStream(id))[1].case_id == case_id);
  REQUIRE(d.EventTypes(CaseStream(case_id)) == Types{"CaseOpened"});
  const Event opened = d.Events(CaseStream(case_id))[0];
  CHECK(opened.case_id == case_id);
  CHECK(opened.client_id == id);
  CHECK(opened.user_id == "supervisor");
  CHECK(opened.team_id == "housing-options");
  CHECK(opened.date == DomainFixture::kToday);
  CHECK(opened.reason == "new_case");
}

TEST_CASE("each case opened on a client is a new case", "[domain][client]") {
  // Given a client with its first case
  DomainFixture d;
  auto [id, first_case] = d.Register("Many", "1979-09-09");
  std::vector<std::string> cases = {first_case};
  // When users open more cases on it
  // Then each is a new case with its opener as primary officer, and the client lists them all
  for (const char* user : {"officer", "admin", "officer"}) {
    INFO(user);
    CommandResult r = RunOk(d, user, OpenCase{id});
    const std::string case_id = r.response.at("case_id");
    CHECK(std::find(cases.begin(), cases.end(), case_id) == cases.end());
    cases.push_back(case_id);
    CHECK(d.Case(case_id).officers == std::vector<CaseOfficer>{{user, "primary"}});
  }
  CHECK(d.Client(id).cases == cases);
}

// Seed 000: an applicant who re-approaches gets a new case on the existing record, which
// by then may well be closed.
TEST_CASE("a case can be opened on a closed client record", "[domain][client]") {
  // Given a client whose record is closed
  DomainFixture d;
  const std::string id = d.Register().first;
  RunOk(d, "officer", ChangeClientStatus{id, "closed"});
  // When a case is opened on it
  // Then the case is open and the client has two
  CommandResult r = RunOk(d, "officer", OpenCase{id});
  CHECK(d.Case(r.response.at("case_id")).status == "open");
  CHECK(d.Client(id).cases.size() == 2);
}
