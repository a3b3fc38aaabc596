// TaskList: every task on every case (the caseworker's to-do list, GET /tasks, and a
// case's tasks), and TaskListProjection, which keeps it.
//
// Rows live in memory and are written back to the family:
//
//   rm.task_list  key   := "t/" task-id
//                 value := TaskListRow as JSON   (personal: a task typed by hand names
//                          what a person typed)
//                          {task_id, case_id, strand_id?, task_type?, name, status, due?,
//                           assignee?, client_task?, provider_access, workflow?,
//                           created_on, completed_on?, done_by?, done_by_user?}
//                 key   := "c/" case-id
//                 value := TaskCaseRow as JSON {case_id, deleted?, organisations?}
//
// Invariants: a row per task of a case that was not erased; a soft-deleted case's tasks
// are kept but never listed (its restore lists them again); an erased case's tasks leave
// the read model. Open tasks (open or in progress) are indexed by assignee, so one
// officer's to-do list reads only their open tasks, not every task.
//
// Threading: the projection's thread applies; Query from any thread (a shared lock).
#pragma once

#include <map>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "projections/list_query.h"
#include "projections/projection.h"
#include "projections/row_table.h"

namespace caseengine {

struct TaskListRow {
  bool gone = false;
  std::string task_id, case_id, strand_id, task_type, name, due;
  std::string status = "open";  // open | in_progress | completed | cancelled | closed
  std::string assignee;         // "USER", "team:ID" or "client" (aggregates/task.h)
  std::string assignee_client;  // the client's id, for a client task
  std::string provider_access = "none";
  std::string workflow, created_on, completed_on, done_by, done_by_user;
  bool client_task = false;
  bool Open() const { return status == "open" || status == "in_progress"; }
};

struct TaskCaseRow {
  bool gone = false;
  std::string case_id;
  bool deleted = false;
  std::vector<std::string> organisations;  // providers working on the case
};

// Their stored form (task_list.cc).
void WriteJson(JsonWriter* w, const TaskListRow& r);
void from_json(const nlohmann::json& j, TaskListRow& r);
void WriteJson(JsonWriter* w, const TaskCaseRow& r);
void from_json(const nlohmann::json& j, TaskCaseRow& r);

// Filters: case_id, strand_id, task_type, workflow, assignee (me | USER | team:ID |
// client), status (open — open or in progress, the default —, in_progress, completed,
// cancelled, closed, all), due_before (YYYY-MM-DD, inclusive), overdue (true: open and
// due before today; false: not overdue), client_task (true | false). Default sort: due
// (undated last), then task_id.
struct TaskListQuery {
  std::map<std::string, std::string> filters;
  ListRequest list;
  std::string today;  // the business date: what "overdue" is measured against
  std::string me;     // the caller's user id (assignee=me)
  // A provider's organisation: only tasks of its cases, and of them only those whose
  // provider access is not none; "" for staff.
  std::string organisation;
};

// Open and overdue tasks of one assignee (the workload view).
struct TaskCounts {
  int open = 0, overdue = 0;
};

class TaskList {
 public:
  static const std::vector<std::string>& FilterNames();
  static std::vector<std::string> ColumnNames();

  // InvalidArgument for an unknown filter or value, sort column, column or cursor.
  Status Query(const TaskListQuery& query, ListPage* page) const;
  // Open and overdue tasks assigned to each user (by user id) as of `today`.
  std::map<std::string, TaskCounts> CountsByUser(const std::string& today) const;
  size_t size() const;

 private:
  friend class TaskListProjection;
  void IndexOpen(const TaskListRow* row);    // under mu_ held for writing
  void UnindexOpen(const TaskListRow* row);  // the same
  // Whether a provider of `organisation` sees the row's case at all.
  bool CaseVisible(const TaskListRow& row, const std::string& organisation) const;

  mutable std::shared_mutex mu_;
  RowTable<TaskListRow> rows_{"t/"};
  RowTable<TaskCaseRow> cases_{"c/"};
  // Not stored, made again at Load: the tasks of each case; open tasks by assignee.
  std::unordered_map<std::string, std::vector<std::string>> by_case_;
  std::unordered_map<std::string, std::unordered_set<const TaskListRow*>> open_by_assignee_;
};

class TaskListProjection : public Projection {
 public:
  const char* name() const override { return "task_list"; }
  Status Load(const Store& store, FamilyId family) override;
  void Apply(const ProjectedEvent& e, RowWriter* rows) override;
  void Flush(RowWriter* rows) override;
  bool keeps_rows_in_memory() const override { return true; }
  // A task's name typed by hand is sealed with its case.
  bool reads_personal(EventType type) const override { return type == EventType::kTaskCreated; }
  void Reset() override;

  const TaskList& list() const { return list_; }

 private:
  TaskList list_;
};

}  // namespace caseengine
