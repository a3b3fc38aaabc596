// CommandHandler: the one path every command takes.
//
//   Validate (caller's thread) -> Decide (the log's writer thread, against a cache of
//   folded aggregates) -> encode and seal the events -> append them through the log's
//   group commit, with the command id as idempotency key -> answer with positions,
//   versions and what the command created.
//
// Deciding on the writer thread, in queue order, against state only that thread changes
// is what makes rules over several streams race-free: two commands that only one may
// pass are decided one after the other. The cache is updated when the log accepts a
// decision; a round that fails to write empties it (the log's failed-round counter), and
// a decision the log refuses as stale evicts the streams involved and is decided again.
// The cache is bounded (CommandHandlerOptions::max_cached_aggregates).
//
// Erasure: when a client is erased, the handler destroys its data key after the event is
// durable and before it answers, then compacts the store on a background thread so the
// key's bytes leave the files (at most once every 250 ms: a run of erasures shares one);
// an erasure cut short by a crash is finished at the next start (the first decision scans
// the log).
//
// Threading: Execute from any thread; it blocks until the command is durable or refused.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "aggregates/command.h"
#include "aggregates/config.h"
#include "aggregates/event_codec.h"
#include "aggregates/outcome.h"
#include "aggregates/state.h"
#include "events/event_log.h"

namespace caseengine {

struct CommandOptions {
  std::string command_id;                    // idempotency key; generated when empty
  std::optional<uint64_t> expected_version;  // If-Match on the command's own stream
  std::string correlation_id;
  // What the request was (its caller's digest of it), kept with an accepted command's
  // idempotency record: a repeat of the command id with another digest is refused
  // (Rejection::IdempotencyKeyReused), not answered with the first command's answer.
  std::string request_digest;
};

struct CommandResult {
  Status status;          // not ok: the log failed (I/O, unavailable): nothing is known
  bool rejected = false;  // a rule or a field said no (see rejection); nothing written
  Rejection rejection;
  bool unchanged = false;  // accepted, but there was nothing to change: nothing written
  bool duplicate = false;  // the command id was seen before: this is its first answer
  uint64_t position = 0;   // of the command's last event (0 when nothing was written)
  std::vector<StreamVersion> versions;
  nlohmann::json response = nlohmann::json::object();

  bool ok() const { return status.ok() && !rejected; }
};

struct CommandHandlerOptions {
  std::function<std::string()> today;   // YYYY-MM-DD; UTC today when empty
  std::function<std::string()> new_id;  // 16 random hex digits when empty
  // Folded aggregates kept for deciding. Past this, the least recently used half is
  // dropped (and folded again from the log when next needed), so memory stays bounded
  // however many clients and cases the log holds.
  size_t max_cached_aggregates = 200000;
};

class CommandHandler {
 public:
  // None of the pointers is owned; all must outlive the handler.
  CommandHandler(EventLog* log, KeyStore* keys, const DomainConfig* config,
                 CommandHandlerOptions options = CommandHandlerOptions());
  ~CommandHandler();

  CommandResult Execute(const Actor& actor, Command command,
                        const CommandOptions& options = CommandOptions());
  // The same without blocking: `done` runs once, on a thread of the log (it must not
  // block), or on this thread when the command is refused before it reaches the log.
  using Done = std::function<void(CommandResult)>;
  void ExecuteAsync(const Actor& actor, Command command, const CommandOptions& options, Done done);

  // The durable state of a client or a case, folded from the log (for reads and tests).
  // NotFound when the stream has no events.
  Status ReadClient(const std::string& client_id, ClientState* state) const;
  Status ReadCase(const std::string& case_id, CaseState* state) const;
  Status ReadLobby(const std::string& lobby_id, LobbyState* state) const;

  const EventCodec& codec() const { return codec_; }
  // The date decisions are made on (CommandHandlerOptions::today): also what queries
  // count days to, so that lists and decisions agree.
  std::string Today() const { return options_.today(); }

 private:
  class Cache;
  struct Call;
  void Submit(std::shared_ptr<Call> call);
  void Finish(const std::shared_ptr<Call>& call, AppendOutcome appended);

  void SchedulePurge();
  void PurgeLoop();

  EventLog* log_;
  KeyStore* keys_;
  const DomainConfig* config_;
  CommandHandlerOptions options_;
  EventCodec codec_;
  std::unique_ptr<Cache> cache_;  // touched by the log's writer thread only

  // The background compaction after erasures.
  std::mutex purge_mu_;
  std::condition_variable purge_cv_;
  bool purge_wanted_ = false, stopping_ = false;
  std::thread purger_;
};

}  // namespace caseengine
