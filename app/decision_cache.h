// DecisionCache: the folded aggregates commands are decided against, and the index the
// rules over several streams read (the cases each client is the primary applicant of).
//
// A miss folds the stream from the durable log. The cache follows the decisions the log
// accepts (Apply), so it is ahead of the durable log by what is being written; a round
// that fails to write voids that, so the cache is emptied when the log's failed-round
// counter moves (BeginDecision). It is bounded: past max_entries the least recently used
// half is dropped, except aggregates with events not yet durable (folding them again now
// would miss those).
//
// The primary-applicant index is built from the log before the first decision (and again
// after a failed round): a scan that decodes only the events that change it, chosen by
// their EventType. The same scan finds every erasure in the log, for the command service
// to finish one a crash cut short (BeginDecision's `erased`).
//
// Threading: the log's writer thread only (every method).
#pragma once

#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "aggregates/decide.h"
#include "aggregates/event_codec.h"
#include "aggregates/state.h"
#include "events/event_log.h"

namespace caseengine {

class DecisionCache : public StateView {
 public:
  // Neither pointer is owned; both must outlive the cache.
  DecisionCache(const EventLog* log, const EventCodec* codec, size_t max_entries);

  const ClientState* Client(const std::string& id) override;
  const CaseState* Case(const std::string& id) override;
  const LobbyState* Lobby(const std::string& id) override;
  std::vector<const CaseState*> CasesOfPrimaryApplicant(const std::string& client_id) override;

  // Called first in every decision. When the index is (re)built from the log now,
  // `erased` receives every subject an erasure in the log destroyed the key of (a client,
  // each of its cases, a removed Lobby record).
  void BeginDecision(std::vector<std::string>* erased);
  // Builds the index again at the next decision (and reports the erasures again).
  void ForgetIndex() { index_built_ = false; }
  // Drops a stream, so that it is folded again from the log when next read.
  void Evict(const std::string& stream);
  // A read that failed while loading state in this decision: the decision cannot stand.
  const Status& error() const { return error_; }
  // The log accepted these events; `last_position` is where it put the last of them.
  void Apply(const std::vector<StreamEvents>& streams, uint64_t last_position);
  size_t size() const { return clients_.size() + cases_.size() + lobby_.size(); }

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
  void Trim();
  void BuildIndex(std::vector<std::string>* erased);
  void Index(const std::string& case_id, const Event& e);

  const EventLog* log_;
  const EventCodec* codec_;
  size_t max_entries_;
  bool index_built_ = false;
  std::unordered_map<std::string, std::set<std::string>> primary_;  // client -> cases
  std::unordered_map<std::string, std::string> case_primary_;       // case -> client
  uint64_t clock_ = 0;
  Map<ClientState> clients_;
  Map<CaseState> cases_;
  Map<LobbyState> lobby_;
  uint64_t failed_rounds_seen_ = 0;
  Status error_;
};

}  // namespace caseengine
