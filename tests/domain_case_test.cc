// Given/When/Then tests of the case commands (Huume "7. Cases", HPA2's case deletion):
// officers by role, the responsible team, people on a case and their dates, the primary
// applicant, closing and reopening, deleting, notes and actions. Each test states its rule;
// it checks the state folded from the log, the events appended and the command's answer,
// and for every refusal that nothing was appended.
#include <catch2/catch.hpp>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using Strings = std::vector<std::string>;

std::string CaseOf(const std::string& case_id) { return "case-" + case_id; }
std::string ClientOf(const std::string& client_id) { return "client-" + client_id; }

// The version a result reports for a stream; 0 when the command did not write to it.
uint64_t VersionOf(const CommandResult& r, const std::string& stream) {
  for (const auto& v : r.versions) {
    if (v.stream == stream) return v.version;
  }
  return 0;
}

// Runs a command that must be refused with `kind`, and checks that nothing was appended.
CommandResult Refused(DomainFixture& d, const std::string& user, Command command,
                      const std::string& kind, const CommandOptions& options = CommandOptions()) {
  const std::string name = CommandName(command);
  const auto before = d.Head();
  CommandResult r = d.Run(user, std::move(command), options);
  INFO(name << " as " << user << ": " << r.rejection.message << " " << r.status.ToString());
  CHECK(Kind(r) == kind);
  CHECK(r.rejected);
  CHECK(r.position == 0);
  CHECK(r.versions.empty());
  CHECK(d.Head() == before);
  return r;
}

// Runs a command that must be accepted with nothing to change: nothing appended.
void Unchanged(DomainFixture& d, const std::string& user, Command command,
               const CommandOptions& options = CommandOptions()) {
  const std::string name = CommandName(command);
  const auto before = d.Head();
  CommandResult r = d.Run(user, std::move(command), options);
  INFO(name << ": " << r.rejection.message);
  CHECK(Kind(r) == "unchanged");
  CHECK(r.ok());
  CHECK(r.position == 0);
  CHECK(r.versions.empty());
  CHECK(d.Head() == before);
}

// Runs a command that must be accepted and append events.
CommandResult Ok(DomainFixture& d, const std::string& user, Command command,
                 const CommandOptions& options = CommandOptions()) {
  const std::string name = CommandName(command);
  CommandResult r = d.Run(user, std::move(command), options);
  INFO(name << ": " << r.rejection.message << " " << r.status.ToString());
  REQUIRE(Kind(r) == "ok");
  CHECK(r.position == d.Head());
  return r;
}

// A registered client with a case, and a second registered client on that case.
struct Household {
  std::string primary, kase, partner;
};
Household WithPartner(DomainFixture& d, bool joint = false) {
  auto [primary, kase] = d.Register("Primary", "1980-01-01");
  const std::string partner = d.Register("Partner", "1982-02-02").first;
  Ok(d, "officer", AddPerson{kase, partner, "partner", joint, ""});
  return {primary, kase, partner};
}

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
  DomainFixture d;
  const std::string kase = d.Register().second;
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
  // All fields wrong at once: every one is named
  CommandResult all = Refused(d, "officer", AssignOfficer{"", "", "chief"}, "validation");
  CHECK(NamesField(all, "case_id"));
  CHECK(NamesField(all, "user_id"));
  CHECK(NamesField(all, "role"));
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
  DomainFixture d;
  const std::string kase = d.Register().second;
  // `officer` is primary, not secondary; `admin` holds no role; `nobody` is no user
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

// ---------------------------------------------------------------------------------------
// AssignTeam

TEST_CASE("a case's responsible team can be changed to another team that allows case assignment",
          "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  CommandResult r = Ok(d, "officer", AssignTeam{kase, "allocations"});
  CHECK(d.Case(kase).team_id == "allocations");
  Event e = d.Events(CaseOf(kase)).back();
  CHECK(EventTypeName(e.type) == std::string("TeamAssigned"));
  CHECK(e.team_id == "allocations");
  CHECK(r.versions == std::vector<StreamVersion>{{CaseOf(kase), 2}});
  // And back again
  Ok(d, "officer", AssignTeam{kase, "housing-options"});
  CHECK(d.Case(kase).team_id == "housing-options");
}

TEST_CASE("a case's responsible team must be one that allows case assignment", "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  CommandResult r = Refused(d, "admin", AssignTeam{kase, "admin-team"}, "rule-violated");
  CHECK(r.rejection.rule == "team-does-not-take-cases");
  CHECK(d.Case(kase).team_id == "housing-options");
}

TEST_CASE("a case's responsible team must be a configured team", "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  CHECK(
      NamesField(Refused(d, "officer", AssignTeam{kase, "no-such-team"}, "validation"), "team_id"));
  CHECK(NamesField(Refused(d, "officer", AssignTeam{kase, "  "}, "validation"), "team_id"));
  CHECK(NamesField(Refused(d, "officer", AssignTeam{"", "allocations"}, "validation"), "case_id"));
  Refused(d, "officer", AssignTeam{"nosuchcase", "allocations"}, "not-found");
  CHECK(d.Case(kase).team_id == "housing-options");
}

TEST_CASE("assigning the team the case already has changes nothing", "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  Unchanged(d, "officer", AssignTeam{kase, "housing-options"});
  CHECK(d.EventTypes(CaseOf(kase)) == Strings{"CaseOpened"});
}

// ---------------------------------------------------------------------------------------
// AddPerson

TEST_CASE("a person added to a case joins today unless another date is given", "[domain][case]") {
  DomainFixture d;
  auto [primary, kase] = d.Register("Primary", "1980-01-01");
  const std::string partner = d.Register("Partner", "1982-02-02").first;
  const std::string child = d.Register("Child", "2015-06-07").first;
  // When the partner is added as joint applicant without a date, the child with one
  CommandResult r = Ok(d, "officer", AddPerson{kase, partner, "partner", true, ""});
  CHECK(r.versions == std::vector<StreamVersion>{{CaseOf(kase), 2}});
  Ok(d, "officer", AddPerson{kase, child, "child", false, "2026-01-05"});
  // Then both are on the case with what was given
  CaseState k = d.Case(kase);
  REQUIRE(k.people.size() == 3);
  CHECK(k.people[0].client_id == primary);
  CHECK(k.people[1].client_id == partner);
  CHECK(k.people[1].relationship == "partner");
  CHECK(k.people[1].joint_applicant);
  CHECK(k.people[1].date_joined == DomainFixture::kToday);
  CHECK(k.people[1].date_left.empty());
  CHECK(k.people[2].client_id == child);
  CHECK(k.people[2].relationship == "child");
  CHECK_FALSE(k.people[2].joint_applicant);
  CHECK(k.people[2].date_joined == "2026-01-05");
  // And the primary applicant is unchanged
  CHECK(k.primary_applicant == primary);
  // And each was a PersonAdded carrying the date joined
  auto events = d.Events(CaseOf(kase));
  REQUIRE(events.size() == 3);
  CHECK(EventTypeName(events[1].type) == std::string("PersonAdded"));
  CHECK(events[1].client_id == partner);
  CHECK(events[1].relationship == "partner");
  CHECK(events[1].joint_applicant);
  CHECK(events[1].date == DomainFixture::kToday);
  CHECK(events[2].date == "2026-01-05");
  // And adding people to a case writes nothing to their client records
  CHECK(d.EventTypes(ClientOf(partner)) == Strings{"ClientRegistered"});
}

TEST_CASE("a person must be a registered client to be added to a case", "[domain][case]") {
  DomainFixture d;
  auto [primary, kase] = d.Register();
  const std::string other = d.Register("Other", "1999-09-09").first;
  Refused(d, "officer", AddPerson{kase, "nosuchclient", "partner", false, ""}, "not-found");
  Refused(d, "officer", AddPerson{"nosuchcase", other, "partner", false, ""}, "not-found");
  // A case id is not a client id
  Refused(d, "officer", AddPerson{kase, kase, "partner", false, ""}, "not-found");
  CHECK(d.Case(kase).people.size() == 1);
}

TEST_CASE("a person already on the case cannot be added again", "[domain][case]") {
  DomainFixture d;
  Household h = WithPartner(d);
  CommandResult again =
      Refused(d, "officer", AddPerson{h.kase, h.partner, "partner", true, ""}, "rule-violated");
  CHECK(again.rejection.rule == "person-already-on-case");
  CommandResult primary =
      Refused(d, "officer", AddPerson{h.kase, h.primary, "other", false, ""}, "rule-violated");
  CHECK(primary.rejection.rule == "person-already-on-case");
  CHECK(d.Case(h.kase).people.size() == 2);
}

TEST_CASE("adding a person needs a relationship other than 'self' and a real date joined",
          "[domain][case]") {
  DomainFixture d;
  auto [primary, kase] = d.Register();
  const std::string other = d.Register("Other", "1999-09-09").first;
  CHECK(NamesField(Refused(d, "officer", AddPerson{kase, other, "", false, ""}, "validation"),
                   "relationship"));
  CHECK(NamesField(Refused(d, "officer", AddPerson{kase, other, "   ", false, ""}, "validation"),
                   "relationship"));
  CHECK(NamesField(Refused(d, "officer", AddPerson{kase, other, "self", false, ""}, "validation"),
                   "relationship"));
  CHECK(NamesField(
      Refused(d, "officer", AddPerson{kase, other, std::string(51, 'x'), false, ""}, "validation"),
      "relationship"));
  for (const char* bad : {"2026-02-30", "yesterday", "22/11/2026", "2026-13-01", "1700-01-01"}) {
    INFO(bad);
    CHECK(NamesField(
        Refused(d, "officer", AddPerson{kase, other, "partner", false, bad}, "validation"),
        "date_joined"));
  }
  CHECK(NamesField(
      Refused(d, "officer", AddPerson{kase, "not an id", "partner", false, ""}, "validation"),
      "client_id"));
  CHECK(NamesField(Refused(d, "officer", AddPerson{kase, "", "partner", false, ""}, "validation"),
                   "client_id"));
  CHECK(NamesField(Refused(d, "officer", AddPerson{"", other, "partner", false, ""}, "validation"),
                   "case_id"));
  CHECK(d.Case(kase).people.size() == 1);
}

// ---------------------------------------------------------------------------------------
// PersonLeaves

TEST_CASE("people are never removed from a case: they get a date left and stay", "[domain][case]") {
  DomainFixture d;
  Household h = WithPartner(d, /*joint=*/true);
  // When the partner leaves
  CommandResult r = Ok(d, "officer", PersonLeaves{h.kase, h.partner, "2026-12-01"});
  // Then they are still listed, with the date they left and everything else as it was
  CaseState k = d.Case(h.kase);
  REQUIRE(k.people.size() == 2);
  const CasePerson* p = k.Person(h.partner);
  REQUIRE(p != nullptr);
  CHECK(p->date_left == "2026-12-01");
  CHECK(p->date_joined == DomainFixture::kToday);
  CHECK(p->relationship == "partner");
  CHECK(p->joint_applicant);
  CHECK(k.Person(h.primary)->date_left.empty());
  // And one PersonLeft carrying the date
  CHECK(d.EventTypes(CaseOf(h.kase)) == Strings{"CaseOpened", "PersonAdded", "PersonLeft"});
  Event e = d.Events(CaseOf(h.kase)).back();
  CHECK(e.client_id == h.partner);
  CHECK(e.date == "2026-12-01");
  CHECK(r.versions == std::vector<StreamVersion>{{CaseOf(h.kase), 3}});
}

TEST_CASE("the primary applicant cannot leave the case until another is switched in",
          "[domain][case]") {
  DomainFixture d;
  Household h = WithPartner(d);
  // When the primary applicant tries to leave
  CommandResult r = Refused(d, "officer", PersonLeaves{h.kase, h.primary, DomainFixture::kToday},
                            "rule-violated");
  CHECK(r.rejection.rule == "primary-applicant-stays");
  CHECK(d.Case(h.kase).Person(h.primary)->date_left.empty());
  // Then after switching the partner in, the former primary applicant may leave
  Ok(d, "officer", SwitchPrimaryApplicant{h.kase, h.partner});
  Ok(d, "officer", PersonLeaves{h.kase, h.primary, DomainFixture::kToday});
  CaseState k = d.Case(h.kase);
  CHECK(k.Person(h.primary)->date_left == DomainFixture::kToday);
  CHECK(k.primary_applicant == h.partner);
  // And the new primary applicant cannot leave
  CHECK(
      Refused(d, "officer", PersonLeaves{h.kase, h.partner, DomainFixture::kToday}, "rule-violated")
          .rejection.rule == "primary-applicant-stays");
}

TEST_CASE("a date left before the date joined is refused", "[domain][case]") {
  DomainFixture d;
  auto [primary, kase] = d.Register();
  const std::string child = d.Register("Child", "2015-06-07").first;
  Ok(d, "officer", AddPerson{kase, child, "child", false, "2026-03-10"});
  CHECK(NamesField(Refused(d, "officer", PersonLeaves{kase, child, "2026-03-09"}, "validation"),
                   "date_left"));
  CHECK(d.Case(kase).Person(child)->date_left.empty());
  // Leaving on the day of joining is fine
  Ok(d, "officer", PersonLeaves{kase, child, "2026-03-10"});
  CHECK(d.Case(kase).Person(child)->date_left == "2026-03-10");
}

TEST_CASE("only a person on the case can leave it, on a real date", "[domain][case]") {
  DomainFixture d;
  Household h = WithPartner(d);
  const std::string stranger = d.Register("Stranger", "1970-07-07").first;
  Refused(d, "officer", PersonLeaves{h.kase, stranger, DomainFixture::kToday}, "not-found");
  Refused(d, "officer", PersonLeaves{h.kase, "nosuchclient", DomainFixture::kToday}, "not-found");
  Refused(d, "officer", PersonLeaves{"nosuchcase", h.partner, DomainFixture::kToday}, "not-found");
  CHECK(NamesField(Refused(d, "officer", PersonLeaves{h.kase, h.partner, ""}, "validation"),
                   "date_left"));
  CHECK(
      NamesField(Refused(d, "officer", PersonLeaves{h.kase, h.partner, "2026-11-31"}, "validation"),
                 "date_left"));
  CHECK(NamesField(
      Refused(d, "officer", PersonLeaves{h.kase, "", DomainFixture::kToday}, "validation"),
      "client_id"));
  CHECK(NamesField(
      Refused(d, "officer", PersonLeaves{"", h.partner, DomainFixture::kToday}, "validation"),
      "case_id"));
  // A person who has left cannot leave again
  Ok(d, "officer", PersonLeaves{h.kase, h.partner, DomainFixture::kToday});
  Refused(d, "officer", PersonLeaves{h.kase, h.partner, "2026-12-24"}, "not-found");
  CHECK(d.Case(h.kase).Person(h.partner)->date_left == DomainFixture::kToday);
}

TEST_CASE(
    "a person who left can be added again as a new stay and the earlier stay stays on the case",
    "[domain][case]") {
  DomainFixture d;
  Household h = WithPartner(d, /*joint=*/true);
  Ok(d, "officer", PersonLeaves{h.kase, h.partner, "2026-11-30"});
  // When the partner comes back, now as an ordinary member
  CommandResult r = Ok(d, "officer", AddPerson{h.kase, h.partner, "other", false, "2026-12-15"});
  // Then the case lists both stays: the earlier one with its date left, the new one open
  CaseState k = d.Case(h.kase);
  REQUIRE(k.people.size() == 3);
  CHECK(k.people[1].client_id == h.partner);
  CHECK(k.people[1].date_left == "2026-11-30");
  CHECK(k.people[1].relationship == "partner");
  const CasePerson* p = k.Person(h.partner);
  REQUIRE(p != nullptr);
  CHECK(p->date_joined == "2026-12-15");
  CHECK(p->date_left.empty());
  CHECK(p->relationship == "other");
  CHECK_FALSE(p->joint_applicant);
  CHECK(VersionOf(r, CaseOf(h.kase)) == 4);
  // And the earlier stay is in the events
  CHECK(d.EventTypes(CaseOf(h.kase)) ==
        Strings{"CaseOpened", "PersonAdded", "PersonLeft", "PersonAdded"});
  auto events = d.Events(CaseOf(h.kase));
  CHECK(events[1].date == DomainFixture::kToday);
  CHECK(events[1].relationship == "partner");
  CHECK(events[2].date == "2026-11-30");
  CHECK(events[3].date == "2026-12-15");
  // And, being on the case again, they can leave again
  Ok(d, "officer", PersonLeaves{h.kase, h.partner, "2026-12-31"});
  CHECK(d.Case(h.kase).Person(h.partner)->date_left == "2026-12-31");
}

// ---------------------------------------------------------------------------------------
// SwitchPrimaryApplicant

TEST_CASE("switching the primary applicant makes the old one an ordinary member",
          "[domain][case]") {
  DomainFixture d;
  Household h = WithPartner(d, /*joint=*/true);
  // When the partner becomes primary applicant
  CommandResult r = Ok(d, "officer", SwitchPrimaryApplicant{h.kase, h.partner});
  // Then they are "self" and the former primary applicant "other"; both stay on the case
  CaseState k = d.Case(h.kase);
  CHECK(k.primary_applicant == h.partner);
  REQUIRE(k.people.size() == 2);
  CHECK(k.Person(h.partner)->relationship == "self");
  CHECK(k.Person(h.partner)->date_left.empty());
  CHECK(k.Person(h.primary)->relationship == "other");
  CHECK_FALSE(k.Person(h.primary)->joint_applicant);
  CHECK(k.Person(h.primary)->date_left.empty());
  CHECK(k.Person(h.primary)->date_joined == DomainFixture::kToday);
  // And the case still belongs to the client record it was opened on
  CHECK(k.client_id == h.primary);
  CHECK(d.Client(h.primary).cases == Strings{h.kase});
  // And one PrimaryApplicantSwitched names the new primary applicant
  Event e = d.Events(CaseOf(h.kase)).back();
  CHECK(EventTypeName(e.type) == std::string("PrimaryApplicantSwitched"));
  CHECK(e.client_id == h.partner);
  CHECK(r.versions == std::vector<StreamVersion>{{CaseOf(h.kase), 3}});
  // And switching back restores the first primary applicant
  Ok(d, "officer", SwitchPrimaryApplicant{h.kase, h.primary});
  k = d.Case(h.kase);
  CHECK(k.primary_applicant == h.primary);
  CHECK(k.Person(h.primary)->relationship == "self");
  CHECK(k.Person(h.partner)->relationship == "other");
}

TEST_CASE("switching to the current primary applicant changes nothing", "[domain][case]") {
  DomainFixture d;
  Household h = WithPartner(d);
  Unchanged(d, "officer", SwitchPrimaryApplicant{h.kase, h.primary});
  CHECK(d.Case(h.kase).primary_applicant == h.primary);
  CHECK(d.EventTypes(CaseOf(h.kase)) == Strings{"CaseOpened", "PersonAdded"});
}

TEST_CASE("only a current member of the case can become its primary applicant", "[domain][case]") {
  DomainFixture d;
  Household h = WithPartner(d);
  const std::string stranger = d.Register("Stranger", "1970-07-07").first;
  // A registered client who is not on the case
  CHECK(Refused(d, "officer", SwitchPrimaryApplicant{h.kase, stranger}, "rule-violated")
            .rejection.rule == "primary-applicant-on-case");
  // A person who has left
  Ok(d, "officer", PersonLeaves{h.kase, h.partner, DomainFixture::kToday});
  CHECK(Refused(d, "officer", SwitchPrimaryApplicant{h.kase, h.partner}, "rule-violated")
            .rejection.rule == "primary-applicant-on-case");
  Refused(d, "officer", SwitchPrimaryApplicant{"nosuchcase", h.partner}, "not-found");
  CHECK(NamesField(Refused(d, "officer", SwitchPrimaryApplicant{h.kase, ""}, "validation"),
                   "client_id"));
  CHECK(NamesField(Refused(d, "officer", SwitchPrimaryApplicant{h.kase, "a;b"}, "validation"),
                   "client_id"));
  CHECK(NamesField(Refused(d, "officer", SwitchPrimaryApplicant{"", h.partner}, "validation"),
                   "case_id"));
  CHECK(d.Case(h.kase).primary_applicant == h.primary);
}

// docs/http_api.md: "404 unknown id", as AddPerson and PersonLeaves answer an
// unknown client id.
TEST_CASE("switching the primary applicant to an unknown client id is not-found",
          "[domain][case]") {
  DomainFixture d;
  Household h = WithPartner(d);
  CommandResult r =
      Refused(d, "officer", SwitchPrimaryApplicant{h.kase, "nosuchclient"}, "not-found");
  INFO("rule: " << r.rejection.rule);
  CHECK(d.Case(h.kase).primary_applicant == h.primary);
}

// ---------------------------------------------------------------------------------------
// CloseCase, ReopenCase

TEST_CASE("a case is closed with a reason", "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  CommandResult r = Ok(d, "officer", CloseCase{kase, "  housed in social tenancy  "});
  CaseState k = d.Case(kase);
  CHECK(k.status == "closed");
  CHECK(k.close_reason == "housed in social tenancy");  // trimmed
  Event e = d.Events(CaseOf(kase)).back();
  CHECK(EventTypeName(e.type) == std::string("CaseClosed"));
  CHECK(e.reason == "housed in social tenancy");
  CHECK(r.versions == std::vector<StreamVersion>{{CaseOf(kase), 2}});
}

TEST_CASE("a closed case cannot be closed again", "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  Ok(d, "officer", CloseCase{kase, "housed"});
  CHECK(Refused(d, "officer", CloseCase{kase, "housed again"}, "rule-violated").rejection.rule ==
        "case-already-closed");
  CHECK(d.Case(kase).close_reason == "housed");
}

TEST_CASE("a closed case can be reopened with a reason", "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  Ok(d, "officer", CloseCase{kase, "housed"});
  CommandResult r = Ok(d, "officer", ReopenCase{kase, "tenancy failed"});
  CaseState k = d.Case(kase);
  CHECK(k.status == "open");
  CHECK(k.close_reason.empty());
  CHECK(d.EventTypes(CaseOf(kase)) == Strings{"CaseOpened", "CaseClosed", "CaseReopened"});
  CHECK(d.Events(CaseOf(kase)).back().reason == "tenancy failed");
  CHECK(r.versions == std::vector<StreamVersion>{{CaseOf(kase), 3}});
  // And it can be closed again
  Ok(d, "officer", CloseCase{kase, "moved away"});
  CHECK(d.Case(kase).close_reason == "moved away");
}

TEST_CASE("an open case cannot be reopened", "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  CHECK(Refused(d, "officer", ReopenCase{kase, "why not"}, "rule-violated").rejection.rule ==
        "case-already-open");
  CHECK(d.Case(kase).status == "open");
}

TEST_CASE("closing and reopening need a reason of at most 500 characters, on a known case",
          "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  CHECK(NamesField(Refused(d, "officer", CloseCase{kase, ""}, "validation"), "reason"));
  CHECK(NamesField(Refused(d, "officer", CloseCase{kase, " \t\n"}, "validation"), "reason"));
  CHECK(NamesField(Refused(d, "officer", CloseCase{kase, std::string(501, 'r')}, "validation"),
                   "reason"));
  CHECK(NamesField(Refused(d, "officer", CloseCase{"", "housed"}, "validation"), "case_id"));
  Refused(d, "officer", CloseCase{"nosuchcase", "housed"}, "not-found");
  Ok(d, "officer", CloseCase{kase, std::string(500, 'r')});
  CHECK(NamesField(Refused(d, "officer", ReopenCase{kase, ""}, "validation"), "reason"));
  CHECK(NamesField(Refused(d, "officer", ReopenCase{kase, std::string(501, 'r')}, "validation"),
                   "reason"));
  CHECK(NamesField(Refused(d, "officer", ReopenCase{"bad id", "back"}, "validation"), "case_id"));
  Refused(d, "officer", ReopenCase{"nosuchcase", "back"}, "not-found");
  CHECK(d.Case(kase).status == "closed");
}

// ---------------------------------------------------------------------------------------
// DeleteCase

TEST_CASE("deleting a case needs the delete_cases permission", "[domain][case]") {
  DomainFixture d;
  auto [client, first] = d.Register();
  const std::string second = Ok(d, "officer", OpenCase{client}).response["case_id"];
  // The officer has casework, not delete_cases
  CommandResult r = Refused(d, "officer", DeleteCase{second}, "forbidden");
  CHECK(r.rejection.rule == kDeleteCases);
  CHECK(d.Client(client).cases == Strings{first, second});
  CHECK_FALSE(d.Case(second).deleted);
  // The permission is checked before the case is looked up
  Refused(d, "officer", DeleteCase{"nosuchcase"}, "forbidden");
  // The admin's `administer` includes it
  Ok(d, "admin", DeleteCase{second});
  CHECK(d.Client(client).cases == Strings{first});
}

TEST_CASE("a client's last case cannot be deleted", "[domain][case]") {
  DomainFixture d;
  auto [client, kase] = d.Register();
  CommandResult r = Refused(d, "supervisor", DeleteCase{kase}, "rule-violated");
  CHECK(r.rejection.rule == "last-case-stays");
  CHECK_FALSE(d.Case(kase).deleted);
  CHECK(d.Client(client).cases == Strings{kase});
  // Nor can the remaining one after another was deleted
  const std::string second = Ok(d, "supervisor", OpenCase{client}).response["case_id"];
  Ok(d, "supervisor", DeleteCase{kase});
  CHECK(Refused(d, "supervisor", DeleteCase{second}, "rule-violated").rejection.rule ==
        "last-case-stays");
  CHECK(d.Client(client).cases == Strings{second});
}

TEST_CASE("a deleted case is gone from its client's cases", "[domain][case]") {
  DomainFixture d;
  auto [client, first] = d.Register();
  const std::string second = Ok(d, "officer", OpenCase{client}).response["case_id"];
  const std::string third = Ok(d, "officer", OpenCase{client}).response["case_id"];
  // When the middle case is deleted
  CommandResult r = Ok(d, "supervisor", DeleteCase{second});
  // Then the client lists the others, in order
  CHECK(d.Client(client).cases == Strings{first, third});
  // And the case is marked deleted (soft delete: its stream stays)
  CaseState k = d.Case(second);
  CHECK(k.deleted);
  CHECK(k.exists);
  // And one atomic append over both streams
  CHECK(d.EventTypes(CaseOf(second)) == Strings{"CaseOpened", "CaseDeleted"});
  CHECK(d.EventTypes(ClientOf(client)) ==
        Strings{"ClientRegistered", "ClientCaseAdded", "ClientCaseAdded", "ClientCaseDeleted"});
  CHECK(d.Events(ClientOf(client)).back().case_id == second);
  CHECK(r.versions.size() == 2);
  CHECK(VersionOf(r, CaseOf(second)) == 2);
  CHECK(VersionOf(r, ClientOf(client)) == 4);
  CHECK(r.position == d.Head());
  // And deleting it again finds nothing
  Refused(d, "supervisor", DeleteCase{second}, "not-found");
}

TEST_CASE("deleting an unknown case is not-found, a malformed case id invalid", "[domain][case]") {
  DomainFixture d;
  d.Register();
  Refused(d, "supervisor", DeleteCase{"nosuchcase"}, "not-found");
  CHECK(NamesField(Refused(d, "supervisor", DeleteCase{""}, "validation"), "case_id"));
  CHECK(NamesField(Refused(d, "supervisor", DeleteCase{"../etc"}, "validation"), "case_id"));
}

TEST_CASE("no command reaches a deleted case", "[domain][case]") {
  DomainFixture d;
  auto [client, first] = d.Register();
  const std::string other = d.Register("Other", "1999-09-09").first;
  const std::string gone = Ok(d, "officer", OpenCase{client}).response["case_id"];
  const std::string action =
      Ok(d, "officer", CreateAction{gone, "check ID", "", ""}).response["action_id"];
  Ok(d, "supervisor", DeleteCase{gone});
  const std::vector<Command> commands = {
      AssignOfficer{gone, "supervisor", "secondary"},
      UnassignOfficer{gone, "officer", "primary"},
      AssignTeam{gone, "allocations"},
      AddPerson{gone, other, "partner", false, ""},
      PersonLeaves{gone, client, DomainFixture::kToday},
      SwitchPrimaryApplicant{gone, client},
      CloseCase{gone, "housed"},
      ReopenCase{gone, "back"},
      DeleteCase{gone},
      AddNote{gone, "a note", ""},
      CreateAction{gone, "another", "", ""},
      CompleteAction{gone, action},
  };
  for (const Command& c : commands) Refused(d, "supervisor", c, "not-found");
}

// ---------------------------------------------------------------------------------------
// AddNote

TEST_CASE("a note's text is sealed with the case's own key", "[domain][case]") {
  DomainFixture d;
  Household h = WithPartner(d);
  const std::string secret = "Disclosed domestic abuse by former partner Zebulon";
  // When a note is added
  CommandResult r = Ok(d, "officer", AddNote{h.kase, secret, ""});
  const std::string note_id = r.response["note_id"];
  CHECK_FALSE(note_id.empty());
  CHECK(r.versions == std::vector<StreamVersion>{{CaseOf(h.kase), 3}});
  CHECK(d.Case(h.kase).notes == 1);
  // Then the NoteAdded is sealed with the case's key, and reads back with it
  Event e = d.Events(CaseOf(h.kase)).back();
  CHECK(EventTypeName(e.type) == std::string("NoteAdded"));
  CHECK(e.item_id == note_id);
  CHECK(e.strand_id.empty());
  CHECK(e.subject == CaseOf(h.kase));
  CHECK(e.personal.text == secret);
  CHECK_FALSE(e.personal.erased);
  // And the stored payload holds no plaintext of it
  std::vector<RecordedEvent> recorded;
  REQUIRE(d.log->ReadStream(CaseOf(h.kase), 1, 100, &recorded).ok());
  for (const auto& rec : recorded) CHECK(rec.payload.find("Zebulon") == std::string::npos);
  // And after the partner becomes primary applicant, new notes are sealed with the same
  // key: the notes are the household's record, kept by the case
  Ok(d, "officer", SwitchPrimaryApplicant{h.kase, h.partner});
  Ok(d, "officer", AddNote{h.kase, "second note", ""});
  CHECK(d.Case(h.kase).notes == 2);
  CHECK(d.Events(CaseOf(h.kase)).back().subject == CaseOf(h.kase));
  // So destroying a person's key erases neither; destroying the case's erases both
  REQUIRE(d.keys->Destroy(ClientOf(h.primary)).ok());
  auto events = d.Events(CaseOf(h.kase));
  REQUIRE(events.size() == 5);
  CHECK(events[2].personal.text == secret);
  CHECK(events[4].personal.text == "second note");
  REQUIRE(d.keys->Destroy(CaseOf(h.kase)).ok());
  events = d.Events(CaseOf(h.kase));
  for (size_t i : {2, 4}) {
    CHECK(events[i].personal.erased);
    CHECK_FALSE(events[i].personal.text.has_value());
  }
}

TEST_CASE("a note needs text of at most 20000 characters, on a known case", "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  CHECK(NamesField(Refused(d, "officer", AddNote{kase, "", ""}, "validation"), "text"));
  CHECK(NamesField(Refused(d, "officer", AddNote{kase, "  \n ", ""}, "validation"), "text"));
  CHECK(NamesField(Refused(d, "officer", AddNote{kase, std::string(20001, 'n'), ""}, "validation"),
                   "text"));
  CHECK(NamesField(Refused(d, "officer", AddNote{kase, "text", std::string(65, 's')}, "validation"),
                   "strand_id"));
  CHECK(NamesField(Refused(d, "officer", AddNote{"", "text", ""}, "validation"), "case_id"));
  Refused(d, "officer", AddNote{"nosuchcase", "text", ""}, "not-found");
  Ok(d, "officer", AddNote{kase, std::string(20000, 'n'), ""});
  CHECK(d.Case(kase).notes == 1);
}

TEST_CASE("a note or an action naming a strand the case does not have is not-found",
          "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  Refused(d, "officer", AddNote{kase, "about the application", "strand1"}, "not-found");
  Refused(d, "officer", CreateAction{kase, "verify income", "", "strand1"}, "not-found");
  // Even an id the fixture really handed out (the case's own) names no strand
  Refused(d, "officer", AddNote{kase, "about the application", kase}, "not-found");
  CaseState k = d.Case(kase);
  CHECK(k.notes == 0);
  CHECK(k.actions.empty());
}

TEST_CASE("a note or an action may name a strand of its own case, not one of another case",
          "[domain][case]") {
  DomainFixture d;
  auto [client, kase] = d.Register();
  const std::string other = Ok(d, "officer", OpenCase{client}).response["case_id"];
  const std::string strand =
      Ok(d, "officer", AddStrand{kase, "risk_assessment"}).response["strand_id"];
  // On its own case
  Ok(d, "officer", AddNote{kase, "about the assessment", strand});
  CHECK(d.Events(CaseOf(kase)).back().strand_id == strand);
  const std::string action =
      Ok(d, "officer", CreateAction{kase, "review risk", "2026-12-01", strand})
          .response["action_id"];
  CaseState k = d.Case(kase);
  CHECK(k.notes == 1);
  CHECK(k.Action(action)->strand_id == strand);
  CHECK(d.Events(CaseOf(kase)).back().strand_id == strand);
  // Not on another case
  Refused(d, "officer", AddNote{other, "about the assessment", strand}, "not-found");
  Refused(d, "officer", CreateAction{other, "review risk", "", strand}, "not-found");
  CHECK(d.Case(other).notes == 0);
}

// ---------------------------------------------------------------------------------------
// CreateAction, CompleteAction

TEST_CASE("an action is created open, with its title and due date", "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  CommandResult r = Ok(d, "officer", CreateAction{kase, "Request ID documents", "2026-12-01", ""});
  const std::string action = r.response["action_id"];
  CHECK_FALSE(action.empty());
  CHECK(r.versions == std::vector<StreamVersion>{{CaseOf(kase), 2}});
  Ok(d, "officer", CreateAction{kase, "Call landlord", "", ""});  // no due date
  CaseState k = d.Case(kase);
  REQUIRE(k.actions.size() == 2);
  CHECK(k.actions[0].id == action);
  CHECK(k.actions[0].title == "Request ID documents");
  CHECK(k.actions[0].due == "2026-12-01");
  CHECK(k.actions[0].status == "open");
  CHECK(k.actions[0].strand_id.empty());
  CHECK(k.actions[1].due.empty());
  CHECK(k.actions[1].id != action);
  const CaseAction* found = k.Action(action);
  REQUIRE(found != nullptr);
  CHECK(found->title == "Request ID documents");
  auto events = d.Events(CaseOf(kase));
  REQUIRE(events.size() == 3);
  CHECK(EventTypeName(events[1].type) == std::string("ActionCreated"));
  CHECK(events[1].item_id == action);
  CHECK(events[1].title == "Request ID documents");
  CHECK(events[1].date == "2026-12-01");
}

TEST_CASE("an action needs a title of at most 200 characters and a real due date",
          "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  CHECK(NamesField(Refused(d, "officer", CreateAction{kase, "", "", ""}, "validation"), "title"));
  CHECK(NamesField(
      Refused(d, "officer", CreateAction{kase, std::string(201, 't'), "", ""}, "validation"),
      "title"));
  CHECK(NamesField(
      Refused(d, "officer", CreateAction{kase, "title", "2026-02-29", ""}, "validation"), "due"));
  CHECK(NamesField(
      Refused(d, "officer", CreateAction{kase, "title", "next week", ""}, "validation"), "due"));
  CHECK(NamesField(Refused(d, "officer", CreateAction{"", "title", "", ""}, "validation"),
                   "case_id"));
  Refused(d, "officer", CreateAction{"nosuchcase", "title", "", ""}, "not-found");
  CHECK(d.Case(kase).actions.empty());
}

TEST_CASE("completing an action marks it completed", "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  const std::string first =
      Ok(d, "officer", CreateAction{kase, "first", "", ""}).response["action_id"];
  const std::string second =
      Ok(d, "officer", CreateAction{kase, "second", "", ""}).response["action_id"];
  CommandResult r = Ok(d, "supervisor", CompleteAction{kase, first});
  CHECK(r.versions == std::vector<StreamVersion>{{CaseOf(kase), 4}});
  CaseState k = d.Case(kase);
  CHECK(k.Action(first)->status == "completed");
  CHECK(k.Action(second)->status == "open");
  Event e = d.Events(CaseOf(kase)).back();
  CHECK(EventTypeName(e.type) == std::string("ActionCompleted"));
  CHECK(e.item_id == first);
}

TEST_CASE("a completed action cannot be completed again", "[domain][case]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  const std::string action =
      Ok(d, "officer", CreateAction{kase, "check ID", "", ""}).response["action_id"];
  Ok(d, "officer", CompleteAction{kase, action});
  CommandResult r = Refused(d, "officer", CompleteAction{kase, action}, "rule-violated");
  CHECK(r.rejection.rule == "action-not-open");
  CHECK(d.Case(kase).Action(action)->status == "completed");
}

TEST_CASE("only an action of the case can be completed", "[domain][case]") {
  DomainFixture d;
  auto [client, kase] = d.Register();
  const std::string other = Ok(d, "officer", OpenCase{client}).response["case_id"];
  const std::string action =
      Ok(d, "officer", CreateAction{kase, "check ID", "", ""}).response["action_id"];
  Refused(d, "officer", CompleteAction{kase, "nosuchaction"}, "not-found");
  // An action of another case
  Refused(d, "officer", CompleteAction{other, action}, "not-found");
  Refused(d, "officer", CompleteAction{"nosuchcase", action}, "not-found");
  CHECK(NamesField(Refused(d, "officer", CompleteAction{kase, ""}, "validation"), "action_id"));
  CHECK(NamesField(Refused(d, "officer", CompleteAction{kase, "x y"}, "validation"), "action_id"));
  CHECK(NamesField(Refused(d, "officer", CompleteAction{"", action}, "validation"), "case_id"));
  CHECK(d.Case(kase).Action(action)->status == "open");
}

// ---------------------------------------------------------------------------------------
// Every case command: permissions and If-Match

namespace {

// A case on which each command of `EveryCaseCommand` would be accepted as it stands.
struct Scene {
  Household h;
  std::string newcomer, second_case, action;
};
Scene SetScene(DomainFixture& d) {
  Scene s;
  s.h = WithPartner(d);
  s.newcomer = d.Register("Newcomer", "2001-01-01").first;
  s.second_case = Ok(d, "officer", OpenCase{s.h.primary}).response["case_id"];
  s.action = Ok(d, "officer", CreateAction{s.h.kase, "check ID", "", ""}).response["action_id"];
  return s;
}
std::vector<Command> EveryCaseCommand(const Scene& s) {
  const std::string& k = s.h.kase;
  return {
      AssignOfficer{k, "supervisor", "secondary"},
      UnassignOfficer{k, "officer", "primary"},
      AssignTeam{k, "allocations"},
      AddPerson{k, s.newcomer, "child", false, ""},
      PersonLeaves{k, s.h.partner, DomainFixture::kToday},
      SwitchPrimaryApplicant{k, s.h.partner},
      CloseCase{k, "housed"},
      ReopenCase{k, "back"},  // refused as open, if it got that far
      DeleteCase{k},
      AddNote{k, "a note", ""},
      CreateAction{k, "another", "", ""},
      CompleteAction{k, s.action},
  };
}

}  // namespace

TEST_CASE("the auditor can send no case command", "[domain][case]") {
  DomainFixture d;
  Scene s = SetScene(d);
  for (const Command& c : EveryCaseCommand(s)) {
    CommandResult r = Refused(d, "auditor", c, "forbidden");
    CHECK(r.rejection.rule == kCasework);
  }
  CHECK(d.EventTypes(CaseOf(s.h.kase)) == Strings{"CaseOpened", "PersonAdded", "ActionCreated"});
}

TEST_CASE("a stale If-Match refuses every case command", "[domain][case]") {
  DomainFixture d;
  Scene s = SetScene(d);
  const uint64_t current = d.Case(s.h.kase).version;
  REQUIRE(current == 3);
  for (uint64_t stale : {current - 1, current + 1, uint64_t{0}}) {
    CommandOptions o;
    o.expected_version = stale;
    for (const Command& c : EveryCaseCommand(s)) {
      INFO("If-Match " << stale);
      Refused(d, "supervisor", c, "version-mismatch", o);
    }
  }
  CHECK(d.Case(s.h.kase).version == current);
}

TEST_CASE("a case command with the case's current version as If-Match goes through",
          "[domain][case]") {
  DomainFixture d;
  Scene s = SetScene(d);
  CommandOptions o;
  o.expected_version = d.Case(s.h.kase).version;
  CommandResult r = Ok(d, "supervisor", AssignOfficer{s.h.kase, "supervisor", "secondary"}, o);
  CHECK(VersionOf(r, CaseOf(s.h.kase)) == *o.expected_version + 1);
  // The same If-Match is stale now
  Refused(d, "supervisor", AddNote{s.h.kase, "late", ""}, "version-mismatch", o);
  // A no-op with the current version is still a no-op
  o.expected_version = d.Case(s.h.kase).version;
  Unchanged(d, "supervisor", AssignTeam{s.h.kase, "housing-options"}, o);
  // DeleteCase's If-Match is the case's version, not the client's
  o.expected_version = d.Case(s.h.kase).version;
  Ok(d, "supervisor", DeleteCase{s.h.kase}, o);
  CHECK(d.Client(s.h.primary).cases == Strings{s.second_case});
}

// ---------------------------------------------------------------------------------------
// Case commands and the rule over all of a primary applicant's active cases (Huume: "Only
// one current Housing Register application allowed across all Active Cases with the same
// primary applicant")

namespace {

// How many of `cases` are active and hold a current strand of `type`.
int ActiveWithCurrent(DomainFixture& d, const Strings& cases, const std::string& type) {
  int n = 0;
  for (const auto& id : cases) {
    CaseState k = d.Case(id);
    if (!k.Active()) continue;
    for (const auto& st : k.strands) {
      if (st.type == type && st.Current()) {
        n++;
        break;
      }
    }
  }
  return n;
}

}  // namespace

// A closed case's current Housing Register does not count (the case is not active), so
// another case of the same primary applicant may get one; reopening the first case would
// then make two active cases of that applicant with a current Housing Register.
TEST_CASE("reopening a case cannot give its primary applicant a second current Housing Register",
          "[domain][case][strand]") {
  DomainFixture d;
  // Given a client whose first case has a current Housing Register and is closed
  auto [client, first] = d.Register();
  Ok(d, "officer", AddStrand{first, "housing_register"});
  Ok(d, "officer", CloseCase{first, "housed"});
  // And whose second case then got a Housing Register of its own
  const std::string second = Ok(d, "officer", OpenCase{client}).response["case_id"];
  Ok(d, "officer", AddStrand{second, "housing_register"});
  REQUIRE(ActiveWithCurrent(d, {first, second}, "housing_register") == 1);
  // When the first case is reopened
  const auto before = d.Head();
  CommandResult r = d.Run("officer", ReopenCase{first, "re-approached"});
  INFO(Kind(r) << " " << r.rejection.rule);
  // Then the applicant still has at most one current Housing Register on active cases
  CHECK(ActiveWithCurrent(d, {first, second}, "housing_register") <= 1);
  if (r.rejected) {
    CHECK(Kind(r) == "rule-violated");
    CHECK(d.Head() == before);
  }
}

// A person with a current Housing Register on their own case who became primary applicant
// of another case that has one too would have two current Housing Registers.
TEST_CASE("switching the primary applicant cannot give them a second current Housing Register",
          "[domain][case][strand]") {
  DomainFixture d;
  // Given A with a current Housing Register on case X
  auto [a, x] = d.Register("Alpha", "1980-01-01");
  Ok(d, "officer", AddStrand{x, "housing_register"});
  // And B with a current Housing Register on case Y, A being on Y too
  auto [b, y] = d.Register("Bravo", "1981-01-01");
  Ok(d, "officer", AddStrand{y, "housing_register"});
  Ok(d, "officer", AddPerson{y, a, "partner", true, ""});
  // When A becomes Y's primary applicant
  const auto before = d.Head();
  CommandResult r = d.Run("officer", SwitchPrimaryApplicant{y, a});
  INFO(Kind(r) << " " << r.rejection.rule);
  // Then A still has at most one current Housing Register across their active cases
  Strings of_a;
  for (const auto& id : {x, y}) {
    if (d.Case(id).primary_applicant == a) of_a.push_back(id);
  }
  CHECK(ActiveWithCurrent(d, of_a, "housing_register") <= 1);
  if (r.rejected) {
    CHECK(Kind(r) == "rule-violated");
    CHECK(d.Head() == before);
  }
}

// ---------------------------------------------------------------------------------------
// Concurrency: rules decided on the log's single writer thread

TEST_CASE(
    "racing deletions of a client's two cases: exactly one wins and the client keeps one case",
    "[domain][case][concurrency]") {
  for (int round = 0; round < 10; ++round) {
    DomainFixture d;
    // Given a client with exactly two cases
    auto [client, first] = d.Register();
    const std::string second = Ok(d, "officer", OpenCase{client}).response["case_id"];
    const auto before = d.Head();
    // When 16 threads delete them both as the supervisor
    const Actor supervisor = d.config.users.at("supervisor");
    const int kThreads = 16;
    std::vector<CommandResult> results(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        results[t] = d.handler->Execute(supervisor, DeleteCase{t % 2 == 0 ? first : second});
      });
    }
    for (auto& t : threads) t.join();
    // Then exactly one deletion won; the others were refused by the rule or found nothing
    INFO("round " << round);
    int won = 0, last_case = 0, not_found = 0, other = 0;
    std::string deleted;
    for (int t = 0; t < kThreads; ++t) {
      const std::string kind = Kind(results[t]);
      if (kind == "ok") {
        won++;
        deleted = t % 2 == 0 ? first : second;
      } else if (kind == "rule-violated" && results[t].rejection.rule == "last-case-stays") {
        last_case++;
      } else if (kind == "not-found") {
        not_found++;
      } else {
        other++;
      }
    }
    CHECK(won == 1);
    CHECK(other == 0);
    CHECK(won + last_case + not_found == kThreads);
    // And the client has exactly one case, the one not deleted
    ClientState c = d.Client(client);
    REQUIRE(c.cases.size() == 1);
    CHECK(c.cases[0] != deleted);
    CHECK(d.Case(c.cases[0]).deleted == false);
    CHECK(d.Case(deleted).deleted);
    // And one deletion's two events were appended, nothing else
    CHECK(d.Head() == before + 2);
  }
}

TEST_CASE("racing additions of the same person to a case: exactly one wins",
          "[domain][case][concurrency]") {
  for (int round = 0; round < 10; ++round) {
    DomainFixture d;
    auto [primary, kase] = d.Register("Primary", "1980-01-01");
    const std::string partner = d.Register("Partner", "1982-02-02").first;
    const auto before = d.Head();
    const Actor officer = d.config.users.at("officer");
    const int kThreads = 16;
    std::vector<CommandResult> results(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        results[t] =
            d.handler->Execute(officer, AddPerson{kase, partner, "partner", t % 2 == 0, ""});
      });
    }
    for (auto& t : threads) t.join();
    INFO("round " << round);
    int won = 0, refused = 0;
    for (const auto& r : results) {
      if (Kind(r) == "ok") won++;
      if (Kind(r) == "rule-violated" && r.rejection.rule == "person-already-on-case") refused++;
    }
    CHECK(won == 1);
    CHECK(refused == kThreads - 1);
    CaseState k = d.Case(kase);
    CHECK(k.people.size() == 2);
    CHECK(d.EventTypes(CaseOf(kase)) == Strings{"CaseOpened", "PersonAdded"});
    CHECK(d.Head() == before + 1);
  }
}

TEST_CASE("racing assignments of the same officer role: one is appended, the rest change nothing",
          "[domain][case][concurrency]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  const Actor officer = d.config.users.at("officer");
  const int kThreads = 16;
  std::vector<CommandResult> results(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      results[t] = d.handler->Execute(officer, AssignOfficer{kase, "supervisor", "supervisor"});
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0, unchanged = 0;
  for (const auto& r : results) {
    if (Kind(r) == "ok") ok++;
    if (Kind(r) == "unchanged") unchanged++;
  }
  CHECK(ok == 1);
  CHECK(unchanged == kThreads - 1);
  CHECK(d.Case(kase).officers ==
        std::vector<CaseOfficer>{{"officer", "primary"}, {"supervisor", "supervisor"}});
}
