// casereplay, the auditor's command line, driven as a separate process on logs of known
// content: `verify` agrees with the in-process chain check, `dump` prints every field of
// every event as JSON lines with its filters, bad folders give exit status 2, and the
// folder is never written, even while an engine has it open.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/sha256.h"
#include "events/event_log.h"
#include "storage/rocks_store.h"
#include "tests/raw_folder.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The first writer round happens at this time: 2025-11-24T16:00:00.123456Z.
constexpr int64_t kBaseMicros = 1764000000123456;

// What a test wrote, event by event, in position order.
struct WrittenEvent {
  uint64_t position = 0;
  std::string stream;
  uint64_t version = 0;
  std::string type;
  std::string actor;
  std::string command_id;
  std::string payload;
};

// Streams of the known log; one needs JSON escaping.
const std::vector<std::string>& Streams() {
  static const std::vector<std::string> streams{"client-1", "case-2", "lobby", "odd\"stream\\name"};
  return streams;
}

// Opens a RocksDB log for writing whose clock starts at kBaseMicros and moves 1.5 s per
// writer round, so recorded_at values are known and cross a second boundary.
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

// Appends `requests` requests of mixed shapes (one event, several events, two streams, with
// and without a command id, binary payloads) and returns what was written.
std::vector<WrittenEvent> AppendKnown(EventLog* log, int requests, int first_request = 0) {
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

// A closed log of 60 requests (about 130 events) of known content.
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

struct VerifyOutput {
  uint64_t events = 0;
  uint64_t head_position = 0;
  std::string head_hash;
};

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

std::string Base64Decode(const std::string& in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  REQUIRE(in.size() % 4 == 0);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const size_t v = kAlphabet.find(c);
    REQUIRE(v != std::string::npos);
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// RFC 3339 in UTC with microseconds, computed independently of the engine's formatter.
std::string Rfc3339(int64_t micros) {
  using namespace std::chrono;
  const sys_time<microseconds> t{microseconds{micros}};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> hms{t - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()),
                static_cast<long long>(hms.subseconds().count()));
  return buf;
}

// Checks one dumped object against what was written and what the log holds.
void CheckEvent(const json& j, const WrittenEvent& w, const RecordedEvent& stored) {
  INFO(j.dump());
  static const std::regex rfc3339(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$");
  for (const char* field : {"position", "stream", "version", "type", "recorded_at", "actor",
                            "command_id", "payload_base64", "prev_hash", "hash"}) {
    INFO("field " << field);
    REQUIRE(j.contains(field));
  }
  CHECK(j["position"].get<uint64_t>() == w.position);
  CHECK(j["stream"].get<std::string>() == w.stream);
  CHECK(j["version"].get<uint64_t>() == w.version);
  CHECK(j["type"].get<std::string>() == w.type);
  CHECK(j["actor"].get<std::string>() == w.actor);
  CHECK(j["command_id"].get<std::string>() == w.command_id);
  CHECK(Base64Decode(j["payload_base64"].get<std::string>()) == w.payload);
  const std::string recorded_at = j["recorded_at"].get<std::string>();
  CHECK(std::regex_match(recorded_at, rfc3339));
  CHECK(recorded_at == Rfc3339(stored.recorded_at));
  CHECK(j["prev_hash"].get<std::string>() == Hex(stored.prev_hash));
  CHECK(j["hash"].get<std::string>() == Hex(stored.hash));
}

std::vector<RecordedEvent> ReadAllInProcess(const std::string& dir) {
  testing::OpenLog ol;
  REQUIRE(testing::OpenRocksLog(dir, &ol, /*read_only=*/true).ok());
  std::vector<RecordedEvent> all;
  REQUIRE(ol.log->ReadAll(1, SIZE_MAX, &all).ok());
  return all;
}

std::map<std::string, std::string> Snapshot(const std::string& dir) {
  return testing::FolderSnapshot(dir);
}

}  // namespace

TEST_CASE("casereplay verify on an intact log agrees with the in-process chain check",
          "[casereplay]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const auto written = WriteKnownLog(dir);

  testing::OpenLog ol;
  REQUIRE(testing::OpenRocksLog(dir, &ol, /*read_only=*/true).ok());
  const VerifyReport report = ol.log->VerifyChain(1, 0);
  REQUIRE(report.ok);
  REQUIRE(ol.log->HeadPosition() == written.size());

  std::string out;
  const int status = Casereplay({"verify", "--data", dir}, &out);
  INFO(out);
  REQUIRE(status == 0);
  const VerifyOutput v = ParseVerify(out);
  CHECK(v.events == written.size());
  CHECK(v.events == report.checked);
  CHECK(v.head_position == ol.log->HeadPosition());
  CHECK(v.head_position == report.last_position);
  CHECK(v.head_hash == Hex(report.last_hash));
  std::vector<RecordedEvent> last;
  REQUIRE(ol.log->ReadAll(written.size(), 1, &last).ok());
  REQUIRE(last.size() == 1);
  CHECK(v.head_hash == Hex(last[0].hash));
}

TEST_CASE("casereplay dump prints every event as one JSON line in position order", "[casereplay]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const auto written = WriteKnownLog(dir);
  const auto stored = ReadAllInProcess(dir);
  REQUIRE(stored.size() == written.size());

  const auto lines = DumpJson({"--data", dir});
  REQUIRE(lines.size() == written.size());
  for (size_t i = 0; i < lines.size(); ++i) CheckEvent(lines[i], written[i], stored[i]);

  // The first round's time is known exactly; the chain links line to line.
  CHECK(lines[0]["recorded_at"] == "2025-11-24T16:00:00.123456Z");
  CHECK(lines[0]["prev_hash"] == std::string(64, '0'));
  for (size_t i = 1; i < lines.size(); ++i) {
    CHECK(lines[i]["prev_hash"] == lines[i - 1]["hash"]);
    CHECK(lines[i]["recorded_at"].get<std::string>() >=
          lines[i - 1]["recorded_at"].get<std::string>());
  }
}

TEST_CASE("casereplay dump --stream prints only that stream in version order", "[casereplay]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const auto written = WriteKnownLog(dir);
  const auto stored = ReadAllInProcess(dir);

  for (const std::string& stream : Streams()) {
    INFO("stream " << stream);
    std::vector<size_t> expected;  // indexes into written
    for (size_t i = 0; i < written.size(); ++i) {
      if (written[i].stream == stream) expected.push_back(i);
    }
    REQUIRE(expected.size() > 3);
    const auto lines = DumpJson({"--data", dir, "--stream", stream});
    REQUIRE(lines.size() == expected.size());
    for (size_t n = 0; n < lines.size(); ++n) {
      CHECK(lines[n]["version"].get<uint64_t>() == n + 1);
      CheckEvent(lines[n], written[expected[n]], stored[expected[n]]);
    }
    // With --stream, --from is a version and --limit still counts events.
    const auto from3 = DumpJson({"--data", dir, "--stream", stream, "--from", "3"});
    REQUIRE(from3.size() == expected.size() - 2);
    CHECK(from3[0]["version"] == 3);
    CHECK(from3[0]["position"] == written[expected[2]].position);
    const auto two = DumpJson({"--data", dir, "--stream", stream, "--from", "2", "--limit", "2"});
    REQUIRE(two.size() == 2);
    CHECK(two[0]["version"] == 2);
    CHECK(two[1]["version"] == 3);
  }
  CHECK(DumpJson({"--data", dir, "--stream", "nobody-here"}).empty());
}

TEST_CASE("casereplay dump --from and --limit select a window of positions", "[casereplay]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const auto written = WriteKnownLog(dir);
  const auto stored = ReadAllInProcess(dir);
  const uint64_t head = written.size();

  SECTION("--from N starts at position N and runs to the head") {
    const auto lines = DumpJson({"--data", dir, "--from", "40"});
    REQUIRE(lines.size() == head - 39);
    for (size_t n = 0; n < lines.size(); ++n) {
      CheckEvent(lines[n], written[39 + n], stored[39 + n]);
    }
  }
  SECTION("--limit K stops after K events") {
    const auto lines = DumpJson({"--data", dir, "--limit", "7"});
    REQUIRE(lines.size() == 7);
    for (size_t n = 0; n < 7; ++n) CheckEvent(lines[n], written[n], stored[n]);
  }
  SECTION("--from and --limit together") {
    const auto lines = DumpJson({"--data", dir, "--from", "25", "--limit", "10"});
    REQUIRE(lines.size() == 10);
    for (size_t n = 0; n < 10; ++n) CheckEvent(lines[n], written[24 + n], stored[24 + n]);
  }
  SECTION("edges") {
    CHECK(DumpJson({"--data", dir, "--limit", "0"}).empty());
    CHECK(DumpJson({"--data", dir, "--from", std::to_string(head + 1)}).empty());
    CHECK(DumpJson({"--data", dir, "--from", std::to_string(head)}).size() == 1);
    CHECK(DumpJson({"--data", dir, "--limit", std::to_string(head + 100)}).size() == head);
  }
}

TEST_CASE("casereplay exits 2 naming the folder when it is missing or not a log", "[casereplay]") {
  testing::TempDir tmp;
  const std::string missing = tmp.Sub("no-such-folder");
  for (const char* command : {"verify", "dump"}) {
    INFO(command);
    std::string out;
    const int status = Casereplay({command, "--data", missing}, &out);
    INFO(out);
    CHECK(status == 2);
    CHECK_THAT(out, Catch::Contains(missing));
    CHECK_FALSE(fs::exists(missing));  // read-only: it must not create the folder
  }
  const std::string empty = tmp.Sub("empty");
  fs::create_directories(empty);
  for (const char* command : {"verify", "dump"}) {
    INFO(command);
    std::string out;
    const int status = Casereplay({command, "--data", empty}, &out);
    INFO(out);
    CHECK(status == 2);
    CHECK_THAT(out, Catch::Contains(empty));
    CHECK(fs::is_empty(empty));
  }
}

TEST_CASE("casereplay never writes to the data folder", "[casereplay]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const auto written = WriteKnownLog(dir);
  const auto before = Snapshot(dir);
  REQUIRE(before.count("CURRENT") == 1);

  const std::vector<std::vector<std::string>> commands{
      {"verify", "--data", dir},
      {"verify", "--data", dir, "--from", "10", "--to", "20"},
      {"dump", "--data", dir},
      {"dump", "--data", dir, "--stream", Streams()[0]},
      {"dump", "--data", dir, "--from", "5", "--limit", "3"},
  };
  for (const auto& args : commands) {
    INFO(args[0] << " " << (args.size() > 3 ? args[3] : ""));
    std::string out;
    REQUIRE(Casereplay(args, &out) == 0);
    CHECK(Snapshot(dir) == before);
  }
}

TEST_CASE("casereplay verifies and dumps a folder that a writer has open", "[casereplay]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  testing::OpenLog ol;
  OpenWithClock(dir, &ol);
  auto written = AppendKnown(ol.log.get(), 50);
  const uint64_t synced = ol.log->HeadPosition();  // every Append returned: all synced
  REQUIRE(synced == written.size());

  auto hash_at = [&](uint64_t position) {
    std::vector<RecordedEvent> e;
    REQUIRE(ol.log->ReadAll(position, 1, &e).ok());
    REQUIRE(e.size() == 1);
    return Hex(e[0].hash);
  };

  {
    std::string out;
    const int status = Casereplay({"verify", "--data", dir}, &out);
    INFO(out);
    REQUIRE(status == 0);
    const VerifyOutput v = ParseVerify(out);
    CHECK(v.head_position >= synced);
    CHECK(v.events == v.head_position);
    CHECK(v.head_hash == hash_at(v.head_position));
    const auto lines = DumpJson({"--data", dir});
    REQUIRE(lines.size() >= synced);
    for (size_t i = 0; i < written.size(); ++i) {
      CHECK(lines[i]["position"] == written[i].position);
      CHECK(lines[i]["stream"] == written[i].stream);
    }
  }

  // The writer keeps going; still open, it appends more, and casereplay sees them.
  const auto more = AppendKnown(ol.log.get(), 20, 50);
  {
    std::string out;
    REQUIRE(Casereplay({"verify", "--data", dir}, &out) == 0);
    const VerifyOutput v = ParseVerify(out);
    CHECK(v.head_position >= written.size() + more.size());
  }

  {
    // ... and while appends are in flight: each run sees at least what was synced when
    // it started, and a chain that is a prefix of the writer's.
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0}, appended{0};
    const uint64_t start = ol.log->HeadPosition();
    std::thread writer([&] {
      for (int k = 0; !stop.load(); ++k) {
        AppendRequest r = testing::OneEvent("busy-" + std::to_string(k % 4));
        if (k % 3 == 0) r.writes[0].events.push_back({"SomethingElse", std::string(300, 'x')});
        if (ol.log->Append(std::move(r)).status.ok()) {
          appended++;
        } else {
          failures++;
        }
      }
    });
    // Let the writer get going, so the runs below overlap its appends.
    for (int i = 0; i < 1000 && appended.load() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::vector<VerifyOutput> seen;
    for (int round = 0; round < 8; ++round) {
      const uint64_t before = ol.log->HeadPosition();
      std::string out;
      const int status = Casereplay({"verify", "--data", dir}, &out);
      INFO("round " << round << ": " << out);
      CHECK(status == 0);
      if (status != 0) continue;
      const VerifyOutput v = ParseVerify(out);
      CHECK(v.head_position >= before);
      CHECK(v.events == v.head_position);
      seen.push_back(v);
    }
    stop = true;
    writer.join();
    CHECK(failures == 0);
    CHECK(appended > 0);
    CHECK(ol.log->HeadPosition() > start);
    for (const auto& v : seen) {
      REQUIRE(v.head_position <= ol.log->HeadPosition());
      CHECK(v.head_hash == hash_at(v.head_position));
    }
  }
}

TEST_CASE("casereplay dump prints events whose text fields are not valid UTF-8", "[casereplay]") {
  // The engine stores actor, tenant and the ids as bytes without checking their encoding,
  // so the auditor's dump must cope with any of them rather than stop half-way.
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  {
    testing::OpenLog ol;
    REQUIRE(testing::OpenRocksLog(dir, &ol).ok());
    for (int i = 0; i < 3; ++i) {
      AppendRequest r = testing::OneEvent("client-" + std::to_string(i));
      if (i == 1) r.actor = "latin1 \xe9t\xe9";  // ISO-8859-1 bytes
      REQUIRE(ol.log->Append(std::move(r)).status.ok());
    }
  }
  std::string out;
  const int status = Casereplay({"dump", "--data", dir}, &out);
  INFO(out);
  CHECK(status == 0);
  const auto lines = Lines(out);
  REQUIRE(lines.size() == 3);
  for (size_t i = 0; i < lines.size(); ++i) {
    json j;
    REQUIRE_NOTHROW(j = json::parse(lines[i]));
    CHECK(j["position"] == i + 1);
  }
}

}  // namespace caseengine

namespace caseengine {
namespace {

TEST_CASE("casereplay verify refuses a range past the head or backwards as a usage error",
          "[casereplay]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteKnownLog(dir);
  std::string head_out;
  REQUIRE(Casereplay({"verify", "--data", dir}, &head_out) == 0);
  const uint64_t head = ParseVerify(head_out).head_position;
  std::string out;
  CHECK(Casereplay({"verify", "--data", dir, "--from", std::to_string(head + 2)}, &out) == 2);
  CHECK_THAT(out, Catch::Contains("beyond the head"));
  CHECK(Casereplay({"verify", "--data", dir, "--from", "3", "--to", "2"}, &out) == 2);
  CHECK_THAT(out, Catch::Contains("after --to"));
  CHECK(Casereplay({"verify", "--data", dir, "--from", "2", "--to", "3"}, &out) == 0);
  CHECK_THAT(out, Catch::Contains("checked positions: 2..3 of " + std::to_string(head)));
}

}  // namespace
}  // namespace caseengine
