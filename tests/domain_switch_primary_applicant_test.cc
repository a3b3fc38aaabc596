// Given/When/Then tests of SwitchPrimaryApplicant (Huume "7. Cases"): the old primary
// applicant becomes an ordinary member, no-ops, and only a current member can be switched in.
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
using caseengine::testing::domain_case::WithPartner;

}  // namespace

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
  // Given a case with its primary applicant and a partner
  // When the primary applicant is switched in again
  // Then nothing changes and nothing is appended
  DomainFixture d;
  Household h = WithPartner(d);
  Unchanged(d, "officer", SwitchPrimaryApplicant{h.kase, h.primary});
  CHECK(d.Case(h.kase).primary_applicant == h.primary);
  CHECK(d.EventTypes(CaseOf(h.kase)) == Strings{"CaseOpened", "PersonAdded"});
}

TEST_CASE("only a current member of the case can become its primary applicant", "[domain][case]") {
  // Given a case with a partner, and a client who is not on it
  DomainFixture d;
  Household h = WithPartner(d);
  const std::string stranger = d.Register("Stranger", "1970-07-07").first;
  // When a registered client who is not on the case is switched in
  // Then primary-applicant-on-case refuses it
  CHECK(Refused(d, "officer", SwitchPrimaryApplicant{h.kase, stranger}, "rule-violated")
            .rejection.rule == "primary-applicant-on-case");
  // And so it does for a person who has left
  Ok(d, "officer", PersonLeaves{h.kase, h.partner, DomainFixture::kToday});
  CHECK(Refused(d, "officer", SwitchPrimaryApplicant{h.kase, h.partner}, "rule-violated")
            .rejection.rule == "primary-applicant-on-case");
  // And an unknown case is not found, malformed ids are named, and the primary applicant stays
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
  // Given a case with a partner
  // When an unknown client id is switched in
  // Then it is not found and the primary applicant stays
  DomainFixture d;
  Household h = WithPartner(d);
  CommandResult r =
      Refused(d, "officer", SwitchPrimaryApplicant{h.kase, "nosuchclient"}, "not-found");
  INFO("rule: " << r.rejection.rule);
  CHECK(d.Case(h.kase).primary_applicant == h.primary);
}
