// DecisionCache: the folded aggregates commands are decided against, and the part of the
// primary-applicant index (DecisionIndex: the cases each client is the primary applicant
// of) the rules over several streams have read lately.
//
// A miss folds the stream from the durable log, or reads the client's cases from the
// index. The cache follows the decisions the log accepts (Apply), so it is ahead of the
// durable log by what is being written; a round that fails to write voids that, so the
// cache is emptied when the log's failed-round counter moves (BeginDecision). It is
// bounded: past max_entries the least recently used half is dropped, except entries
// changed by events not yet durable (read again now, they would miss those).
//
// Before the first decision (and again after a failed round) the index is made ready: a
// folder from before it has it built from the log, once; the erasures whose keys may
// have outlived a crash are handed to the command service to finish (BeginDecision's
// `erased`). Nothing here grows with the log.
//
// Threading: the log's writer thread only (every method).
#pragma once

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "aggregates/decide.h"
#include "aggregates/event_codec.h"
#include "aggregates/state.h"
#include "app/decision_index.h"
#include "base/memory_budget.h"
#include "events/event_log.h"

namespace caseengine {

class DecisionCache : public StateView {
 public:
  // No pointer is owned; all must outlive the cache.
  DecisionCache(const EventLog* log, const EventCodec* codec, DecisionIndex* index,
                size_t max_entries);

  const ClientState* Client(const std::string& id) override;
  const CaseState* Case(const std::string& id) override;
  const LobbyState* Lobby(const std::string& id) override;
  const SettingsState* Settings() override;
  std::vector<const CaseState*> CasesOfPrimaryApplicant(const std::string& client_id) override;

  // Called first in every decision. When the index is made ready now, `erased` receives
  // every subject of an erasure whose key may still exist (a client, each of its cases, a
  // removed Lobby record).
  void BeginDecision(std::vector<std::string>* erased);
  // Makes the index ready again at the next decision (and reports the erasures again).
  void ForgetIndex() { index_ready_ = false; }
  // Drops a stream, so that it is folded again from the log when next read.
  void Evict(const std::string& stream);
  // A read that failed while loading state in this decision: the decision cannot stand.
  const Status& error() const { return error_; }
  // The changes a decision makes to the primary-applicant index, read against the state
  // before it (for DecisionIndex::Rows, then Apply).
  std::vector<IndexChange> IndexChanges(const Outcome& outcome);
  // The log accepted these events and index changes; `last_position` is where it put the
  // last of them.
  void Apply(const std::vector<StreamEvents>& streams, const std::vector<IndexChange>& changes,
             uint64_t last_position);
  // Its size, bound, hits and misses (name "decision"); from any thread.
  CacheStats Stats() const;
  // What an operator should know about the decision index (it was found unreadable and
  // built again from the log), or empty; from any thread.
  std::string IndexNote() const;
  size_t size() const {
    return clients_.size() + cases_.size() + lobby_.size() + applicants_.size();
  }

 private:
  // A folded aggregate, when it was last used (for trimming) and the position of the last
  // event applied to it here (0: as folded from the durable log).
  template <class State>
  struct Entry {
    State state;
    uint64_t used = 0;
    uint64_t position = 0;
  };
  template <class State>
  using Map = std::unordered_map<std::string, Entry<State>>;

  template <class State>
  State* Touch(Entry<State>* entry, uint64_t position = 0);
  template <class State>
  const State* Load(Map<State>* map, const std::string& stream);
  // The cases a client is the primary applicant of (null on a failed read: error()).
  std::set<std::string>* CasesOf(const std::string& client_id);
  void Trim();
  void ReadyIndex(std::vector<std::string>* erased);

  const EventLog* log_;
  const EventCodec* codec_;
  DecisionIndex* index_;
  size_t max_entries_;
  bool index_ready_ = false;
  Map<std::set<std::string>> applicants_;  // client id -> the cases it is primary applicant of
  uint64_t clock_ = 0;
  Map<ClientState> clients_;
  Map<CaseState> cases_;
  Map<LobbyState> lobby_;
  // The one settings stream: read once, never trimmed (it is small and every new case
  // reads it).
  bool settings_loaded_ = false;
  SettingsState settings_;
  uint64_t failed_rounds_seen_ = 0;
  // For Stats, from other threads: the size as of the last change, hits and misses.
  std::atomic<uint64_t> entries_{0}, hits_{0}, misses_{0};
  Status error_;
  mutable std::mutex note_mu_;
  std::string index_note_;  // guarded by note_mu_
};

}  // namespace caseengine
