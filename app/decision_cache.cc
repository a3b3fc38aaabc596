// DecisionCache: see decision_cache.h.
#include "app/decision_cache.h"

#include <algorithm>

#include "aggregates/state_reader.h"

namespace caseengine {

DecisionCache::DecisionCache(const EventLog* log, const EventCodec* codec, DecisionIndex* index,
                             size_t max_entries)
    : log_(log), codec_(codec), index_(index), max_entries_(std::max<size_t>(max_entries, 2)) {}

const ClientState* DecisionCache::Client(const std::string& id) {
  return Load(&clients_, ClientStream(id));
}
const CaseState* DecisionCache::Case(const std::string& id) {
  return Load(&cases_, CaseStream(id));
}
const LobbyState* DecisionCache::Lobby(const std::string& id) {
  return Load(&lobby_, LobbyStream(id));
}

const SettingsState* DecisionCache::Settings() {
  if (!settings_loaded_) {
    settings_ = SettingsState();
    Status s = FoldStream(*log_, *codec_, kSettingsStream, AsOf(), &settings_);
    if (!s.ok()) {
      error_ = s;
      return nullptr;
    }
    settings_loaded_ = true;
  }
  return &settings_;
}

std::vector<const CaseState*> DecisionCache::CasesOfPrimaryApplicant(const std::string& client_id) {
  std::vector<const CaseState*> out;
  const std::set<std::string>* cases = CasesOf(client_id);
  if (cases == nullptr) return out;
  for (const auto& case_id : *cases) {
    const CaseState* s = Case(case_id);
    if (s != nullptr && s->exists && !s->deleted) out.push_back(s);
  }
  return out;
}

std::set<std::string>* DecisionCache::CasesOf(const std::string& client_id) {
  auto it = applicants_.find(client_id);
  if (it != applicants_.end()) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return Touch(&it->second);
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  Entry<std::set<std::string>> entry;
  Status s = index_->CasesOf(client_id, &entry.state);
  if (!s.ok()) {
    error_ = s;
    return nullptr;
  }
  return Touch(&applicants_.emplace(client_id, std::move(entry)).first->second);
}

void DecisionCache::BeginDecision(std::vector<std::string>* erased) {
  error_ = Status::Ok();
  const uint64_t failed = log_->FailedRounds();
  if (failed != failed_rounds_seen_) {
    clients_.clear();
    cases_.clear();
    lobby_.clear();
    settings_loaded_ = false;
    index_ready_ = false;
    failed_rounds_seen_ = failed;
  }
  if (!index_ready_) ReadyIndex(erased);
  if (size() > max_entries_) Trim();
  entries_.store(size(), std::memory_order_relaxed);
}

std::string DecisionCache::IndexNote() const {
  std::lock_guard<std::mutex> lock(note_mu_);
  return index_note_;
}

CacheStats DecisionCache::Stats() const {
  CacheStats stats;
  stats.name = "decision";
  stats.entries = entries_.load(std::memory_order_relaxed);
  stats.capacity = max_entries_;
  stats.hits = hits_.load(std::memory_order_relaxed);
  stats.misses = misses_.load(std::memory_order_relaxed);
  return stats;
}

void DecisionCache::ReadyIndex(std::vector<std::string>* erased) {
  applicants_.clear();  // what was read ahead of a failed round is read again
  bool built = false;
  Status s = index_->Built(&built);
  if (s.code() == Status::Code::kCorruption) {
    // Unreadable: built again from the log, as for a folder from before the index.
    std::lock_guard<std::mutex> lock(note_mu_);
    index_note_ = "built again from the log: " + s.message();
    built = false;
    s = Status::Ok();
  }
  if (s.ok() && !built) s = index_->Build(*log_, *codec_);
  if (s.ok()) s = index_->PendingErasures(erased);
  error_ = s;
  index_ready_ = s.ok();
}

std::vector<IndexChange> DecisionCache::IndexChanges(const Outcome& outcome) {
  std::vector<IndexChange> changes;
  // Each case's primary applicant as the decision's events change it, from its state.
  std::unordered_map<std::string, std::string> primary;
  auto current = [&](const std::string& case_id) -> std::string {
    auto it = primary.find(case_id);
    if (it != primary.end()) return it->second;
    const CaseState* s = Case(case_id);
    return s != nullptr && s->exists ? s->primary_applicant : std::string();
  };
  auto set = [&](const std::string& case_id, const std::string& client_id, bool linked) {
    if (client_id.empty()) return;
    if (CasesOf(client_id) == nullptr) return;  // read before Apply changes it (error_)
    changes.push_back({client_id, case_id, linked});
    primary[case_id] = linked ? client_id : std::string();
  };
  for (const StreamEvents& se : outcome.streams) {
    std::string_view id_view;
    const StreamKind kind = ParseStream(se.stream, &id_view);
    const std::string id(id_view);
    if (kind == StreamKind::kClient && se.expected_version == 0) {
      // A client registered now: it is no case's applicant yet, nothing to read.
      Touch(&applicants_[id]);
    }
    for (const Event& e : se.events) {
      if (kind == StreamKind::kClient && e.type == EventType::kClientDeleted &&
          e.mode == DeleteMode::kErase) {
        // An erased client is no case's applicant (soft-deleted cases included).
        if (const std::set<std::string>* cases = CasesOf(id)) {
          for (const std::string& case_id : std::set<std::string>(*cases)) set(case_id, id, false);
        }
      }
      if (kind != StreamKind::kCase) continue;
      if (e.type == EventType::kCaseOpened) {
        set(id, e.client_id, true);
      } else if (e.type == EventType::kPrimaryApplicantSwitched) {
        set(id, current(id), false);
        set(id, e.client_id, true);
      } else if (e.type == EventType::kCaseDeleted && e.mode == DeleteMode::kErase) {
        set(id, current(id), false);
      }
    }
  }
  return changes;
}

void DecisionCache::Evict(const std::string& stream) {
  if (stream == kSettingsStream) settings_loaded_ = false;
  clients_.erase(stream);
  cases_.erase(stream);
  lobby_.erase(stream);
}

void DecisionCache::Apply(const std::vector<StreamEvents>& streams,
                          const std::vector<IndexChange>& changes, uint64_t last_position) {
  for (const auto& se : streams) {
    std::string_view id;
    const StreamKind kind = ParseStream(se.stream, &id);
    for (const Event& e : se.events) {
      if (kind == StreamKind::kSettings) {
        if (settings_loaded_) Evolve(&settings_, e);
      } else if (kind == StreamKind::kClient) {
        Evolve(Touch(&clients_[se.stream], last_position), e);
      } else if (kind == StreamKind::kLobby) {
        Evolve(Touch(&lobby_[se.stream], last_position), e);
      } else {
        Evolve(Touch(&cases_[se.stream], last_position), e);
      }
    }
  }
  // Every client changed here was read by IndexChanges, in this decision.
  for (const IndexChange& c : changes) {
    std::set<std::string>* cases = Touch(&applicants_[c.client_id], last_position);
    if (c.linked) {
      cases->insert(c.case_id);
    } else {
      cases->erase(c.case_id);
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
  if (it != map->end()) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return Touch(&it->second);
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
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
  collect(applicants_);
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
  drop(&applicants_);
}

}  // namespace caseengine
