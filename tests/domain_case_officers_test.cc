// Given/When/Then tests of the officers of a case (Huume "7. Cases"): the primary officer
// and responsible team a new case starts with, and AssignOfficer and UnassignOfficer by
// role.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/domain_case_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::domain_case::CaseOf;
using caseengine::testing::domain_case::ClientOf;
using caseengine::testing::domain_case::Ok;
using caseengine::testing::domain_case::Refused;
using caseengine::testing::domain_case::Strings;
using caseengine::testing::domain_case::Unchanged;
using caseengine::testing::domain_case::VersionOf;

}  // namespace

// ---------------------------------------------------------------------------------------
// The case after OpenCase

TEST_CASE(
    "a case opened for a client starts open, with the caller as primary officer, the caller's "
    "team as responsible team and the client as primary applicant",
    "[domain][case]") {
  DomainFixture d;
  // Given a registered client
  auto [client, first] = d.Register("Opener", "1975-03-04");
  // When a supervisor opens another case for them
  CommandResult r = Ok(d, "supervisor", OpenCase{client});
  const std::string second = r.response["case_id"];
  // Then the case is open, assigned to the supervisor and their team
  CaseState k = d.Case(second);
  CHECK(k.exists);
  CHECK_FALSE(k.deleted);
  CHECK(k.id == second);
  CHECK(k.status == "open");
  CHECK(k.client_id == client);
  CHECK(k.primary_applicant == client);
  CHECK(k.opened_on == DomainFixture::kToday);
  CHECK(k.team_id == "housing-options");
  CHECK(k.officers == std::vector<CaseOfficer>{{"supervisor", "primary"}});
  REQUIRE(k.people.size() == 1);
  CHECK(k.people[0].client_id == client);
  CHECK(k.people[0].relationship == "self");
  CHECK(k.people[0].date_joined == DomainFixture::kToday);
  CHECK(k.people[0].date_left.empty());
  CHECK(k.actions.empty());
  CHECK(k.notes == 0);
  CHECK(k.version == 1);
  // And the client lists both cases, in the order they were opened
  CHECK(d.Client(client).cases == Strings{first, second});
  // And one CaseOpened on the new stream, a ClientCaseAdded on the client's
  CHECK(d.EventTypes(CaseOf(second)) == Strings{"CaseOpened"});
  CHECK(d.EventTypes(ClientOf(client)) == Strings{"ClientRegistered", "ClientCaseAdded"});
  Event opened = d.Events(CaseOf(second)).at(0);
  CHECK(opened.case_id == second);
  CHECK(opened.client_id == client);
  CHECK(opened.user_id == "supervisor");
  CHECK(opened.team_id == "housing-options");
  CHECK(opened.date == DomainFixture::kToday);
  CHECK(opened.reason == "new_case");
  CHECK(d.Events(CaseOf(first)).at(0).reason == "registration");
  // And the answer names both streams' new versions
  CHECK(VersionOf(r, CaseOf(second)) == 1);
  CHECK(VersionOf(r, ClientOf(client)) == 2);
}

TEST_CASE(
    "a case opened by a user whose team does not allow case assignment gets no responsible "
    "team",
    "[domain][case]") {
  DomainFixture d;
  // Given a caseworker in admin-team, which does not take cases
  d.config.users["clerk"] = {"clerk", "admin-team", {kCasework}};
  const std::string client = d.Register("Clerked", "1990-05-05").first;
  // When they open a case
  CommandResult r = Ok(d, "clerk", OpenCase{client});
  // Then they are its primary officer, but the case has no team
  CaseState k = d.Case(r.response["case_id"]);
  CHECK(k.team_id.empty());
  CHECK(k.officers == std::vector<CaseOfficer>{{"clerk", "primary"}});
}

// ---------------------------------------------------------------------------------------
// AssignOfficer, UnassignOfficer

TEST_CASE("any number of officers may hold each role on a case", "[domain][case]") {
  DomainFixture d;
  // Given a case whose primary officer is `officer`
  const std::string kase = d.Register().second;
  // When more officers are assigned, several to the same role, one user to several roles
  Ok(d, "officer", AssignOfficer{kase, "admin", "primary"});
  Ok(d, "officer", AssignOfficer{kase, "supervisor", "secondary"});
  Ok(d, "officer", AssignOfficer{kase, "officer", "secondary"});
  Ok(d, "officer", AssignOfficer{kase, "admin", "secondary"});
  Ok(d, "officer", AssignOfficer{kase, "supervisor", "supervisor"});
  CommandResult r = Ok(d, "officer", AssignOfficer{kase, "auditor", "other"});
  // Then every assignment holds, in order
  CaseState k = d.Case(kase);
  CHECK(k.officers == std::vector<CaseOfficer>{{"officer", "primary"},
                                               {"admin", "primary"},
                                               {"supervisor", "secondary"},
                                               {"officer", "secondary"},
                                               {"admin", "secondary"},
                                               {"supervisor", "supervisor"},
                                               {"auditor", "other"}});
  // And each was one OfficerAssigned with the user and the role
  auto events = d.Events(CaseOf(kase));
  REQUIRE(events.size() == 7);
  CHECK(EventTypeName(events[1].type) == std::string("OfficerAssigned"));
  CHECK(events[1].user_id == "admin");
  CHECK(events[1].role == "primary");
  CHECK(events[6].user_id == "auditor");
  CHECK(events[6].role == "other");
  CHECK(r.versions == std::vector<StreamVersion>{{CaseOf(kase), 7}});
  CHECK(k.version == 7);
}

TEST_CASE("assigning an officer already in that role changes nothing", "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  Ok(d, "officer", AssignOfficer{kase, "supervisor", "secondary"});
  // When the same assignments are asked for again
  Unchanged(d, "officer", AssignOfficer{kase, "officer", "primary"});
  Unchanged(d, "supervisor", AssignOfficer{kase, "supervisor", "secondary"});
  // Then the officers are as they were
  CHECK(d.Case(kase).officers ==
        std::vector<CaseOfficer>{{"officer", "primary"}, {"supervisor", "secondary"}});
  CHECK(d.EventTypes(CaseOf(kase)) == Strings{"CaseOpened", "OfficerAssigned"});
}

TEST_CASE(
    "an officer must be a known user, in one of the roles primary, secondary, supervisor or "
    "other, on a known case",
    "[domain][case]") {
  // Given a case with the officer as primary officer
  DomainFixture d;
  const std::string kase = d.Register().second;
  // When an officer is assigned who is no user, in a role that is none, or on a malformed case id
  // Then each is refused naming the field
  CHECK(NamesField(Refused(d, "officer", AssignOfficer{kase, "nobody", "secondary"}, "validation"),
                   "user_id"));
  CHECK(NamesField(Refused(d, "officer", AssignOfficer{kase, "", "secondary"}, "validation"),
                   "user_id"));
  CHECK(NamesField(Refused(d, "officer", AssignOfficer{kase, "admin", "boss"}, "validation"),
                   "role"));
  CHECK(NamesField(Refused(d, "officer", AssignOfficer{kase, "admin", ""}, "validation"), "role"));
  CHECK(NamesField(Refused(d, "officer", AssignOfficer{"", "admin", "other"}, "validation"),
                   "case_id"));
  CHECK(NamesField(
      Refused(d, "officer", AssignOfficer{"no such/case", "admin", "other"}, "validation"),
      "case_id"));
  CHECK(NamesField(
      Refused(d, "officer", AssignOfficer{std::string(65, 'a'), "admin", "other"}, "validation"),
      "case_id"));
  // And with all fields wrong at once, every one is named
  CommandResult all = Refused(d, "officer", AssignOfficer{"", "", "chief"}, "validation");
  CHECK(NamesField(all, "case_id"));
  CHECK(NamesField(all, "user_id"));
  CHECK(NamesField(all, "role"));
  // And an unknown case is not found, and the officers stay as they were
  Refused(d, "officer", AssignOfficer{"nosuchcase", "admin", "other"}, "not-found");
  CHECK(d.Case(kase).officers == std::vector<CaseOfficer>{{"officer", "primary"}});
}

TEST_CASE("unassigning an officer takes them out of that role only", "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  Ok(d, "officer", AssignOfficer{kase, "officer", "secondary"});
  Ok(d, "officer", AssignOfficer{kase, "supervisor", "secondary"});
  // When `officer` is unassigned from secondary
  CommandResult r = Ok(d, "supervisor", UnassignOfficer{kase, "officer", "secondary"});
  // Then they are still primary, and the other secondary stays
  CHECK(d.Case(kase).officers ==
        std::vector<CaseOfficer>{{"officer", "primary"}, {"supervisor", "secondary"}});
  Event e = d.Events(CaseOf(kase)).back();
  CHECK(EventTypeName(e.type) == std::string("OfficerUnassigned"));
  CHECK(e.user_id == "officer");
  CHECK(e.role == "secondary");
  CHECK(VersionOf(r, CaseOf(kase)) == 4);
}

TEST_CASE("an officer can only be unassigned from a role they hold", "[domain][case]") {
  // Given a case with the officer as primary officer
  DomainFixture d;
  const std::string kase = d.Register().second;
  // When officers are unassigned from roles they do not hold (`officer` is primary, not
  // secondary; `admin` holds no role; `nobody` is no user), or on an unknown case
  // Then each is refused as not found, and malformed fields are named
  Refused(d, "officer", UnassignOfficer{kase, "officer", "secondary"}, "not-found");
  Refused(d, "officer", UnassignOfficer{kase, "admin", "primary"}, "not-found");
  Refused(d, "officer", UnassignOfficer{kase, "nobody", "primary"}, "not-found");
  Refused(d, "officer", UnassignOfficer{"nosuchcase", "officer", "primary"}, "not-found");
  CHECK(NamesField(Refused(d, "officer", UnassignOfficer{kase, "officer", "boss"}, "validation"),
                   "role"));
  CHECK(NamesField(Refused(d, "officer", UnassignOfficer{kase, "", "primary"}, "validation"),
                   "user_id"));
  CHECK(NamesField(
      Refused(d, "officer", UnassignOfficer{"bad id", "officer", "primary"}, "validation"),
      "case_id"));
  // And once unassigned, unassigning again is refused too
  Ok(d, "officer", UnassignOfficer{kase, "officer", "primary"});
  CHECK(d.Case(kase).officers.empty());
  Refused(d, "officer", UnassignOfficer{kase, "officer", "primary"}, "not-found");
}
