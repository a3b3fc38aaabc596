// CommandService: see command_service.h.
#include "app/command_service.h"

#include "aggregates/decide.h"
#include "aggregates/state_reader.h"
#include "aggregates/validate.h"
#include "app/decision_cache.h"
#include "app/decision_index.h"
#include "app/key_purger.h"
#include "base/aes_gcm.h"
#include "base/await.h"
#include "base/coding.h"
#include "base/time_format.h"
#include "projections/projection_runner.h"

namespace caseengine {
namespace {

std::string RandomId() { return HexEncode(RandomBytes(8)); }

CommandResult Refused(Rejection rejection) {
  CommandResult result;
  result.rejected = true;
  result.rejection = std::move(rejection);
  return result;
}

}  // namespace

// One command on its way through the log. The decision (on the writer thread) writes
// `outcome`; the log's queues order that before `Finish` reads it on another thread.
struct CommandService::Call {
  Actor actor;
  Command command;
  CommandOptions options;
  std::string kept_key;  // IdempotencyKey of a key the caller sent; empty: none
  std::string today;
  AppendRequest base;
  Done done;
  int attempts = 0;
  Outcome outcome;
  WriteBatch new_keys;                     // written with the events (AppendRequest::rows)
  std::vector<IndexChange> index_changes;  // the decision's, written with its events too
  // The accepted events, in the order the log positioned them: offered to the
  // projections after commit.
  std::vector<Event> committed;
  std::vector<std::string> evict;  // streams to reload before deciding again
};

CommandService::CommandService(EventLog* log, KeyStore* keys, const DomainConfig* config,
                               CommandServiceOptions options)
    : log_(log),
      keys_(keys),
      config_(config),
      options_(std::move(options)),
      codec_(keys),
      kept_(options_.max_kept_answers),
      index_(std::make_unique<DecisionIndex>(keys->store())),
      cache_(std::make_unique<DecisionCache>(log, &codec_, index_.get(),
                                             options_.max_cached_aggregates)),
      purger_(std::make_unique<KeyPurger>(keys)) {
  if (!options_.today) options_.today = UtcToday;
  if (!options_.new_id) options_.new_id = RandomId;
}

CommandService::~CommandService() = default;

CommandResult CommandService::Execute(const Actor& actor, Command command,
                                      const CommandOptions& options) {
  return Await<CommandResult>(
      [&](Done done) { ExecuteAsync(actor, std::move(command), options, std::move(done)); });
}

std::optional<Rejection> CommandService::Validate(Command* command) const {
  return caseengine::Validate(command, *config_, options_.today());
}

void CommandService::ExecuteAsync(const Actor& actor, Command command,
                                  const CommandOptions& options, Done done) {
  auto call = std::make_shared<Call>();
  call->actor = actor;
  call->command = std::move(command);
  call->options = options;
  call->done = std::move(done);
  // 1. A repeat of a command that wrote nothing.
  if (!options.command_id.empty()) {
    call->kept_key = IdempotencyKey(actor.user_id, options.command_id);
  }
  if (!options.command_id.empty() && !options.request_digest.empty()) {
    if (auto kept = kept_.Find(call->kept_key)) {
      if (kept->request_digest != options.request_digest) {
        return call->done(Refused(Rejection::IdempotencyKeyReused()));
      }
      return call->done(std::move(kept->result));
    }
  }
  // 2. Validate: who may send commands at all is settled before what they sent.
  call->today = options_.today();
  if (auto refused = MayCommand(actor, call->command)) {
    return Answer(call, Refused(std::move(*refused)));
  }
  if (auto rejection = caseengine::Validate(&call->command, *config_, call->today)) {
    return Answer(call, Refused(std::move(*rejection)));
  }
  call->base.command_id = options.command_id.empty() ? "cmd-" + options_.new_id() : call->kept_key;
  call->base.fresh_command_id = options.command_id.empty();
  call->base.actor = actor.user_id;
  call->base.correlation_id = options.correlation_id;
  call->base.request_digest = options.request_digest;
  call->base.keep_envelopes = runner_ != nullptr;
  Submit(std::move(call));
}

void CommandService::Submit(std::shared_ptr<Call> call) {
  // 3 and 4: decided and appended in the log's turn.
  Decision decision;
  decision.decide = [this, call](AppendRequest* request) { return Decide(call.get(), request); };
  decision.accepted = [this, call](const AppendResult& r) {
    cache_->Apply(call->outcome.streams, call->index_changes, r.last_position);
    // Folded and encoded: the events go to the projections when they are offered; when
    // none are, they go here, on the thread that made them, and their lists go back for
    // its next decisions (EventList): freed where the answer is sent, each (a kilobyte or
    // more) made glibc lock this thread's arena against the writer. Finish needs only the
    // stream names.
    for (auto& se : call->outcome.streams) {
      if (runner_ != nullptr) {
        for (Event& e : se.events) call->committed.push_back(std::move(e));
      }
      GiveBack(&se.events);
    }
  };
  log_->DecideAsync(call->base, std::move(decision),
                    [this, call](AppendOutcome appended) { Finish(call, std::move(appended)); });
}

Status CommandService::Decide(Call* call, AppendRequest* request) {
  std::vector<std::string> erased;
  cache_->BeginDecision(&erased);
  // Erasures in the log whose keys outlived a crash are finished before anything else.
  Status s = cache_->error();
  if (s.ok()) s = DestroyKeys(erased);
  if (s.ok()) s = index_->ErasuresDone(erased);
  if (!s.ok()) {
    cache_->ForgetIndex();  // scanned again, and the keys tried again, next time
    return s;
  }
  for (const auto& stream : call->evict) cache_->Evict(stream);
  DecideContext ctx{call->actor, config_, call->today, options_.new_id,
                    call->options.expected_version};
  call->outcome = caseengine::Decide(call->command, ctx, cache_.get());
  if (!cache_->error().ok()) return cache_->error();
  // A refusal, or nothing to change: a decision without events.
  if (call->outcome.rejected || call->outcome.Unchanged()) return Status::Ok();
  for (const StreamEvents& se : call->outcome.streams) {
    StreamWrite write{se.stream,
                      se.expected_version == 0 ? ExpectedVersion::NoStream()
                                               : ExpectedVersion::Exact(se.expected_version),
                      {}};
    for (const Event& e : se.events) {
      std::string payload;
      s = codec_.Encode(e, &payload, &call->new_keys);
      if (!s.ok()) return s;
      write.events.push_back({EventTypeName(e.type), std::move(payload)});
    }
    request->writes.push_back(std::move(write));
  }
  request->rows.Append(call->new_keys);
  call->index_changes = cache_->IndexChanges(call->outcome);
  if (!cache_->error().ok()) return cache_->error();
  index_->Rows(call->index_changes, call->outcome.destroy_keys, &request->rows);
  // Kept only where a repeat can ask for it again (a caller's own command id).
  if (!request->fresh_command_id) request->response = call->outcome.response.dump();
  return Status::Ok();
}

void CommandService::Finish(const std::shared_ptr<Call>& call, AppendOutcome appended) {
  if (!appended.status.ok() && !call->new_keys.Empty()) {
    // Their events were not written (refused by the log, a conflict, a failed round),
    // and neither were the keys.
    keys_->Forget(call->new_keys);
    call->new_keys.Clear();
  }
  AppendResult& r = appended.result;
  CommandResult result;
  if (appended.status.ok() && r.duplicate) {
    // The key's command was written before: its first answer, unless the key was first
    // used for another request (then neither that answer nor this command).
    if (!r.request_digest.empty() && r.request_digest != call->options.request_digest) {
      return call->done(Refused(Rejection::IdempotencyKeyReused()));
    }
    result.duplicate = true;
    result.position = r.last_position;
    result.versions = r.versions;
    if (!r.response.empty()) result.response = nlohmann::json::parse(r.response, nullptr, false);
  } else if (appended.status.ok() && call->outcome.rejected) {
    result = Refused(call->outcome.rejection);
  } else if (appended.status.ok() && call->outcome.Unchanged()) {
    result.unchanged = true;
    result.durable_head = log_->HeadPosition();
  } else if (appended.status.ok()) {
    result.position = r.last_position;
    result.versions = r.versions;
    result.response = std::move(call->outcome.response);
    // 5. An erasure is recorded: now its keys go, before the caller hears it is done (a
    // crash in between is finished at the next start).
    if (!call->outcome.destroy_keys.empty()) {
      result.status = DestroyKeys(call->outcome.destroy_keys);
      // Left pending on a failure: the next start destroys them.
      if (result.status.ok()) result.status = index_->ErasuresDone(call->outcome.destroy_keys);
      purger_->Schedule();
    }
    // After the keys: an offered event of an erased subject must not show what the log's
    // decoding no longer can.
    Offer(call.get(), &r);
  } else if (appended.conflict && ++call->attempts < 3) {
    // The log saw a newer version than the cache: state went stale (a failed round).
    // Decide again from the log.
    call->evict.clear();
    for (const auto& se : call->outcome.streams) call->evict.push_back(se.stream);
    return Submit(call);
  } else if (appended.conflict) {
    result.status = Status::Unavailable("the command kept meeting newer versions; try again");
  } else {
    result.status = appended.status;
  }
  Answer(call, std::move(result));
}

CacheStats CommandService::DecisionCacheStats() const { return cache_->Stats(); }

std::string CommandService::DecisionIndexNote() const { return cache_->IndexNote(); }

Status CommandService::DestroyKeys(const std::vector<std::string>& subjects) {
  Status first;
  for (const std::string& subject : subjects) {
    std::string key;
    if (!keys_->KeyFor(subject, /*create=*/false, &key).ok()) continue;  // none, or gone
    Status s = keys_->Destroy(subject);
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

void CommandService::FeedProjections(ProjectionRunner* runner) {
  runner_ = runner;
  runner_->ExpectOffers();
}

void CommandService::Offer(Call* call, AppendResult* appended) {
  if (runner_ == nullptr || call->committed.empty() ||
      call->committed.size() != appended->envelopes.size()) {
    return;  // nothing offered: the runner reads these events from the log
  }
  std::vector<LiveEvent> live(call->committed.size());
  for (size_t i = 0; i < live.size(); ++i) {
    live[i].position = appended->first_position + i;
    live[i].envelope = std::move(appended->envelopes[i]);
    live[i].event = std::move(call->committed[i]);
  }
  call->committed.clear();
  runner_->Offer(std::move(live));
}

void CommandService::Answer(const std::shared_ptr<Call>& call, CommandResult result) {
  // What wrote nothing is kept for a repeat of its key (what wrote is kept by the log); a
  // reused key's refusal is not this key's answer: the first request keeps its own.
  const bool wrote_nothing =
      result.status.ok() && (result.unchanged || result.rejected) &&
      !(result.rejected && result.rejection.kind == Rejection::Kind::kIdempotencyKeyReused);
  if (wrote_nothing && !call->kept_key.empty() && !call->options.request_digest.empty()) {
    kept_.Keep(call->kept_key, {result, call->options.request_digest});
  }
  call->done(std::move(result));
}

Status CommandService::ReadClient(const std::string& client_id, ClientState* state) const {
  return ReadState(*log_, codec_, ClientStream(client_id), "client " + client_id, AsOf(), state);
}

Status CommandService::ReadCase(const std::string& case_id, CaseState* state) const {
  return ReadState(*log_, codec_, CaseStream(case_id), "case " + case_id, AsOf(), state);
}

Status CommandService::ReadLobby(const std::string& lobby_id, LobbyState* state) const {
  return ReadState(*log_, codec_, LobbyStream(lobby_id), "lobby record " + lobby_id, AsOf(), state);
}

Status ImportSettingsFromConfig(CommandService* commands, const DomainConfig& config) {
  const Actor system{"system", "", {kManageSettings}};
  CommandResult r = commands->Execute(system, ImportSettings{config.task_types, config.workflows});
  if (!r.status.ok()) return r.status;
  if (r.rejected)
    return Status::InvalidArgument("the settings did not import: " + r.rejection.message);
  return Status::Ok();
}

}  // namespace caseengine
