// QueryService: every read the engine answers, with the rules all reads share.
//
// - Read-your-writes: a query may name a position (min_position) it must see; the read
//   models (or, for reads folded from the log, the log) are waited for, as long as the
//   caller allows, and every answer says what it read at (ReadPosition).
// - Visibility: what a reader may see is decided by the record's state now, at the log's
//   head, even for history as of an earlier moment (at=, as_of=): a soft-deleted client
//   or case is NotFound to all but administrators, a removed Lobby record to everyone; a
//   case deleted after the read models' position is NotFound at once (its journal and
//   history are read from the read models).
// - One chain verification at a time: each reads the whole log on a core of its own.
// - Read models kept in memory answer once loaded: an engine that loads them after it
//   starts serving (EngineOptions::load_in_background) has their queries refused as
//   Unavailable meanwhile; reads from the log and from read models kept in the store
//   (journals, histories, the audit trail) answer at once.
//
// Lists, searches, journals and trails are the read models' own (projections/); this
// class hands them the day the command service decides on, so that lists and decisions
// agree on how many days a case has been open.
//
// Threading: thread-safe; a read runs on its caller's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aggregates/config.h"
#include "aggregates/event_codec.h"
#include "aggregates/lobby_matcher.h"
#include "aggregates/state.h"
#include "aggregates/state_reader.h"
#include "audit/digest.h"
#include "events/event_log.h"
#include "projections/projection_runner.h"
#include "projections/read_models.h"

namespace caseengine {

// Where a read read: the read models' applied position and the log's head then.
struct ReadPosition {
  uint64_t applied = 0;
  uint64_t head = 0;
  uint64_t lag() const { return head > applied ? head - applied : 0; }
};

// A Lobby record's likely clients: the ranked matches and the candidates compared.
struct LobbyMatches {
  std::vector<Match> matches;
  std::vector<std::pair<std::string, PersonalFields>> candidates;
};

class QueryService {
 public:
  // Nothing is owned; everything must outlive the service. `today` is the command
  // service's (CommandService::Today).
  QueryService(const EventLog* log, const EventCodec* codec, const ProjectionRunner* runner,
               const ReadModels* models, std::function<std::string()> today);

  // Read-your-writes. Whether `want` is reached without waiting (by the read models, or a
  // runner that stopped, which answers at once; by the log alone with `log_only`).
  bool Reached(uint64_t want, bool log_only) const;
  // Waits up to `wait` for the read models to apply `want`; where they are. The caller
  // refuses the read when applied < want.
  ReadPosition WaitForReadModels(uint64_t want, std::chrono::milliseconds wait) const;
  // Waits up to `wait` for the log to reach `want`; its head.
  uint64_t WaitForLog(uint64_t want, std::chrono::milliseconds wait) const;

  // Aggregates folded from the log, as `actor` may see them, as of `as_of`.
  Status ReadClient(const Actor& actor, const std::string& id, const AsOf& as_of,
                    ClientState* state) const;
  Status ReadCase(const Actor& actor, const std::string& id, const AsOf& as_of,
                  CaseState* state) const;
  Status ReadLobby(const Actor& actor, const std::string& id, const AsOf& as_of,
                   LobbyState* state) const;
  // The settings stream's state now (empty before its first event).
  Status ReadSettings(SettingsState* state) const;

  // Read models.
  Status ListCases(CaseListQuery query, ListPage* page) const;
  // With group_by=officer, each officer's open and overdue tasks beside their cases.
  Status ListCaseOfficers(CaseOfficersQuery query, ListPage* page) const;
  Status ListCasePeople(const CasePeopleQuery& query, ListPage* page) const;
  Status ListLobby(const LobbyQueueQuery& query, ListPage* page) const;
  // Tasks, with `today` set to the business date.
  Status ListTasks(TaskListQuery query, ListPage* page) const;
  Status SearchClients(const ClientSearchQuery& query, nlohmann::json* rows) const;
  // A case's journal and history as of the read models' position `applied`.
  Status Journal(const Actor& actor, const std::string& case_id, size_t limit,
                 const std::string& cursor, uint64_t applied, nlohmann::json* page) const;
  Status History(const Actor& actor, const std::string& case_id, const std::string& month,
                 const std::string& type, size_t limit, const std::string& cursor, uint64_t applied,
                 nlohmann::json* page) const;
  Status AuditTrail(const AuditQuery& query, nlohmann::json* page) const;
  Status MatchLobbyRecord(const Actor& actor, const std::string& id, size_t limit,
                          LobbyMatches* out) const;

  // The log itself, for auditors.
  Status Digest(LogDigest* digest) const;
  // Checks the chain from `from` to `to` (0: the head), and a digest against it.
  Status Verify(uint64_t from, uint64_t to, const std::optional<LogDigest>& digest,
                AuditReport* report) const;
  // Events of one stream from a version, and of the log from a position, up to `limit`.
  Status StreamEvents(const std::string& stream, uint64_t from_version, size_t limit,
                      const std::function<void(const EventView&)>& each) const;
  Status LogEvents(uint64_t from, size_t limit,
                   const std::function<void(const EventView&)>& each) const;

  const EventLog& log() const { return *log_; }
  const EventCodec& codec() const { return *codec_; }
  const ProjectionRunner& runner() const { return *runner_; }

  // Whether the read models kept in memory are loaded (see the header); set by the engine.
  void SetLoaded(bool loaded) { loaded_.store(loaded, std::memory_order_release); }
  bool loaded() const { return loaded_.load(std::memory_order_acquire); }

 private:
  // Ok once the read models kept in memory are loaded; Unavailable, saying why, before.
  Status CheckLoaded() const;
  template <class State>
  Status ReadVisible(const Actor& actor, const std::string& stream, const std::string& what,
                     const AsOf& as_of, State* state) const;
  // NotFound when the case was deleted after `applied` (and actor is no administrator).
  Status CheckNotDeletedSince(const Actor& actor, const std::string& case_id,
                              uint64_t applied) const;

  const EventLog* log_;
  const EventCodec* codec_;
  const ProjectionRunner* runner_;
  const ReadModels* models_;
  std::function<std::string()> today_;
  mutable std::mutex verify_mu_;
  std::atomic<bool> loaded_{true};
};

}  // namespace caseengine
