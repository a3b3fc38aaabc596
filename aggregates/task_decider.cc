// TaskDecider: see task_decider.h.
#include "aggregates/task_decider.h"

#include "aggregates/task_events.h"

namespace caseengine {

Event TaskDecider::On(EventType type, const CaseTask& task) {
  Event e = Make(type);
  e.item_id = task.id;
  return e;
}

std::optional<Outcome> TaskDecider::LoadTask(const std::string& case_id, const std::string& task_id,
                                             const CaseState** state, const CaseTask** task) {
  if (auto r = LoadCase(case_id, state)) return *r;
  *task = (*state)->Task(task_id);
  const Actor& actor = ctx().actor;
  // A provider sees only its organisation's cases, and of them only the tasks their
  // provider access shows: anything else answers as if it did not exist.
  if (actor.Provider() && !(*state)->organisations.count(actor.organisation)) {
    return Outcome::Reject(Rejection::NotFound("no case " + case_id));
  }
  if (*task == nullptr || (actor.Provider() && (*task)->access == ProviderAccess::kNone)) {
    return Outcome::Reject(Rejection::NotFound("no task " + task_id + " on the case"));
  }
  if (actor.kind == ActorKind::kClient &&
      ((*task)->assignee.kind != AssigneeKind::kClient || (*task)->assignee.id != actor.user_id)) {
    return Outcome::Reject(Rejection::NotFound("no task " + task_id + " on the case"));
  }
  if (actor.Provider() && (*task)->access != ProviderAccess::kFull) {
    return Outcome::Reject(Rejection::Rule("provider-access-read-only",
                                           "providers may read this task but not change it"));
  }
  return std::nullopt;
}

std::optional<Outcome> TaskDecider::RequireOpen(const CaseTask& task) {
  if (task.Open()) return std::nullopt;
  return Outcome::Reject(
      Rejection::Rule("task-not-open", std::string("the task is ") + TaskStatusName(task.status)));
}

std::optional<Outcome> TaskDecider::Assignee(const std::string& text, const CaseState& s,
                                             TaskAssignee* out) const {
  if (!ParseAssignee(text, s.primary_applicant, out)) {
    return Outcome::Reject(
        Rejection::Validation("assignee", "must be a user id, team:ID or client"));
  }
  if (out->kind == AssigneeKind::kUser && !ctx().config->users.count(out->id)) {
    return Outcome::Reject(Rejection::Validation("assignee", "is not a known user"));
  }
  if (out->kind == AssigneeKind::kTeam && !ctx().config->teams.count(out->id)) {
    return Outcome::Reject(Rejection::Validation("assignee", "is not a known team"));
  }
  return std::nullopt;
}

Outcome TaskDecider::operator()(const AddTask& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  if (!s->Active()) {
    return Outcome::Reject(Rejection::Rule("case-not-active", "tasks go on open cases"));
  }
  const CaseStrand* strand = nullptr;
  if (!c.strand_id.empty()) {
    strand = s->Strand(c.strand_id);
    if (strand == nullptr) {
      return Outcome::Reject(Rejection::NotFound("no strand " + c.strand_id + " on the case"));
    }
  }
  TaskType type;
  if (!c.task_type.empty()) {
    const TaskType* configured = Settings().ActiveTaskType(c.task_type);
    if (configured == nullptr) {
      return Outcome::Reject(Rejection::Validation("task_type", "is not a task type"));
    }
    if (strand != nullptr && !configured->AppliesTo(strand->type)) {
      return Outcome::Reject(
          Rejection::Validation("task_type", "is not a task of a " + strand->type + " strand"));
    }
    type = *configured;
  }
  type.client_task = type.client_task || c.client_task;
  if (!c.provider_access.empty()) ParseProviderAccess(c.provider_access, &type.access);
  const std::string task_id = ctx().new_id();
  const TaskPlacement where{strand != nullptr ? strand->type : "", c.strand_id, ctx().actor.user_id,
                            s->primary_applicant, ctx().today};
  Event e = TaskCreatedFromType(type, task_id, "", where);
  e.other_item_id = c.task_type;
  if (!c.title.empty()) {
    e.title = c.title;
    e.subject = CaseStream(s->id);  // typed by a person: sealed with the case's key
  }
  if (!c.due.empty()) e.date = c.due;
  if (!c.assignee.empty()) {
    TaskAssignee assignee;
    if (auto r = Assignee(c.assignee, *s, &assignee)) return *r;
    e.user_id.clear();
    e.client_id.clear();
    SetEventAssignee(assignee, &e);
  }
  Outcome o = OnCase(*s, std::move(e));
  o.response = {{"task_id", task_id}};
  return o;
}

Outcome TaskDecider::operator()(const AssignTask& c) {
  const CaseState* s;
  const CaseTask* t;
  if (auto r = LoadTask(c.case_id, c.task_id, &s, &t)) return *r;
  if (auto r = RequireOpen(*t)) return *r;
  TaskAssignee assignee;
  if (auto r = Assignee(c.assignee, *s, &assignee)) return *r;
  if (assignee == t->assignee) return Unchanged();
  Event e = On(EventType::kTaskAssigned, *t);
  SetEventAssignee(assignee, &e);
  return OnCase(*s, std::move(e));
}

Outcome TaskDecider::operator()(const StartTask& c) {
  const CaseState* s;
  const CaseTask* t;
  if (auto r = LoadTask(c.case_id, c.task_id, &s, &t)) return *r;
  if (t->status == TaskStatus::kInProgress) return Unchanged();
  if (auto r = RequireOpen(*t)) return *r;
  return OnCase(*s, On(EventType::kTaskStarted, *t));
}

Outcome TaskDecider::operator()(const CompleteTask& c) {
  const CaseState* s;
  const CaseTask* t;
  if (auto r = LoadTask(c.case_id, c.task_id, &s, &t)) return *r;
  if (auto r = RequireOpen(*t)) return *r;
  Event e = On(EventType::kTaskCompleted, *t);
  // Who did it: a client task may still be completed by an officer (HPA2), and is
  // recorded as such.
  const Actor& actor = ctx().actor;
  e.role = TaskDoneByName(actor.kind == ActorKind::kProvider ? TaskDoneBy::kProvider
                          : actor.kind == ActorKind::kClient ? TaskDoneBy::kClient
                                                             : TaskDoneBy::kOfficer);
  e.user_id = actor.user_id;
  e.organisation = actor.organisation;
  return OnCase(*s, std::move(e));
}

Outcome TaskDecider::operator()(const ReopenTask& c) {
  const CaseState* s;
  const CaseTask* t;
  if (auto r = LoadTask(c.case_id, c.task_id, &s, &t)) return *r;
  if (t->Open()) return Unchanged();
  if (!s->Active()) {
    return Outcome::Reject(Rejection::Rule("case-not-active", "tasks are reopened on open cases"));
  }
  if (!t->strand_id.empty()) {
    const CaseStrand* strand = s->Strand(t->strand_id);
    if (strand != nullptr && !strand->Current()) {
      return Outcome::Reject(Rejection::Rule(
          "strand-not-open", "the task's strand is " + strand->status + ": reopen it first"));
    }
  }
  return OnCase(*s, On(EventType::kTaskReopened, *t));
}

Outcome TaskDecider::operator()(const CancelTask& c) {
  const CaseState* s;
  const CaseTask* t;
  if (auto r = LoadTask(c.case_id, c.task_id, &s, &t)) return *r;
  if (auto r = RequireOpen(*t)) return *r;
  Event e = On(EventType::kTaskCancelled, *t);
  if (!c.reason.empty()) {
    e.reason = c.reason;
    e.subject = CaseStream(s->id);
  }
  return OnCase(*s, std::move(e));
}

Outcome TaskDecider::operator()(const ChangeTaskDue& c) {
  const CaseState* s;
  const CaseTask* t;
  if (auto r = LoadTask(c.case_id, c.task_id, &s, &t)) return *r;
  if (auto r = RequireOpen(*t)) return *r;
  if (t->due == c.due) return Unchanged();
  Event e = On(EventType::kTaskDueChanged, *t);
  e.date = c.due;
  return OnCase(*s, std::move(e));
}

}  // namespace caseengine
