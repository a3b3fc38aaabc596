// SettingsDecider: see settings_decider.h.
#include "aggregates/settings_decider.h"

namespace caseengine {
namespace {

bool Same(const TaskType& a, const TaskType& b) {
  return a.name == b.name && a.strand_types == b.strand_types && a.client_task == b.client_task &&
         a.access == b.access && a.due_days == b.due_days && !b.retired;
}
bool Same(const Workflow& a, const Workflow& b) {
  return a.name == b.name && a.trigger == b.trigger && a.strand_type == b.strand_type &&
         a.task_types == b.task_types && !b.retired;
}

}  // namespace

std::optional<Outcome> SettingsDecider::Load(const SettingsState** out) {
  *out = states()->Settings();
  if (*out == nullptr) {
    return Outcome::Reject(Rejection::Rule("settings-unreadable", "the settings cannot be read"));
  }
  return CheckVersion(kSettingsStream, (*out)->version);
}

Event SettingsDecider::Defined(const TaskType& t) {
  Event e = Make(EventType::kTaskTypeDefined);
  e.item_id = t.id;
  e.title = t.name;
  e.list = t.strand_types;
  e.client_task = t.client_task;
  e.access = ProviderAccessName(t.access);
  e.due_days = t.due_days;
  return e;
}

Event SettingsDecider::Defined(const Workflow& w) {
  Event e = Make(EventType::kWorkflowDefined);
  e.item_id = w.id;
  e.title = w.name;
  e.trigger = WorkflowTriggerName(w.trigger);
  e.strand_type = w.strand_type;
  e.list = w.task_types;
  return e;
}

std::optional<Outcome> SettingsDecider::CheckWorkflow(
    const Workflow& w, const std::map<std::string, TaskType>& types) {
  for (const std::string& id : w.task_types) {
    auto it = types.find(id);
    if (it == types.end() || it->second.retired) {
      return Outcome::Reject(
          Rejection::Validation("task_types", "'" + id + "' is not a task type"));
    }
    if (w.trigger == WorkflowTrigger::kStrandAdded && !it->second.AppliesTo(w.strand_type)) {
      return Outcome::Reject(Rejection::Validation(
          "task_types", "'" + id + "' is not a task of a " + w.strand_type + " strand"));
    }
  }
  return std::nullopt;
}

Outcome SettingsDecider::operator()(const DefineTaskType& c) {
  const SettingsState* s;
  if (auto r = Load(&s)) return *r;
  auto it = s->task_types.find(c.type.id);
  if (it != s->task_types.end() && Same(c.type, it->second)) return Unchanged();
  // Narrowing its strand types must not leave a workflow loading it where it no longer
  // applies.
  for (const auto& [id, w] : s->workflows) {
    if (w.retired || w.trigger != WorkflowTrigger::kStrandAdded) continue;
    for (const std::string& t : w.task_types) {
      if (t == c.type.id && !c.type.AppliesTo(w.strand_type)) {
        return Outcome::Reject(Rejection::Rule(
            "task-type-in-use", "workflow " + id + " loads this task type on " + w.strand_type +
                                    " strands: change the workflow first"));
      }
    }
  }
  Outcome o;
  o.Add(kSettingsStream, s->version, Defined(c.type));
  o.response = {{"id", c.type.id}};
  return o;
}

Outcome SettingsDecider::operator()(const RetireTaskType& c) {
  const SettingsState* s;
  if (auto r = Load(&s)) return *r;
  auto it = s->task_types.find(c.id);
  if (it == s->task_types.end())
    return Outcome::Reject(Rejection::NotFound("no task type " + c.id));
  if (it->second.retired) return Unchanged();
  for (const auto& [id, w] : s->workflows) {
    if (w.retired) continue;
    for (const std::string& t : w.task_types) {
      if (t == c.id) {
        return Outcome::Reject(Rejection::Rule(
            "task-type-in-use", "workflow " + id + " loads this task type: change it first"));
      }
    }
  }
  Event e = Make(EventType::kTaskTypeRetired);
  e.item_id = c.id;
  Outcome o;
  o.Add(kSettingsStream, s->version, std::move(e));
  return o;
}

Outcome SettingsDecider::operator()(const DefineWorkflow& c) {
  const SettingsState* s;
  if (auto r = Load(&s)) return *r;
  auto it = s->workflows.find(c.workflow.id);
  if (it != s->workflows.end() && Same(c.workflow, it->second)) return Unchanged();
  if (auto r = CheckWorkflow(c.workflow, s->task_types)) return *r;
  Outcome o;
  o.Add(kSettingsStream, s->version, Defined(c.workflow));
  o.response = {{"id", c.workflow.id}};
  return o;
}

Outcome SettingsDecider::operator()(const RetireWorkflow& c) {
  const SettingsState* s;
  if (auto r = Load(&s)) return *r;
  auto it = s->workflows.find(c.id);
  if (it == s->workflows.end()) return Outcome::Reject(Rejection::NotFound("no workflow " + c.id));
  if (it->second.retired) return Unchanged();
  Event e = Make(EventType::kWorkflowRetired);
  e.item_id = c.id;
  Outcome o;
  o.Add(kSettingsStream, s->version, std::move(e));
  return o;
}

Outcome SettingsDecider::operator()(const ImportSettings& c) {
  const SettingsState* s;
  if (auto r = Load(&s)) return *r;
  // The config file gives the first values only: afterwards the stream is the truth.
  if (s->exists || (c.task_types.empty() && c.workflows.empty())) return Unchanged();
  std::map<std::string, TaskType> types;
  Outcome o;
  for (const TaskType& t : c.task_types) {
    types[t.id] = t;
    o.Add(kSettingsStream, 0, Defined(t));
  }
  for (const Workflow& w : c.workflows) {
    if (auto r = CheckWorkflow(w, types)) return *r;
    o.Add(kSettingsStream, 0, Defined(w));
  }
  o.response = {{"task_types", c.task_types.size()}, {"workflows", c.workflows.size()}};
  return o;
}

}  // namespace caseengine
