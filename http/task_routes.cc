// The route table's task and settings routes (see routes.cc, which puts the table
// together): the commands on a case's tasks, the to-do list, and the task types and
// workflows of the settings.
#include "http/api.h"
#include "http/api_internal.h"
#include "http/json_body.h"

namespace caseengine {

using P = std::vector<std::string>;  // path parameters
using B = JsonBody;

std::vector<Route> Api::TaskRoutes() {
  // As CommandRoutes' (command_routes.cc): the path and body become the command.
  auto cmd = [this](int status, auto build) { return CommandHandler(status, build); };
  auto query = [this](auto method) { return QueryHandler(method); };
  const Access C = Access::kCommand, R = Access::kRead;
  std::vector<const char*> list_params;
  for (const std::string& f : TaskList::FilterNames()) list_params.push_back(f.c_str());
  for (const char* p : {"sort", "limit", "cursor", "columns", "bom", "min_position"}) {
    list_params.push_back(p);
  }
  std::vector<const char*> case_list_params;
  for (const char* p : list_params) {
    if (std::string_view(p) != "case_id") case_list_params.push_back(p);
  }
  // A command on one task: POST /cases/{id}/tasks/{task_id}/<verb>.
  auto on_task = [&](const char* path, const char* op, const char* summary,
                     std::vector<const char*> fields, auto build) -> Route {
    return {"POST", path, op, summary, C, 200, {}, std::move(fields), cmd(200, build)};
  };
  return {
      {"POST",
       "/cases/{id}/tasks",
       "AddTask",
       "Add a task to the case by hand (of a task type, or with a title)",
       C,
       201,
       {},
       {"task_type", "title", "due", "strand_id", "assignee", "provider_access", "client_task"},
       cmd(201,
           [](const P& p, const B& b, const HttpRequest&) -> Command {
             return AddTask{p[0],
                            b.Str("task_type"),
                            b.Str("title"),
                            b.Str("due"),
                            b.Str("strand_id"),
                            b.Str("assignee"),
                            b.Str("provider_access"),
                            b.Bool("client_task")};
           })},
      on_task("/cases/{id}/tasks/{task_id}/assign", "AssignTask",
              "Assign or reassign a task: a user id, team:ID or client", {"assignee*"},
              [](const P& p, const B& b, const HttpRequest&) -> Command {
                return AssignTask{p[0], p[1], b.Str("assignee")};
              }),
      on_task("/cases/{id}/tasks/{task_id}/start", "StartTask", "Start a task (in progress)", {},
              [](const P& p, const B&, const HttpRequest&) -> Command {
                return StartTask{p[0], p[1]};
              }),
      on_task("/cases/{id}/tasks/{task_id}/complete", "CompleteTask",
              "Complete a task (recording who: an officer or a provider)", {},
              [](const P& p, const B&, const HttpRequest&) -> Command {
                return CompleteTask{p[0], p[1]};
              }),
      on_task("/cases/{id}/tasks/{task_id}/reopen", "ReopenTask",
              "Reopen a completed, cancelled or closed task on an open case", {},
              [](const P& p, const B&, const HttpRequest&) -> Command {
                return ReopenTask{p[0], p[1]};
              }),
      on_task("/cases/{id}/tasks/{task_id}/cancel", "CancelTask", "Cancel a task", {"reason"},
              [](const P& p, const B& b, const HttpRequest&) -> Command {
                return CancelTask{p[0], p[1], b.Str("reason")};
              }),
      on_task("/cases/{id}/tasks/{task_id}/due-date", "ChangeTaskDue",
              "Change a task's due date (null: no due date)", {"due"},
              [](const P& p, const B& b, const HttpRequest&) -> Command {
                return ChangeTaskDue{p[0], p[1], b.Str("due")};
              }),
      {"GET",
       "/tasks",
       "ListTasks",
       "Tasks: the to-do list (assignee=me, overdue=true, ...; CSV with Accept: text/csv)",
       R,
       200,
       list_params,
       {},
       query(&Api::ListTasks)},
      {"GET",
       "/cases/{id}/tasks",
       "ListCaseTasks",
       "A case's tasks (every status unless status= is given)",
       R,
       200,
       case_list_params,
       {},
       query(&Api::ListCaseTasks)},
      // Settings (permission manage_settings to change them).
      {"GET",
       "/settings/task-types",
       "ListTaskTypes",
       "The task types (retired ones included, marked)",
       R,
       200,
       {"min_position"},
       {},
       query(&Api::ListTaskTypes)},
      {"POST",
       "/settings/task-types",
       "DefineTaskType",
       "Define a task type, or change one (applies to tasks created after it)",
       C,
       200,
       {},
       {"id*", "name*", "strand_types", "client_task", "provider_access", "due_days"},
       cmd(200,
           [](const P&, const B& b, const HttpRequest&) -> Command {
             DefineTaskType c;
             c.type.id = b.Str("id");
             c.type.name = b.Str("name");
             c.type.strand_types = b.StrList("strand_types");
             c.type.client_task = b.Bool("client_task");
             c.provider_access = b.Str("provider_access");
             c.type.due_days = b.Int("due_days", -1, 0, 3650);
             return c;
           })},
      {"DELETE",
       "/settings/task-types/{id}",
       "RetireTaskType",
       "Retire a task type (no workflow may still load it)",
       C,
       200,
       {},
       {},
       cmd(200,
           [](const P& p, const B&, const HttpRequest&) -> Command {
             return RetireTaskType{p[0]};
           })},
      {"GET",
       "/settings/workflows",
       "ListWorkflows",
       "The workflows (retired ones included, marked)",
       R,
       200,
       {"min_position"},
       {},
       query(&Api::ListWorkflows)},
      {"POST",
       "/settings/workflows",
       "DefineWorkflow",
       "Define a workflow, or change one (applies to cases and strands opened after it)",
       C,
       200,
       {},
       {"id*", "name*", "trigger*", "strand_type", "task_types*"},
       cmd(200,
           [](const P&, const B& b, const HttpRequest&) -> Command {
             DefineWorkflow c;
             c.workflow.id = b.Str("id");
             c.workflow.name = b.Str("name");
             c.trigger = b.Str("trigger");
             c.workflow.strand_type = b.Str("strand_type");
             c.workflow.task_types = b.StrList("task_types");
             return c;
           })},
      {"DELETE",
       "/settings/workflows/{id}",
       "RetireWorkflow",
       "Retire a workflow (it no longer loads; tasks it loaded stay)",
       C,
       200,
       {},
       {},
       cmd(200,
           [](const P& p, const B&, const HttpRequest&) -> Command {
             return RetireWorkflow{p[0]};
           })},
  };
}

}  // namespace caseengine
