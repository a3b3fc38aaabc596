// command_bench: a realistic mix of casework commands through the command handler, each
// decided on the log's writer thread, sealed and synced before it is answered. W writers
// (caseworkers' sessions), each with up to K commands in flight, act on the clients and
// cases they have created:
//   10% register a client (client + first case), 5% open another case, 25% add a note
//   (sealed text; a third about an application), 10% assign or unassign an officer, 10%
//   create an action, 7% complete one, 5% add a household member, 3% close or reopen a
//   case, 12% add an application or assessment (strand), 8% change a strand's status
//   (closed, cancelled, open again), 5% move a strand to another open case of the same
//   client (sent by the supervisor: moves need the move_strands permission).
// Strand types follow the cardinality rules: a fresh client's first case gets its one
// Housing Register (with its Bedroom assessment) or Homeless application, other cases
// mostly the many-per-case types (Homeless referral, Review, Risk, Health) and at most one
// Financial assistance. Each writer tracks what its commands change (open cases, officers,
// open actions, strands' statuses) so the rules refuse almost nothing, as with caseworkers
// who see the case in front of them; a command with nothing to act on (no strand to move
// yet) becomes a note.
//
//   command_bench --writers W --commands N [--inflight K] [--drive events|threads] [--json]
//                 [--data DIR] [--read-models]
//
// With --read-models the engine's read models are kept up to date while the commands run,
// as a server's are (the runner tails the log on its thread, "projections"), and the
// figures include its CPU time per event and the time it took to apply the last event
// after the last answer.
//
// How the writers are driven:
//   events   (default) as an asynchronous server drives the handler: each answer, on the
//            thread that delivers it, records its latency and sends that writer's next
//            command, so no thread waits for a free place
//   threads  one thread per writer, blocking while K of its commands are in flight, as a
//            thread-per-connection server does; the wake-ups of W threads on two vCPUs
//            then cost about as much as the commands
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include "aggregates/command_handler.h"
#include "aggregates/key_store.h"
#include "aggregates/strand_rules.h"
#include "bench/bench_util.h"
#include "events/log_store.h"
#include "http/engine.h"

using namespace caseengine;
using Clock = std::chrono::steady_clock;

namespace {

// One writer's view of what it created. Next updates it with what a command will change
// as it sends it, and Remember with the ids the answers give, so that the commands in
// flight do not contradict each other and the rules accept most of the mix, as they do a
// caseworker's requests: refusals should stay a small share.
struct Caseload {
  static constexpr size_t kNone = static_cast<size_t>(-1);
  struct Client {
    std::string id;
    std::vector<size_t> cases;
  };
  struct Case {
    std::string id;
    size_t client;
    bool open = true;
    bool supervisor_secondary = false;
    bool financial_assistance = false;  // one per case, so added at most once
    std::vector<size_t> members;        // clients added to the household
  };
  struct Strand {
    size_t kase;
    std::string id, type;
    std::string status = "open";  // open | closed | cancelled | closed_moved
  };
  struct Action {
    std::string case_id, id;
    size_t strand;  // kNone: about the case
  };

  std::mutex mu;
  std::vector<Client> clients;
  std::vector<Case> cases;
  std::vector<Strand> strands;
  std::vector<Action> actions;  // open ones
  std::vector<size_t> movable;  // strands of the types that move; moved ones dropped lazily
  // First cases of clients with no application yet: a client's one current Housing
  // Register or Homeless application goes there, so it never meets another.
  std::vector<size_t> fresh;
  std::unordered_map<std::string, size_t> client_at, case_at, strand_at;

  size_t AddCase(const std::string& id, size_t client) {
    cases.emplace_back();
    cases.back().id = id;
    cases.back().client = client;
    case_at[id] = cases.size() - 1;
    clients[client].cases.push_back(cases.size() - 1);
    return cases.size() - 1;
  }
  void AddStrand(size_t kase, const std::string& id, const std::string& type) {
    strands.push_back({kase, id, type});
    strand_at[id] = strands.size() - 1;
    if (StrandRules::Find(type)->movable) movable.push_back(strands.size() - 1);
  }

  // A few tries keep the mix near its shares as the caseload fills; kNone when they fail.
  size_t OpenCaseIndex(std::mt19937& rng) const {
    for (int tries = 0; tries < 4; ++tries) {
      const size_t k = rng() % cases.size();
      if (cases[k].open) return k;
    }
    return kNone;
  }
  size_t CurrentStrandIndex(std::mt19937& rng) const {
    for (int tries = 0; !strands.empty() && tries < 4; ++tries) {
      const size_t s = rng() % strands.size();
      if (strands[s].status == "open") return s;
    }
    return kNone;
  }
};

Command Register(Caseload&, std::mt19937& rng) {
  RegisterClient c;
  c.personal.surname = "Client" + std::to_string(rng() % 100000);
  c.personal.forenames = "Alex";
  c.personal.date_of_birth = "1980-05-17";
  c.personal.postcode = "AB1 2CD";
  return c;
}

// Every command that finds nothing to act on becomes a note: the most common of them.
Command Note(Caseload& load, std::mt19937& rng) {
  const char* text = "Client called about the application; advised on documents.";
  // Some notes are about an application, as the ones a move warns it leaves behind.
  if (rng() % 3 == 0) {
    const size_t s = load.CurrentStrandIndex(rng);
    if (s != Caseload::kNone) {
      return AddNote{load.cases[load.strands[s].kase].id, text, load.strands[s].id};
    }
  }
  return AddNote{load.cases[rng() % load.cases.size()].id, text, ""};
}

Command Officer(Caseload& load, std::mt19937& rng) {
  Caseload::Case& kase = load.cases[rng() % load.cases.size()];
  kase.supervisor_secondary = !kase.supervisor_secondary;
  if (kase.supervisor_secondary) return AssignOfficer{kase.id, "supervisor", "secondary"};
  return UnassignOfficer{kase.id, "supervisor", "secondary"};
}

Command NewAction(Caseload& load, std::mt19937& rng) {
  if (rng() % 3 == 0) {
    const size_t s = load.CurrentStrandIndex(rng);
    if (s != Caseload::kNone) {
      return CreateAction{load.cases[load.strands[s].kase].id, "Request medical evidence",
                          "2026-12-01", load.strands[s].id};
    }
  }
  return CreateAction{load.cases[rng() % load.cases.size()].id, "Check identity documents",
                      "2026-12-01", ""};
}

std::optional<Command> Complete(Caseload& load, std::mt19937& rng) {
  while (!load.actions.empty()) {
    std::swap(load.actions[rng() % load.actions.size()], load.actions.back());
    const Caseload::Action a = std::move(load.actions.back());
    load.actions.pop_back();
    // A move closed the open actions of the application it moved.
    if (a.strand != Caseload::kNone && load.strands[a.strand].status == "closed_moved") continue;
    return CompleteAction{a.case_id, a.id};
  }
  return std::nullopt;
}

std::optional<Command> Member(Caseload& load, std::mt19937& rng) {
  static const char* const kRelationships[] = {"partner", "child", "parent", "other"};
  for (int tries = 0; tries < 4; ++tries) {
    Caseload::Case& kase = load.cases[rng() % load.cases.size()];
    const size_t person = rng() % load.clients.size();
    if (person == kase.client ||
        std::find(kase.members.begin(), kase.members.end(), person) != kase.members.end()) {
      continue;
    }
    kase.members.push_back(person);
    return AddPerson{kase.id, load.clients[person].id,
                     kRelationships[rng() % std::size(kRelationships)], false, ""};
  }
  return std::nullopt;
}

Command CloseOrReopen(Caseload& load, std::mt19937& rng) {
  Caseload::Case& kase = load.cases[rng() % load.cases.size()];
  kase.open = !kase.open;
  if (kase.open) return ReopenCase{kase.id, "re-approached"};
  return CloseCase{kase.id, "housed"};
}

std::optional<Command> NewStrand(Caseload& load, std::mt19937& rng) {
  if (rng() % 10 < 3) {
    while (!load.fresh.empty()) {
      const Caseload::Case& first = load.cases[load.fresh.back()];
      load.fresh.pop_back();
      if (!first.open) continue;
      return AddStrand{first.id, rng() % 2 ? "housing_register" : "homeless_application"};
    }
  }
  const size_t k = load.OpenCaseIndex(rng);
  if (k == Caseload::kNone) return std::nullopt;
  Caseload::Case& kase = load.cases[k];
  static const char* const kMany[] = {"homeless_referral", "homeless_referral", "review", "review",
                                      "risk_assessment",   "health_assessment"};
  if (!kase.financial_assistance && rng() % 10 == 0) {
    kase.financial_assistance = true;
    return AddStrand{kase.id, "financial_assistance"};
  }
  return AddStrand{kase.id, kMany[rng() % std::size(kMany)]};
}

std::optional<Command> StrandStatus(Caseload& load, std::mt19937& rng) {
  for (int tries = 0; !load.strands.empty() && tries < 4; ++tries) {
    Caseload::Strand& s = load.strands[rng() % load.strands.size()];
    if (s.status == "closed_moved") continue;
    if (s.status == "open") {
      s.status = rng() % 4 ? "closed" : "cancelled";
    } else {
      // Reopened, an application counts again: only on an open case.
      if (!load.cases[s.kase].open) continue;
      s.status = "open";
    }
    return ChangeStrandStatus{load.cases[s.kase].id, s.id, s.status};
  }
  return std::nullopt;
}

// An application moves to another open case of the same client, as when the client
// approaches again and casework continues on the new case.
std::optional<Command> Move(Caseload& load, std::mt19937& rng) {
  for (int tries = 0; !load.movable.empty() && tries < 16; ++tries) {
    const size_t i = rng() % load.movable.size();
    Caseload::Strand& s = load.strands[load.movable[i]];
    if (s.status == "closed_moved") {
      load.movable[i] = load.movable.back();
      load.movable.pop_back();
      continue;
    }
    if (s.status != "open") continue;
    const Caseload::Case& from = load.cases[s.kase];
    std::vector<size_t> targets;
    for (size_t k : load.clients[from.client].cases) {
      if (k != s.kase && load.cases[k].open) targets.push_back(k);
    }
    if (targets.empty()) continue;
    s.status = "closed_moved";
    return MoveStrand{from.id, s.id, load.cases[targets[rng() % targets.size()]].id};
  }
  return std::nullopt;
}

Command OpenAnother(Caseload& load, std::mt19937& rng) {
  return OpenCase{load.clients[rng() % load.clients.size()].id};
}

// A kind that always finds something to act on.
template <Command (*make)(Caseload&, std::mt19937&)>
std::optional<Command> Always(Caseload& load, std::mt19937& rng) {
  return make(load, rng);
}

// The mix of the file comment, share by share (percent). A kind with nothing to act on
// gives nothing, and a note is sent instead.
using Maker = std::optional<Command> (*)(Caseload&, std::mt19937&);
constexpr std::pair<int, Maker> kMix[] = {
    {10, Always<Register>},
    {5, Always<OpenAnother>},
    {25, Always<Note>},
    {10, Always<Officer>},
    {10, Always<NewAction>},
    {7, Complete},
    {5, Member},
    {3, Always<CloseOrReopen>},
    {12, NewStrand},
    {8, StrandStatus},
    {5, Move},
};
constexpr int MixTotal() {
  int total = 0;
  for (const auto& share : kMix) total += share.first;
  return total;
}
static_assert(MixTotal() == 100, "the mix's shares are percent");

Command Next(Caseload& load, std::mt19937& rng) {
  std::lock_guard<std::mutex> lock(load.mu);
  int roll = static_cast<int>(rng() % 100);
  if (load.cases.empty()) return Register(load, rng);
  for (const auto& [percent, make] : kMix) {
    if (roll >= percent) {
      roll -= percent;
      continue;
    }
    std::optional<Command> c = make(load, rng);
    return c ? *std::move(c) : Note(load, rng);
  }
  return Note(load, rng);  // not reached: the shares add up to 100
}

void Remember(Caseload& load, const Command& c, const CommandResult& r) {
  if (!r.ok() || r.duplicate) return;
  std::lock_guard<std::mutex> lock(load.mu);
  if (std::holds_alternative<RegisterClient>(c)) {
    load.clients.push_back({r.response["client_id"], {}});
    load.client_at[load.clients.back().id] = load.clients.size() - 1;
    load.fresh.push_back(load.AddCase(r.response["case_id"], load.clients.size() - 1));
  } else if (auto* open = std::get_if<OpenCase>(&c)) {
    load.AddCase(r.response["case_id"], load.client_at.at(open->client_id));
  } else if (auto* action = std::get_if<CreateAction>(&c)) {
    const size_t strand =
        action->strand_id.empty() ? Caseload::kNone : load.strand_at.at(action->strand_id);
    load.actions.push_back({action->case_id, r.response["action_id"], strand});
  } else if (auto* add = std::get_if<AddStrand>(&c)) {
    const size_t kase = load.case_at.at(add->case_id);
    load.AddStrand(kase, r.response["strand_id"], add->type);
    // A Housing Register application brings its Bedroom assessment.
    for (const auto& created : r.response.value("created", nlohmann::json::array())) {
      load.AddStrand(kase, created["strand_id"], created["type"]);
    }
  } else if (auto* move = std::get_if<MoveStrand>(&c)) {
    const std::string type = load.strands[load.strand_at.at(move->strand_id)].type;
    load.AddStrand(load.case_at.at(move->target_case_id), r.response["new_strand_id"], type);
  }
}

// Who sends a command: the officer does the casework, the supervisor the moves, which need
// the move_strands permission the demo officer lacks.
struct Senders {
  Actor officer, supervisor;
  const Actor& For(const Command& c) const {
    return std::holds_alternative<MoveStrand>(c) ? supervisor : officer;
  }
};

// Writers as sessions without threads of their own (--drive events): a command's answer
// sends the writer's next one. Answers arrive on the log's threads, one at a time per
// thread; a writer's state is guarded by its Caseload's mutex.
class EventDriven {
 public:
  EventDriven(CommandHandler* handler, const Senders* senders, uint64_t commands, int writers)
      : handler_(handler), senders_(senders), commands_(commands), sessions_(writers) {
    for (int w = 0; w < writers; ++w) sessions_[w].rng.seed(w + 1);
  }

  bench::WriterRun Run(int inflight) {
    const auto start = Clock::now();
    active_ = sessions_.size() * inflight;
    for (int k = 0; k < inflight; ++k) {
      for (auto& s : sessions_) Send(&s);
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return active_ == 0; });
    }
    bench::WriterRun run;
    run.seconds = bench::Seconds(start);
    std::vector<double> all;
    for (auto& s : sessions_) all.insert(all.end(), s.latencies.begin(), s.latencies.end());
    run.p50_us = bench::Percentile(&all, 0.50);
    run.p99_us = bench::Percentile(&all, 0.99);
    return run;
  }

  uint64_t failed() const { return failed_; }
  uint64_t refused() const { return refused_; }

 private:
  struct Session {
    Caseload load;
    std::mt19937 rng;
    std::vector<double> latencies;  // guarded by load.mu
  };

  void Send(Session* s) {
    if (next_++ >= commands_) {
      std::lock_guard<std::mutex> lock(mu_);
      if (--active_ == 0) cv_.notify_one();
      return;
    }
    Command c = Next(s->load, s->rng);
    const auto t0 = Clock::now();
    handler_->ExecuteAsync(
        senders_->For(c), c, CommandOptions(), [this, s, c, t0](CommandResult r) {
          const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
          if (!r.status.ok()) failed_++;
          if (r.rejected) refused_++;
          Remember(s->load, c, r);
          {
            std::lock_guard<std::mutex> lock(s->load.mu);
            s->latencies.push_back(us);
          }
          Send(s);
        });
  }

  CommandHandler* handler_;
  const Senders* senders_;
  const uint64_t commands_;
  std::vector<Session> sessions_;
  std::atomic<uint64_t> next_{0}, failed_{0}, refused_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  size_t active_ = 0;  // commands in flight or about to be sent; guarded by mu_
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"command_bench: casework commands through the command handler, durably"};
  int writers = 64, inflight = 4;
  uint64_t commands = 200000;
  bool json = false, keep = false;
  std::string drive = "events";
  std::string dir = "/tmp/caseengine-command-bench";
  app.add_option("--writers", writers, "writer threads")->check(CLI::Range(1, 4096));
  app.add_option("--commands", commands, "commands in all")->check(CLI::Range(1, 100000000));
  app.add_option("--inflight", inflight, "commands each writer keeps in flight (default 4)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--drive", drive, "events (answers send the next command) or threads")
      ->check(CLI::IsMember({"events", "threads"}));
  app.add_option("--data", dir, "scratch data folder (emptied first)");
  app.add_flag("--keep", keep, "keep the data folder");
  bool read_models = false;
  app.add_flag("--read-models", read_models, "keep the read models up to date meanwhile");
  app.add_flag("--json", json, "one JSON line per measurement");
  CLI11_PARSE(app, argc, argv);

  bench::ScratchDir scratch(dir, keep);
  const DomainConfig config = DomainConfig::Demo();
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<CommandHandler> own_handler;
  std::unique_ptr<Engine> engine;
  KeyEncryptionKey kek;
  Status s = KekBeside(dir, /*create=*/true, &kek);  // the demo's key file, DIR.kek
  if (!s.ok()) {
  } else if (read_models) {
    EngineOptions options;
    options.dir = dir;
    options.config = &config;
    options.kek = kek;
    s = Engine::Open(options, &engine);
  } else {
    s = OpenLogFolder(dir, /*read_only=*/false, &store, &log);
    if (s.ok()) s = KeyStore::Open(store.get(), &kek, &keys);
    if (s.ok()) own_handler = std::make_unique<CommandHandler>(log.get(), keys.get(), &config);
  }
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 2;
  }
  CommandHandler& handler = engine ? engine->handler() : *own_handler;
  EventLog* const log_used = engine ? &engine->log() : log.get();
  const Senders senders{config.users.at("officer"), config.users.at("supervisor")};

  uint64_t failed = 0, refused = 0;
  bench::WriterRun run;
  if (drive == "events") {
    EventDriven driven(&handler, &senders, commands, writers);
    run = driven.Run(inflight);
    failed = driven.failed();
    refused = driven.refused();
  } else {
    std::atomic<uint64_t> next{0}, failed_count{0}, refused_count{0};
    run = bench::RunWriters(writers, inflight, [&](int w, bench::Window& window) {
      std::mt19937 rng(w + 1);
      Caseload load;
      for (uint64_t i = next++; i < commands; i = next++) {
        const auto t0 = window.Acquire();
        Command c = Next(load, rng);
        handler.ExecuteAsync(senders.For(c), c, CommandOptions(), [&, c, t0](CommandResult r) {
          if (!r.status.ok()) failed_count++;
          if (r.rejected) refused_count++;
          Remember(load, c, r);
          window.Done(t0);
        });
      }
      window.WaitAll();  // the answers use `load`: wait before it goes out of scope
    });
    failed = failed_count;
    refused = refused_count;
  }
  const double seconds = run.seconds, p50 = run.p50_us, p99 = run.p99_us;
  // The read models' runner: its CPU per event, and how far it trailed at the end.
  double projection_us = 0, projection_lag_ms = 0;
  if (engine) {
    const auto t0 = Clock::now();
    engine->runner().WaitForApplied(log_used->HeadPosition(), std::chrono::seconds(600));
    projection_lag_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    projection_us = bench::ThreadCpuSeconds("projections") * 1e6 /
                    std::max<uint64_t>(1, log_used->HeadPosition());
  }
  // The log's writer thread decides every command: its CPU time per command bounds the
  // rate whatever the host's noise does to wall time.
  const double writer_us = bench::ThreadCpuSeconds("log-writer") * 1e6 / commands;
  // The committer writes, syncs and runs the answers (here: sends the next command).
  const double commit_us = bench::ThreadCpuSeconds("log-commit") * 1e6 / commands;
  const LogStats log_stats = log_used->Stats();
  const double per_round =
      log_stats.rounds == 0 ? 0 : static_cast<double>(log_stats.appends) / log_stats.rounds;
  const double rate = commands / seconds;
  const bool ok = failed == 0;
  if (json) {
    nlohmann::json j = {{"bench", "command"},
                        {"writers", writers},
                        {"inflight", inflight},
                        {"drive", drive},
                        {"commands", commands},
                        {"events", log_used->HeadPosition()},
                        {"seconds", seconds},
                        {"commands_per_s", rate},
                        {"events_per_s", log_used->HeadPosition() / seconds},
                        {"refused", refused},
                        {"p50_us", p50},
                        {"p99_us", p99},
                        {"writer_cpu_us_per_command", writer_us},
                        {"commit_cpu_us_per_command", commit_us},
                        {"appends_per_round", per_round},
                        {"projection_cpu_us_per_event", projection_us},
                        {"projection_lag_ms", projection_lag_ms},
                        {"ok", ok},
                        {"machine", bench::MachineDescription()}};
    std::cout << j.dump() << std::endl;
  } else {
    std::printf(
        "command: writers=%d inflight=%d drive=%s commands=%llu %.3fs %.0f commands/s "
        "(%llu events, %llu refused by rules; latency p50 %.0f us, p99 %.0f us; CPU per command: "
        "writer %.1f us, committer (writes, syncs, answers) %.1f us; %.1f appends a round)%s\n",
        writers, inflight, drive.c_str(), static_cast<unsigned long long>(commands), seconds, rate,
        static_cast<unsigned long long>(log_used->HeadPosition()),
        static_cast<unsigned long long>(refused), p50, p99, writer_us, commit_us, per_round,
        ok ? "" : "  FAILED");
    if (engine) {
      std::printf(
          "read models: CPU %.1f us per event, applied the last event %.0f ms after the "
          "last answer\n",
          projection_us, projection_lag_ms);
    }
  }
  return ok ? 0 : 1;
}
