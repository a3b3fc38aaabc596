// Given/When/Then tests of AddPerson (Huume "7. Cases"): the date joined, registered
// clients only, no second current stay, the relationship, and a new stay after leaving.
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
using caseengine::testing::domain_case::Household;
using caseengine::testing::domain_case::Ok;
using caseengine::testing::domain_case::Refused;
using caseengine::testing::domain_case::Strings;
using caseengine::testing::domain_case::VersionOf;
using caseengine::testing::domain_case::WithPartner;

}  // namespace

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
  // Given a case and another registered client
  DomainFixture d;
  auto [primary, kase] = d.Register();
  const std::string other = d.Register("Other", "1999-09-09").first;
  // When an unknown client is added, or to an unknown case
  // Then each is not found
  Refused(d, "officer", AddPerson{kase, "nosuchclient", "partner", false, ""}, "not-found");
  Refused(d, "officer", AddPerson{"nosuchcase", other, "partner", false, ""}, "not-found");
  // And a case id is not a client id
  Refused(d, "officer", AddPerson{kase, kase, "partner", false, ""}, "not-found");
  CHECK(d.Case(kase).people.size() == 1);
}

TEST_CASE("a person already on the case cannot be added again", "[domain][case]") {
  // Given a case with its primary applicant and a partner
  DomainFixture d;
  Household h = WithPartner(d);
  // When the partner or the primary applicant is added again
  // Then person-already-on-case refuses each
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
  // Given a case and another registered client
  DomainFixture d;
  auto [primary, kase] = d.Register();
  const std::string other = d.Register("Other", "1999-09-09").first;
  // When the client is added with no, a blank, 'self' or a too long relationship
  // Then each is refused naming relationship
  CHECK(NamesField(Refused(d, "officer", AddPerson{kase, other, "", false, ""}, "validation"),
                   "relationship"));
  CHECK(NamesField(Refused(d, "officer", AddPerson{kase, other, "   ", false, ""}, "validation"),
                   "relationship"));
  CHECK(NamesField(Refused(d, "officer", AddPerson{kase, other, "self", false, ""}, "validation"),
                   "relationship"));
  CHECK(NamesField(
      Refused(d, "officer", AddPerson{kase, other, std::string(51, 'x'), false, ""}, "validation"),
      "relationship"));
  // And dates joined that are not real dates are refused naming date_joined
  for (const char* bad : {"2026-02-30", "yesterday", "22/11/2026", "2026-13-01", "1700-01-01"}) {
    INFO(bad);
    // And malformed client and case ids are named
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
