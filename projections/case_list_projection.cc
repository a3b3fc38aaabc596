// CaseListProjection: keeps the case list (see case_list.h) from the log's events: the
// rows change under the list's exclusive lock, each changed row leaving the kept sort
// orders while it changes and placed again after, and the rows point at their primary
// applicant's client row, which is not stored and is linked again on Load.
#include <algorithm>
#include <mutex>

#include "base/time_format.h"
#include "projections/case_list.h"

namespace caseengine {

// Rows as stored (written by WriteJson in case_list.cc), read on Load.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CaseListClient, surname, forenames, status,
                                                client_type, case_number, deleted)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CaseListOfficer, user_id, role)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CaseListStrand, id, type, status)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CaseListTask, id, due, open)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CaseListRow, case_id, client_id, primary_applicant,
                                                status, opened_on, closed_on, close_reason, team_id,
                                                officers, strands, people, notes, open_actions,
                                                tasks, last_activity, deleted, version)

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
    case EventType::kTaskCreated:
      r->tasks.push_back({e.item_id, e.date, true});
      break;
    case EventType::kTaskDueChanged:
    case EventType::kTaskCompleted:
    case EventType::kTaskCancelled:
    case EventType::kTaskClosed:
    case EventType::kTaskReopened:
      for (auto& t : r->tasks) {
        if (t.id != e.item_id) continue;
        if (e.type == EventType::kTaskDueChanged) {
          t.due = e.date;
        } else {
          t.open = e.type == EventType::kTaskReopened;
        }
      }
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
