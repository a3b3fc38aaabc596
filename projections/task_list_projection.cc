// TaskListProjection: keeps TaskList (see task_list.h) from the case streams' events.
#include <mutex>

#include "aggregates/task.h"
#include "aggregates/task_events.h"
#include "base/time_format.h"
#include "projections/task_list.h"

namespace caseengine {
namespace {

std::string AssigneeOf(const Event& e) { return AssigneeText(EventAssignee(e)); }

}  // namespace

Status TaskListProjection::Load(const Store& store, FamilyId family) {
  TaskList& l = list_;
  std::unique_lock<std::shared_mutex> lock(l.mu_);
  l.by_case_.clear();
  l.open_by_assignee_.clear();
  Status s = l.rows_.Load(store, family);
  if (s.ok()) s = l.cases_.Load(store, family);
  if (!s.ok()) return s;
  l.rows_.ForEach([&](const TaskListRow& r) {
    l.by_case_[r.case_id].push_back(r.task_id);
    l.IndexOpen(&r);
  });
  return Status::Ok();
}

void TaskListProjection::Reset() {
  std::unique_lock<std::shared_mutex> lock(list_.mu_);
  list_.rows_.Clear();
  list_.cases_.Clear();
  list_.by_case_.clear();
  list_.open_by_assignee_.clear();
}

void TaskListProjection::Flush(RowWriter* rows) {
  std::unique_lock<std::shared_mutex> lock(list_.mu_);
  list_.rows_.Flush(rows);
  list_.cases_.Flush(rows);
}

void TaskListProjection::Apply(const ProjectedEvent& pe, RowWriter*) {
  if (pe.event == nullptr || pe.kind != StreamKind::kCase) return;
  const Event& e = *pe.event;
  const bool task = IsTaskEvent(e.type);
  if (!task && e.type != EventType::kCaseOpened && e.type != EventType::kCaseDeleted &&
      e.type != EventType::kCaseRestored) {
    return;  // before the lock: most events change nothing here
  }
  TaskList& l = list_;
  const std::string case_id(pe.id);
  std::unique_lock<std::shared_mutex> lock(l.mu_);
  if (e.type == EventType::kCaseOpened) {
    if (e.organisation.empty()) return;  // a case row only where a provider works on it
    TaskCaseRow* c = l.cases_.Upsert(case_id);
    c->case_id = case_id;
    c->organisations = {e.organisation};
    return;
  }
  if (e.type == EventType::kCaseDeleted || e.type == EventType::kCaseRestored) {
    auto tasks = l.by_case_.find(case_id);
    if (e.type == EventType::kCaseDeleted && e.mode == DeleteMode::kErase) {
      // Erased: its tasks go (their names may be what a person typed about the household).
      if (tasks != l.by_case_.end()) {
        for (const std::string& id : tasks->second) {
          if (const TaskListRow* r = l.rows_.Find(id)) l.UnindexOpen(r);
          l.rows_.Remove(id);
        }
        l.by_case_.erase(tasks);
      }
      l.cases_.Remove(case_id);
      return;
    }
    if (tasks == l.by_case_.end() && l.cases_.Find(case_id) == nullptr) return;
    TaskCaseRow* c = l.cases_.Upsert(case_id);
    c->case_id = case_id;
    c->deleted = e.type == EventType::kCaseDeleted;
    return;
  }
  const std::string date = MicrosToDate(pe.envelope.recorded_at());
  if (e.type == EventType::kTaskCreated) {
    TaskListRow* r = l.rows_.Upsert(e.item_id);
    r->task_id = e.item_id;
    r->case_id = case_id;
    r->strand_id = e.strand_id;
    r->task_type = e.other_item_id;
    r->name = e.personal.erased ? std::string() : e.title;
    r->due = e.date;
    r->assignee = AssigneeOf(e);
    r->assignee_client = e.role == "client" ? e.client_id : std::string();
    r->client_task = e.client_task;
    r->provider_access = e.access.empty() ? "none" : e.access;
    r->workflow = e.workflow;
    r->created_on = date;
    l.by_case_[case_id].push_back(e.item_id);
    l.IndexOpen(r);
    return;
  }
  TaskListRow* r = l.rows_.Change(e.item_id);
  if (r == nullptr) return;
  l.UnindexOpen(r);
  switch (e.type) {
    case EventType::kTaskAssigned:
      r->assignee = AssigneeOf(e);
      r->assignee_client = e.role == "client" ? e.client_id : std::string();
      break;
    case EventType::kTaskStarted:
      r->status = TaskStatusName(TaskStatus::kInProgress);
      break;
    case EventType::kTaskCompleted:
      r->status = TaskStatusName(TaskStatus::kCompleted);
      r->completed_on = date;
      r->done_by = e.role;
      r->done_by_user = e.user_id;
      break;
    case EventType::kTaskReopened:
      r->status = TaskStatusName(TaskStatus::kOpen);
      r->completed_on.clear();
      r->done_by.clear();
      r->done_by_user.clear();
      break;
    case EventType::kTaskCancelled:
    case EventType::kTaskClosed:
      r->status = TaskStatusName(e.type == EventType::kTaskCancelled ? TaskStatus::kCancelled
                                                                     : TaskStatus::kClosed);
      r->completed_on = date;
      break;
    case EventType::kTaskDueChanged:
      r->due = e.date;
      break;
    default:
      break;
  }
  l.IndexOpen(r);
}

}  // namespace caseengine
