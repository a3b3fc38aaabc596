// command_bench: a realistic mix of casework commands through the command handler, each
// decided on the log's writer thread, sealed and synced before it is answered. W writer
// threads (caseworkers' sessions), each with up to K commands in flight, act on the
// clients and cases they have created:
//   10% register a client (client + first case), 5% open another case, 35% add a note
//   (sealed text), 15% assign or unassign an officer, 15% create an action, 10% complete
//   one, 5% add a household member, 5% close or reopen a case.
//
//   command_bench --writers W --commands N [--inflight K] [--json] [--data DIR]
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"command_bench: casework commands through the command handler, durably"};
  int writers = 64, inflight = 4;
  uint64_t commands = 200000;
  bool json = false, keep = false;
  std::string dir = "/tmp/caseengine-command-bench";
  app.add_option("--writers", writers, "writer threads")->check(CLI::Range(1, 4096));
  app.add_option("--commands", commands, "commands in all")->check(CLI::Range(1, 100000000));
  app.add_option("--inflight", inflight, "commands each writer keeps in flight (default 4)")
      ->check(CLI::Range(1, 1024));
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

  std::atomic<uint64_t> next{0}, failed{0}, refused{0};
  const bench::WriterRun run =
      bench::RunWriters(writers, inflight, [&](int w, bench::Window& window) {
        std::mt19937 rng(w + 1);
        Caseload load;
        for (uint64_t i = next++; i < commands; i = next++) {
          const auto t0 = window.Acquire();
          Command c = Next(load, rng);
          handler.ExecuteAsync(officer, c, CommandOptions(), [&, c, t0](CommandResult r) {
            if (!r.status.ok()) failed++;
            if (r.rejected) refused++;
            Remember(load, c, r);
            window.Done(t0);
          });
        }
        window.WaitAll();  // the answers use `load`: wait before it goes out of scope
      });
  const double seconds = run.seconds, p50 = run.p50_us, p99 = run.p99_us;
  const double rate = commands / seconds;
  const bool ok = failed.load() == 0;
  if (json) {
    nlohmann::json j = {{"bench", "command"},
                        {"writers", writers},
                        {"inflight", inflight},
                        {"commands", commands},
                        {"events", log->HeadPosition()},
                        {"seconds", seconds},
                        {"commands_per_s", rate},
                        {"events_per_s", log->HeadPosition() / seconds},
                        {"refused", refused.load()},
                        {"p50_us", p50},
                        {"p99_us", p99},
                        {"ok", ok},
                        {"machine", bench::MachineDescription()}};
    std::cout << j.dump() << std::endl;
  } else {
    std::printf(
        "command: writers=%d inflight=%d commands=%llu %.3fs %.0f commands/s "
        "(%llu events, %llu refused by rules; latency p50 %.0f us, p99 %.0f us)%s\n",
        writers, inflight, static_cast<unsigned long long>(commands), seconds, rate,
        static_cast<unsigned long long>(log->HeadPosition()),
        static_cast<unsigned long long>(refused.load()), p50, p99, ok ? "" : "  FAILED");
  }
  return ok ? 0 : 1;
}
