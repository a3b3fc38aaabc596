// CaseList and CaseListProjection: see case_list.h.
#include "projections/case_list.h"

#include <algorithm>
#include <mutex>

#include "base/time_format.h"

namespace caseengine {

// Defaults are left out (from_json above puts them back).
void WriteJson(JsonWriter* w, const CaseListClient& c) {
  w->BeginObject()
      .FieldIfSet("surname", c.surname)
      .FieldIfSet("forenames", c.forenames)
      .Field("status", c.status)
      .FieldIfSet("client_type", c.client_type)
      .FieldIfSet("case_number", c.case_number)
      .FlagIfSet("deleted", c.deleted)
      .EndObject();
}

namespace {

// A row's officers and strands, as stored and as a list shows them (keys in the order
// the stored rows have always had).
void WriteOfficers(JsonWriter* w, const std::vector<CaseListOfficer>& officers) {
  w->BeginArray();
  for (const CaseListOfficer& o : officers) {
    w->BeginObject().Field("role", o.role).Field("user_id", o.user_id).EndObject();
  }
  w->EndArray();
}

void WriteTasks(JsonWriter* w, const std::vector<CaseListTask>& tasks) {
  w->BeginArray();
  for (const CaseListTask& t : tasks) {
    w->BeginObject().Field("id", t.id).FieldIfSet("due", t.due).Field("open", t.open).EndObject();
  }
  w->EndArray();
}

void WriteStrands(JsonWriter* w, const std::vector<CaseListStrand>& strands) {
  w->BeginArray();
  for (const CaseListStrand& s : strands) {
    w->BeginObject().Field("id", s.id).Field("status", s.status).Field("type", s.type).EndObject();
  }
  w->EndArray();
}

}  // namespace

void WriteJson(JsonWriter* w, const CaseListRow& r) {
  w->BeginObject()
      .Field("case_id", r.case_id)
      .Field("client_id", r.client_id)
      .Field("primary_applicant", r.primary_applicant)
      .Field("status", r.status)
      .FieldIfSet("opened_on", r.opened_on)
      .FieldIfSet("closed_on", r.closed_on)
      .FieldIfSet("close_reason", r.close_reason)
      .FieldIfSet("team_id", r.team_id);
  WriteOfficers(&w->Key("officers"), r.officers);
  WriteStrands(&w->Key("strands"), r.strands);
  if (!r.tasks.empty()) WriteTasks(&w->Key("tasks"), r.tasks);
  w->Field("people", r.people)
      .Field("notes", r.notes)
      .Field("open_actions", r.open_actions)
      .FieldIfSet("last_activity", r.last_activity)
      .FlagIfSet("deleted", r.deleted)
      .Field("version", r.version)
      .EndObject();
}

namespace {

const CaseListClient kNoClient;

const CaseListClient& Applicant(const CaseListRow& r) {
  return r.applicant != nullptr ? *r.applicant : kNoClient;
}

// Open tasks; those due before `today` with `overdue`.
int64_t OpenTasks(const CaseListRow& r, const std::string* overdue_on = nullptr) {
  int64_t n = 0;
  for (const CaseListTask& t : r.tasks) {
    if (t.open && (overdue_on == nullptr || (!t.due.empty() && t.due < *overdue_on))) ++n;
  }
  return n;
}

// The earliest due date of an open task; "" when none has one.
std::string NextDue(const CaseListRow& r) {
  std::string next;
  for (const CaseListTask& t : r.tasks) {
    if (t.open && !t.due.empty() && (next.empty() || t.due < next)) next = t.due;
  }
  return next;
}

int OpenStrands(const CaseListRow& r) {
  return static_cast<int>(
      std::count_if(r.strands.begin(), r.strands.end(),
                    [](const CaseListStrand& s) { return s.status == "open"; }));
}

std::string_view PrimaryOfficer(const CaseListRow& r) {
  for (const auto& o : r.officers) {
    if (o.role == "primary") return o.user_id;
  }
  return {};
}

std::vector<ListColumn<CaseListRow>> Columns(const std::string& today) {
  using R = CaseListRow;
  auto text = [](std::string R::*field) {
    return [field](const R& r) { return Cell::Text(r.*field); };
  };
  auto client_text = [](std::string CaseListClient::*field) {
    return [field](const R& r) { return Cell::Text(Applicant(r).*field); };
  };
  return {
      {"case_id", text(&R::case_id), nullptr},
      {"client_id", text(&R::client_id), nullptr},
      {"primary_applicant", text(&R::primary_applicant), nullptr},
      {"surname", [](const R& r) { return Cell::Name(Applicant(r).surname); }, nullptr},
      {"forenames", [](const R& r) { return Cell::Name(Applicant(r).forenames); }, nullptr},
      {"status", text(&R::status), nullptr},
      {"opened_on", text(&R::opened_on), nullptr},
      {"closed_on", text(&R::closed_on), nullptr},
      {"close_reason", text(&R::close_reason), nullptr},
      {"team_id", text(&R::team_id), nullptr},
      {"primary_officer", [](const R& r) { return Cell::Text(PrimaryOfficer(r)); }, nullptr},
      {"officers", [](const R& r) { return Cell::Num(static_cast<int64_t>(r.officers.size())); },
       [](const R& r, JsonWriter* w) { WriteOfficers(w, r.officers); }},
      {"strands", [](const R& r) { return Cell::Num(static_cast<int64_t>(r.strands.size())); },
       [](const R& r, JsonWriter* w) { WriteStrands(w, r.strands); }},
      {"open_strands", [](const R& r) { return Cell::Num(OpenStrands(r)); }, nullptr},
      {"people", [](const R& r) { return Cell::Num(r.people); }, nullptr},
      {"notes", [](const R& r) { return Cell::Num(r.notes); }, nullptr},
      {"open_actions", [](const R& r) { return Cell::Num(r.open_actions); }, nullptr},
      {"open_tasks", [](const R& r) { return Cell::Num(OpenTasks(r)); }, nullptr},
      {"overdue_tasks", [today](const R& r) { return Cell::Num(OpenTasks(r, &today)); }, nullptr},
      // Undated sorts last; shown as "".
      {"next_due",
       [](const R& r) {
         static thread_local std::string next;
         next = NextDue(r);
         return Cell::Text(next.empty() ? std::string_view("~") : std::string_view(next));
       },
       [](const R& r, JsonWriter* w) { w->String(NextDue(r)); }},
      {"last_activity", text(&R::last_activity), nullptr},
      {"client_status", client_text(&CaseListClient::status), nullptr},
      {"client_type", client_text(&CaseListClient::client_type), nullptr},
      {"case_number", client_text(&CaseListClient::case_number), nullptr},
      {"days_open",
       [today](const R& r) {
         return Cell::Num(DaysBetween(r.opened_on, r.closed_on.empty() ? today : r.closed_on));
       },
       nullptr},
      {"version", [](const R& r) { return Cell::Num(static_cast<int64_t>(r.version)); }, nullptr},
  };
}

// The filters of one query, looked up once rather than per row.
struct Filters {
  explicit Filters(const std::map<std::string, std::string>& f) {
    auto get = [&](const std::string& name) { return FilterValue(f, name); };
    status = get("status");
    team = get("team");
    client_id = get("client_id");
    client_status = get("client_status");
    client_type = get("client_type");
    officer = get("officer");
    role = get("role");
    strand_type = get("strand_type");
    strand_status = get("strand_status");
    open_tasks = get("open_tasks");
    overdue_tasks = get("overdue_tasks");
    for (int i = 0; i < 4; ++i) {
      static const char* const kRanges[] = {"opened", "closed", "last_activity", "next_due"};
      from[i] = get(std::string(kRanges[i]) + "_from");
      to[i] = get(std::string(kRanges[i]) + "_to");
    }
  }
  const std::string *status, *team, *client_id, *client_status, *client_type, *officer, *role,
      *strand_type, *strand_status, *open_tasks, *overdue_tasks;
  const std::string* from[4];  // opened, closed, last_activity, next_due
  const std::string* to[4];
};

// A date range's end includes the whole day; instants compare by their date.
bool InRange(const std::string& value, const std::string* from, const std::string* to) {
  if (from != nullptr && (value.empty() || value < *from)) return false;
  if (to != nullptr && (value.empty() || value.compare(0, to->size(), *to) > 0)) return false;
  return true;
}

bool Matches(const CaseListRow& r, const Filters& f, const std::string& today) {
  const CaseListClient& c = Applicant(r);
  if (f.status && r.status != *f.status) return false;
  if (f.team && r.team_id != *f.team) return false;
  if (f.client_id && r.client_id != *f.client_id && r.primary_applicant != *f.client_id) {
    return false;
  }
  if (f.client_status && c.status != *f.client_status) return false;
  if (f.client_type && c.client_type != *f.client_type) return false;
  if (f.officer || f.role) {
    bool any = std::any_of(r.officers.begin(), r.officers.end(), [&](const CaseListOfficer& o) {
      return (!f.officer || o.user_id == *f.officer) && (!f.role || o.role == *f.role);
    });
    if (!any) return false;
  }
  if (f.strand_type || f.strand_status) {
    bool any = std::any_of(r.strands.begin(), r.strands.end(), [&](const CaseListStrand& s) {
      return (!f.strand_type || s.type == *f.strand_type) &&
             (!f.strand_status || s.status == *f.strand_status);
    });
    if (!any) return false;
  }
  // open_tasks / overdue_tasks: true for a case with any, false for one with none.
  if (f.open_tasks && (OpenTasks(r) > 0) != (*f.open_tasks == "true")) return false;
  if (f.overdue_tasks && (OpenTasks(r, &today) > 0) != (*f.overdue_tasks == "true")) return false;
  if ((f.from[3] || f.to[3]) && !InRange(NextDue(r), f.from[3], f.to[3])) return false;
  return InRange(r.opened_on, f.from[0], f.to[0]) && InRange(r.closed_on, f.from[1], f.to[1]) &&
         InRange(r.last_activity, f.from[2], f.to[2]);
}

}  // namespace

const std::vector<std::string>& CaseList::FilterNames() {
  static const std::vector<std::string> kNames = {"status",
                                                  "officer",
                                                  "role",
                                                  "team",
                                                  "strand_type",
                                                  "strand_status",
                                                  "client_id",
                                                  "client_status",
                                                  "client_type",
                                                  "opened_from",
                                                  "opened_to",
                                                  "closed_from",
                                                  "closed_to",
                                                  "last_activity_from",
                                                  "last_activity_to",
                                                  "open_tasks",
                                                  "overdue_tasks",
                                                  "next_due_from",
                                                  "next_due_to"};
  return kNames;
}

std::vector<std::string> CaseList::ColumnNames() { return ColumnNamesOf(Columns("")); }

size_t CaseList::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return cases_.size();
}

Status CaseList::Query(const CaseListQuery& query, ListPage* page) const {
  Status checked = CheckFilters(query.filters, FilterNames());
  if (!checked.ok()) return checked;
  for (const auto& [name, value] : query.filters) {
    if ((name.ends_with("_from") || name.ends_with("_to")) && !IsDate(value)) {
      return Status::InvalidArgument(name + " '" + value + "' is not a date (YYYY-MM-DD)");
    }
    if ((name == "open_tasks" || name == "overdue_tasks") && value != "true" && value != "false") {
      return Status::InvalidArgument(name + " must be true or false");
    }
  }
  const auto columns = Columns(query.today);
  ListPlan<CaseListRow> plan;
  Status s = ListPlan<CaseListRow>::Make(columns, "-opened_on", query.list, &plan);
  if (!s.ok()) return s;
  const Filters filters(query.filters);
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<const CaseListRow*> rows;
  const std::shared_ptr<const Index> index = IndexFor(plan, query.today);
  index->Walk(plan, [&](const CaseListRow* r) {
    if (!r->deleted && Matches(*r, filters, query.today)) rows.push_back(r);
    return rows.size() <= plan.limit();
  });
  size_t total = 0;
  if (query.count_total) {
    cases_.ForEach(
        [&](const CaseListRow& r) { total += !r.deleted && Matches(r, filters, query.today); });
  }
  plan.Finish(rows, total, page);
  page->total_known = query.count_total;
  return Status::Ok();
}

std::shared_ptr<CaseList::Index> CaseList::NewIndex(const ListPlan<CaseListRow>& plan,
                                                    const std::string& today) const {
  auto index = std::make_shared<Index>(Columns(today), plan.keys());
  std::vector<const CaseListRow*> rows;
  rows.reserve(cases_.size());
  cases_.ForEach([&](const CaseListRow& r) { rows.push_back(&r); });
  index->Build(std::move(rows));
  return index;
}

std::shared_ptr<const CaseList::Index> CaseList::IndexFor(const ListPlan<CaseListRow>& plan,
                                                          const std::string& today) const {
  std::shared_ptr<KeptIndex> kept;
  {
    std::lock_guard<std::mutex> index_lock(index_mu_);
    ++index_clock_;
    for (const auto& k : indexes_) {
      if (k->sort == plan.sort()) kept = k;
    }
    if (kept == nullptr) {
      if (indexes_.size() >= kMaxSortIndexes) {
        indexes_.erase(std::min_element(
            indexes_.begin(), indexes_.end(),
            [](const auto& a, const auto& b) { return a->last_used < b->last_used; }));
      }
      kept = indexes_.emplace_back(std::make_shared<KeptIndex>(plan.sort()));
    }
    kept->last_used = index_clock_;
  }
  std::lock_guard<std::mutex> build_lock(kept->build_mu);
  if (kept->today != today) {
    kept->index.reset();  // days_open moved on: sorted for another day
    kept->today = today;
  }
  if (kept->index == nullptr) kept->index = NewIndex(plan, today);
  return kept->index;
}

void CaseList::Unindex(const CaseListRow* row) {
  std::lock_guard<std::mutex> lock(index_mu_);
  for (const auto& k : indexes_) {
    if (k->index) k->index->Erase(row);
  }
}

void CaseList::Reindex(const CaseListRow* row) {
  std::lock_guard<std::mutex> lock(index_mu_);
  for (const auto& k : indexes_) {
    if (!k->index) continue;
    if (row->gone) {
      k->index->Erase(row);
    } else {
      k->index->Place(row);
    }
  }
}

void CaseList::DropIndexes() {
  std::lock_guard<std::mutex> lock(index_mu_);
  indexes_.clear();
}

}  // namespace caseengine
