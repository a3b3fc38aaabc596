// replay_bench: reads the whole log in order, decodes (and bounds-checks) every envelope
// and folds a small projection: events per type, and each stream's version checked to
// follow the one before. With --verify it also recomputes every hash of the chain.
// The log is written first (in large appends), then flushed and compacted into SST
// files, so the figure is a read of a settled log, not of the memtable.
//
//   replay_bench --events E [--verify] [--json] [--data DIR]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "bench/bench_util.h"
#include "events/event_log.h"
#include "events/log_format.h"
#include "events/log_store.h"

using namespace caseengine;

namespace {

// Fills the log with `events` events of about 250 bytes over events/10 streams.
Status Fill(EventLog* log, uint64_t events) {
  const std::string payload(150, 'p');
  const char* types[] = {"ClientRegistered", "CaseOpened", "StrandAdded", "CaseNoteAdded",
                         "OfficerAssigned"};
  std::atomic<uint64_t> pending{0};
  std::atomic<bool> failed{false};
  for (uint64_t done = 0; done < events;) {
    AppendRequest r;
    r.actor = "officer-1";
    r.tenant = "bench";
    for (int s = 0; s < 10 && done < events; ++s) {
      StreamWrite w{"case-" + std::to_string((done / 10) * 10 + s), ExpectedVersion::Any(), {}};
      for (int k = 0; k < 10 && done < events; ++k, ++done) {
        w.events.push_back({types[done % 5], payload});
      }
      r.writes.push_back(std::move(w));
    }
    while (pending.load() > 64) std::this_thread::yield();
    pending++;
    log->AppendAsync(std::move(r), [&](AppendOutcome o) {
      if (!o.status.ok()) failed = true;
      pending--;
    });
  }
  while (pending.load() > 0) std::this_thread::yield();
  return failed ? Status::IoError("fill failed") : Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"replay_bench: read, decode and fold the whole log"};
  uint64_t events = 1000000;
  bool verify = false, json = false, keep = false, reuse = false;
  std::string dir = "/tmp/caseengine-replay-bench";
  app.add_option("--events", events, "events in the log")->check(CLI::Range(1, 1000000000));
  app.add_flag("--verify", verify, "also recompute every hash of the chain");
  app.add_option("--data", dir, "scratch data folder (emptied first)");
  app.add_flag("--keep", keep, "keep the data folder");
  app.add_flag("--reuse", reuse, "read the log already in --data (implies --keep)");
  app.add_flag("--json", json, "one JSON line per measurement");
  CLI11_PARSE(app, argc, argv);

  std::optional<bench::ScratchDir> scratch;
  if (!reuse) scratch.emplace(dir, keep);
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  Status s = OpenLogFolder(dir, /*read_only=*/false, &store, &log);
  if (reuse) {
    events = log->HeadPosition();
  } else {
    if (s.ok()) s = Fill(log.get(), events);
    if (s.ok()) s = store->CompactAll();
  }
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 2;
  }

  // The projection: events per type (a handful of types, so a flat table) and each
  // stream's last version (keyed by a 64-bit hash of its id; sized once up front).
  std::vector<std::pair<std::string, uint64_t>> per_type;
  std::unordered_map<uint64_t, uint64_t> versions;
  versions.reserve(events / 4 + 16);
  uint64_t count = 0, bad = 0, payload_bytes = 0;
  Hash256 prev{};
  const auto start = std::chrono::steady_clock::now();
  s = log->Scan(1, 0, [&](const EventView& e) {
    ++count;
    payload_bytes += e.payload().size();
    auto t = std::find_if(per_type.begin(), per_type.end(),
                          [&](const auto& p) { return p.first == e.type(); });
    if (t == per_type.end()) t = per_type.insert(t, {std::string(e.type()), 0});
    ++t->second;
    uint64_t& last = versions[std::hash<std::string_view>()(e.stream())];
    if (e.version() != last + 1) ++bad;
    last = e.version();
    if (verify) {
      if (e.prev_hash() != prev ||
          log_format::ChainHash(prev, e.bytes(), e.hash_offset()) != e.hash()) {
        ++bad;
      }
      prev = e.hash();
    }
    return true;
  });
  const double seconds = bench::Seconds(start);
  const bool ok = s.ok() && bad == 0 && count == events;
  const double rate = count / seconds;
  if (json) {
    nlohmann::json j = {{"bench", "replay"},
                        {"verify", verify},
                        {"events", count},
                        {"seconds", seconds},
                        {"events_per_s", rate},
                        {"streams", versions.size()},
                        {"ok", ok},
                        {"machine", bench::MachineDescription()}};
    std::cout << j.dump() << std::endl;
  } else {
    std::printf(
        "replay%s: events=%llu %.3fs %.0f events/s (%zu streams, %zu types, %.0f MB "
        "payload)%s\n",
        verify ? " --verify" : "", static_cast<unsigned long long>(count), seconds, rate,
        versions.size(), per_type.size(), payload_bytes / 1e6, ok ? "" : "  FAILED");
  }
  return ok ? 0 : 1;
}
