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
//                 [--data DIR] [--read-models] [--tasks-per-case T]
//
// With --tasks-per-case T the settings hold a workflow that loads T tasks of the case on
// every new case (docs/tasks.md), in the same append as the case: what workflows cost.
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
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "aggregates/key_store.h"
#include "app/command_service.h"
#include "app/engine.h"
#include "bench/bench_util.h"
#include "bench/caseload.h"
#include "bench/command_mix.h"
#include "bench/event_driven.h"
#include "events/log_store.h"

using namespace caseengine;
using Clock = std::chrono::steady_clock;

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
  int tasks_per_case = 0;
  app.add_option("--tasks-per-case", tasks_per_case, "tasks a workflow loads on every new case")
      ->check(CLI::Range(0, 50));
  app.add_flag("--json", json, "one JSON line per measurement");
  CLI11_PARSE(app, argc, argv);

  bench::ScratchDir scratch(dir, keep);
  DomainConfig config = DomainConfig::Demo();
  config.task_types.clear();
  config.workflows.clear();
  if (tasks_per_case > 0) {
    Workflow every_case;
    every_case.id = "every_case";
    every_case.name = "Every new case";
    for (int i = 0; i < tasks_per_case; ++i) {
      TaskType t;
      t.id = "task_" + std::to_string(i);
      t.name = "Task " + std::to_string(i);
      t.due_days = 7 * (i + 1);
      config.task_types.push_back(t);
      every_case.task_types.push_back(t.id);
    }
    config.workflows.push_back(every_case);
  }
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<CommandService> own_handler;
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
    if (s.ok()) own_handler = std::make_unique<CommandService>(log.get(), keys.get(), &config);
  }
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 2;
  }
  CommandService& handler = engine ? engine->commands() : *own_handler;
  s = ImportSettingsFromConfig(&handler, config);
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 2;
  }
  EventLog* const log_used = engine ? &engine->log() : log.get();
  const bench::Senders senders{config.users.at("officer"), config.users.at("supervisor")};

  uint64_t failed = 0, refused = 0;
  bench::WriterRun run;
  if (drive == "events") {
    bench::EventDriven driven(&handler, &senders, commands, writers);
    run = driven.Run(inflight);
    failed = driven.failed();
    refused = driven.refused();
  } else {
    std::atomic<uint64_t> next{0}, failed_count{0}, refused_count{0};
    run = bench::RunWriters(writers, inflight, [&](int w, bench::Window& window) {
      std::mt19937 rng(w + 1);
      bench::Caseload load;
      for (uint64_t i = next++; i < commands; i = next++) {
        const auto t0 = window.Acquire();
        Command c = bench::Next(load, rng);
        handler.ExecuteAsync(senders.For(c), c, CommandOptions(), [&, c, t0](CommandResult r) {
          if (!r.status.ok()) failed_count++;
          if (r.rejected) refused_count++;
          bench::Remember(load, c, r);
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
                        {"tasks_per_case", tasks_per_case},
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
