// Task events made by other commands: see task_events.h.
#include "aggregates/task_events.h"

#include "base/time_format.h"

namespace caseengine {

bool IsTaskEvent(EventType type) {
  return type >= EventType::kTaskCreated && type <= EventType::kTaskClosed;
}

TaskAssignee EventAssignee(const Event& e) {
  TaskAssignee a;
  if (!ParseAssigneeKind(e.role, &a.kind)) a.kind = AssigneeKind::kNone;
  if (a.kind == AssigneeKind::kUser) a.id = e.user_id;
  if (a.kind == AssigneeKind::kTeam) a.id = e.team_id;
  if (a.kind == AssigneeKind::kClient) a.id = e.client_id;
  return a;
}

void SetEventAssignee(const TaskAssignee& a, Event* e) {
  e->role = AssigneeKindName(a.kind);
  if (a.kind == AssigneeKind::kUser) e->user_id = a.id;
  if (a.kind == AssigneeKind::kTeam) e->team_id = a.id;
  if (a.kind == AssigneeKind::kClient) e->client_id = a.id;
}

Event TaskCreatedFromType(const TaskType& type, const std::string& task_id,
                          const std::string& workflow, const TaskPlacement& where) {
  Event e;
  e.type = EventType::kTaskCreated;
  e.item_id = task_id;
  e.other_item_id = type.id;
  e.title = type.name;  // the settings' words, not a person's: kept in the clear
  if (type.due_days >= 0) e.date = AddDays(where.today, type.due_days);
  e.strand_id = where.strand_id;
  e.workflow = workflow;
  e.client_task = type.client_task;
  e.access = ProviderAccessName(type.access);
  // A client task is the client's to do (HPA2: "assigned to the client"); the rest go to
  // the case's primary officer.
  SetEventAssignee(type.client_task ? TaskAssignee{AssigneeKind::kClient, where.client_id}
                                    : TaskAssignee{AssigneeKind::kUser, where.officer},
                   &e);
  return e;
}

void LoadWorkflows(const SettingsState& settings, WorkflowTrigger trigger,
                   const TaskPlacement& where, const std::function<std::string()>& new_id,
                   std::vector<Event>* out) {
  for (const auto& [id, workflow] : settings.workflows) {
    if (workflow.retired || workflow.trigger != trigger) continue;
    if (trigger == WorkflowTrigger::kStrandAdded && workflow.strand_type != where.strand_type) {
      continue;
    }
    for (const std::string& type_id : workflow.task_types) {
      const TaskType* type = settings.ActiveTaskType(type_id);
      if (type == nullptr) continue;
      out->push_back(TaskCreatedFromType(*type, new_id(), id, where));
    }
  }
}

int CloseOpenTasks(const CaseState& state, const std::string& strand_id, const std::string& reason,
                   std::vector<Event>* out) {
  int closed = 0;
  for (const CaseTask& t : state.tasks) {
    if (!t.Open() || (!strand_id.empty() && t.strand_id != strand_id)) continue;
    Event e;
    e.type = EventType::kTaskClosed;
    e.item_id = t.id;
    e.reason = reason;
    out->push_back(std::move(e));
    ++closed;
  }
  return closed;
}

}  // namespace caseengine
