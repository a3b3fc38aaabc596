// Given/When/Then tests of workflows loading tasks (HPA2: "the default workflows for your
// site will automatically load against the client"): on every path that opens a case, and
// when a strand is added; a settings change reaches only what is created after it.
#include <catch2/catch.hpp>
#include <string>

#include "tests/domain_case_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;
using caseengine::testing::domain_case::CaseOf;
using caseengine::testing::domain_case::Ok;

namespace {

// The demo's settings imported: every new case gets first_contact, provide_id and
// income_expenditure; a homeless application seven tasks; a housing register three.
void Imported(DomainFixture& d) {
  REQUIRE(ImportSettingsFromConfig(d.handler.get(), d.config).ok());
}

std::vector<std::string> TypesOf(const CaseState& s) {
  std::vector<std::string> types;
  for (const auto& t : s.tasks) types.push_back(t.type_id);
  return types;
}

const std::vector<std::string> kNewCase = {"first_contact", "provide_id", "income_expenditure"};

}  // namespace

TEST_CASE(
    "registering a client loads the default workflows onto its first case, in the same "
    "append",
    "[domain][tasks][workflows]") {
  // Given the demo settings
  DomainFixture d;
  Imported(d);
  const uint64_t before = d.Head();
  // When a client is registered
  const auto [client, kase] = d.Register();
  // Then its case carries the new-case workflow's tasks, written with it
  const CaseState s = d.Case(kase);
  CHECK(TypesOf(s) == kNewCase);
  CHECK(d.EventTypes(CaseOf(kase)) ==
        std::vector<std::string>{"CaseOpened", "TaskCreated", "TaskCreated", "TaskCreated"});
  CHECK(d.Head() == before + 5);  // ClientRegistered, CaseOpened and three tasks, one append
  // And a user task goes to the primary officer, a client task to the client, due dates
  // counted from today by the task type
  CHECK(s.tasks[0].assignee == TaskAssignee{AssigneeKind::kUser, "officer"});
  CHECK(s.tasks[0].due == "2026-11-23");
  CHECK(s.tasks[1].assignee == TaskAssignee{AssigneeKind::kClient, client});
  CHECK(s.tasks[1].client_task);
  CHECK(s.tasks[1].due == "2026-11-29");
  CHECK(s.tasks[1].workflow == "new_case");
  CHECK(s.tasks[0].status == TaskStatus::kOpen);
}

TEST_CASE("every path that opens a case loads the default workflows",
          "[domain][tasks][workflows]") {
  DomainFixture d;
  Imported(d);
  const auto [client, first] = d.Register();
  // Another case for the client
  const std::string second = Ok(d, "officer", OpenCase{client}).response["case_id"];
  CHECK(TypesOf(d.Case(second)) == kNewCase);
  // A Lobby record made into a new client
  ReceiveReferral referral;
  referral.source = "self";
  referral.personal.surname = "Referred";
  const std::string lobby = Ok(d, "officer", referral).response["lobby_id"];
  Ok(d, "officer", ClaimLobbyRecord{lobby});
  const std::string created = Ok(d, "officer", CreateClientFromLobby{lobby}).response["case_id"];
  CHECK(TypesOf(d.Case(created)) == kNewCase);
  // A Lobby record assigned to a client with no open case
  const auto [other, other_case] = d.Register("Other");
  Ok(d, "admin", CloseCase{other_case, "done"});
  const std::string lobby2 = Ok(d, "officer", referral).response["lobby_id"];
  Ok(d, "officer", ClaimLobbyRecord{lobby2});
  const std::string assigned =
      Ok(d, "officer", AssignLobbyRecord{lobby2, other}).response["case_id"];
  CHECK(TypesOf(d.Case(assigned)) == kNewCase);
}

TEST_CASE("a case the Lobby closes at once loads no workflow", "[domain][tasks][workflows]") {
  // Given a client with an open case (the Lobby's assignment then closes the new one)
  DomainFixture d;
  Imported(d);
  const auto [client, kase] = d.Register();
  ReceiveReferral referral;
  referral.source = "self";
  referral.personal.surname = "Referred";
  const std::string lobby = Ok(d, "officer", referral).response["lobby_id"];
  Ok(d, "officer", ClaimLobbyRecord{lobby});
  const CommandResult r = Ok(d, "officer", AssignLobbyRecord{lobby, client});
  REQUIRE(r.response["case_closed_automatically"] == true);
  // Then the closed case has nothing to do
  CHECK(d.Case(r.response["case_id"]).tasks.empty());
}

TEST_CASE("adding a strand loads its workflow, its tasks belonging to the strand",
          "[domain][tasks][workflows]") {
  DomainFixture d;
  Imported(d);
  const std::string kase = d.Register().second;
  // When a homeless application is added
  const std::string strand =
      Ok(d, "officer", AddStrand{kase, "homeless_application"}).response["strand_id"];
  // Then its seven tasks, in the workflow's order, belong to it
  CaseState s = d.Case(kase);
  std::vector<std::string> on_strand;
  for (const auto& t : s.tasks) {
    if (t.strand_id == strand) on_strand.push_back(t.type_id);
  }
  CHECK(on_strand == std::vector<std::string>{"initial_interview", "verify_identity",
                                              "housing_history", "support_needs", "draft_php",
                                              "agree_php", "review_php"});
  // When a housing register application is added (which brings a bedroom assessment)
  const CommandResult r = Ok(d, "officer", AddStrand{kase, "housing_register"});
  s = d.Case(kase);
  int register_tasks = 0;
  for (const auto& t : s.tasks) {
    if (t.strand_id == r.response["strand_id"]) ++register_tasks;
  }
  CHECK(register_tasks == 3);
}

TEST_CASE("a settings change applies to cases opened after it, not to tasks already created",
          "[domain][tasks][workflows]") {
  DomainFixture d;
  Imported(d);
  const std::string before = d.Register().second;
  // When first_contact's due days and name change and a new workflow step is retired
  DefineTaskType changed;
  changed.type = d.config.task_types[0];
  REQUIRE(changed.type.id == "first_contact");
  changed.type.name = "Phone the client";
  changed.type.due_days = 5;
  changed.provider_access = "none";
  Ok(d, "admin", changed);
  const std::string after = d.Register("Later").second;
  // Then the earlier case's task keeps what it was created with
  CHECK(d.Case(before).tasks[0].name == "Make first contact");
  CHECK(d.Case(before).tasks[0].due == "2026-11-23");
  // And the later case's task has the new values
  CHECK(d.Case(after).tasks[0].name == "Phone the client");
  CHECK(d.Case(after).tasks[0].due == "2026-11-27");
  // When the workflow is retired, Then new cases load nothing from it
  Ok(d, "admin", RetireWorkflow{"new_case"});
  CHECK(d.Case(d.Register("Latest").second).tasks.empty());
  CHECK(d.Case(before).tasks.size() == 3);
}
