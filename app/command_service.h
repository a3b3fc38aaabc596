// CommandService: the one path every command takes, top down.
//
//   1. A repeat: a request whose command wrote nothing is answered from KeptAnswers
//      (one that wrote is answered by the log, from its idempotency record). Only a
//      caller that names its request (CommandOptions::request_digest, as the HTTP API
//      does) has one to repeat; without it, a refused command leaves its id free.
//   2. Validate, on the caller's thread: who may send commands at all, then the fields.
//   3. Decide, on the log's writer thread (the single sequencing thread), against the
//      DecisionCache: a pure Decide returns a complete decision value (Outcome: events,
//      the answer, the keys to destroy, or a refusal).
//   4. Append: the events are encoded and sealed, and written in the log's next group
//      commit, with the command id as idempotency key; a decision without events writes
//      nothing and is answered in its turn.
//   5. After commit, on the thread the log completes on, in commit order: the keys an
//      erasure names are destroyed (and the store purged of them, KeyPurger) before the
//      caller hears it is done; the committed events, as decided, are offered to the
//      projections (ProjectionRunner::Offer), which need not read them back from the log;
//      the answer is kept when the command wrote nothing; the caller is answered.
//
// Deciding on the writer thread, in queue order, against state only that thread changes
// is what makes rules over several streams race-free: two commands that only one may
// pass are decided one after the other. A decision the log refuses as stale (a failed
// round emptied the cache meanwhile) evicts the streams involved and is decided again.
// An erasure cut short by a crash (the event durable, a key left) is finished before the
// first decision after a start (DecisionCache::BeginDecision).
//
// Threading: Execute from any thread; it blocks until the command is durable or refused.
// ExecuteAsync never blocks.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "aggregates/command.h"
#include "aggregates/config.h"
#include "aggregates/event_codec.h"
#include "aggregates/state.h"
#include "app/command_result.h"
#include "app/kept_answers.h"
#include "events/event_log.h"

namespace caseengine {

class DecisionCache;
class DecisionIndex;
class KeyPurger;
class ProjectionRunner;

struct CommandServiceOptions {
  std::function<std::string()> today;   // YYYY-MM-DD; UTC today when empty
  std::function<std::string()> new_id;  // 16 random hex digits when empty
  // Folded aggregates kept for deciding. Past this, the least recently used half is
  // dropped (and folded again from the log when next needed), so memory stays bounded
  // however many clients and cases the log holds.
  size_t max_cached_aggregates = 200000;
  // Answers of commands that wrote nothing kept for repeats of their key (KeptAnswers).
  size_t max_kept_answers = 100000;
};

class CommandService {
 public:
  // None of the pointers is owned; all must outlive the service.
  CommandService(EventLog* log, KeyStore* keys, const DomainConfig* config,
                 CommandServiceOptions options = CommandServiceOptions());
  ~CommandService();

  CommandResult Execute(const Actor& actor, Command command,
                        const CommandOptions& options = CommandOptions());
  // The same without blocking: `done` runs once, on a thread of the log (it must not
  // block), or on this thread when the command is answered before it reaches the log.
  using Done = std::function<void(CommandResult)>;
  void ExecuteAsync(const Actor& actor, Command command, const CommandOptions& options, Done done);

  // Offers every committed command's events to `runner` (see step 5); before the first
  // command. Not owned; must outlive the service.
  void FeedProjections(ProjectionRunner* runner);

  // The fields of a command the domain refuses (none: nullopt), on today's date: for a
  // caller that found other faults in a request first and names them all at once.
  std::optional<Rejection> Validate(Command* command) const;

  // The durable state of a client or a case, folded from the log (for reads and tests).
  // NotFound when the stream has no events.
  Status ReadClient(const std::string& client_id, ClientState* state) const;
  Status ReadCase(const std::string& case_id, CaseState* state) const;
  Status ReadLobby(const std::string& lobby_id, LobbyState* state) const;

  const EventCodec& codec() const { return codec_; }
  // The date decisions are made on (CommandServiceOptions::today): also what queries
  // count days to, so that lists and decisions agree.
  std::string Today() const { return options_.today(); }
  // The decision cache's and the kept answers' size, bound, hits and misses.
  CacheStats DecisionCacheStats() const;
  // DecisionCache::IndexNote: empty unless the decision index was built again.
  std::string DecisionIndexNote() const;
  CacheStats KeptAnswersStats() const { return kept_.Stats(); }

 private:
  struct Call;
  void Submit(std::shared_ptr<Call> call);
  // Decides on the writer thread: fills `request` from the decision, or leaves it empty.
  Status Decide(Call* call, AppendRequest* request);
  void Finish(const std::shared_ptr<Call>& call, AppendOutcome appended);
  // After commit: the keys the decision names are destroyed; the first failure.
  Status DestroyKeys(const std::vector<std::string>& subjects);
  // Offers the committed events of `call` to the projections.
  void Offer(Call* call, AppendResult* appended);
  // Answers `call`, keeping the answer under its key when it wrote nothing.
  void Answer(const std::shared_ptr<Call>& call, CommandResult result);

  EventLog* log_;
  KeyStore* keys_;
  const DomainConfig* config_;
  CommandServiceOptions options_;
  EventCodec codec_;
  KeptAnswers kept_;
  // In the keys' store (the data folder's); before the cache, which reads it.
  std::unique_ptr<DecisionIndex> index_;
  std::unique_ptr<DecisionCache> cache_;  // the log's writer thread only
  std::unique_ptr<KeyPurger> purger_;
  ProjectionRunner* runner_ = nullptr;
};

// Imports the config's first settings (task types, workflows) onto the settings stream
// while it is empty, as the actor "system" (ImportSettings); nothing once the stream has
// events. Run by `serve` at start and by the demo seeding at its first day.
Status ImportSettingsFromConfig(CommandService* commands, const DomainConfig& config);

}  // namespace caseengine
