// CaseList and CaseListProjection: see case_list.h.
#include "projections/case_list.h"

#include <algorithm>
#include <mutex>

#include "base/time_format.h"

namespace caseengine {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CaseListClient, surname, forenames, status,
                                                client_type, case_number, deleted)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CaseListOfficer, user_id, role)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CaseListStrand, id, type, status)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CaseListRow, case_id, client_id, primary_applicant,
                                                status, opened_on, closed_on, close_reason, team_id,
                                                officers, strands, people, notes, open_actions,
                                                last_activity, deleted, version)

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
  w->Key("officers").BeginArray();
  for (const CaseListOfficer& o : r.officers) {
    w->BeginObject().Field("user_id", o.user_id).Field("role", o.role).EndObject();
  }
  w->EndArray().Key("strands").BeginArray();
  for (const CaseListStrand& s : r.strands) {
    w->BeginObject().Field("id", s.id).Field("type", s.type).Field("status", s.status).EndObject();
  }
  w->EndArray()
      .Field("people", r.people)
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
      {"surname", client_text(&CaseListClient::surname), nullptr},
      {"forenames", client_text(&CaseListClient::forenames), nullptr},
      {"status", text(&R::status), nullptr},
      {"opened_on", text(&R::opened_on), nullptr},
      {"closed_on", text(&R::closed_on), nullptr},
      {"close_reason", text(&R::close_reason), nullptr},
      {"team_id", text(&R::team_id), nullptr},
      {"primary_officer", [](const R& r) { return Cell::Text(PrimaryOfficer(r)); }, nullptr},
      {"officers", [](const R& r) { return Cell::Num(static_cast<int64_t>(r.officers.size())); },
       [](const R& r) { return nlohmann::json(r.officers); }},
      {"strands", [](const R& r) { return Cell::Num(static_cast<int64_t>(r.strands.size())); },
       [](const R& r) { return nlohmann::json(r.strands); }},
      {"open_strands", [](const R& r) { return Cell::Num(OpenStrands(r)); }, nullptr},
      {"people", [](const R& r) { return Cell::Num(r.people); }, nullptr},
      {"notes", [](const R& r) { return Cell::Num(r.notes); }, nullptr},
      {"open_actions", [](const R& r) { return Cell::Num(r.open_actions); }, nullptr},
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
    for (int i = 0; i < 3; ++i) {
      static const char* const kRanges[] = {"opened", "closed", "last_activity"};
      from[i] = get(std::string(kRanges[i]) + "_from");
      to[i] = get(std::string(kRanges[i]) + "_to");
    }
  }
  const std::string *status, *team, *client_id, *client_status, *client_type, *officer, *role,
      *strand_type, *strand_status;
  const std::string* from[3];  // opened, closed, last_activity
  const std::string* to[3];
};

// A date range's end includes the whole day; instants compare by their date.
bool InRange(const std::string& value, const std::string* from, const std::string* to) {
  if (from != nullptr && (value.empty() || value < *from)) return false;
  if (to != nullptr && (value.empty() || value.compare(0, to->size(), *to) > 0)) return false;
  return true;
}

bool Matches(const CaseListRow& r, const Filters& f) {
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
                                                  "last_activity_to"};
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
  }
  const auto columns = Columns(query.today);
  ListPlan<CaseListRow> plan;
  Status s = ListPlan<CaseListRow>::Make(columns, "-opened_on", query.list, &plan);
  if (!s.ok()) return s;
  const Filters filters(query.filters);
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<const CaseListRow*> rows;
  std::shared_ptr<const Index> index;
  {
    std::lock_guard<std::mutex> index_lock(index_mu_);
    index = IndexFor(plan, query.today);
  }
  index->Walk(plan, [&](const CaseListRow* r) {
    if (!r->deleted && Matches(*r, filters)) rows.push_back(r);
    return rows.size() <= plan.limit();
  });
  size_t total = 0;
  if (query.count_total) {
    cases_.ForEach([&](const CaseListRow& r) { total += !r.deleted && Matches(r, filters); });
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
  ++index_clock_;
  for (KeptIndex& k : indexes_) {
    if (k.sort == plan.sort()) {
      if (k.today != today) {
        // days_open moved on: sorted for another day.
        k.index.reset();
        k.today = today;
      }
      if (k.index == nullptr) k.index = NewIndex(plan, today);
      k.last_used = index_clock_;
      return k.index;
    }
  }
  if (indexes_.size() >= kMaxSortIndexes) {
    auto oldest = std::min_element(
        indexes_.begin(), indexes_.end(),
        [](const KeptIndex& a, const KeptIndex& b) { return a.last_used < b.last_used; });
    indexes_.erase(oldest);
  }
  KeptIndex& k = indexes_.emplace_back();
  k.sort = plan.sort();
  k.today = today;
  k.last_used = index_clock_;
  k.index = NewIndex(plan, today);
  return k.index;
}

void CaseList::Unindex(const CaseListRow* row) {
  std::lock_guard<std::mutex> lock(index_mu_);
  for (KeptIndex& k : indexes_) {
    if (k.index) k.index->Erase(row);
  }
}

void CaseList::Reindex(const CaseListRow* row) {
  std::lock_guard<std::mutex> lock(index_mu_);
  for (KeptIndex& k : indexes_) {
    if (!k.index) continue;
    if (row->gone) {
      k.index->Erase(row);
    } else {
      k.index->Place(row);
    }
  }
}

void CaseList::DropIndexes() {
  std::lock_guard<std::mutex> lock(index_mu_);
  indexes_.clear();
}

Status CaseListProjection::Load(const Store& store, FamilyId family) {
  std::unique_lock<std::shared_mutex> lock(list_.mu_);
  Status s = list_.clients_.Load(store, family);
  if (s.ok()) s = list_.cases_.Load(store, family);
  if (!s.ok()) return s;
  // Rows point at their applicant's client row; those pointers are not stored.
  std::vector<std::pair<CaseListRow*, std::string>> links;
  list_.cases_.ForEach([&](const CaseListRow& r) {
    links.emplace_back(const_cast<CaseListRow*>(&r), r.primary_applicant);
  });
  for (auto& [row, client] : links) {
    CaseListClient* c = list_.clients_.Find(client);
    if (c == nullptr) c = list_.clients_.Upsert(client);
    row->applicant = c;
    c->rows.push_back(row);
  }
  list_.DropIndexes();
  return Status::Ok();
}

void CaseListProjection::Reset() {
  std::unique_lock<std::shared_mutex> lock(list_.mu_);
  list_.DropIndexes();
  list_.cases_.Clear();
  list_.clients_.Clear();
}

void CaseListProjection::Flush(RowWriter* rows) {
  std::unique_lock<std::shared_mutex> lock(list_.mu_);
  list_.clients_.Flush(rows);
  list_.cases_.Flush(rows);
}

void CaseListProjection::Apply(const ProjectedEvent& pe, RowWriter*) {
  if (pe.event == nullptr) return;
  const Event& e = *pe.event;
  std::unique_lock<std::shared_mutex> lock(list_.mu_);
  auto& clients = list_.clients_;
  auto& cases = list_.cases_;

  if (pe.kind == StreamKind::kClient) {
    const std::string id(pe.id);
    CaseListClient* c =
        e.type == EventType::kClientRegistered ? clients.Upsert(id) : clients.Change(id);
    if (c == nullptr) return;
    // Its cases sort on its fields: out of the indexes while they change.
    const std::vector<const CaseListRow*> affected = c->rows;
    for (const CaseListRow* r : affected) list_.Unindex(r);
    switch (e.type) {
      case EventType::kClientRegistered:
        c->client_type = e.client_type;
        [[fallthrough]];
      case EventType::kClientDetailsCorrected:
        if (e.personal.surname) c->surname = *e.personal.surname;
        if (e.personal.forenames) c->forenames = *e.personal.forenames;
        break;
      case EventType::kClientStatusChanged:
        c->status = e.status;
        break;
      case EventType::kClientTypeChanged:
        c->client_type = e.client_type;
        break;
      case EventType::kCaseNumberChanged:
        c->case_number = e.case_number;
        break;
      case EventType::kClientDeleted:
        c->deleted = true;
        if (e.mode != DeleteMode::kErase) break;
        // Its cases deleted before (with no erasure event of their own) go now; live ones
        // go with the CaseDeleted events that follow.
        for (const CaseListRow* r : affected) {
          if (r->deleted && r->client_id == id) {
            const std::string case_id = r->case_id;
            cases.Remove(case_id);
          }
        }
        clients.Remove(id);  // the rest point at an empty client now
        break;
      case EventType::kClientRestored:
        c->deleted = false;
        break;
      default:
        break;
    }
    for (const CaseListRow* r : affected) list_.Reindex(r);  // gone rows are left out
    return;
  }
  if (pe.kind != StreamKind::kCase) return;
  const std::string id(pe.id);
  auto detach = [](CaseListRow* r) {
    if (r->applicant == nullptr) return;
    auto& rows = const_cast<CaseListClient*>(r->applicant)->rows;
    rows.erase(std::remove(rows.begin(), rows.end(), r), rows.end());
  };
  auto attach = [&](CaseListRow* r, const std::string& client_id) {
    CaseListClient* c = clients.Find(client_id);
    if (c == nullptr) c = clients.Upsert(client_id);
    r->applicant = c;
    c->rows.push_back(r);
  };
  if (e.type == EventType::kCaseDeleted && e.mode == DeleteMode::kErase) {
    if (CaseListRow* r = cases.Find(id)) {
      list_.Unindex(r);
      detach(r);
    }
    cases.Remove(id);
    return;
  }
  CaseListRow* r = e.type == EventType::kCaseOpened ? cases.Upsert(id) : cases.Change(id);
  if (r == nullptr) return;
  // Placed again at the end, the one row changed (SortedIndex::Place).
  r->version = pe.envelope.version();
  r->last_activity = MicrosToDate(pe.envelope.recorded_at());
  switch (e.type) {
    case EventType::kCaseOpened:
      r->case_id = id;
      r->client_id = e.client_id;
      r->primary_applicant = e.client_id;
      attach(r, e.client_id);
      r->opened_on = e.date;
      r->team_id = e.team_id;
      r->officers = {{e.user_id, "primary"}};
      r->people = 1;
      break;
    case EventType::kOfficerAssigned:
      r->officers.push_back({e.user_id, e.role});
      break;
    case EventType::kOfficerUnassigned:
      std::erase_if(r->officers, [&](const CaseListOfficer& o) {
        return o.user_id == e.user_id && o.role == e.role;
      });
      break;
    case EventType::kTeamAssigned:
      r->team_id = e.team_id;
      break;
    case EventType::kPersonAdded:
      r->people++;
      break;
    case EventType::kPersonLeft:
      r->people = std::max(0, r->people - 1);
      break;
    case EventType::kPrimaryApplicantSwitched:
      r->primary_applicant = e.client_id;
      detach(r);
      attach(r, e.client_id);
      break;
    case EventType::kCaseClosed:
      r->status = "closed";
      r->close_reason = e.reason;
      r->closed_on = r->last_activity;
      break;
    case EventType::kCaseReopened:
      r->status = "open";
      r->close_reason.clear();
      r->closed_on.clear();
      break;
    case EventType::kCaseDeleted:
      r->deleted = true;
      break;
    case EventType::kCaseRestored:
      r->deleted = false;
      break;
    case EventType::kNoteAdded:
      r->notes++;
      break;
    case EventType::kActionCreated:
      r->open_actions++;
      break;
    case EventType::kActionCompleted:
    case EventType::kActionClosed:
      r->open_actions = std::max(0, r->open_actions - 1);
      break;
    case EventType::kStrandAdded:
      r->strands.push_back({e.item_id, e.strand_type, "open"});
      break;
    case EventType::kStrandMovedIn:
      r->strands.push_back({e.item_id, e.strand_type, "open"});
      break;
    case EventType::kStrandStatusChanged:
    case EventType::kStrandMovedOut:
      for (auto& s : r->strands) {
        if (s.id == e.item_id) {
          s.status = e.type == EventType::kStrandMovedOut ? "closed_moved" : e.status;
        }
      }
      break;
    default:
      break;
  }
  list_.Reindex(r);
}

}  // namespace caseengine
