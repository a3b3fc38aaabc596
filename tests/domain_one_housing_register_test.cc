// Given/When/Then tests of case commands and the rule over all of a primary applicant's
// active cases (Huume: "Only one current Housing Register application allowed across all
// Active Cases with the same primary applicant"): reopening a case and switching the primary
// applicant cannot give them a second one.
#include <catch2/catch.hpp>
#include <string>

#include "tests/domain_case_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::domain_case::Ok;
using caseengine::testing::domain_case::Strings;

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
