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
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CaseListRow, case_id, client_id,
                                                primary_applicant, status, opened_on, closed_on,
                                                close_reason, team_id, officers, strands, people,
                                                notes, open_actions, last_activity, deleted,
                                                version)

namespace {

const CaseListClient kNoClient;

const CaseListClient& Applicant(const CaseListRow& r) {
  return r.applicant != nullptr ? *r.applicant : kNoClient;
}

int OpenStrands(const CaseListRow& r) {
  return static_cast<int>(std::count_if(r.strands.begin(), r.strands.end(),
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
      {"version", [](const R& r) { return Cell::Num(static_cast<int64_t>(r.version)); },
       nullptr},
  };
}

bool InRange(const std::string& value, const std::map<std::string, std::string>& f,
             const std::string& name) {
  auto from = f.find(name + "_from");
  if (from != f.end() && (value.empty() || value < from->second)) return false;
  auto to = f.find(name + "_to");
  // A date range's end includes the whole day; instants compare by their date.
  if (to != f.end() && (value.empty() || value.substr(0, to->second.size()) > to->second)) {
    return false;
  }
  return true;
}

bool Matches(const CaseListRow& r, const std::map<std::string, std::string>& f) {
  auto get = [&](const char* name) -> const std::string* {
    auto it = f.find(name);
    return it == f.end() ? nullptr : &it->second;
  };
  const CaseListClient& c = Applicant(r);
  if (auto v = get("status"); v && r.status != *v) return false;
  if (auto v = get("team"); v && r.team_id != *v) return false;
  if (auto v = get("client_id"); v && r.client_id != *v && r.primary_applicant != *v) {
    return false;
  }
  if (auto v = get("client_status"); v && c.status != *v) return false;
  if (auto v = get("client_type"); v && c.client_type != *v) return false;
  const std::string* officer = get("officer");
  const std::string* role = get("role");
  if (officer || role) {
    bool any = std::any_of(r.officers.begin(), r.officers.end(), [&](const CaseListOfficer& o) {
      return (!officer || o.user_id == *officer) && (!role || o.role == *role);
    });
    if (!any) return false;
  }
  const std::string* type = get("strand_type");
  const std::string* st = get("strand_status");
  if (type || st) {
    bool any = std::any_of(r.strands.begin(), r.strands.end(), [&](const CaseListStrand& s) {
      return (!type || s.type == *type) && (!st || s.status == *st);
    });
    if (!any) return false;
  }
  return InRange(r.opened_on, f, "opened") && InRange(r.closed_on, f, "closed") &&
         InRange(r.last_activity, f, "last_activity");
}

}  // namespace

const std::vector<std::string>& CaseList::FilterNames() {
  static const std::vector<std::string> kNames = {
      "status",        "officer",       "role",           "team",
      "strand_type",   "strand_status", "client_id",      "client_status",
      "client_type",   "opened_from",   "opened_to",      "closed_from",
      "closed_to",     "last_activity_from", "last_activity_to"};
  return kNames;
}

std::vector<std::string> CaseList::ColumnNames() {
  std::vector<std::string> names;
  for (const auto& c : Columns("")) names.push_back(c.name);
  return names;
}

size_t CaseList::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return cases_.size();
}

Status CaseList::Query(const CaseListQuery& query, ListPage* page) const {
  const auto& known = FilterNames();
  for (const auto& [name, value] : query.filters) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return Status::InvalidArgument("unknown filter '" + name + "'");
    }
  }
  const auto columns = Columns(query.today);
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<const CaseListRow*> rows;
  rows.reserve(cases_.size());
  cases_.ForEach([&](const CaseListRow& r) {
    if (!r.deleted && Matches(r, query.filters)) rows.push_back(&r);
  });
  return PageOf(std::move(rows), columns, "-opened_on", query.list, page);
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
  for (auto& [row, client] : links) row->applicant = list_.clients_.Find(client);
  return Status::Ok();
}

void CaseListProjection::Reset() {
  std::unique_lock<std::shared_mutex> lock(list_.mu_);
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
  const std::string_view stream = pe.envelope.stream();
  std::unique_lock<std::shared_mutex> lock(list_.mu_);
  auto& clients = list_.clients_;
  auto& cases = list_.cases_;

  if (stream.rfind("client-", 0) == 0) {
    const std::string id(stream.substr(7));
    if (e.type == EventType::kClientDeleted && e.mode == "erase") {
      clients.Remove(id);
      return;
    }
    CaseListClient* c = e.type == EventType::kClientRegistered ? clients.Upsert(id)
                                                               : clients.Change(id);
    if (c == nullptr) return;
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
        break;
      case EventType::kClientRestored:
        c->deleted = false;
        break;
      default:
        break;
    }
    return;
  }
  if (stream.rfind("case-", 0) != 0) return;
  const std::string id(stream.substr(5));
  if (e.type == EventType::kCaseDeleted && e.mode == "erase") {
    cases.Remove(id);
    return;
  }
  CaseListRow* r = e.type == EventType::kCaseOpened ? cases.Upsert(id) : cases.Change(id);
  if (r == nullptr) return;
  r->version = pe.envelope.version();
  r->last_activity = MicrosToDate(pe.envelope.recorded_at());
  switch (e.type) {
    case EventType::kCaseOpened:
      r->case_id = id;
      r->client_id = e.client_id;
      r->primary_applicant = e.client_id;
      r->applicant = clients.Find(e.client_id);
      if (r->applicant == nullptr) r->applicant = clients.Upsert(e.client_id);
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
      r->applicant = clients.Find(e.client_id);
      if (r->applicant == nullptr) r->applicant = clients.Upsert(e.client_id);
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
}

}  // namespace caseengine
