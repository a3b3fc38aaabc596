// Given/When/Then tests of CreateAction and CompleteAction (Huume "7. Cases"): title and
// due date, completion, and actions of other cases.
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

}  // namespace

TEST_CASE("an action is created open, with its title and due date", "[domain][case]") {
  // Given a case
  DomainFixture d;
  const std::string kase = d.Register().second;
  // When actions are created, with and without a due date
  CommandResult r = Ok(d, "officer", CreateAction{kase, "Request ID documents", "2026-12-01", ""});
  // Then each is open with its own id, title and due date, and ActionCreated records them
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
  // Given a case
  DomainFixture d;
  const std::string kase = d.Register().second;
  // When an action has no or a too long title, a due date that is not real, or no case
  // Then each is refused naming the field, or not found
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
  // Given a case with two open actions
  DomainFixture d;
  const std::string kase = d.Register().second;
  const std::string first =
      Ok(d, "officer", CreateAction{kase, "first", "", ""}).response["action_id"];
  const std::string second =
      Ok(d, "officer", CreateAction{kase, "second", "", ""}).response["action_id"];
  // When one is completed
  // Then it is completed, the other open, and ActionCompleted is appended
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
  // Given a completed action
  DomainFixture d;
  const std::string kase = d.Register().second;
  const std::string action =
      Ok(d, "officer", CreateAction{kase, "check ID", "", ""}).response["action_id"];
  Ok(d, "officer", CompleteAction{kase, action});
  // When it is completed again
  // Then action-not-open refuses it
  CommandResult r = Refused(d, "officer", CompleteAction{kase, action}, "rule-violated");
  CHECK(r.rejection.rule == "action-not-open");
  CHECK(d.Case(kase).Action(action)->status == "completed");
}

TEST_CASE("only an action of the case can be completed", "[domain][case]") {
  // Given a client with two cases, and an action on the first
  DomainFixture d;
  auto [client, kase] = d.Register();
  const std::string other = Ok(d, "officer", OpenCase{client}).response["case_id"];
  const std::string action =
      Ok(d, "officer", CreateAction{kase, "check ID", "", ""}).response["action_id"];
  // When an unknown action, an action of another case, or one on an unknown case is completed
  // Then each is not found, and malformed ids are named
  Refused(d, "officer", CompleteAction{kase, "nosuchaction"}, "not-found");
  // An action of another case
  Refused(d, "officer", CompleteAction{other, action}, "not-found");
  Refused(d, "officer", CompleteAction{"nosuchcase", action}, "not-found");
  CHECK(NamesField(Refused(d, "officer", CompleteAction{kase, ""}, "validation"), "action_id"));
  CHECK(NamesField(Refused(d, "officer", CompleteAction{kase, "x y"}, "validation"), "action_id"));
  CHECK(NamesField(Refused(d, "officer", CompleteAction{"", action}, "validation"), "case_id"));
  CHECK(d.Case(kase).Action(action)->status == "open");
}
