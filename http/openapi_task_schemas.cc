// The schemas of tasks and the settings in /openapi.json (see openapi.h): a task as a case
// shows it (aggregates/state_json.cc), a row of the to-do list (projections/task_list.h),
// task types and workflows (GET /settings/...).
//
// Pure functions over constants: any thread.
#include "http/openapi.h"
#include "http/openapi_builders.h"

namespace caseengine::openapi {

void AddTaskSchemas(json* schemas) {
  json& s = *schemas;
  const json status = Enum({"open", "in_progress", "completed", "cancelled", "closed"});
  const json access = Enum({"none", "read_only", "full"});
  const json assignee = Str("a user id, team:ID, or client (the case's primary applicant)");
  s["TaskStatus"] = status;
  s["ProviderAccess"] = access;
  s["Task"] =
      Obj({{"task_id", Str()},
           {"name", Str()},
           {"status", Ref("TaskStatus")},
           {"due", DateOrEmpty()},
           {"assignee", assignee},
           {"client_task", Bool()},
           {"provider_access", Ref("ProviderAccess")},
           {"task_type", Str()},
           {"strand_id", Str()},
           {"workflow", Str("the workflow that loaded it")},
           {"done_by", Enum({"officer", "client", "provider"})},
           {"done_by_user", Str()}},
          {"task_id", "name", "status", "due", "assignee", "client_task", "provider_access"},
          "a task on a case");
  s["TaskRow"] = Obj({{"task_id", Str()},
                      {"case_id", Str()},
                      {"strand_id", Str()},
                      {"task_type", Str()},
                      {"name", Str()},
                      {"status", Ref("TaskStatus")},
                      {"due", DateOrEmpty()},
                      {"overdue", Bool()},
                      {"assignee", assignee},
                      {"client_task", Bool()},
                      {"provider_access", Ref("ProviderAccess")},
                      {"workflow", Str()},
                      {"created_on", DateOrEmpty()},
                      {"completed_on", DateOrEmpty()},
                      {"done_by", Str()},
                      {"done_by_user", Str()}},
                     {}, "a row of the to-do list: the columns asked for");
  s["TaskPage"] = {{"type", "object"},
                   {"properties",
                    {{"rows", Arr(Ref("TaskRow"))},
                     {"next_cursor", Str("empty on the last page")},
                     {"columns", Arr(Str())},
                     {"total", Int()}}},
                   {"required", {"rows", "next_cursor"}},
                   {"description", "a page of tasks"}};
  s["TaskCreated"] = {{"allOf", {Ref("CommandResult"), Obj({{"task_id", Str()}}, {"task_id"})}},
                      {"description", "a new task"}};
  s["TaskType"] =
      Obj({{"id", Str()},
           {"name", Str()},
           {"strand_types", Arr(Ref("StrandType"))},
           {"client_task", Bool()},
           {"provider_access", Ref("ProviderAccess")},
           {"due_days", Nullable(Int("days after creation; null: no due date"))},
           {"retired", Bool()}},
          {"id", "name", "strand_types", "client_task", "provider_access", "due_days", "retired"},
          "a task type: strand_types empty for a task of the case itself");
  s["Workflow"] = Obj({{"id", Str()},
                       {"name", Str()},
                       {"trigger", Enum({"case_opened", "strand_added"})},
                       {"strand_type", Ref("StrandType")},
                       {"task_types", Arr(Str("a task type id"))},
                       {"retired", Bool()}},
                      {"id", "name", "trigger", "task_types", "retired"},
                      "a workflow: the tasks it loads, in order, when it triggers");
  s["TaskTypes"] = Obj({{"rows", Arr(Ref("TaskType"))}, {"version", Int()}}, {"rows", "version"});
  s["Workflows"] = Obj({{"rows", Arr(Ref("Workflow"))}, {"version", Int()}}, {"rows", "version"});
  s["SettingDefined"] = {{"allOf", {Ref("CommandResult"), Obj({{"id", Str()}})}},
                         {"description", "the task type or workflow defined"}};
  s["Case"]["properties"]["tasks"] = Arr(Ref("Task"));
  s["Case"]["properties"]["organisations"] =
      Arr(Str("a provider's organisation working on the case"));
  s["CaseOfficerRow"]["properties"]["open_tasks"] = Int("group_by=officer: open tasks");
  s["CaseOfficerRow"]["properties"]["overdue_tasks"] = Int("group_by=officer: overdue tasks");
  s["CommandResult"]["properties"]["tasks_closed"] =
      Int("open tasks the command closed (a case or strand that ended)");
  s["LobbyRow"]["properties"]["organisation"] = Str("the provider's that referred it");
  s["LobbyRecord"]["properties"]["organisation"] = Str("the provider's that referred it");
}

}  // namespace caseengine::openapi
