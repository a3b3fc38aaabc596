// Given/When/Then tests of AssignTeam (Huume "7. Cases"): the responsible team must be a
// configured team that allows case assignment, and assigning the current team changes
// nothing.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/domain_case_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::domain_case::CaseOf;
using caseengine::testing::domain_case::Ok;
using caseengine::testing::domain_case::Refused;
using caseengine::testing::domain_case::Strings;
using caseengine::testing::domain_case::Unchanged;

}  // namespace

TEST_CASE("a case's responsible team can be changed to another team that allows case assignment",
          "[domain][case]") {
  // Given a case of housing-options
  DomainFixture d;
  const std::string kase = d.Register().second;
  // When its team is changed to allocations
  // Then TeamAssigned is appended and the case is allocations'
  CommandResult r = Ok(d, "officer", AssignTeam{kase, "allocations"});
  CHECK(d.Case(kase).team_id == "allocations");
  Event e = d.Events(CaseOf(kase)).back();
  CHECK(EventTypeName(e.type) == std::string("TeamAssigned"));
  CHECK(e.team_id == "allocations");
  CHECK(r.versions == std::vector<StreamVersion>{{CaseOf(kase), 2}});
  // And it can be changed back again
  Ok(d, "officer", AssignTeam{kase, "housing-options"});
  CHECK(d.Case(kase).team_id == "housing-options");
}

TEST_CASE("a case's responsible team must be one that allows case assignment", "[domain][case]") {
  // Given a case
  // When the administrator gives it a team that takes no cases
  // Then team-does-not-take-cases refuses it and the team stays
  DomainFixture d;
  const std::string kase = d.Register().second;
  CommandResult r = Refused(d, "admin", AssignTeam{kase, "admin-team"}, "rule-violated");
  CHECK(r.rejection.rule == "team-does-not-take-cases");
  CHECK(d.Case(kase).team_id == "housing-options");
}

TEST_CASE("a case's responsible team must be a configured team", "[domain][case]") {
  // Given a case
  DomainFixture d;
  const std::string kase = d.Register().second;
  // When it is given an unknown or blank team, or the case id is missing or unknown
  // Then each is refused, and the team stays
  CHECK(
      NamesField(Refused(d, "officer", AssignTeam{kase, "no-such-team"}, "validation"), "team_id"));
  CHECK(NamesField(Refused(d, "officer", AssignTeam{kase, "  "}, "validation"), "team_id"));
  CHECK(NamesField(Refused(d, "officer", AssignTeam{"", "allocations"}, "validation"), "case_id"));
  Refused(d, "officer", AssignTeam{"nosuchcase", "allocations"}, "not-found");
  CHECK(d.Case(kase).team_id == "housing-options");
}

TEST_CASE("assigning the team the case already has changes nothing", "[domain][case]") {
  // Given a case of housing-options
  // When it is given housing-options again
  // Then nothing changes and nothing is appended
  DomainFixture d;
  const std::string kase = d.Register().second;
  Unchanged(d, "officer", AssignTeam{kase, "housing-options"});
  CHECK(d.EventTypes(CaseOf(kase)) == Strings{"CaseOpened"});
}
