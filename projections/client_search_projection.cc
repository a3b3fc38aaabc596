// ClientSearchProjection: see client_search.h. Keeps the client search's rows and
// indexes from the client events: a row's names are folded again and the row indexed
// again whenever they change.
#include <algorithm>
#include <mutex>
#include <string>

#include "aggregates/lobby_matcher.h"
#include "projections/client_search.h"  // declares ClientSearchProjection

namespace caseengine {

Status ClientSearchProjection::Load(const Store& store, FamilyId family) {
  auto& s = search_;
  std::unique_lock<std::shared_mutex> lock(s.mu_);
  s.ClearIndexes();
  Status st = s.rows_.Load(store, family);
  if (!st.ok()) return st;
  // Folded names and indexes are not stored. The rows are the table's own (non-const)
  // objects, handed out const by ForEach.
  s.rows_.ForEach([&](const ClientSearchRow& r) {
    auto* row = const_cast<ClientSearchRow*>(&r);
    row->folded_surname = FoldName(r.surname);
    row->folded_forenames = FoldName(r.forenames);
    s.Index(r);
  });
  return Status::Ok();
}

void ClientSearchProjection::Reset() {
  auto& s = search_;
  std::unique_lock<std::shared_mutex> lock(s.mu_);
  s.rows_.Clear();
  s.ClearIndexes();
}

void ClientSearchProjection::Flush(RowWriter* rows) {
  std::unique_lock<std::shared_mutex> lock(search_.mu_);
  search_.rows_.Flush(rows);
}

void ClientSearchProjection::Apply(const ProjectedEvent& pe, RowWriter*) {
  if (pe.event == nullptr) return;
  const Event& e = *pe.event;
  switch (e.type) {
    case EventType::kClientRegistered:
    case EventType::kClientDetailsCorrected:
    case EventType::kClientStatusChanged:
    case EventType::kClientTypeChanged:
    case EventType::kCaseNumberChanged:
    case EventType::kClientCaseAdded:
    case EventType::kClientCaseDeleted:
    case EventType::kClientDeleted:
    case EventType::kClientRestored:
      break;
    default:
      return;  // before the lock: most events change nothing here
  }
  if (pe.kind != StreamKind::kClient) return;
  const std::string id(pe.id);
  auto& s = search_;
  std::unique_lock<std::shared_mutex> lock(s.mu_);

  if (e.type == EventType::kClientDeleted && e.mode == DeleteMode::kErase) {
    if (const ClientSearchRow* r = s.rows_.Find(id)) s.Unindex(*r);
    s.rows_.Remove(id);
    return;
  }
  ClientSearchRow* r =
      e.type == EventType::kClientRegistered ? s.rows_.Upsert(id) : s.rows_.Change(id);
  if (r == nullptr) return;
  auto set_personal = [&](bool replace_all) {
    s.Unindex(*r);
    const PersonalFields& p = e.personal;
    auto set = [&](std::string* field, const std::optional<std::string>& v) {
      if (v) {
        *field = *v;
      } else if (replace_all) {
        field->clear();
      }
    };
    set(&r->surname, p.surname);
    set(&r->forenames, p.forenames);
    set(&r->date_of_birth, p.date_of_birth);
    set(&r->nino, p.nino);
    set(&r->email, p.email);
    set(&r->phone, p.phone);
    set(&r->postcode, p.postcode);
    r->folded_surname = FoldName(r->surname);
    r->folded_forenames = FoldName(r->forenames);
    s.Index(*r);
  };
  switch (e.type) {
    case EventType::kClientRegistered:
      r->client_id = id;
      r->client_type = e.client_type;
      r->cases = {e.case_id};
      set_personal(/*replace_all=*/true);
      break;
    case EventType::kClientDetailsCorrected:
      set_personal(/*replace_all=*/false);
      break;
    case EventType::kClientStatusChanged:
      r->status = e.status;
      break;
    case EventType::kClientTypeChanged:
      r->client_type = e.client_type;
      break;
    case EventType::kCaseNumberChanged:
      r->case_number = e.case_number;
      break;
    case EventType::kClientCaseAdded:
      r->cases.push_back(e.case_id);
      break;
    case EventType::kClientCaseDeleted:
      std::erase(r->cases, e.case_id);
      break;
    case EventType::kClientDeleted:
      r->deleted = true;
      break;
    case EventType::kClientRestored:
      r->deleted = false;
      break;
    default:
      break;
  }
}

}  // namespace caseengine
