// SettingsState: see settings_state.h.
#include "aggregates/settings_state.h"

#include <algorithm>

namespace caseengine {

const char* WorkflowTriggerName(WorkflowTrigger t) {
  return t == WorkflowTrigger::kCaseOpened ? "case_opened" : "strand_added";
}

bool ParseWorkflowTrigger(std::string_view name, WorkflowTrigger* t) {
  if (name == "case_opened") {
    *t = WorkflowTrigger::kCaseOpened;
  } else if (name == "strand_added") {
    *t = WorkflowTrigger::kStrandAdded;
  } else {
    return false;
  }
  return true;
}

bool TaskType::AppliesTo(const std::string& strand_type) const {
  if (strand_types.empty()) return true;  // a case task goes on any case or strand
  return std::find(strand_types.begin(), strand_types.end(), strand_type) != strand_types.end();
}

const TaskType* SettingsState::ActiveTaskType(const std::string& id) const {
  auto it = task_types.find(id);
  return it == task_types.end() || it->second.retired ? nullptr : &it->second;
}

void Evolve(SettingsState* s, const Event& e) {
  s->version++;
  s->exists = true;
  switch (e.type) {
    case EventType::kTaskTypeDefined: {
      TaskType& t = s->task_types[e.item_id];
      t.id = e.item_id;
      t.name = e.title;
      t.strand_types = e.list;
      t.client_task = e.client_task;
      if (!ParseProviderAccess(e.access, &t.access)) t.access = ProviderAccess::kNone;
      t.due_days = e.due_days;
      t.retired = false;
      break;
    }
    case EventType::kTaskTypeRetired:
      s->task_types[e.item_id].retired = true;
      break;
    case EventType::kWorkflowDefined: {
      Workflow& w = s->workflows[e.item_id];
      w.id = e.item_id;
      w.name = e.title;
      if (!ParseWorkflowTrigger(e.trigger, &w.trigger)) w.trigger = WorkflowTrigger::kCaseOpened;
      w.strand_type = e.strand_type;
      w.task_types = e.list;
      w.retired = false;
      break;
    }
    case EventType::kWorkflowRetired:
      s->workflows[e.item_id].retired = true;
      break;
    default:
      break;
  }
}

}  // namespace caseengine
