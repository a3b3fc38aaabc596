// CaseOfficersProjection: keeps the case officers list (see case_officers.h) from the
// log's events, under the list's exclusive lock: a changed case leaves its officers'
// workload totals while it changes and comes back as it is after.
#include <algorithm>
#include <mutex>

#include "projections/case_officers.h"

namespace caseengine {

Status CaseOfficersProjection::Load(const Store& store, FamilyId family) {
  auto& o = officers_;
  std::unique_lock<std::shared_mutex> lock(o.mu_);
  o.Clear();
  Status s = o.cases_.Load(store, family);
  if (!s.ok()) return s;
  // What is derived is not stored. The rows are the table's own (non-const) objects,
  // handed out const by ForEach.
  o.cases_.ForEach(
      [&](const CaseOfficersCase& c) { o.AddCase(const_cast<CaseOfficersCase*>(&c)); });
  return Status::Ok();
}

void CaseOfficersProjection::Reset() {
  std::unique_lock<std::shared_mutex> lock(officers_.mu_);
  officers_.Clear();
}

void CaseOfficersProjection::Flush(RowWriter* rows) {
  std::unique_lock<std::shared_mutex> lock(officers_.mu_);
  officers_.cases_.Flush(rows);
}

void CaseOfficersProjection::Apply(const ProjectedEvent& pe, RowWriter*) {
  if (pe.event == nullptr) return;
  const Event& e = *pe.event;
  // Most events change nothing here: leave before taking the lock.
  switch (e.type) {
    case EventType::kClientDeleted:
      if (e.mode != DeleteMode::kErase) return;
      break;
    case EventType::kCaseOpened:
    case EventType::kOfficerAssigned:
    case EventType::kOfficerUnassigned:
    case EventType::kTeamAssigned:
    case EventType::kCaseClosed:
    case EventType::kCaseReopened:
    case EventType::kCaseDeleted:
    case EventType::kCaseRestored:
      break;
    default:
      return;
  }
  auto& o = officers_;
  std::unique_lock<std::shared_mutex> lock(o.mu_);

  if (e.type == EventType::kClientDeleted) {
    if (pe.kind != StreamKind::kClient) return;
    // Cases deleted earlier with a soft delete of the client get no CaseDeleted of their
    // own when the client is erased; they go with it here.
    auto it = o.cases_by_client_.find(std::string(pe.id));
    if (it == o.cases_by_client_.end()) return;
    const std::vector<std::string> ids = it->second;
    for (const std::string& id : ids) o.RemoveCase(id);
    return;
  }
  if (pe.kind != StreamKind::kCase) return;
  const std::string id(pe.id);
  if (e.type == EventType::kCaseDeleted && e.mode == DeleteMode::kErase) {
    o.RemoveCase(id);
    return;
  }
  if (e.type == EventType::kCaseOpened) {
    if (o.cases_.Find(id) != nullptr) return;  // a case opens once
    CaseOfficersCase* c = o.cases_.Upsert(id);
    c->case_id = id;
    c->client_id = e.client_id;
    c->opened_on = e.date;
    c->team_id = e.team_id;
    CaseOfficerAssignment& primary = c->officers.emplace_back();
    primary.user_id = e.user_id;
    primary.role = "primary";
    o.AddCase(c);
    return;
  }
  CaseOfficersCase* c = o.cases_.Change(id);
  if (c == nullptr) return;
  // Out of the workloads while it changes, back in as it is after (however it leaves).
  o.Count(*c, -1);
  struct Recount {
    CaseOfficers& o;
    const CaseOfficersCase& c;
    ~Recount() { o.Count(c, +1); }
  } recount{o, *c};
  switch (e.type) {
    case EventType::kOfficerAssigned: {
      for (const CaseOfficerAssignment& a : c->officers) {
        if (a.user_id == e.user_id && a.role == e.role) return;
      }
      CaseOfficerAssignment& a = c->officers.emplace_back();
      a.user_id = e.user_id;
      a.role = e.role;
      o.AddSlot(c, &a);
      return;
    }
    case EventType::kOfficerUnassigned: {
      auto it =
          std::find_if(c->officers.begin(), c->officers.end(), [&](const CaseOfficerAssignment& a) {
            return a.user_id == e.user_id && a.role == e.role;
          });
      if (it == c->officers.end()) return;
      const uint32_t slot = it->slot;
      c->officers.erase(it);
      o.RemoveSlot(*c, slot, e.user_id);
      return;
    }
    case EventType::kTeamAssigned:
      c->team_id = e.team_id;
      break;
    case EventType::kCaseClosed:
      c->status = "closed";
      break;
    case EventType::kCaseReopened:
      c->status = "open";
      break;
    case EventType::kCaseDeleted:
      c->deleted = true;
      break;
    case EventType::kCaseRestored:
      c->deleted = false;
      break;
    default:
      break;
  }
  o.UpdateBrief(*c);
}

}  // namespace caseengine
