// Given/When/Then tests of the task commands (AddTask, AssignTask, StartTask, CompleteTask,
// ReopenTask, CancelTask, ChangeTaskDue), and of what happens to open tasks when their
// case closes, their strand closes or moves, and their case is deleted.
#include <catch2/catch.hpp>
#include <string>

#include "tests/domain_case_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;
using caseengine::testing::domain_case::CaseOf;
using caseengine::testing::domain_case::Ok;
using caseengine::testing::domain_case::Refused;
using caseengine::testing::domain_case::Unchanged;

namespace {

AddTask Titled(const std::string& kase, const std::string& title) {
  AddTask c;
  c.case_id = kase;
  c.title = title;
  return c;
}

std::string Added(DomainFixture& d, AddTask c, const std::string& user = "officer") {
  return Ok(d, user, std::move(c)).response["task_id"];
}

const CaseTask& TaskOf(const CaseState& s, const std::string& id) {
  const CaseTask* t = s.Task(id);
  REQUIRE(t != nullptr);
  return *t;
}

}  // namespace

TEST_CASE("an ad hoc task is added open, to its adder by default, its title sealed",
          "[domain][tasks]") {
  DomainFixture d;
  const auto [client, kase] = d.Register();
  AddTask c = Titled(kase, "Ring the landlord about arrears");
  c.due = "2026-11-30";
  const std::string id = Added(d, c);
  const CaseTask& t = TaskOf(d.Case(kase), id);
  CHECK(t.name == "Ring the landlord about arrears");
  CHECK(t.due == "2026-11-30");
  CHECK(t.assignee == TaskAssignee{AssigneeKind::kUser, "officer"});
  CHECK(t.status == TaskStatus::kOpen);
  CHECK(t.access == ProviderAccess::kNone);
  // What a person typed is sealed with the case's key (erasure reaches it)
  const Event created = d.Events(CaseOf(kase)).back();
  CHECK(created.subject == CaseOf(kase));
}

TEST_CASE("a task of a task type takes its name, due date, client task and provider access",
          "[domain][tasks]") {
  DomainFixture d;
  REQUIRE(ImportSettingsFromConfig(d.handler.get(), d.config).ok());
  const auto [client, kase] = d.Register();
  AddTask c;
  c.case_id = kase;
  c.task_type = "answer_questions";
  const CaseTask& t = TaskOf(d.Case(kase), Added(d, c));
  CHECK(t.name == "Answer questions");
  CHECK(t.due == "2026-11-29");
  CHECK(t.client_task);
  CHECK(t.assignee == TaskAssignee{AssigneeKind::kClient, client});
  CHECK(t.access == ProviderAccess::kFull);
  // A task type of another strand type does not go on this strand
  const std::string strand =
      Ok(d, "officer", AddStrand{kase, "housing_register"}).response["strand_id"];
  AddTask wrong;
  wrong.case_id = kase;
  wrong.task_type = "initial_interview";
  wrong.strand_id = strand;
  CHECK(NamesField(Refused(d, "officer", wrong, "validation"), "task_type"));
}

TEST_CASE("a task's bad fields are refused naming them, and nothing is written",
          "[domain][tasks]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  CHECK(NamesField(Refused(d, "officer", Titled(kase, ""), "validation"), "title"));
  CHECK(NamesField(Refused(d, "officer", Titled(kase, std::string(201, 'x')), "validation"),
                   "title"));
  AddTask bad_due = Titled(kase, "x");
  bad_due.due = "2026-02-30";
  CHECK(NamesField(Refused(d, "officer", bad_due, "validation"), "due"));
  AddTask bad_assignee = Titled(kase, "x");
  bad_assignee.assignee = "team:";
  CHECK(NamesField(Refused(d, "officer", bad_assignee, "validation"), "assignee"));
  bad_assignee.assignee = "nobody";
  CHECK(NamesField(Refused(d, "officer", bad_assignee, "validation"), "assignee"));
  AddTask bad_type = Titled(kase, "x");
  bad_type.task_type = "nosuch";
  CHECK(NamesField(Refused(d, "officer", bad_type, "validation"), "task_type"));
  AddTask bad_access = Titled(kase, "x");
  bad_access.provider_access = "some";
  CHECK(NamesField(Refused(d, "officer", bad_access, "validation"), "provider_access"));
  AddTask bad_strand = Titled(kase, "x");
  bad_strand.strand_id = "nosuch";
  Refused(d, "officer", bad_strand, "not-found");
  Refused(d, "officer", Titled("nosuch", "x"), "not-found");
  Refused(d, "auditor", Titled(kase, "x"), "forbidden");
  CHECK(d.Case(kase).tasks.empty());
}

TEST_CASE("a task is assigned to a user, a team or the client", "[domain][tasks]") {
  DomainFixture d;
  const auto [client, kase] = d.Register();
  const std::string id = Added(d, Titled(kase, "x"));
  Ok(d, "officer", AssignTask{kase, id, "team:allocations"});
  CHECK(TaskOf(d.Case(kase), id).assignee == TaskAssignee{AssigneeKind::kTeam, "allocations"});
  Ok(d, "officer", AssignTask{kase, id, "client"});
  CHECK(TaskOf(d.Case(kase), id).assignee == TaskAssignee{AssigneeKind::kClient, client});
  Ok(d, "officer", AssignTask{kase, id, "supervisor"});
  Unchanged(d, "officer", AssignTask{kase, id, "supervisor"});
  CHECK(NamesField(Refused(d, "officer", AssignTask{kase, id, "team:nosuch"}, "validation"),
                   "assignee"));
  CHECK(NamesField(Refused(d, "officer", AssignTask{kase, id, ""}, "validation"), "assignee"));
  Refused(d, "officer", AssignTask{kase, "nosuch", "officer"}, "not-found");
}

TEST_CASE("a task is started, completed by an officer, and reopened", "[domain][tasks]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  const std::string id = Added(d, Titled(kase, "x"));
  Ok(d, "officer", StartTask{kase, id});
  CHECK(TaskOf(d.Case(kase), id).status == TaskStatus::kInProgress);
  Unchanged(d, "officer", StartTask{kase, id});
  Ok(d, "supervisor", CompleteTask{kase, id});
  const CaseTask done = TaskOf(d.Case(kase), id);
  CHECK(done.status == TaskStatus::kCompleted);
  CHECK(done.done_by == TaskDoneBy::kOfficer);
  CHECK(done.done_by_user == "supervisor");
  // Completed work is not completed, started, cancelled or rescheduled again
  CHECK(Refused(d, "officer", CompleteTask{kase, id}, "rule-violated").rejection.rule ==
        "task-not-open");
  Refused(d, "officer", StartTask{kase, id}, "rule-violated");
  Refused(d, "officer", CancelTask{kase, id, ""}, "rule-violated");
  Refused(d, "officer", ChangeTaskDue{kase, id, "2026-12-01"}, "rule-violated");
  Refused(d, "officer", AssignTask{kase, id, "admin"}, "rule-violated");
  // Reopened, it is open work again, with no one recorded as having done it
  Ok(d, "officer", ReopenTask{kase, id});
  CHECK(TaskOf(d.Case(kase), id).status == TaskStatus::kOpen);
  CHECK(TaskOf(d.Case(kase), id).done_by == TaskDoneBy::kNone);
  Unchanged(d, "officer", ReopenTask{kase, id});
}

TEST_CASE("an officer may still complete a client task, and is recorded as having done it",
          "[domain][tasks]") {
  DomainFixture d;
  REQUIRE(ImportSettingsFromConfig(d.handler.get(), d.config).ok());
  const std::string kase = d.Register().second;
  const CaseTask client_task = d.Case(kase).tasks[1];
  REQUIRE(client_task.client_task);
  Ok(d, "officer", CompleteTask{kase, client_task.id});
  CHECK(TaskOf(d.Case(kase), client_task.id).done_by == TaskDoneBy::kOfficer);
}

TEST_CASE("a task is cancelled with a reason and its due date changed", "[domain][tasks]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  const std::string a = Added(d, Titled(kase, "a")), b = Added(d, Titled(kase, "b"));
  Ok(d, "officer", ChangeTaskDue{kase, a, "2026-12-24"});
  CHECK(TaskOf(d.Case(kase), a).due == "2026-12-24");
  Unchanged(d, "officer", ChangeTaskDue{kase, a, "2026-12-24"});
  Ok(d, "officer", ChangeTaskDue{kase, a, ""});
  CHECK(TaskOf(d.Case(kase), a).due.empty());
  CHECK(NamesField(Refused(d, "officer", ChangeTaskDue{kase, a, "soon"}, "validation"), "due"));
  Ok(d, "officer", CancelTask{kase, b, "client found housing"});
  CHECK(TaskOf(d.Case(kase), b).status == TaskStatus::kCancelled);
  CHECK(d.Events(CaseOf(kase)).back().subject == CaseOf(kase));  // the reason is sealed
}

TEST_CASE("closing a case closes its open tasks; reopening the case does not reopen them",
          "[domain][tasks]") {
  DomainFixture d;
  const std::string kase = d.Register().second;
  const std::string open = Added(d, Titled(kase, "open"));
  const std::string done = Added(d, Titled(kase, "done"));
  Ok(d, "officer", CompleteTask{kase, done});
  const CommandResult r = Ok(d, "officer", CloseCase{kase, "rehoused"});
  CHECK(r.response["tasks_closed"] == 1);
  CHECK(TaskOf(d.Case(kase), open).status == TaskStatus::kClosed);
  CHECK(TaskOf(d.Case(kase), done).status == TaskStatus::kCompleted);
  // A task on a closed case is not reopened or added
  Refused(d, "officer", ReopenTask{kase, open}, "rule-violated");
  Refused(d, "officer", Titled(kase, "more"), "rule-violated");
  Ok(d, "officer", ReopenCase{kase, "back"});
  CHECK(TaskOf(d.Case(kase), open).status == TaskStatus::kClosed);
  Ok(d, "officer", ReopenTask{kase, open});
  CHECK(TaskOf(d.Case(kase), open).status == TaskStatus::kOpen);
}

TEST_CASE("a strand that closes or moves closes its open tasks; the move warns",
          "[domain][tasks]") {
  DomainFixture d;
  const auto [client, kase] = d.Register();
  const std::string strand =
      Ok(d, "officer", AddStrand{kase, "homeless_referral"}).response["strand_id"];
  AddTask on = Titled(kase, "on the strand");
  on.strand_id = strand;
  const std::string task = Added(d, on);
  const std::string case_task = Added(d, Titled(kase, "of the case"));
  // When the strand moves to another case of the client
  const std::string target = Ok(d, "officer", OpenCase{client}).response["case_id"];
  const CommandResult r = Ok(d, "supervisor", MoveStrand{kase, strand, target});
  // Then its open task is closed on the original, and the answer says so
  CHECK(TaskOf(d.Case(kase), task).status == TaskStatus::kClosed);
  CHECK(TaskOf(d.Case(kase), case_task).status == TaskStatus::kOpen);
  bool warned = false;
  for (const auto& w : r.response["warnings"]) {
    warned = warned || w.get<std::string>().find("task") != std::string::npos;
  }
  CHECK(warned);
  // A task of a closed strand is not reopened until the strand is
  Refused(d, "officer", ReopenTask{kase, task}, "rule-violated");
  // When a strand is cancelled, its open tasks close too
  const std::string other =
      Ok(d, "officer", AddStrand{target, "risk_assessment"}).response["strand_id"];
  AddTask on_other = Titled(target, "assess");
  on_other.strand_id = other;
  const std::string other_task = Added(d, on_other);
  Ok(d, "officer", ChangeStrandStatus{target, other, "cancelled"});
  CHECK(TaskOf(d.Case(target), other_task).status == TaskStatus::kClosed);
}
