// casereplay: the auditor's command line. Opens a data folder read-only (safe beside a
// running engine; it never writes) and verifies or prints the log.
//
//   casereplay verify --data DIR [--from N] [--to M]
//   casereplay dump   --data DIR [--stream S] [--from N] [--limit K]
//
// Exit status: 0 ok, 1 the chain is broken, 2 the folder cannot be read.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "base/coding.h"
#include "events/event_log.h"
#include "events/log_store.h"
#include "replay/event_json.h"

namespace caseengine {
namespace {

int Verify(const std::string& dir, uint64_t from, uint64_t to) {
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  Status s = OpenLogFolder(dir, /*read_only=*/true, &store, &log);
  if (!s.ok()) {
    std::cerr << "casereplay: " << s.ToString() << "\n";
    return 2;
  }
  const uint64_t head = log->HeadPosition();
  if (to != 0 && from > to) {
    std::cerr << "casereplay: --from " << from << " is after --to " << to << "\n";
    return 2;
  }
  if (from > std::max<uint64_t>(head, 1)) {
    std::cerr << "casereplay: --from " << from << " is beyond the head position " << head << "\n";
    return 2;
  }
  const bool whole = from <= 1 && (to == 0 || to >= head);
  VerifyReport r = log->VerifyChain(from, to);
  if (!r.ok) {
    std::cout << "chain BROKEN at position " << r.first_bad << ": " << r.reason << "\n"
              << "verified " << r.checked << " events before it (last good position "
              << r.last_position << ")\n";
    return 1;
  }
  std::cout << "chain ok\n"
            << "events: " << r.checked << "\n";
  if (whole) {
    std::cout << "head position: " << r.last_position << "\n"
              << "head hash: " << HexEncode(AsBytes(r.last_hash)) << "\n";
  } else {
    std::cout << "checked positions: " << std::max<uint64_t>(from, 1) << ".." << r.last_position
              << " of " << head << "\n"
              << "hash at " << r.last_position << ": " << HexEncode(AsBytes(r.last_hash)) << "\n";
  }
  return 0;
}

int Dump(const std::string& dir, const std::string& stream, uint64_t from, uint64_t limit) {
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  Status s = OpenLogFolder(dir, /*read_only=*/true, &store, &log);
  if (!s.ok()) {
    std::cerr << "casereplay: " << s.ToString() << "\n";
    return 2;
  }
  if (limit == 0) return 0;
  uint64_t printed = 0;
  auto print = [&](const EventView& e) {
    std::cout << ToJsonLine(EventToJson(e)) << "\n";
    return ++printed < limit;
  };
  s = stream.empty() ? log->Scan(from, 0, print) : log->ScanStream(stream, from, print);
  if (!s.ok()) {
    std::cerr << "casereplay: " << s.ToString() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace
}  // namespace caseengine

int main(int argc, char** argv) {
  CLI::App app{"casereplay: verify and read a caseengine event log (read-only)"};
  app.require_subcommand(1);
  std::string dir, stream;
  uint64_t from = 1, to = 0, limit = UINT64_MAX;

  auto* verify = app.add_subcommand("verify", "check the hash chain of the whole log");
  verify->add_option("--data", dir, "data folder")->required();
  verify->add_option("--from", from, "first position to check (default 1)");
  verify->add_option("--to", to, "last position to check (default: the head)");

  auto* dump = app.add_subcommand("dump", "print events as JSON lines");
  dump->add_option("--data", dir, "data folder")->required();
  dump->add_option("--stream", stream, "only this stream");
  dump->add_option("--from", from, "first position (or stream version with --stream)");
  dump->add_option("--limit", limit, "at most this many events");

  CLI11_PARSE(app, argc, argv);
  if (verify->parsed()) return caseengine::Verify(dir, from, to);
  return caseengine::Dump(dir, stream, from, limit);
}
