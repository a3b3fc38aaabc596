// The task events other commands make (internal to aggregates/): the tasks a workflow
// loads when a case opens or a strand is added, and the closing of open tasks when
// their case closes or their strand moves or closes. Pure functions of the settings and
// state they are given.
//
// Threading: none of its own; called within one decision.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "aggregates/event.h"
#include "aggregates/settings_state.h"
#include "aggregates/state.h"

namespace caseengine {

// Where the tasks of a workflow go, and to whom.
struct TaskPlacement {
  std::string strand_type;  // "" for the tasks of a new case
  std::string strand_id;    // the new strand's
  std::string officer;      // the case's primary officer: a user task's assignee
  std::string client_id;    // the primary applicant: a client task's assignee
  std::string today;        // YYYY-MM-DD: due dates count from it
};

// Whether the event is one of a task's own (TaskCreated to TaskClosed).
bool IsTaskEvent(EventType type);

// The assignee an event names (TaskCreated, TaskAssigned): its kind in `role`, its id in
// the field of that kind (user_id, team_id or client_id); and the other way round.
TaskAssignee EventAssignee(const Event& e);
void SetEventAssignee(const TaskAssignee& a, Event* e);

// A TaskCreated for a task of `type` (what the type says now is what the task keeps).
Event TaskCreatedFromType(const TaskType& type, const std::string& task_id,
                          const std::string& workflow, const TaskPlacement& where);

// The tasks of every workflow (not retired) that loads on `trigger` (for kStrandAdded, on
// strands of where.strand_type), in the order of the workflows' ids and, in each, of its
// task types; a retired task type's task is left out. Appended to `out`.
void LoadWorkflows(const SettingsState& settings, WorkflowTrigger trigger,
                   const TaskPlacement& where, const std::function<std::string()>& new_id,
                   std::vector<Event>* out);

// A TaskClosed for every open task of the case (of the strand `strand_id` alone, when not
// empty), with the engine's `reason`; how many were closed.
int CloseOpenTasks(const CaseState& state, const std::string& strand_id, const std::string& reason,
                   std::vector<Event>* out);

}  // namespace caseengine
