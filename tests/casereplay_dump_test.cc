// casereplay dump, driven as a separate process on logs of known content: every field of
// every event as one JSON line in position order, the --stream, --from and --limit
// filters, and text fields that are not valid UTF-8.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "tests/casereplay_cli_support.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

using testing::casereplay_cli::Casereplay;
using testing::casereplay_cli::DumpJson;
using testing::casereplay_cli::Hex;
using testing::casereplay_cli::Lines;
using testing::casereplay_cli::Streams;
using testing::casereplay_cli::WriteKnownLog;
using testing::casereplay_cli::WrittenEvent;

using nlohmann::json;

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

}  // namespace

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
