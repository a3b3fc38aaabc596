// CommandHandler: see command_handler.h.
#include "aggregates/command_handler.h"

#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <set>

#include "aggregates/decide.h"
#include "aggregates/state_reader.h"
#include "aggregates/validate.h"
#include "base/aes_gcm.h"
#include "base/await.h"
#include "base/coding.h"
#include "base/time_format.h"

namespace caseengine {
namespace {

std::string RandomId() { return HexEncode(RandomBytes(8)); }

}  // namespace

// The folded aggregates the writer thread decides against.
class CommandHandler::Cache : public StateView {
 public:
  Cache(const EventLog* log, const EventCodec* codec, KeyStore* keys, size_t max_entries)
      : log_(log), codec_(codec), keys_(keys), max_entries_(std::max<size_t>(max_entries, 2)) {}

  const ClientState* Client(const std::string& id) override {
    return Load(&clients_, ClientStream(id));
  }
  const CaseState* Case(const std::string& id) override { return Load(&cases_, CaseStream(id)); }
  const LobbyState* Lobby(const std::string& id) override { return Load(&lobby_, LobbyStream(id)); }

  std::vector<const CaseState*> CasesOfPrimaryApplicant(const std::string& client_id) override {
    std::vector<const CaseState*> out;
    auto it = primary_.find(client_id);
    if (it == primary_.end()) return out;
    for (const auto& case_id : it->second) {
      const CaseState* s = Case(case_id);
      if (s != nullptr && s->exists && !s->deleted) out.push_back(s);
    }
    return out;
  }

  // Called first in every decision: a failed round voids what `Apply` did since.
  void BeginDecision() {
    error_ = Status::Ok();
    const uint64_t failed = log_->FailedRounds();
    if (failed != failed_rounds_seen_) {
      clients_.clear();
      cases_.clear();
      lobby_.clear();
      index_built_ = false;
      failed_rounds_seen_ = failed;
    }
    if (!index_built_) BuildIndex();
    if (size() > max_entries_) Trim();
  }
  void Evict(const std::string& stream) {
    clients_.erase(stream);
    cases_.erase(stream);
    lobby_.erase(stream);
  }
  // A read that failed while loading state: the decision cannot stand.
  const Status& error() const { return error_; }

  // `last_position`: where the log put the decision's last event.
  void Apply(const std::vector<StreamEvents>& streams, uint64_t last_position) {
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
  State* Touch(Entry<State>* entry, uint64_t position = 0) {
    entry->used = ++clock_;
    entry->position = std::max(entry->position, position);
    return &entry->state;
  }

  template <class State>
  const State* Load(Map<State>* map, const std::string& stream) {
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

  // Keeps the cache within its bound: drops the least recently used half. An aggregate
  // with events accepted but not yet durable stays, because folding it again from the log
  // now would miss them (rules that read other streams than they write have no expected
  // version to catch that).
  void Trim() {
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

  // Which cases each client is the primary applicant of, for the rules that count over
  // all of them. Built from the whole log before the first decision.
  void BuildIndex() {
    primary_.clear();
    case_primary_.clear();
    std::vector<std::string> erased;
    std::unordered_map<std::string, std::vector<std::string>> cases_of_client;  // by owner
    Status s = log_->Scan(1, 0, [&](const EventView& v) {
      const std::string_view type = v.type();
      if (type == "LobbyRecordRemoved") {
        erased.emplace_back(v.stream());
        return true;
      }
      if (type != "CaseOpened" && type != "PrimaryApplicantSwitched" && type != "CaseDeleted" &&
          type != "ClientDeleted") {
        return true;
      }
      Event e;
      Status d = codec_->Decode(type, v.payload(), &e);
      if (!d.ok()) {
        error_ = d;
        return false;
      }
      if (e.type == EventType::kClientDeleted) {
        if (e.mode == DeleteMode::kErase) {
          erased.emplace_back(v.stream());
          // Its cases' keys go with it (they sealed the cases' notes, titles and reasons).
          std::string_view client_id;
          ParseStream(v.stream(), &client_id);
          auto owned = cases_of_client.find(std::string(client_id));
          if (owned != cases_of_client.end()) {
            for (const auto& case_id : owned->second) erased.push_back(CaseStream(case_id));
          }
        }
      } else {
        std::string_view case_id;
        ParseStream(v.stream(), &case_id);
        if (e.type == EventType::kCaseOpened) {
          cases_of_client[e.client_id].emplace_back(case_id);
        }
        Index(std::string(case_id), e);
      }
      return true;
    });
    if (!s.ok()) error_ = s;
    // An erasure whose key outlived a crash is finished now.
    for (const auto& subject : erased) {
      std::string key;
      if (keys_->KeyFor(subject, /*create=*/false, &key).ok()) {
        Status d = keys_->Destroy(subject);
        if (!d.ok()) error_ = d;
      }
    }
    index_built_ = error_.ok();
  }

  void Index(const std::string& case_id, const Event& e) {
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

  const EventLog* log_;
  const EventCodec* codec_;
  KeyStore* keys_;
  bool index_built_ = false;
  std::unordered_map<std::string, std::set<std::string>> primary_;  // client -> cases
  std::unordered_map<std::string, std::string> case_primary_;       // case -> client
  size_t max_entries_;
  uint64_t clock_ = 0;
  Map<ClientState> clients_;
  Map<CaseState> cases_;
  Map<LobbyState> lobby_;
  uint64_t failed_rounds_seen_ = 0;
  Status error_;
};

CommandHandler::CommandHandler(EventLog* log, KeyStore* keys, const DomainConfig* config,
                               CommandHandlerOptions options)
    : log_(log),
      keys_(keys),
      config_(config),
      options_(std::move(options)),
      codec_(keys),
      cache_(std::make_unique<Cache>(log, &codec_, keys, options_.max_cached_aggregates)) {
  if (!options_.today) options_.today = UtcToday;
  if (!options_.new_id) options_.new_id = RandomId;
  purger_ = std::thread([this] { PurgeLoop(); });
}

CommandHandler::~CommandHandler() {
  {
    std::lock_guard<std::mutex> lock(purge_mu_);
    stopping_ = true;
  }
  purge_cv_.notify_one();
  purger_.join();
}

void CommandHandler::SchedulePurge() {
  {
    std::lock_guard<std::mutex> lock(purge_mu_);
    purge_wanted_ = true;
  }
  purge_cv_.notify_one();
}

void CommandHandler::PurgeLoop() {
  // At most one purge in an interval: each flushes every family and replaces the log
  // files, so a run of erasures shares one instead of rewriting the files back to back
  // (under read-only readers too). A purge wanted at shutdown still runs.
  std::chrono::steady_clock::time_point last;
  std::unique_lock<std::mutex> lock(purge_mu_);
  for (;;) {
    purge_cv_.wait(lock, [&] { return purge_wanted_ || stopping_; });
    if (!purge_wanted_) return;
    purge_cv_.wait_until(lock, last + kMinPurgeInterval, [&] { return stopping_; });
    purge_wanted_ = false;
    lock.unlock();
    last = std::chrono::steady_clock::now();
    // Destroyed keys (and the WAL that held them) leave the folder. A store that refuses
    // writes (a full disk) gets the purge again, an interval later, until it goes through.
    const bool purged = keys_->Purge().ok();
    lock.lock();
    if (!purged && !stopping_) purge_wanted_ = true;
  }
}

// One command on its way through the log. The decision (on the writer thread) writes
// `outcome`; the log's queues order that before `Finish` reads it on another thread.
struct CommandHandler::Call {
  Actor actor;
  Command command;
  CommandOptions options;
  std::string today;
  AppendRequest base;
  Done done;
  int attempts = 0;
  Outcome outcome;
  WriteBatch new_keys;  // written with the events (AppendRequest::rows)
  bool decided = false;
  std::vector<std::string> evict;  // streams to reload before deciding again
};

CommandResult CommandHandler::Execute(const Actor& actor, Command command,
                                      const CommandOptions& options) {
  return Await<CommandResult>(
      [&](Done done) { ExecuteAsync(actor, std::move(command), options, std::move(done)); });
}

void CommandHandler::ExecuteAsync(const Actor& actor, Command command,
                                  const CommandOptions& options, Done done) {
  auto call = std::make_shared<Call>();
  call->actor = actor;
  call->command = std::move(command);
  call->options = options;
  call->today = options_.today();
  call->done = std::move(done);
  // Who may send commands at all is settled before what they sent is looked at.
  if (!actor.Has(kCasework)) {
    CommandResult result;
    result.rejected = true;
    result.rejection = Rejection::Forbidden(kCasework);
    return call->done(std::move(result));
  }
  if (auto rejection = Validate(&call->command, *config_, call->today)) {
    CommandResult result;
    result.rejected = true;
    result.rejection = std::move(*rejection);
    return call->done(std::move(result));
  }
  // Idempotency keys are the sender's: another user repeating one gets a decision of its
  // own (and its own permission checks), not someone else's answer.
  call->base.command_id = options.command_id.empty() ? "cmd-" + options_.new_id()
                                                     : actor.user_id + "/" + options.command_id;
  call->base.fresh_command_id = options.command_id.empty();
  call->base.actor = actor.user_id;
  call->base.correlation_id = options.correlation_id;
  call->base.request_digest = options.request_digest;
  Submit(std::move(call));
}

void CommandHandler::Submit(std::shared_ptr<Call> call) {
  Decision decision;
  decision.decide = [this, call](AppendRequest* request) -> Status {
    cache_->BeginDecision();
    for (const auto& stream : call->evict) cache_->Evict(stream);
    DecideContext ctx{call->actor, config_, call->today, options_.new_id,
                      call->options.expected_version};
    call->outcome = Decide(call->command, ctx, cache_.get());
    call->decided = true;
    if (!cache_->error().ok()) return cache_->error();
    // Refusals and no-ops append nothing; the log is told no, Finish knows why.
    if (call->outcome.rejected || call->outcome.Unchanged()) {
      return Status::FailedPrecondition("decided without events");
    }
    for (const StreamEvents& se : call->outcome.streams) {
      StreamWrite write{se.stream,
                        se.expected_version == 0 ? ExpectedVersion::NoStream()
                                                 : ExpectedVersion::Exact(se.expected_version),
                        {}};
      for (const Event& e : se.events) {
        std::string payload;
        Status s = codec_.Encode(e, &payload, &call->new_keys);
        if (!s.ok()) return s;
        write.events.push_back({EventTypeName(e.type), std::move(payload)});
      }
      request->writes.push_back(std::move(write));
    }
    request->rows.Append(call->new_keys);
    // Kept only where a repeat can ask for it again (a caller's own command id).
    if (!request->fresh_command_id) request->response = call->outcome.response.dump();
    return Status::Ok();
  };
  decision.accepted = [this, call](const AppendResult& r) {
    cache_->Apply(call->outcome.streams, r.last_position);
    // Folded and encoded: the events go here, on the thread that made them, and their
    // lists go back for its next decisions (EventList). Freed where the answer is sent,
    // each (a kilobyte or more) made glibc lock this thread's arena against the writer.
    // Finish needs only the stream names.
    for (auto& se : call->outcome.streams) GiveBack(&se.events);
  };
  call->decided = false;
  log_->DecideAsync(call->base, std::move(decision),
                    [this, call](AppendOutcome appended) { Finish(call, std::move(appended)); });
}

void CommandHandler::Finish(const std::shared_ptr<Call>& call, AppendOutcome appended) {
  if (!appended.status.ok() && !call->new_keys.Empty()) {
    // Their events were not written (refused by the log, a conflict, a failed round),
    // and neither were the keys.
    keys_->Forget(call->new_keys);
    call->new_keys.Clear();
  }
  CommandResult result;
  const std::string& first_digest = appended.result.request_digest;
  if (appended.status.ok() && appended.result.duplicate && !first_digest.empty() &&
      first_digest != call->options.request_digest) {
    // The key was first used for another request: neither that answer nor this command.
    result.rejected = true;
    result.rejection = Rejection::IdempotencyKeyReused();
  } else if (appended.status.ok()) {
    result.duplicate = appended.result.duplicate;
    result.position = appended.result.last_position;
    result.versions = appended.result.versions;
    if (result.duplicate) {
      // The first answer, as it was kept.
      if (!appended.result.response.empty()) {
        result.response = nlohmann::json::parse(appended.result.response, nullptr, false);
      }
    } else {
      result.response = std::move(call->outcome.response);
    }
    // An erasure is recorded: now the key goes, before the caller hears it is done (a
    // crash in between is finished at the next start).
    const std::vector<std::string>& subjects = call->outcome.destroy_keys;
    if (!subjects.empty() && !result.duplicate) {
      for (const std::string& subject : subjects) {
        Status s = keys_->Destroy(subject);
        if (!s.ok()) result.status = s;
      }
      SchedulePurge();
    }
  } else if (call->decided && call->outcome.rejected) {
    result.rejected = true;
    result.rejection = call->outcome.rejection;
  } else if (call->decided && call->outcome.Unchanged()) {
    result.unchanged = true;
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
  call->done(std::move(result));
}

Status CommandHandler::ReadClient(const std::string& client_id, ClientState* state) const {
  return ReadState(*log_, codec_, ClientStream(client_id), "client " + client_id, AsOf(), state);
}

Status CommandHandler::ReadCase(const std::string& case_id, CaseState* state) const {
  return ReadState(*log_, codec_, CaseStream(case_id), "case " + case_id, AsOf(), state);
}

Status CommandHandler::ReadLobby(const std::string& lobby_id, LobbyState* state) const {
  return ReadState(*log_, codec_, LobbyStream(lobby_id), "lobby record " + lobby_id, AsOf(), state);
}

}  // namespace caseengine
