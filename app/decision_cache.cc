// DecisionCache: see decision_cache.h.
#include "app/decision_cache.h"

#include <algorithm>

#include "aggregates/state_reader.h"

namespace caseengine {

DecisionCache::DecisionCache(const EventLog* log, const EventCodec* codec, size_t max_entries)
    : log_(log), codec_(codec), max_entries_(std::max<size_t>(max_entries, 2)) {}

const ClientState* DecisionCache::Client(const std::string& id) {
  return Load(&clients_, ClientStream(id));
}
const CaseState* DecisionCache::Case(const std::string& id) {
  return Load(&cases_, CaseStream(id));
}
const LobbyState* DecisionCache::Lobby(const std::string& id) {
  return Load(&lobby_, LobbyStream(id));
}

std::vector<const CaseState*> DecisionCache::CasesOfPrimaryApplicant(const std::string& client_id) {
  std::vector<const CaseState*> out;
  auto it = primary_.find(client_id);
  if (it == primary_.end()) return out;
  for (const auto& case_id : it->second) {
    const CaseState* s = Case(case_id);
    if (s != nullptr && s->exists && !s->deleted) out.push_back(s);
  }
  return out;
}

void DecisionCache::BeginDecision(std::vector<std::string>* erased) {
  error_ = Status::Ok();
  const uint64_t failed = log_->FailedRounds();
  if (failed != failed_rounds_seen_) {
    clients_.clear();
    cases_.clear();
    lobby_.clear();
    index_built_ = false;
    failed_rounds_seen_ = failed;
  }
  if (!index_built_) BuildIndex(erased);
  if (size() > max_entries_) Trim();
}

void DecisionCache::Evict(const std::string& stream) {
  clients_.erase(stream);
  cases_.erase(stream);
  lobby_.erase(stream);
}

void DecisionCache::Apply(const std::vector<StreamEvents>& streams, uint64_t last_position) {
  for (const auto& se : streams) {
    std::string_view id;
    const StreamKind kind = ParseStream(se.stream, &id);
    for (const Event& e : se.events) {
      if (kind == StreamKind::kClient) {
        Evolve(Touch(&clients_[se.stream], last_position), e);
      } else if (kind == StreamKind::kLobby) {
        Evolve(Touch(&lobby_[se.stream], last_position), e);
      } else {
        Evolve(Touch(&cases_[se.stream], last_position), e);
        Index(std::string(id), e);
      }
    }
  }
}

template <class State>
State* DecisionCache::Touch(Entry<State>* entry, uint64_t position) {
  entry->used = ++clock_;
  entry->position = std::max(entry->position, position);
  return &entry->state;
}

template <class State>
const State* DecisionCache::Load(Map<State>* map, const std::string& stream) {
  auto it = map->find(stream);
  if (it != map->end()) return Touch(&it->second);
  Entry<State> entry;
  Status s = FoldStream(*log_, *codec_, stream, AsOf(), &entry.state);
  if (!s.ok()) {
    error_ = s;
    return nullptr;
  }
  return Touch(&map->emplace(stream, std::move(entry)).first->second);
}

void DecisionCache::Trim() {
  const uint64_t durable = log_->HeadPosition();
  std::vector<uint64_t> stamps;
  stamps.reserve(size());
  auto collect = [&](const auto& map) {
    for (const auto& [stream, entry] : map) stamps.push_back(entry.used);
  };
  collect(clients_);
  collect(cases_);
  collect(lobby_);
  auto middle = stamps.begin() + stamps.size() / 2;
  std::nth_element(stamps.begin(), middle, stamps.end());
  const uint64_t cutoff = *middle;
  auto drop = [&](auto* map) {
    for (auto it = map->begin(); it != map->end();) {
      if (it->second.used < cutoff && it->second.position <= durable) {
        it = map->erase(it);
      } else {
        ++it;
      }
    }
  };
  drop(&clients_);
  drop(&cases_);
  drop(&lobby_);
}

void DecisionCache::BuildIndex(std::vector<std::string>* erased) {
  primary_.clear();
  case_primary_.clear();
  std::unordered_map<std::string, std::vector<std::string>> cases_of_client;  // by owner
  Status s = log_->Scan(1, 0, [&](const EventView& v) {
    EventType type;
    if (!ParseEventType(v.type(), &type)) return true;  // a later build's event: not ours
    if (type == EventType::kLobbyRecordRemoved) {
      erased->emplace_back(v.stream());
      return true;
    }
    if (type != EventType::kCaseOpened && type != EventType::kPrimaryApplicantSwitched &&
        type != EventType::kCaseDeleted && type != EventType::kClientDeleted) {
      return true;
    }
    Event e;
    Status d = codec_->Decode(v.type(), v.payload(), &e);
    if (!d.ok()) {
      error_ = d;
      return false;
    }
    std::string_view id;
    ParseStream(v.stream(), &id);
    if (e.type == EventType::kClientDeleted) {
      if (e.mode != DeleteMode::kErase) return true;
      erased->emplace_back(v.stream());
      // Its cases' keys go with it (they sealed the cases' notes, titles and reasons).
      auto owned = cases_of_client.find(std::string(id));
      if (owned != cases_of_client.end()) {
        for (const auto& case_id : owned->second) erased->push_back(CaseStream(case_id));
      }
      return true;
    }
    if (e.type == EventType::kCaseOpened) cases_of_client[e.client_id].emplace_back(id);
    Index(std::string(id), e);
    return true;
  });
  if (!s.ok()) error_ = s;
  index_built_ = error_.ok();
}

void DecisionCache::Index(const std::string& case_id, const Event& e) {
  switch (e.type) {
    case EventType::kCaseOpened:
      case_primary_[case_id] = e.client_id;
      primary_[e.client_id].insert(case_id);
      break;
    case EventType::kPrimaryApplicantSwitched:
      primary_[case_primary_[case_id]].erase(case_id);
      case_primary_[case_id] = e.client_id;
      primary_[e.client_id].insert(case_id);
      break;
    case EventType::kCaseDeleted:
      primary_[case_primary_[case_id]].erase(case_id);
      case_primary_.erase(case_id);
      break;
    default:
      break;
  }
}

}  // namespace caseengine
