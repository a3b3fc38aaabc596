// append_bench: durable single-event appends of about 250 bytes to distinct streams from
// W writer threads, each keeping up to K appends in flight (K = 1: every writer waits for
// each acknowledgement before the next append). Every append is synced before it is
// acknowledged. Prints events/s and acknowledgement latency.
//
//   append_bench --writers W --events E [--inflight K] [--command-ids] [--data DIR] [--json]
#include <CLI/CLI.hpp>
#include <atomic>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/bench_util.h"
#include "events/event_log.h"
#include "events/log_store.h"

using namespace caseengine;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  CLI::App app{"append_bench: durable group-commit appends"};
  int writers = 8, inflight = 16;
  uint64_t events = 200000;
  bool json = false, keep = false, command_ids = false;
  std::string dir = "/tmp/caseengine-append-bench";
  app.add_option("--writers", writers, "writer threads")->check(CLI::Range(1, 4096));
  app.add_option("--events", events, "events in all")->check(CLI::Range(1, 1000000000));
  app.add_option("--inflight", inflight,
                 "appends each writer keeps in flight (default 16; 1: block on every append)")
      ->check(CLI::Range(1, 4096));
  app.add_flag("--command-ids", command_ids, "give every append an idempotency key");
  app.add_option("--data", dir, "scratch data folder (emptied first)");
  app.add_flag("--keep", keep, "keep the data folder");
  app.add_flag("--json", json, "one JSON line per measurement");
  CLI11_PARSE(app, argc, argv);

  bench::ScratchDir scratch(dir, keep);
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  Status s = OpenLogFolder(dir, /*read_only=*/false, &store, &log);
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 2;
  }

  // About 250 bytes stored per event: envelope fields plus a JSON-ish payload.
  const std::string payload =
      R"({"surname":"Example","forenames":"Alex Sam","date_of_birth":"1985-04-12",)"
      R"("postcode":"AB1 2CD","client_type":"case_management","note":"x"})";
  std::atomic<uint64_t> next{0}, failures{0};
  const bench::WriterRun run =
      bench::RunWriters(writers, inflight, [&](int, bench::Window& window) {
        for (uint64_t i = next++; i < events; i = next++) {
          AppendRequest r;
          r.actor = "bench";
          r.tenant = "bench";
          if (command_ids) r.command_id = "cmd-" + std::to_string(i);
          r.writes.push_back({"case-" + std::to_string(i),
                              ExpectedVersion::NoStream(),
                              {{"CaseNoteAdded", payload}}});
          const auto t0 = window.Acquire();
          log->AppendAsync(std::move(r), [&window, &failures, t0](AppendOutcome o) {
            if (!o.status.ok()) failures++;
            window.Done(t0);
          });
        }
      });
  const double seconds = run.seconds, p50 = run.p50_us, p99 = run.p99_us;
  const double rate = events / seconds;
  const bool ok = failures.load() == 0 && log->HeadPosition() == events;
  const LogStats st = log->Stats();
  if (json) {
    nlohmann::json j = {{"bench", "append"},
                        {"writers", writers},
                        {"inflight", inflight},
                        {"command_ids", command_ids},
                        {"events", events},
                        {"seconds", seconds},
                        {"events_per_s", rate},
                        {"p50_us", p50},
                        {"p99_us", p99},
                        {"ok", ok},
                        {"rounds", st.rounds},
                        {"syncs", st.syncs},
                        {"events_per_sync", st.syncs ? double(st.events) / st.syncs : 0},
                        {"sync_us_avg", st.syncs ? double(st.sync_micros) / st.syncs : 0},
                        {"machine", bench::MachineDescription()}};
    std::cout << j.dump() << std::endl;
  } else {
    std::printf(
        "append: writers=%d inflight=%d events=%llu %.3fs %.0f events/s "
        "(ack latency p50 %.0f us, p99 %.0f us)%s\n",
        writers, inflight, static_cast<unsigned long long>(events), seconds, rate, p50, p99,
        ok ? "" : "  FAILED");
    std::printf(
        "  %llu rounds, %llu syncs (%.1f events/sync, %.0f us/sync), writer busy "
        "%.0f%% (encode %.2f s, write %.2f s)\n",
        static_cast<unsigned long long>(st.rounds), static_cast<unsigned long long>(st.syncs),
        st.syncs ? double(st.events) / st.syncs : 0.0,
        st.syncs ? double(st.sync_micros) / st.syncs : 0.0,
        100.0 * (st.encode_micros + st.write_micros) / 1e6 / seconds, st.encode_micros / 1e6,
        st.write_micros / 1e6);
  }
  return ok ? 0 : 1;
}
