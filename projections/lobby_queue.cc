// LobbyQueue and LobbyQueueProjection: see lobby_queue.h.
#include "projections/lobby_queue.h"

#include <algorithm>
#include <mutex>

#include "base/time_format.h"

namespace caseengine {

// Empty fields are left out.
void WriteJson(JsonWriter* w, const LobbyQueueRow& r) {
  w->BeginObject()
      .Field("lobby_id", r.lobby_id)
      .Field("status", r.status)
      .Field("received_at", r.received_at)
      .FieldIfSet("source", r.source)
      .FieldIfSet("referrer", r.referrer)
      .FieldIfSet("surname", r.surname)
      .FieldIfSet("forenames", r.forenames)
      .FieldIfSet("date_of_birth", r.date_of_birth)
      .FieldIfSet("postcode", r.postcode)
      .FieldIfSet("claimed_by", r.claimed_by)
      .FieldIfSet("client_id", r.client_id)
      .FieldIfSet("case_id", r.case_id)
      .FieldIfSet("organisation", r.organisation)
      .EndObject();
}

void from_json(const nlohmann::json& j, LobbyQueueRow& r) {
  r = LobbyQueueRow();
  r.status = j.value("status", "received");
  auto get = [&](const char* key, std::string* value) { *value = j.value(key, ""); };
  get("lobby_id", &r.lobby_id);
  get("received_at", &r.received_at);
  get("source", &r.source);
  get("referrer", &r.referrer);
  get("surname", &r.surname);
  get("forenames", &r.forenames);
  get("date_of_birth", &r.date_of_birth);
  get("postcode", &r.postcode);
  get("claimed_by", &r.claimed_by);
  get("client_id", &r.client_id);
  get("case_id", &r.case_id);
  get("organisation", &r.organisation);
}

namespace {

const std::vector<ListColumn<LobbyQueueRow>>& Columns() {
  using R = LobbyQueueRow;
  auto text = [](std::string R::*field) {
    return [field](const R& r) { return Cell::Text(r.*field); };
  };
  static const std::vector<ListColumn<R>> kColumns = {
      {"lobby_id", text(&R::lobby_id), nullptr},
      {"source", text(&R::source), nullptr},
      {"referrer", text(&R::referrer), nullptr},
      {"surname", [](const R& r) { return Cell::Name(r.surname); }, nullptr},
      {"forenames", [](const R& r) { return Cell::Name(r.forenames); }, nullptr},
      {"date_of_birth", text(&R::date_of_birth), nullptr},
      {"postcode", text(&R::postcode), nullptr},
      {"status", text(&R::status), nullptr},
      {"claimed_by", text(&R::claimed_by), nullptr},
      {"received_at", text(&R::received_at), nullptr},
      {"client_id", text(&R::client_id), nullptr},
      {"case_id", text(&R::case_id), nullptr},
      {"organisation", text(&R::organisation), nullptr},
  };
  return kColumns;
}

}  // namespace

const std::vector<std::string>& LobbyQueue::FilterNames() {
  static const std::vector<std::string> kNames = {"status", "source", "claimed_by"};
  return kNames;
}

std::vector<std::string> LobbyQueue::ColumnNames() { return ColumnNamesOf(Columns()); }

size_t LobbyQueue::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return rows_.size();
}

Status LobbyQueue::Query(const LobbyQueueQuery& query, ListPage* page) const {
  Status checked = CheckFilters(query.filters, FilterNames());
  if (!checked.ok()) return checked;
  auto get = [&](const char* name) { return FilterValue(query.filters, name); };
  const std::string* status = get("status");
  const std::string wanted = status == nullptr ? "waiting" : *status;
  static const std::vector<std::string> kStatuses = {"waiting", "all",      "received",
                                                     "claimed", "assigned", "created"};
  if (std::find(kStatuses.begin(), kStatuses.end(), wanted) == kStatuses.end()) {
    return Status::InvalidArgument(
        "status must be one of waiting, all, received, claimed, assigned, created; not '" + wanted +
        "'");
  }
  const std::string* source = get("source");
  const std::string* claimed_by = get("claimed_by");

  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<const LobbyQueueRow*> rows;
  rows_.ForEach([&](const LobbyQueueRow& r) {
    if (wanted == "waiting") {
      if (r.status != "received" && r.status != "claimed") return;
    } else if (wanted != "all" && r.status != wanted) {
      return;
    }
    if (source && r.source != *source) return;
    if (claimed_by && r.claimed_by != *claimed_by) return;
    if (!query.organisation.empty() && r.organisation != query.organisation) return;
    rows.push_back(&r);
  });
  return PageOf(std::move(rows), Columns(), "received_at", query.list, page);
}

bool LobbyQueue::Get(const std::string& lobby_id, nlohmann::json* row) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  const LobbyQueueRow* r = rows_.Find(lobby_id);
  if (r == nullptr) return false;
  *row = nlohmann::json::object();
  for (const auto& c : Columns()) (*row)[c.name] = std::string(c.cell(*r).text);
  return true;
}

Status LobbyQueueProjection::Load(const Store& store, FamilyId family) {
  auto& q = queue_;
  std::unique_lock<std::shared_mutex> lock(q.mu_);
  q.by_client_.clear();
  Status s = q.rows_.Load(store, family);
  if (!s.ok()) return s;
  q.rows_.ForEach([&](const LobbyQueueRow& r) {
    if (!r.client_id.empty()) q.by_client_[r.client_id].push_back(r.lobby_id);
  });
  return Status::Ok();
}

void LobbyQueueProjection::Reset() {
  std::unique_lock<std::shared_mutex> lock(queue_.mu_);
  queue_.rows_.Clear();
  queue_.by_client_.clear();
}

void LobbyQueueProjection::Flush(RowWriter* rows) {
  std::unique_lock<std::shared_mutex> lock(queue_.mu_);
  queue_.rows_.Flush(rows);
}

void LobbyQueueProjection::Apply(const ProjectedEvent& pe, RowWriter*) {
  if (pe.event == nullptr) return;
  const Event& e = *pe.event;
  auto& q = queue_;

  if (e.type == EventType::kClientDeleted) {
    if (e.mode != DeleteMode::kErase) return;
    if (pe.kind != StreamKind::kClient) return;
    std::unique_lock<std::shared_mutex> lock(q.mu_);
    auto it = q.by_client_.find(std::string(pe.id));
    if (it == q.by_client_.end()) return;
    for (const std::string& lobby_id : it->second) {
      LobbyQueueRow* r = q.rows_.Change(lobby_id);
      if (r == nullptr) continue;
      r->surname.clear();
      r->forenames.clear();
      r->date_of_birth.clear();
      r->postcode.clear();
    }
    q.by_client_.erase(it);
    return;
  }
  switch (e.type) {
    case EventType::kReferralReceived:
    case EventType::kLobbyRecordClaimed:
    case EventType::kLobbyRecordAssigned:
    case EventType::kLobbyClientCreated:
    case EventType::kLobbyRecordRemoved:
      break;
    default:
      return;  // before the lock: most events change nothing here
  }
  if (pe.kind != StreamKind::kLobby) return;
  const std::string id(pe.id);
  std::unique_lock<std::shared_mutex> lock(q.mu_);
  if (e.type == EventType::kLobbyRecordRemoved) {
    q.rows_.Remove(id);
    return;
  }
  LobbyQueueRow* r =
      e.type == EventType::kReferralReceived ? q.rows_.Upsert(id) : q.rows_.Change(id);
  if (r == nullptr) return;
  switch (e.type) {
    case EventType::kReferralReceived: {
      r->lobby_id = id;
      r->source = e.source;
      r->referrer = e.referrer;
      r->organisation = e.organisation;
      const PersonalFields& p = e.personal;
      r->surname = p.surname.value_or("");
      r->forenames = p.forenames.value_or("");
      r->date_of_birth = p.date_of_birth.value_or("");
      r->postcode = p.postcode.value_or("");
      r->received_at = FormatMicrosUtc(pe.envelope.recorded_at());
      break;
    }
    case EventType::kLobbyRecordClaimed:
      r->status = "claimed";
      r->claimed_by = e.user_id;
      break;
    case EventType::kLobbyRecordAssigned:
    case EventType::kLobbyClientCreated:
      r->status = e.type == EventType::kLobbyRecordAssigned ? "assigned" : "created";
      r->client_id = e.client_id;
      r->case_id = e.case_id;
      q.by_client_[e.client_id].push_back(id);
      break;
    default:
      break;
  }
}

}  // namespace caseengine
