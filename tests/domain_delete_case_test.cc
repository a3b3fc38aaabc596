// Given/When/Then tests of DeleteCase (HPA2's case deletion): the delete_cases permission,
// a client's last case, the client's cases afterwards, unknown ids, and no command reaching
// a deleted case.
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
using caseengine::testing::domain_case::VersionOf;

}  // namespace

TEST_CASE("deleting a case needs the delete_cases permission", "[domain][case]") {
  // Given a client with two cases
  DomainFixture d;
  auto [client, first] = d.Register();
  const std::string second = Ok(d, "officer", OpenCase{client}).response["case_id"];
  // When the officer, who has casework but not delete_cases, deletes one
  // Then it is refused naming the permission, and nothing changes
  CommandResult r = Refused(d, "officer", DeleteCase{second}, "forbidden");
  CHECK(r.rejection.rule == kDeleteCases);
  CHECK(d.Client(client).cases == Strings{first, second});
  CHECK_FALSE(d.Case(second).deleted);
  // And the permission is checked before the case is looked up
  Refused(d, "officer", DeleteCase{"nosuchcase"}, "forbidden");
  // And the administrator's `administer` includes it
  Ok(d, "admin", DeleteCase{second});
  CHECK(d.Client(client).cases == Strings{first});
}

TEST_CASE("a client's last case cannot be deleted", "[domain][case]") {
  // Given a client with one case
  DomainFixture d;
  auto [client, kase] = d.Register();
  // When the supervisor deletes it
  // Then last-case-stays refuses it
  CommandResult r = Refused(d, "supervisor", DeleteCase{kase}, "rule-violated");
  CHECK(r.rejection.rule == "last-case-stays");
  CHECK_FALSE(d.Case(kase).deleted);
  CHECK(d.Client(client).cases == Strings{kase});
  // And nor can the remaining one be deleted after another was
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
  // Given a registered client
  DomainFixture d;
  d.Register();
  // When an unknown case, or a malformed case id, is deleted
  // Then it is not found, or refused naming case_id
  Refused(d, "supervisor", DeleteCase{"nosuchcase"}, "not-found");
  CHECK(NamesField(Refused(d, "supervisor", DeleteCase{""}, "validation"), "case_id"));
  CHECK(NamesField(Refused(d, "supervisor", DeleteCase{"../etc"}, "validation"), "case_id"));
}

TEST_CASE("no command reaches a deleted case", "[domain][case]") {
  // Given a deleted case with an action, of a client with another case
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
  // When every case command is sent to it
  // Then each is not found
  for (const Command& c : commands) Refused(d, "supervisor", c, "not-found");
}
