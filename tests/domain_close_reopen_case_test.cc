// Given/When/Then tests of CloseCase and ReopenCase (Huume "7. Cases"): the reason, closing
// a closed case and reopening an open one.
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

}  // namespace

TEST_CASE("a case is closed with a reason", "[domain][case]") {
  // Given an open case
  DomainFixture d;
  const std::string kase = d.Register().second;
  // When it is closed with a reason in spaces
  // Then it is closed, CaseClosed recording the reason trimmed
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
  // Given a closed case
  DomainFixture d;
  const std::string kase = d.Register().second;
  Ok(d, "officer", CloseCase{kase, "housed"});
  // When it is closed again
  // Then case-already-closed refuses it and the reason stays
  CHECK(Refused(d, "officer", CloseCase{kase, "housed again"}, "rule-violated").rejection.rule ==
        "case-already-closed");
  CHECK(d.Case(kase).close_reason == "housed");
}

TEST_CASE("a closed case can be reopened with a reason", "[domain][case]") {
  // Given a closed case
  DomainFixture d;
  const std::string kase = d.Register().second;
  Ok(d, "officer", CloseCase{kase, "housed"});
  // When it is reopened with a reason
  // Then it is open, its close reason gone, and CaseReopened records the reason
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
  // Given an open case
  // When it is reopened
  // Then case-already-open refuses it
  DomainFixture d;
  const std::string kase = d.Register().second;
  CHECK(Refused(d, "officer", ReopenCase{kase, "why not"}, "rule-violated").rejection.rule ==
        "case-already-open");
  CHECK(d.Case(kase).status == "open");
}

TEST_CASE("closing and reopening need a reason of at most 500 characters, on a known case",
          "[domain][case]") {
  // Given an open case
  DomainFixture d;
  const std::string kase = d.Register().second;
  // When it is closed or reopened with no, a blank or a too long reason, or on a missing or unknown
  // case Then each is refused naming the field, or not found; 500 characters are fine
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
