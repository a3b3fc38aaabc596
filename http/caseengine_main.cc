// caseengine: the engine's command line.
//
//   caseengine log-demo --data DIR [--events N]
//       appends a sample of casework events through the group-commit log (durably),
//       reads one stream back and verifies the hash chain. Until the HTTP server lands
//       this is what the README's run command shows.
//
// Exit status: 0 ok, 1 the log refused or the chain is broken, 2 the folder cannot be used.
#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "base/coding.h"
#include "events/event_log.h"
#include "events/log_store.h"
#include "replay/event_json.h"

namespace caseengine {
namespace {

int LogDemo(const std::string& dir, int events) {
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  Status s = OpenLogFolder(dir, /*read_only=*/false, &store, &log);
  if (!s.ok()) {
    std::cerr << "caseengine: " << s.ToString() << "\n";
    return 2;
  }
  const uint64_t before = log->HeadPosition();
  std::cout << "data folder " << dir << ": " << before << " events in the log\n";

  // Four caseworkers at once; each registers clients and opens their cases, one atomic
  // append over both streams per client, as the domain will.
  const int kThreads = 4;
  std::atomic<int> next{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = next++; i < events; i = next++) {
        const std::string id = std::to_string(before) + "-" + std::to_string(i);
        AppendRequest r;
        r.actor = "officer-" + std::to_string(t);
        r.tenant = "demo";
        r.command_id = "demo-register-" + id;
        r.writes.push_back({"client-" + id,
                            ExpectedVersion::NoStream(),
                            {{"ClientRegistered", R"({"surname":"Sample"})"}}});
        r.writes.push_back({"case-" + id,
                            ExpectedVersion::NoStream(),
                            {{"CaseOpened", R"({"client":")" + id + "\"}"}}});
        if (!log->Append(std::move(r)).status.ok()) refused++;
      }
    });
  }
  for (auto& th : threads) th.join();
  std::cout << "appended " << 2 * (events - refused.load()) << " events for " << events
            << " registrations (" << refused.load() << " refused); head position "
            << log->HeadPosition() << "\n";

  const std::string stream = "case-" + std::to_string(before) + "-0";
  std::cout << "stream " << stream << ":\n";
  log->ScanStream(stream, 1, [](const EventView& e) {
    std::cout << "  " << ToJsonLine(EventToJson(e)) << "\n";
    return true;
  });
  VerifyReport r = log->VerifyChain(1, 0);
  if (!r.ok) {
    std::cout << "chain BROKEN at " << r.first_bad << ": " << r.reason << "\n";
    return 1;
  }
  std::cout << "chain ok: " << r.checked << " events, head hash " << HexEncode(AsBytes(r.last_hash))
            << "\n";
  return refused.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace caseengine

int main(int argc, char** argv) {
  CLI::App app{"caseengine: an event-sourced case engine for housing casework"};
  app.require_subcommand(1);
  std::string dir = "data";
  int events = 1000;
  auto* demo = app.add_subcommand("log-demo", "append sample events durably and verify the log");
  demo->add_option("--data", dir, "data folder (created when missing)");
  demo->add_option("--events", events, "registrations to append")->check(CLI::Range(1, 10000000));
  CLI11_PARSE(app, argc, argv);
  return caseengine::LogDemo(dir, events);
}
