// Given/When/Then tests of PersonLeaves (Huume "7. Cases"): people get a date left and stay
// on the case, the primary applicant cannot leave, and the dates must be real and in order.
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
using caseengine::testing::domain_case::WithPartner;

}  // namespace

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
  // Given a child who joined a case on 2026-03-10
  DomainFixture d;
  auto [primary, kase] = d.Register();
  const std::string child = d.Register("Child", "2015-06-07").first;
  Ok(d, "officer", AddPerson{kase, child, "child", false, "2026-03-10"});
  // When the child leaves the day before
  // Then it is refused naming date_left
  CHECK(NamesField(Refused(d, "officer", PersonLeaves{kase, child, "2026-03-09"}, "validation"),
                   "date_left"));
  CHECK(d.Case(kase).Person(child)->date_left.empty());
  // And leaving on the day of joining is fine
  Ok(d, "officer", PersonLeaves{kase, child, "2026-03-10"});
  CHECK(d.Case(kase).Person(child)->date_left == "2026-03-10");
}

TEST_CASE("only a person on the case can leave it, on a real date", "[domain][case]") {
  // Given a case with a partner, and a client who is not on it
  DomainFixture d;
  Household h = WithPartner(d);
  const std::string stranger = d.Register("Stranger", "1970-07-07").first;
  // When someone not on the case, an unknown client or a person on an unknown case leaves
  // Then each is not found
  Refused(d, "officer", PersonLeaves{h.kase, stranger, DomainFixture::kToday}, "not-found");
  Refused(d, "officer", PersonLeaves{h.kase, "nosuchclient", DomainFixture::kToday}, "not-found");
  Refused(d, "officer", PersonLeaves{"nosuchcase", h.partner, DomainFixture::kToday}, "not-found");
  // And a missing or unreal date left, and missing ids, are named
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
  // And a person who has left cannot leave again
  Ok(d, "officer", PersonLeaves{h.kase, h.partner, DomainFixture::kToday});
  Refused(d, "officer", PersonLeaves{h.kase, h.partner, "2026-12-24"}, "not-found");
  CHECK(d.Case(h.kase).Person(h.partner)->date_left == DomainFixture::kToday);
}
