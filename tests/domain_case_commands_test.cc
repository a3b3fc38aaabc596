// Given/When/Then tests that hold for every case command: the auditor can send none, a
// stale If-Match refuses each, and the case's current version lets each through.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/domain_case_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::domain_case::CaseOf;
using caseengine::testing::domain_case::Household;
using caseengine::testing::domain_case::Ok;
using caseengine::testing::domain_case::Refused;
using caseengine::testing::domain_case::Strings;
using caseengine::testing::domain_case::Unchanged;
using caseengine::testing::domain_case::VersionOf;
using caseengine::testing::domain_case::WithPartner;

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
  // Given a case with a partner and an action
  DomainFixture d;
  Scene s = SetScene(d);
  // When the auditor sends every case command
  // Then each is refused naming casework, and nothing is appended
  for (const Command& c : EveryCaseCommand(s)) {
    CommandResult r = Refused(d, "auditor", c, "forbidden");
    CHECK(r.rejection.rule == kCasework);
  }
  CHECK(d.EventTypes(CaseOf(s.h.kase)) == Strings{"CaseOpened", "PersonAdded", "ActionCreated"});
}

TEST_CASE("a stale If-Match refuses every case command", "[domain][case]") {
  // Given a case at version 3
  DomainFixture d;
  Scene s = SetScene(d);
  const uint64_t current = d.Case(s.h.kase).version;
  REQUIRE(current == 3);
  // When every case command names an older, a newer or no version as If-Match
  // Then each is refused as a version mismatch, and the version stays
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
  // Given a case
  DomainFixture d;
  Scene s = SetScene(d);
  CommandOptions o;
  o.expected_version = d.Case(s.h.kase).version;
  // When a command names its current version as If-Match
  // Then it goes through and the version moves on
  CommandResult r = Ok(d, "supervisor", AssignOfficer{s.h.kase, "supervisor", "secondary"}, o);
  CHECK(VersionOf(r, CaseOf(s.h.kase)) == *o.expected_version + 1);
  // And the same If-Match is stale now
  Refused(d, "supervisor", AddNote{s.h.kase, "late", ""}, "version-mismatch", o);
  // And a no-op with the current version is still a no-op
  o.expected_version = d.Case(s.h.kase).version;
  Unchanged(d, "supervisor", AssignTeam{s.h.kase, "housing-options"}, o);
  // And DeleteCase's If-Match is the case's version, not the client's
  o.expected_version = d.Case(s.h.kase).version;
  Ok(d, "supervisor", DeleteCase{s.h.kase}, o);
  CHECK(d.Client(s.h.primary).cases == Strings{s.second_case});
}
