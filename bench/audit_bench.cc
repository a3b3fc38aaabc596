// audit_bench: the auditor's operations on a realistic log, read the way `casereplay`
// reads it (a read-only open of a settled folder).
//
//   audit_bench [--clients N] [--samples S] [--data DIR] [--keep | --reuse] [--rebuild] [--json]
//
// Seeds N clients through the command path (about nine events each: 112,000 clients make
// a log of about 1,000,000 events), compacts the folder, then measures:
//   verify        the whole hash chain (casereplay verify), events/s
//   verify+digest the whole chain and a digest check (casereplay verify --digest)
//   state --at    one case as it was at a random position of its life (ReadState through
//                 the stream index, then the JSON the API answers): latency per call
//   history       one client's readable history: latency per call
//   export        the activity export of one user over the whole log, events/s
//   open          opening the folder read-only (what every casereplay command pays once)
//   rebuild       (--rebuild) every read model into a new folder, events/s
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "aggregates/state_json.h"
#include "aggregates/state_reader.h"
#include "audit/activity.h"
#include "audit/digest.h"
#include "audit/event_json.h"
#include "audit/rebuild_into.h"
#include "audit/replay_folder.h"
#include "bench/bench_util.h"
#include "demo/caseload_seeder.h"
#include "events/log_range.h"
#include "app/engine.h"

using namespace caseengine;
using namespace caseengine::bench;
using Clock = std::chrono::steady_clock;

namespace {

bool json_out = false;

void Report(const std::string& name, const nlohmann::json& figures, const std::string& text) {
  if (json_out) {
    nlohmann::json j = figures;
    j["bench"] = name;
    std::cout << j.dump() << "\n";
  } else {
    std::cout << name << ": " << text << "\n";
  }
}

struct Latencies {
  double p50, p99, max;
};

Latencies Summarize(std::vector<double> micros) {
  return {Percentile(&micros, 0.5), Percentile(&micros, 0.99), Percentile(&micros, 1.0)};
}

std::string Describe(const Latencies& l) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), "p50 %.3f ms, p99 %.3f ms, max %.3f ms", l.p50 / 1000,
                l.p99 / 1000, l.max / 1000);
  return buf;
}

int Fail(const Status& s) {
  std::cerr << s.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"audit_bench: verify, digest, state --at, history, export on a seeded log"};
  int clients = 112000, samples = 2000;
  bool keep = false, reuse = false, rebuild = false;
  std::string dir = "/tmp/caseengine-audit-bench";
  app.add_option("--clients", clients, "clients to seed")->check(CLI::Range(10, 10000000));
  app.add_option("--samples", samples, "calls per latency scenario")->check(CLI::Range(1, 1000000));
  app.add_option("--data", dir, "data folder");
  app.add_flag("--keep", keep, "keep the data folder");
  app.add_flag("--reuse", reuse, "use the kept data folder as it is");
  app.add_flag("--rebuild", rebuild, "also rebuild every read model into a new folder");
  app.add_flag("--json", json_out, "one JSON line per measurement");
  CLI11_PARSE(app, argc, argv);

  std::unique_ptr<ScratchDir> scratch;
  if (!reuse) {
    scratch = std::make_unique<ScratchDir>(dir, keep);
    const DomainConfig domain = DomainConfig::Demo();
    SeedClock clock;  // the seeding's (demo/seed_clock.h); real time once it is done
    EngineOptions options;
    options.dir = dir;
    options.config = &domain;
    options.clock = [&clock] { return clock.Micros(); };
    options.commands.today = [&clock] { return clock.Today(); };
    options.start_runner = false;  // the log is what is measured; read models only cost here
    Status s = KekBeside(dir, /*create=*/true, &options.kek);  // the demo's key file, DIR.kek
    if (!s.ok()) return Fail(s);
    std::unique_ptr<Engine> engine;
    s = Engine::Open(options, &engine);
    if (!s.ok()) return Fail(s);
    SeedOptions seed;
    seed.clients = clients;
    seed.clock = &clock;
    SeedReport report;
    const auto start = Clock::now();
    s = SeedCaseload(&engine->commands(), domain, seed, &report);
    if (!s.ok()) return Fail(s);
    if (!json_out) {
      std::cout << "seeded " << report.clients << " clients, " << engine->log().HeadPosition()
                << " events in " << Seconds(start) << " s\n";
    }
    s = engine->store().CompactAll();  // a settled log, as an auditor finds it
    if (!s.ok()) return Fail(s);
  }

  auto open_start = Clock::now();
  std::unique_ptr<ReplayFolder> folder;
  KeyEncryptionKey kek;
  Status s = KekBeside(dir, /*create=*/false, &kek);
  if (s.ok()) s = ReplayFolder::Open(dir, &kek, &folder);
  if (!s.ok()) return Fail(s);
  const double open_ms = Seconds(open_start) * 1000;
  const EventLog& log = folder->log();
  const uint64_t head = log.HeadPosition();
  if (!json_out) std::cout << MachineDescription() << "; " << head << " events\n";
  Report("open", {{"ms", open_ms}}, std::to_string(open_ms) + " ms");

  // The streams to sample, with where each begins (not timed).
  std::vector<std::pair<std::string, uint64_t>> cases, client_streams;
  s = log.Scan(1, 0, [&](const EventView& v) {
    if (v.version() != 1) return true;
    std::string_view id;
    const StreamKind kind = ParseStream(v.stream(), &id);
    if (kind == StreamKind::kCase) cases.emplace_back(std::string(v.stream()), v.position());
    if (kind == StreamKind::kClient) {
      client_streams.emplace_back(std::string(v.stream()), v.position());
    }
    return true;
  });
  if (!s.ok() || cases.empty() || client_streams.empty()) {
    return Fail(s.ok() ? Status::NotFound("no cases in the log") : s);
  }

  // Verification, three times: the median.
  std::vector<double> rates;
  for (int run = 0; run < 3; ++run) {
    const auto start = Clock::now();
    const VerifyReport r = log.VerifyChain(1, 0);
    const double seconds = Seconds(start);
    if (!r.ok) return Fail(Status::Corruption(r.reason));
    rates.push_back(r.checked / seconds);
  }
  const double verify_rate = Percentile(&rates, 0.5);
  Report("verify", {{"events", head}, {"events_per_s", verify_rate}},
         std::to_string(static_cast<uint64_t>(verify_rate)) + " events/s (median of 3)");

  LogDigest digest;
  s = DigestAt(log, head / 2, &digest);
  if (!s.ok()) return Fail(s);
  {
    const auto start = Clock::now();
    const AuditReport r = Audit(log, 1, 0, digest);
    const double seconds = Seconds(start);
    if (!r.ok()) return Fail(Status::Corruption(r.digest_reason));
    Report("verify+digest", {{"events_per_s", head / seconds}},
           std::to_string(static_cast<uint64_t>(head / seconds)) + " events/s");
  }

  std::mt19937_64 rng(42);
  {
    std::vector<double> micros;
    for (int i = 0; i < samples; ++i) {
      const auto& [stream, first] = cases[rng() % cases.size()];
      AsOf as_of;
      as_of.position = first + rng() % (head - first + 1);
      const auto start = Clock::now();
      CaseState state;
      s = ReadState(log, folder->codec(), stream, stream, as_of, &state);
      if (!s.ok()) return Fail(s);
      const std::string text = CaseToJson(state).dump(2);
      micros.push_back(Seconds(start) * 1e6);
    }
    const Latencies l = Summarize(micros);
    Report("state --at",
           {{"p50_ms", l.p50 / 1000}, {"p99_ms", l.p99 / 1000}, {"max_ms", l.max / 1000}},
           "one case at a random position: " + Describe(l));
  }
  {
    std::vector<double> micros;
    for (int i = 0; i < samples; ++i) {
      const std::string& stream = client_streams[rng() % client_streams.size()].first;
      const auto start = Clock::now();
      std::string out;
      s = log.ScanStream(stream, 1, [&](const EventView& v) {
        out += HistoryText(ReadableEventJson(v, folder->codec()));
        return true;
      });
      if (!s.ok()) return Fail(s);
      micros.push_back(Seconds(start) * 1e6);
    }
    const Latencies l = Summarize(micros);
    Report("history",
           {{"p50_ms", l.p50 / 1000}, {"p99_ms", l.p99 / 1000}, {"max_ms", l.max / 1000}},
           "one client's history: " + Describe(l));
  }
  {
    LogRange filter;
    filter.actor = "officer";
    uint64_t rows = 0, bytes = 0;
    const auto start = Clock::now();
    s = ScanRange(log, filter, [&](const EventView& v) {
      bytes += ActivityCsvRow(ReadableEventJson(v, folder->codec())).size();
      ++rows;
      return true;
    });
    if (!s.ok()) return Fail(s);
    const double seconds = Seconds(start);
    Report("export", {{"rows", rows}, {"events_per_s", head / seconds}, {"mb", bytes / 1e6}},
           std::to_string(rows) + " rows of one user (" + std::to_string(bytes / 1000000) +
               " MB of CSV) from " + std::to_string(head) +
               " events: " + std::to_string(static_cast<uint64_t>(head / seconds)) + " events/s");
  }
  if (rebuild) {
    const std::string into = dir + "-rebuild";
    ScratchDir target(into, false);
    RebuildIntoReport r;
    s = RebuildInto(*folder, into, 0, &r);
    if (!s.ok()) return Fail(s);
    Report("rebuild", {{"events_per_s", r.stats.events / r.seconds}, {"rows", r.stats.rows}},
           std::to_string(static_cast<uint64_t>(r.stats.events / r.seconds)) +
               " events/s into a new folder (" + std::to_string(r.stats.rows) + " rows)");
  }
  return 0;
}
