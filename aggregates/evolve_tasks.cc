// EvolveTasks: the task events of a case's stream (see task.h and state.h).
#include "aggregates/state.h"
#include "aggregates/task_events.h"

namespace caseengine {
namespace {

CaseTask* Find(CaseState* s, const std::string& id) {
  for (auto& t : s->tasks) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

}  // namespace

void EvolveTasks(CaseState* s, const Event& e) {
  if (e.type == EventType::kTaskCreated) {
    CaseTask t;
    t.id = e.item_id;
    t.type_id = e.other_item_id;
    t.name = e.title;
    t.due = e.date;
    t.strand_id = e.strand_id;
    t.workflow = e.workflow;
    t.assignee = EventAssignee(e);
    t.client_task = e.client_task;
    if (!ParseProviderAccess(e.access, &t.access)) t.access = ProviderAccess::kNone;
    s->tasks.push_back(std::move(t));
    return;
  }
  if (!IsTaskEvent(e.type)) return;
  CaseTask* t = Find(s, e.item_id);
  if (t == nullptr) return;
  switch (e.type) {
    case EventType::kTaskAssigned:
      t->assignee = EventAssignee(e);
      break;
    case EventType::kTaskStarted:
      t->status = TaskStatus::kInProgress;
      break;
    case EventType::kTaskCompleted:
      t->status = TaskStatus::kCompleted;
      if (!ParseTaskDoneBy(e.role, &t->done_by)) t->done_by = TaskDoneBy::kOfficer;
      t->done_by_user = e.user_id;
      break;
    case EventType::kTaskReopened:
      t->status = TaskStatus::kOpen;
      t->done_by = TaskDoneBy::kNone;
      t->done_by_user.clear();
      break;
    case EventType::kTaskCancelled:
      t->status = TaskStatus::kCancelled;
      break;
    case EventType::kTaskDueChanged:
      t->due = e.date;
      break;
    case EventType::kTaskClosed:
      t->status = TaskStatus::kClosed;
      break;
    default:
      break;
  }
}

}  // namespace caseengine
