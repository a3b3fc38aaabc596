// Helpers of the casereplay command line tests (see casereplay_cli_support.h).
#include "tests/casereplay_cli_support.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <regex>
#include <sstream>

#include "storage/rocks_store.h"

namespace caseengine::testing::casereplay_cli {

using nlohmann::json;

const std::vector<std::string>& Streams() {
  static const std::vector<std::string> streams{"client-1", "case-2", "lobby", "odd\"stream\\name"};
  return streams;
}

void OpenWithClock(const std::string& dir, testing::OpenLog* ol) {
  RocksStoreOptions so;
  so.path = dir;
  so.families = EventLog::LogFamilyNames();
  REQUIRE(OpenRocksStore(so, &ol->store).ok());
  EventLogOptions lo;
  auto calls = std::make_shared<std::atomic<int64_t>>(0);
  lo.clock = [calls] { return kBaseMicros + 1500000 * calls->fetch_add(1); };
  REQUIRE(EventLog::Open(ol->store.get(), lo, &ol->log).ok());
}

std::vector<WrittenEvent> AppendKnown(EventLog* log, int requests, int first_request) {
  std::vector<WrittenEvent> out;
  std::map<std::string, uint64_t> versions;
  for (const auto& s : Streams()) {
    StreamHead head;
    REQUIRE(log->Head(s, &head).ok());
    versions[s] = head.version;
  }
  for (int k = first_request; k < first_request + requests; ++k) {
    AppendRequest r;
    r.actor = (k % 2 == 0) ? "Zo\xc3\xab Caseworker" : "auditor-" + std::to_string(k % 5);
    if (k % 4 != 1) r.command_id = "cmd-" + std::to_string(k);
    const std::string& s1 = Streams()[k % Streams().size()];
    StreamWrite w{s1, ExpectedVersion::Exact(versions[s1]), {}};
    const int n = 1 + k % 3;
    for (int e = 0; e < n; ++e) {
      std::string payload = "{\"k\":" + std::to_string(k) + ",\"e\":" + std::to_string(e) + "}";
      if (k % 5 == 2) payload += std::string("\x00\xff\x01\x80 binary", 11);
      w.events.push_back({e == 0 ? "ApplicationAdded" : "Note.Added-v2", payload});
    }
    r.writes.push_back(w);
    if (k % 6 == 5) {
      const std::string& s2 = Streams()[(k + 1) % Streams().size()];
      r.writes.push_back(
          {s2, ExpectedVersion::Exact(versions[s2]), {{"CaseMoved", "{\"to\":\"triage\"}"}}});
    }
    const AppendRequest copy = r;
    AppendOutcome o = log->Append(std::move(r));
    INFO(o.status.ToString());
    REQUIRE(o.status.ok());
    REQUIRE_FALSE(o.result.duplicate);
    uint64_t position = o.result.first_position;
    for (const StreamWrite& sw : copy.writes) {
      for (const NewEvent& ev : sw.events) {
        out.push_back({position++, sw.stream, ++versions[sw.stream], ev.type, copy.actor,
                       copy.command_id, ev.payload});
      }
    }
    REQUIRE(position == o.result.last_position + 1);
  }
  return out;
}

std::vector<WrittenEvent> WriteKnownLog(const std::string& dir) {
  testing::OpenLog ol;
  OpenWithClock(dir, &ol);
  auto events = AppendKnown(ol.log.get(), 60);
  REQUIRE(ol.log->HeadPosition() == events.size());
  return events;
}

int Casereplay(const std::vector<std::string>& args, std::string* output) {
  std::vector<std::string> argv{CASEREPLAY_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunCommand(argv, output);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<json> DumpJson(const std::vector<std::string>& args) {
  std::string out;
  std::vector<std::string> all{"dump"};
  all.insert(all.end(), args.begin(), args.end());
  const int status = Casereplay(all, &out);
  INFO(out.substr(0, 2000));
  REQUIRE(status == 0);
  std::vector<json> objects;
  for (const auto& line : Lines(out)) {
    INFO("line: " << line);
    json j;
    REQUIRE_NOTHROW(j = json::parse(line));
    REQUIRE(j.is_object());
    objects.push_back(std::move(j));
  }
  return objects;
}

VerifyOutput ParseVerify(const std::string& out) {
  static const std::regex re(
      "^chain ok\nevents: ([0-9]+)\nhead position: ([0-9]+)\nhead hash: ([0-9a-f]{64})\n$");
  std::smatch m;
  INFO(out);
  REQUIRE(std::regex_match(out, m, re));
  return {std::stoull(m[1]), std::stoull(m[2]), m[3]};
}

std::string Hex(const Hash256& h) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : h) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 0xf]);
  }
  return s;
}

}  // namespace caseengine::testing::casereplay_cli
