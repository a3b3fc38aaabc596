// TaskList and TaskListProjection: see task_list.h.
#include "projections/task_list.h"

#include <mutex>

#include "aggregates/task.h"
#include "base/time_format.h"

namespace caseengine {

void WriteJson(JsonWriter* w, const TaskListRow& r) {
  w->BeginObject()
      .Field("task_id", r.task_id)
      .Field("case_id", r.case_id)
      .FieldIfSet("strand_id", r.strand_id)
      .FieldIfSet("task_type", r.task_type)
      .Field("name", r.name)
      .Field("status", r.status)
      .FieldIfSet("due", r.due)
      .FieldIfSet("assignee", r.assignee)
      .FieldIfSet("assignee_client", r.assignee_client)
      .Field("provider_access", r.provider_access)
      .FieldIfSet("workflow", r.workflow)
      .Field("created_on", r.created_on)
      .FieldIfSet("completed_on", r.completed_on)
      .FieldIfSet("done_by", r.done_by)
      .FieldIfSet("done_by_user", r.done_by_user);
  if (r.client_task) w->Field("client_task", true);
  w->EndObject();
}

void from_json(const nlohmann::json& j, TaskListRow& r) {
  r = TaskListRow();
  auto get = [&](const char* key, std::string* value) { *value = j.value(key, *value); };
  get("task_id", &r.task_id);
  get("case_id", &r.case_id);
  get("strand_id", &r.strand_id);
  get("task_type", &r.task_type);
  get("name", &r.name);
  get("status", &r.status);
  get("due", &r.due);
  get("assignee", &r.assignee);
  get("assignee_client", &r.assignee_client);
  get("provider_access", &r.provider_access);
  get("workflow", &r.workflow);
  get("created_on", &r.created_on);
  get("completed_on", &r.completed_on);
  get("done_by", &r.done_by);
  get("done_by_user", &r.done_by_user);
  r.client_task = j.value("client_task", false);
}

void WriteJson(JsonWriter* w, const TaskCaseRow& r) {
  w->BeginObject().Field("case_id", r.case_id);
  if (r.deleted) w->Field("deleted", true);
  if (!r.organisations.empty()) {
    w->Key("organisations").BeginArray();
    for (const auto& o : r.organisations) w->String(o);
    w->EndArray();
  }
  w->EndObject();
}

void from_json(const nlohmann::json& j, TaskCaseRow& r) {
  r = TaskCaseRow();
  r.case_id = j.value("case_id", "");
  r.deleted = j.value("deleted", false);
  r.organisations = j.value("organisations", std::vector<std::string>());
}

namespace {

// An undated task sorts after every dated one.
constexpr std::string_view kUndated = "~";

bool Overdue(const TaskListRow& r, const std::string& today) {
  return r.Open() && !r.due.empty() && r.due < today;
}

std::vector<ListColumn<TaskListRow>> Columns(const std::string& today) {
  using R = TaskListRow;
  auto text = [](std::string R::*field) {
    return [field](const R& r) { return Cell::Text(r.*field); };
  };
  return {
      {"task_id", text(&R::task_id), nullptr},
      {"case_id", text(&R::case_id), nullptr},
      {"strand_id", text(&R::strand_id), nullptr},
      {"task_type", text(&R::task_type), nullptr},
      {"name", text(&R::name), nullptr},
      {"status", text(&R::status), nullptr},
      {"due", [](const R& r) { return Cell::Text(r.due.empty() ? kUndated : r.due); },
       [](const R& r, JsonWriter* w) { w->String(r.due); }},
      {"overdue", [today](const R& r) { return Cell::Num(Overdue(r, today) ? 1 : 0); },
       [today](const R& r, JsonWriter* w) { w->Bool(Overdue(r, today)); }},
      {"assignee", text(&R::assignee), nullptr},
      {"client_task", [](const R& r) { return Cell::Num(r.client_task ? 1 : 0); },
       [](const R& r, JsonWriter* w) { w->Bool(r.client_task); }},
      {"provider_access", text(&R::provider_access), nullptr},
      {"workflow", text(&R::workflow), nullptr},
      {"created_on", text(&R::created_on), nullptr},
      {"completed_on", text(&R::completed_on), nullptr},
      {"done_by", text(&R::done_by), nullptr},
      {"done_by_user", text(&R::done_by_user), nullptr},
  };
}

Status Bool(const std::string* value, const char* name, int* out) {
  *out = -1;
  if (value == nullptr) return Status::Ok();
  if (*value == "true") {
    *out = 1;
  } else if (*value == "false") {
    *out = 0;
  } else {
    return Status::InvalidArgument(std::string(name) + " must be true or false");
  }
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& TaskList::FilterNames() {
  static const std::vector<std::string> kNames = {"case_id",  "strand_id",  "task_type",
                                                  "workflow", "assignee",   "status",
                                                  "overdue",  "due_before", "client_task"};
  return kNames;
}

std::vector<std::string> TaskList::ColumnNames() { return ColumnNamesOf(Columns("")); }

size_t TaskList::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return rows_.size();
}

bool TaskList::CaseVisible(const TaskListRow& row, const std::string& organisation) const {
  const TaskCaseRow* c = cases_.Find(row.case_id);
  if (c != nullptr && c->deleted) return false;
  if (organisation.empty()) return true;
  if (c == nullptr || row.provider_access == "none") return false;
  for (const auto& o : c->organisations) {
    if (o == organisation) return true;
  }
  return false;
}

Status TaskList::Query(const TaskListQuery& query, ListPage* page) const {
  Status s = CheckFilters(query.filters, FilterNames());
  if (!s.ok()) return s;
  auto get = [&](const char* name) { return FilterValue(query.filters, name); };
  const std::string* status = get("status");
  const std::string wanted = status == nullptr ? "open" : *status;
  TaskStatus parsed;
  if (wanted != "open" && wanted != "all" && !ParseTaskStatus(wanted, &parsed)) {
    return Status::InvalidArgument(
        "status must be one of open, in_progress, completed, cancelled, closed, all; not '" +
        wanted + "'");
  }
  int overdue, client_task;
  if (s = Bool(get("overdue"), "overdue", &overdue); !s.ok()) return s;
  if (s = Bool(get("client_task"), "client_task", &client_task); !s.ok()) return s;
  const std::string* due_before = get("due_before");
  if (due_before != nullptr && !IsDate(*due_before)) {
    return Status::InvalidArgument("due_before must be a date (YYYY-MM-DD)");
  }
  std::string assignee;
  if (const std::string* a = get("assignee")) {
    TaskAssignee parsed_assignee;
    assignee = *a == "me" ? query.me : *a;
    if (!ParseAssignee(assignee, "", &parsed_assignee)) {
      return Status::InvalidArgument("assignee must be me, a user id, team:ID or client");
    }
  }
  const std::string* case_id = get("case_id");
  const std::string* strand_id = get("strand_id");
  const std::string* task_type = get("task_type");
  const std::string* workflow = get("workflow");

  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<const TaskListRow*> rows;
  auto consider = [&](const TaskListRow& r) {
    if (wanted == "open") {
      if (!r.Open()) return;
    } else if (wanted != "all" && r.status != wanted) {
      return;
    }
    if (!assignee.empty() && r.assignee != assignee) return;
    if (case_id && r.case_id != *case_id) return;
    if (strand_id && r.strand_id != *strand_id) return;
    if (task_type && r.task_type != *task_type) return;
    if (workflow && r.workflow != *workflow) return;
    if (due_before && (r.due.empty() || r.due > *due_before)) return;
    if (overdue >= 0 && Overdue(r, query.today) != (overdue == 1)) return;
    if (client_task >= 0 && r.client_task != (client_task == 1)) return;
    if (!CaseVisible(r, query.organisation)) return;
    rows.push_back(&r);
  };
  // The narrowest way in: a case's tasks, one assignee's open tasks, or every task.
  if (case_id != nullptr) {
    auto it = by_case_.find(*case_id);
    if (it != by_case_.end()) {
      for (const std::string& id : it->second) {
        if (const TaskListRow* r = rows_.Find(id)) consider(*r);
      }
    }
  } else if (!assignee.empty() && (wanted == "open" || wanted == "in_progress")) {
    auto it = open_by_assignee_.find(assignee);
    if (it != open_by_assignee_.end()) {
      for (const TaskListRow* r : it->second) consider(*r);
    }
  } else {
    rows_.ForEach(consider);
  }
  static thread_local std::vector<ListColumn<TaskListRow>> columns;
  columns = Columns(query.today);
  return PageOf(std::move(rows), columns, "due", query.list, page);
}

std::map<std::string, TaskCounts> TaskList::CountsByUser(const std::string& today) const {
  std::map<std::string, TaskCounts> counts;
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto& [assignee, open] : open_by_assignee_) {
    if (assignee.starts_with("team:") || assignee == "client") continue;
    TaskCounts c;
    for (const TaskListRow* r : open) {
      if (!CaseVisible(*r, "")) continue;
      ++c.open;
      if (Overdue(*r, today)) ++c.overdue;
    }
    if (c.open > 0) counts[assignee] = c;
  }
  return counts;
}

void TaskList::IndexOpen(const TaskListRow* r) {
  if (r->Open() && !r->assignee.empty()) open_by_assignee_[r->assignee].insert(r);
}

void TaskList::UnindexOpen(const TaskListRow* r) {
  auto it = open_by_assignee_.find(r->assignee);
  if (it == open_by_assignee_.end()) return;
  it->second.erase(r);
  if (it->second.empty()) open_by_assignee_.erase(it);
}

}  // namespace caseengine
