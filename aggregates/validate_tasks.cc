// The field checks of the settings and task commands (see validate.h).
#include <set>

#include "aggregates/field_checker.h"
#include "aggregates/strand_rules.h"

namespace caseengine {
namespace {

constexpr int kMaxDueDays = 3650;
constexpr size_t kMaxListed = 50;

void CheckAccess(const std::string& field, std::string* text, ProviderAccess* out, Checker* c) {
  *text = Trim(*text);
  if (text->empty()) return;
  if (!ParseProviderAccess(*text, out)) c->Fail(field, "must be one of none, read_only, full");
}

void CheckAssignee(const std::string& field, std::string* text, bool required, Checker* c) {
  *text = Trim(*text);
  if (text->empty()) {
    if (required) c->Fail(field, "is required");
    return;
  }
  TaskAssignee a;
  if (!ParseAssignee(*text, "", &a)) c->Fail(field, "must be a user id, team:ID or client");
}

void CheckTaskType(TaskType* t, const std::string& prefix, Checker* c) {
  c->Id(prefix + "id", &t->id);
  c->Required(prefix + "name", &t->name, kMaxName);
  if (t->strand_types.size() > kMaxListed) c->Fail(prefix + "strand_types", "lists too many");
  std::set<std::string> seen;
  for (std::string& type : t->strand_types) {
    type = Trim(type);
    if (StrandRules::Find(type) == nullptr) {
      c->Fail(prefix + "strand_types", "'" + type + "' is not a strand type");
    } else if (!seen.insert(type).second) {
      c->Fail(prefix + "strand_types", "names '" + type + "' twice");
    }
  }
  if (t->due_days < -1 || t->due_days > kMaxDueDays) {
    c->Fail(prefix + "due_days", "must be from 0 to " + std::to_string(kMaxDueDays));
  }
}

void CheckWorkflow(Workflow* w, std::string* trigger, const std::string& prefix, Checker* c) {
  c->Id(prefix + "id", &w->id);
  c->Required(prefix + "name", &w->name, kMaxName);
  if (trigger != nullptr) {
    *trigger = Trim(*trigger);
    if (!ParseWorkflowTrigger(*trigger, &w->trigger)) {
      c->Fail(prefix + "trigger", "must be one of case_opened, strand_added");
    }
  }
  w->strand_type = Trim(w->strand_type);
  if (w->trigger == WorkflowTrigger::kStrandAdded) {
    if (StrandRules::Find(w->strand_type) == nullptr) {
      c->Fail(prefix + "strand_type", "is not a strand type");
    }
  } else if (!w->strand_type.empty()) {
    c->Fail(prefix + "strand_type", "is only for a workflow that loads when a strand is added");
  }
  if (w->task_types.empty()) c->Fail(prefix + "task_types", "is required");
  if (w->task_types.size() > kMaxListed) c->Fail(prefix + "task_types", "lists too many");
  std::set<std::string> seen;
  for (std::string& id : w->task_types) {
    c->Id(prefix + "task_types", &id);
    if (!seen.insert(id).second) c->Fail(prefix + "task_types", "names '" + id + "' twice");
  }
}

void CheckTaskIds(std::string* case_id, std::string* task_id, Checker* c) {
  c->Id("case_id", case_id);
  c->Id("task_id", task_id);
}

}  // namespace

void ValidateSettingsAndTasks(DefineTaskType* x, const DomainConfig&, const std::string&,
                              Checker* c) {
  CheckTaskType(&x->type, "", c);
  CheckAccess("provider_access", &x->provider_access, &x->type.access, c);
}
void ValidateSettingsAndTasks(RetireTaskType* x, const DomainConfig&, const std::string&,
                              Checker* c) {
  c->Id("id", &x->id);
}
void ValidateSettingsAndTasks(DefineWorkflow* x, const DomainConfig&, const std::string&,
                              Checker* c) {
  CheckWorkflow(&x->workflow, &x->trigger, "", c);
}
void ValidateSettingsAndTasks(RetireWorkflow* x, const DomainConfig&, const std::string&,
                              Checker* c) {
  c->Id("id", &x->id);
}
void ValidateSettingsAndTasks(ImportSettings* x, const DomainConfig&, const std::string&,
                              Checker* c) {
  for (size_t i = 0; i < x->task_types.size(); ++i) {
    CheckTaskType(&x->task_types[i], "task_types[" + std::to_string(i) + "].", c);
  }
  for (size_t i = 0; i < x->workflows.size(); ++i) {
    CheckWorkflow(&x->workflows[i], nullptr, "workflows[" + std::to_string(i) + "].", c);
  }
}
void ValidateSettingsAndTasks(AddTask* x, const DomainConfig&, const std::string&, Checker* c) {
  c->Id("case_id", &x->case_id);
  x->task_type = Trim(x->task_type);
  if (!x->task_type.empty()) c->Id("task_type", &x->task_type);
  // Without a task type the task needs a title; with one, its name is the default.
  if (x->task_type.empty()) {
    c->Required("title", &x->title, 200);
  } else {
    c->Optional("title", &x->title, 200);
  }
  c->Date("due", &x->due, false);
  c->Optional("strand_id", &x->strand_id, 64);
  CheckAssignee("assignee", &x->assignee, false, c);
  ProviderAccess access;
  CheckAccess("provider_access", &x->provider_access, &access, c);
}
void ValidateSettingsAndTasks(AssignTask* x, const DomainConfig&, const std::string&, Checker* c) {
  CheckTaskIds(&x->case_id, &x->task_id, c);
  CheckAssignee("assignee", &x->assignee, true, c);
}
void ValidateSettingsAndTasks(StartTask* x, const DomainConfig&, const std::string&, Checker* c) {
  CheckTaskIds(&x->case_id, &x->task_id, c);
}
void ValidateSettingsAndTasks(CompleteTask* x, const DomainConfig&, const std::string&,
                              Checker* c) {
  CheckTaskIds(&x->case_id, &x->task_id, c);
}
void ValidateSettingsAndTasks(ReopenTask* x, const DomainConfig&, const std::string&, Checker* c) {
  CheckTaskIds(&x->case_id, &x->task_id, c);
}
void ValidateSettingsAndTasks(CancelTask* x, const DomainConfig&, const std::string&, Checker* c) {
  CheckTaskIds(&x->case_id, &x->task_id, c);
  c->Optional("reason", &x->reason, 500, TextKind::kMultiline);
}
void ValidateSettingsAndTasks(ChangeTaskDue* x, const DomainConfig&, const std::string&,
                              Checker* c) {
  CheckTaskIds(&x->case_id, &x->task_id, c);
  c->Date("due", &x->due, false);
}

}  // namespace caseengine
