// Live projections fed from memory (ProjectionRunner::Offer): events a command decided,
// offered as they commit, are applied without reading or decoding the log; gaps, overflow
// and restarts fall back to the log, and the rows are those a runner reading the log
// writes. The producer below does what the engine's command path is to do after a commit.
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aggregates/decide.h"
#include "aggregates/state_reader.h"
#include "aggregates/validate.h"
#include "projections/projection_runner.h"
#include "projections/read_models.h"
#include "tests/domain_fixture.h"

namespace caseengine::testing {
namespace {

using std::chrono::seconds;

// The durable state a decision reads, folded from the log.
class LogStates : public StateView {
  SettingsState settings_;  // none: no workflow loads in these tests

 public:
  LogStates(const DomainFixture& d, const std::vector<std::string>& cases) : d_(d), cases_(cases) {}
  const ClientState* Client(const std::string& id) override {
    return Fold(&clients_, ClientStream(id));
  }
  const CaseState* Case(const std::string& id) override { return Fold(&cases_of_, CaseStream(id)); }
  const LobbyState* Lobby(const std::string& id) override {
    return Fold(&lobbies_, LobbyStream(id));
  }
  const SettingsState* Settings() override { return &settings_; }
  std::vector<const CaseState*> CasesOfPrimaryApplicant(const std::string& client_id) override {
    std::vector<const CaseState*> out;
    for (const std::string& id : cases_) {
      const CaseState* s = Case(id);
      if (s->exists && !s->deleted && s->primary_applicant == client_id) out.push_back(s);
    }
    return out;
  }

 private:
  template <class State>
  const State* Fold(std::map<std::string, State>* map, const std::string& stream) {
    auto [it, added] = map->try_emplace(stream);
    if (added) REQUIRE(FoldStream(*d_.log, d_.handler->codec(), stream, AsOf(), &it->second).ok());
    return &it->second;
  }
  const DomainFixture& d_;
  const std::vector<std::string>& cases_;
  std::map<std::string, ClientState> clients_;
  std::map<std::string, CaseState> cases_of_;
  std::map<std::string, LobbyState> lobbies_;
};

// What the engine's command path is to do after each commit: validate and decide a
// command against durable state, encode its events (new keys in the same batch), append
// them asking for their envelopes, destroy an erasure's keys once it is durable, and turn
// what the command decided into LiveEvents, which the caller then offers, in commit order.
class Producer {
 public:
  explicit Producer(DomainFixture& d) : d_(d) {}

  std::vector<LiveEvent> Run(const std::string& user, Command command) {
    const Actor& actor = d_.config.users.at(user);
    const std::string today = DomainFixture::kToday;
    REQUIRE_FALSE(Validate(&command, d_.config, today).has_value());
    const std::function<std::string()> new_id = [this] { return "live" + std::to_string(++ids_); };
    LogStates states(d_, cases_);
    const DecideContext context{actor, &d_.config, today, new_id, std::nullopt};
    Outcome outcome = Decide(command, context, &states);
    INFO(outcome.rejection.message);
    REQUIRE_FALSE(outcome.rejected);
    AppendRequest request;
    request.keep_envelopes = true;
    request.actor = actor.user_id;
    std::vector<Event> decided;
    WriteBatch new_keys;
    for (const StreamEvents& se : outcome.streams) {
      StreamWrite write{se.stream,
                        se.expected_version == 0 ? ExpectedVersion::NoStream()
                                                 : ExpectedVersion::Exact(se.expected_version),
                        {}};
      for (const Event& e : se.events) {
        std::string payload;
        REQUIRE(d_.handler->codec().Encode(e, &payload, &new_keys).ok());
        write.events.push_back({EventTypeName(e.type), std::move(payload)});
        decided.push_back(e);
      }
      request.writes.push_back(std::move(write));
      std::string_view id;
      if (ParseStream(se.stream, &id) == StreamKind::kCase) cases_.emplace_back(id);
    }
    request.rows.Append(new_keys);
    const AppendOutcome appended = d_.log->Append(std::move(request));
    REQUIRE(appended.status.ok());
    // Durable: an erasure's keys go now, before anything is offered.
    for (const std::string& subject : outcome.destroy_keys) {
      REQUIRE(d_.keys->Destroy(subject).ok());
    }
    const AppendResult& r = appended.result;
    REQUIRE(r.envelopes.size() == decided.size());
    REQUIRE(r.last_position - r.first_position + 1 == decided.size());
    std::vector<LiveEvent> live;
    for (size_t k = 0; k < decided.size(); ++k) {
      live.push_back({r.first_position + k, r.envelopes[k], std::move(decided[k])});
    }
    response = outcome.response;
    return live;
  }

  // Registers a client; returns its live events ({client_id, case_id} in response).
  std::vector<LiveEvent> Register(const std::string& surname) {
    RegisterClient c;
    c.personal.surname = surname;
    c.personal.date_of_birth = "1984-02-03";
    return Run("officer", c);
  }
  std::string client() const { return response["client_id"]; }
  std::string kase() const { return response["case_id"]; }

  nlohmann::json response;

 private:
  DomainFixture& d_;
  std::vector<std::string> cases_;
  int ids_ = 0;
};

// Every read model in a store of its own, with a runner over them.
struct Runner {
  Runner(DomainFixture& d, ProjectionRunnerOptions options = LiveOptions(),
         MemoryStore* reuse = nullptr)
      : owned(reuse ? nullptr : std::make_unique<MemoryStore>(ReadModels::FamilyNames())),
        store(reuse ? reuse : owned.get()),
        runner(d.log.get(), &d.handler->codec(), store, models.All(), options) {
    models.SetLog(d.log.get(), &d.handler->codec());
    REQUIRE(runner.Open().ok());
  }
  // Long enough that an offer made right after its append always arrives in time.
  static ProjectionRunnerOptions LiveOptions() {
    ProjectionRunnerOptions options;
    options.offer_wait = seconds(10);
    return options;
  }
  ReadModels models;
  std::unique_ptr<MemoryStore> owned;
  MemoryStore* store;
  ProjectionRunner runner;
};

std::map<std::string, std::string> Dump(const Store& store, const std::string& family) {
  FamilyId id;
  REQUIRE(store.Family(family, &id).ok());
  std::map<std::string, std::string> out;
  auto it = store.NewIterator(id);
  for (it->SeekToFirst(); it->Valid(); it->Next()) out[std::string(it->key())] = it->value();
  return out;
}

// The rows of every read model are those a runner that reads the whole log writes.
void CheckSameRowsAsFromLog(DomainFixture& d, const Store& store) {
  Runner from_log(d);
  REQUIRE(from_log.runner.CatchUp().ok());
  CHECK(from_log.runner.Stats().live_events == 0);
  for (const std::string& family : ReadModels::FamilyNames()) {
    INFO(family);
    CHECK(Dump(store, family) == Dump(*from_log.store, family));
  }
}

void Offer(ProjectionRunner& runner, std::vector<LiveEvent> events) {
  runner.Offer(std::move(events));
}

bool AnyRowHolds(const Store& store, const std::string& text) {
  for (const std::string& family : ReadModels::FamilyNames()) {
    for (const auto& [key, value] : Dump(store, family)) {
      if (key.find(text) != std::string::npos || value.find(text) != std::string::npos) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

TEST_CASE("offered events are applied from memory without reading the log", "[projections][live]") {
  // Given a started runner over every read model, offered each command's events
  DomainFixture d;
  Producer p(d);
  Runner r(d);
  uint64_t offered = 0;
  auto run = [&](const std::string& user, Command c) {
    std::vector<LiveEvent> events = p.Run(user, std::move(c));
    offered += events.size();
    Offer(r.runner, std::move(events));
  };
  // Offered before the start: durable, so applied from memory once started.
  std::vector<LiveEvent> first = p.Register("Abernathy");
  offered += first.size();
  Offer(r.runner, std::move(first));
  r.runner.Start();
  // When commands commit and are offered one after another
  const std::string kase = p.kase();
  run("officer", AddNote{kase, "called about the flat", ""});
  run("officer", AssignOfficer{kase, "supervisor", "secondary"});
  run("officer", CreateAction{kase, "send the form", "2026-12-01", ""});
  run("officer", CloseCase{kase, "housed"});
  for (int i = 0; i < 5; ++i) {
    std::vector<LiveEvent> events = p.Register("Client" + std::to_string(i));
    offered += events.size();
    Offer(r.runner, std::move(events));
  }
  // Then every one is applied from memory, none read from the log
  REQUIRE(r.runner.WaitForApplied(d.Head(), seconds(20)) == d.Head());
  r.runner.Stop();
  const ProjectionStats stats = r.runner.Stats();
  CHECK(stats.live_events == offered);
  CHECK(stats.log_events == 0);
  CHECK(stats.events == d.Head());
  CHECK(stats.offers_dropped == 0);
  // And the rows are those reading the log gives
  CHECK(r.runner.Written() == d.Head());
  CheckSameRowsAsFromLog(d, *r.store);
}

TEST_CASE("a gap in what is offered is read from the log, in order", "[projections][live]") {
  // Given a started runner that is being offered events
  DomainFixture d;
  Producer p(d);
  Runner r(d);
  std::vector<LiveEvent> first = p.Register("Abernathy");
  const uint64_t offered_first = first.size();
  Offer(r.runner, std::move(first));
  r.runner.Start();
  REQUIRE(r.runner.WaitForApplied(d.Head(), seconds(20)) == d.Head());
  // When a command commits without an offer (the plain command path), then one with
  const uint64_t before_gap = d.Head();
  d.Register("Unoffered");
  REQUIRE(Kind(d.Run("officer", AddNote{p.kase(), "not offered", ""})) == "ok");
  const uint64_t gap = d.Head() - before_gap;
  std::vector<LiveEvent> after = p.Run("officer", AddNote{p.kase(), "offered", ""});
  const uint64_t offered_after = after.size();
  Offer(r.runner, std::move(after));
  // Then the gap is read from the log and the offered events after it from memory
  REQUIRE(r.runner.WaitForApplied(d.Head(), seconds(20)) == d.Head());
  r.runner.Stop();
  const ProjectionStats stats = r.runner.Stats();
  CHECK(stats.log_events == gap);
  CHECK(stats.live_events == offered_first + offered_after);
  CHECK(stats.events == d.Head());
  // And the journal lists the notes in log order, as reading the log does
  CheckSameRowsAsFromLog(d, *r.store);
}

TEST_CASE("offers that overflow the queue are read from the log", "[projections][live]") {
  // Given a runner not yet started whose queue holds 4 events
  DomainFixture d;
  Producer p(d);
  ProjectionRunnerOptions options = Runner::LiveOptions();
  options.max_offered_events = 4;
  Runner r(d, options);
  // When more commands commit and are offered than it holds
  uint64_t queued = 0;
  for (int i = 0; i < 6; ++i) {
    std::vector<LiveEvent> events = p.Register("Client" + std::to_string(i));
    if (queued + events.size() <= 4) queued += events.size();
    Offer(r.runner, std::move(events));
  }
  r.runner.Start();
  // Then what fitted is applied from memory, what was dropped is read from the log
  REQUIRE(r.runner.WaitForApplied(d.Head(), seconds(20)) == d.Head());
  r.runner.Stop();
  const ProjectionStats stats = r.runner.Stats();
  CHECK(queued > 0);
  CHECK(stats.live_events == queued);
  CHECK(stats.log_events == d.Head() - queued);
  CHECK(stats.offers_dropped == d.Head() - queued);
  CheckSameRowsAsFromLog(d, *r.store);
}

TEST_CASE("offered events already applied are skipped", "[projections][live]") {
  // Given a runner that caught up with the log before it was offered anything
  DomainFixture d;
  Producer p(d);
  Runner r(d);
  std::vector<LiveEvent> early = p.Register("Abernathy");
  REQUIRE(r.runner.CatchUp().ok());
  const uint64_t caught_up = r.runner.Stats().events;
  // When those events are offered late, and a later command's events twice
  const uint64_t late = early.size();
  Offer(r.runner, std::move(early));
  r.runner.Start();
  std::vector<LiveEvent> twice = p.Run("officer", AddNote{p.kase(), "once only", ""});
  const uint64_t repeated = twice.size();
  Offer(r.runner, twice);
  Offer(r.runner, twice);
  REQUIRE(r.runner.WaitForApplied(d.Head(), seconds(20)) == d.Head());
  // (the repeat is passed over when the runner next takes from its queue)
  std::vector<LiveEvent> last = p.Register("Lastly");
  const uint64_t offered_last = last.size();
  Offer(r.runner, std::move(last));
  REQUIRE(r.runner.WaitForApplied(d.Head(), seconds(20)) == d.Head());
  r.runner.Stop();
  // Then each event is applied once
  const ProjectionStats stats = r.runner.Stats();
  CHECK(stats.events == d.Head());
  CHECK(stats.events == caught_up + repeated + offered_last);
  CHECK(stats.live_events == repeated + offered_last);
  CHECK(stats.offers_skipped == late + repeated);
  CheckSameRowsAsFromLog(d, *r.store);
}

TEST_CASE("a runner fed from memory resumes from its checkpoints after a restart",
          "[projections][live]") {
  // Given a runner that applied offered events and stopped
  DomainFixture d;
  Producer p(d);
  MemoryStore store(ReadModels::FamilyNames());
  uint64_t first_events = 0;
  std::string kase;
  {
    Runner r(d, Runner::LiveOptions(), &store);
    std::vector<LiveEvent> events = p.Register("Abernathy");
    kase = p.kase();
    Offer(r.runner, std::move(events));
    r.runner.Start();
    Offer(r.runner, p.Run("officer", AddNote{kase, "before the restart", ""}));
    REQUIRE(r.runner.WaitForApplied(d.Head(), seconds(20)) == d.Head());
    r.runner.Stop();
    first_events = d.Head();
    CHECK(r.runner.Stats().live_events == first_events);
  }
  // When a command commits while none runs (not offered), and after it one that is
  REQUIRE(Kind(d.Run("officer", AddNote{kase, "while stopped", ""})) == "ok");
  const uint64_t while_stopped = d.Head() - first_events;
  std::vector<LiveEvent> more = p.Run("officer", AddNote{kase, "after the restart", ""});
  const uint64_t offered_more = more.size();
  Runner r(d, Runner::LiveOptions(), &store);
  Offer(r.runner, std::move(more));
  // Then a new runner over the same rows starts from their checkpoints: what it missed is
  // read from the log, what it is offered after that is taken from memory
  CHECK(r.runner.Applied() == first_events);
  r.runner.Start();
  REQUIRE(r.runner.WaitForApplied(d.Head(), seconds(20)) == d.Head());
  r.runner.Stop();
  const ProjectionStats stats = r.runner.Stats();
  CHECK(stats.events == while_stopped + offered_more);
  CHECK(stats.log_events == while_stopped);
  CHECK(stats.live_events == offered_more);
  CheckSameRowsAsFromLog(d, store);
}

TEST_CASE("an event applied from memory after its subject's erasure shows none of their details",
          "[projections][live][erasure]") {
  // Given a runner not yet started, offered a client's registration
  DomainFixture d;
  Producer p(d);
  Runner r(d);
  Offer(r.runner, p.Register("Zanzibarova"));
  const std::string client = p.client();
  Offer(r.runner, p.Register("Other"));
  // When the client is erased (the key destroyed) before the runner applies anything
  Offer(r.runner, p.Run("admin", DeleteClient{client, DeleteMode::kErase}));
  r.runner.Start();
  REQUIRE(r.runner.WaitForApplied(d.Head(), seconds(20)) == d.Head());
  r.runner.Stop();
  // Then the registration, applied from memory, put the name in no row, as reading the
  // log would not have; the erasure was purged as usual
  const ProjectionStats stats = r.runner.Stats();
  CHECK(stats.live_events == d.Head());
  CHECK(stats.purges == 1);
  CHECK_FALSE(AnyRowHolds(*r.store, "Zanzibarova"));
  CHECK(AnyRowHolds(*r.store, "Other"));
  CheckSameRowsAsFromLog(d, *r.store);
}

TEST_CASE("an erasure offered after its subject's rows were applied from memory removes them",
          "[projections][live][erasure]") {
  // Given a started runner that applied a registration from memory, the name in its rows
  DomainFixture d;
  Producer p(d);
  Runner r(d);
  Offer(r.runner, p.Register("Zanzibarova"));
  const std::string client = p.client();
  r.runner.Start();
  REQUIRE(r.runner.WaitForApplied(d.Head(), seconds(20)) == d.Head());
  // When its erasure commits and is offered
  Offer(r.runner, p.Run("admin", DeleteClient{client, DeleteMode::kErase}));
  REQUIRE(r.runner.WaitForApplied(d.Head(), seconds(20)) == d.Head());
  r.runner.Stop();
  // Then no row holds the name any more, and the personal families were purged
  CHECK(r.runner.Stats().live_events == d.Head());
  CHECK(r.runner.Stats().purges >= 1);
  CHECK_FALSE(AnyRowHolds(*r.store, "Zanzibarova"));
  CheckSameRowsAsFromLog(d, *r.store);
}

TEST_CASE("an offered event that is not its envelope's is taken from the envelope or the log",
          "[projections][live]") {
  // Given a runner offered a command's events, each paired with the other's domain event
  DomainFixture d;
  Producer p(d);
  Runner r(d);
  std::vector<LiveEvent> swapped_events = p.Register("Abernathy");
  REQUIRE(swapped_events.size() >= 2);
  std::swap(swapped_events[0].event, swapped_events[1].event);
  const uint64_t first = swapped_events.size();
  Offer(r.runner, std::move(swapped_events));
  r.runner.Start();
  REQUIRE(r.runner.WaitForApplied(d.Head(), seconds(20)) == d.Head());
  // When another command's events are offered each with the other's envelope
  std::vector<LiveEvent> swapped_envelopes = p.Register("Brown");
  REQUIRE(swapped_envelopes.size() >= 2);
  std::swap(swapped_envelopes[0].envelope, swapped_envelopes[1].envelope);
  const uint64_t second = swapped_envelopes.size();
  Offer(r.runner, std::move(swapped_envelopes));
  REQUIRE(r.runner.WaitForApplied(d.Head(), seconds(20)) == d.Head());
  r.runner.Stop();
  // Then the first are decoded from their envelopes in memory, the second are read from
  // the log, and the rows are those reading the log gives
  const ProjectionStats stats = r.runner.Stats();
  CHECK(stats.live_events == first);
  CHECK(stats.log_events == second);
  CheckSameRowsAsFromLog(d, *r.store);
}

}  // namespace caseengine::testing
