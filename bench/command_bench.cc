// command_bench: a realistic mix of casework commands through the command handler, each
// decided on the log's writer thread, sealed and synced before it is answered. W writers
// (caseworkers' sessions), each with up to K commands in flight, act on the clients and
// cases they have created:
//   10% register a client (client + first case), 5% open another case, 35% add a note
//   (sealed text), 15% assign or unassign an officer, 15% create an action, 10% complete
//   one, 5% add a household member, 5% close or reopen a case.
//
//   command_bench --writers W --commands N [--inflight K] [--drive events|threads] [--json]
//                 [--data DIR]
//
// How the writers are driven:
//   events   (default) as an asynchronous server drives the handler: each answer, on the
//            thread that delivers it, records its latency and sends that writer's next
//            command, so no thread waits for a free place
//   threads  one thread per writer, blocking while K of its commands are in flight, as a
//            thread-per-connection server does; the wake-ups of W threads on two vCPUs
//            then cost about as much as the commands
#include <CLI/CLI.hpp>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "aggregates/command_handler.h"
#include "aggregates/key_store.h"
#include "bench/bench_util.h"
#include "events/log_store.h"

using namespace caseengine;
using Clock = std::chrono::steady_clock;

namespace {

// One writer's view of what it created, updated from its commands' answers.
struct Caseload {
  std::mutex mu;
  std::vector<std::string> clients, cases;
  std::vector<std::pair<std::string, std::string>> actions;  // case, action
  std::string Pick(const std::vector<std::string>& v, std::mt19937& rng) {
    return v.empty() ? std::string() : v[rng() % v.size()];
  }
};

Command Next(Caseload& load, std::mt19937& rng) {
  std::lock_guard<std::mutex> lock(load.mu);
  const int roll = static_cast<int>(rng() % 100);
  if (load.cases.empty() || roll < 10) {
    RegisterClient c;
    c.personal.surname = "Client" + std::to_string(rng() % 100000);
    c.personal.forenames = "Alex";
    c.personal.date_of_birth = "1980-05-17";
    c.personal.postcode = "AB1 2CD";
    return c;
  }
  const std::string kase = load.Pick(load.cases, rng);
  if (roll < 15) return OpenCase{load.Pick(load.clients, rng)};
  if (roll < 50)
    return AddNote{kase, "Client called about the application; advised on documents.", ""};
  if (roll < 65) {
    if (rng() % 2) return AssignOfficer{kase, "supervisor", "secondary"};
    return UnassignOfficer{kase, "supervisor", "secondary"};
  }
  if (roll < 80) return CreateAction{kase, "Check identity documents", "2026-12-01", ""};
  if (roll < 90 && !load.actions.empty()) {
    auto a = load.actions[rng() % load.actions.size()];
    return CompleteAction{a.first, a.second};
  }
  if (roll < 95) return AddPerson{kase, load.Pick(load.clients, rng), "other", false, ""};
  if (rng() % 2) return CloseCase{kase, "housed"};
  return ReopenCase{kase, "re-approached"};
}

void Remember(Caseload& load, const Command& c, const CommandResult& r) {
  if (!r.ok() || r.duplicate) return;
  std::lock_guard<std::mutex> lock(load.mu);
  if (r.response.contains("client_id")) load.clients.push_back(r.response["client_id"]);
  if (r.response.contains("case_id")) load.cases.push_back(r.response["case_id"]);
  if (r.response.contains("action_id")) {
    load.actions.push_back({std::get<CreateAction>(c).case_id, r.response["action_id"]});
  }
}

// Writers as sessions without threads of their own (--drive events): a command's answer
// sends the writer's next one. Answers arrive on the log's threads, one at a time per
// thread; a writer's state is guarded by its Caseload's mutex.
class EventDriven {
 public:
  EventDriven(CommandHandler* handler, const Actor* actor, uint64_t commands, int writers)
      : handler_(handler), actor_(actor), commands_(commands), sessions_(writers) {
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
    handler_->ExecuteAsync(*actor_, c, CommandOptions(), [this, s, c, t0](CommandResult r) {
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
  const Actor* actor_;
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
  app.add_flag("--json", json, "one JSON line per measurement");
  CLI11_PARSE(app, argc, argv);

  bench::ScratchDir scratch(dir, keep);
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  std::unique_ptr<KeyStore> keys;
  Status s = OpenLogFolder(dir, /*read_only=*/false, &store, &log);
  if (s.ok()) s = KeyStore::Open(store.get(), &keys);
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 2;
  }
  const DomainConfig config = DomainConfig::Demo();
  CommandHandler handler(log.get(), keys.get(), &config);
  const Actor officer = config.users.at("officer");

  uint64_t failed = 0, refused = 0;
  bench::WriterRun run;
  if (drive == "events") {
    EventDriven driven(&handler, &officer, commands, writers);
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
        handler.ExecuteAsync(officer, c, CommandOptions(), [&, c, t0](CommandResult r) {
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
  // The log's writer thread decides every command: its CPU time per command bounds the
  // rate whatever the host's noise does to wall time.
  const double writer_us = bench::ThreadCpuSeconds("log-writer") * 1e6 / commands;
  const double ack_us = bench::ThreadCpuSeconds("log-ack") * 1e6 / commands;
  const double sync_us =
      (bench::ThreadCpuSeconds("log-store") + bench::ThreadCpuSeconds("log-sync")) * 1e6 / commands;
  const LogStats log_stats = log->Stats();
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
                        {"events", log->HeadPosition()},
                        {"seconds", seconds},
                        {"commands_per_s", rate},
                        {"events_per_s", log->HeadPosition() / seconds},
                        {"refused", refused},
                        {"p50_us", p50},
                        {"p99_us", p99},
                        {"writer_cpu_us_per_command", writer_us},
                        {"ack_cpu_us_per_command", ack_us},
                        {"sync_cpu_us_per_command", sync_us},
                        {"appends_per_round", per_round},
                        {"ok", ok},
                        {"machine", bench::MachineDescription()}};
    std::cout << j.dump() << std::endl;
  } else {
    std::printf(
        "command: writers=%d inflight=%d drive=%s commands=%llu %.3fs %.0f commands/s "
        "(%llu events, %llu refused by rules; latency p50 %.0f us, p99 %.0f us; CPU per command: "
        "writer %.1f us, writes and syncs %.1f us, acks %.1f us; %.1f appends a round)%s\n",
        writers, inflight, drive.c_str(), static_cast<unsigned long long>(commands), seconds, rate,
        static_cast<unsigned long long>(log->HeadPosition()),
        static_cast<unsigned long long>(refused), p50, p99, writer_us, sync_us, ack_us, per_round,
        ok ? "" : "  FAILED");
  }
  return ok ? 0 : 1;
}
