// casereplay checkpoint (docs/auditing.md): the digest of the head with its documented
// fields, --out, --at N against verify --to N, position 0, an empty log, and the refusal
// to certify a broken log. Runs the real casereplay on data folders written through the
// real command path.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "events/event_view.h"
#include "projections/read_models.h"
#include "tests/casereplay_audit_support.h"
#include "tests/test_support.h"

namespace caseengine {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;

using testing::casereplay_audit::Casereplay;
using testing::casereplay_audit::Checkpoint;
using testing::casereplay_audit::Contains;
using testing::casereplay_audit::FlipPayloadByte;
using testing::casereplay_audit::Hex;
using testing::casereplay_audit::Instant;
using testing::casereplay_audit::IsRfc3339;
using testing::casereplay_audit::kSecond;
using testing::casereplay_audit::Office;
using testing::casereplay_audit::Ok;
using testing::casereplay_audit::OpenEngine;
using testing::casereplay_audit::ParseObject;
using testing::casereplay_audit::Ran;
using testing::casereplay_audit::ReadFile;
using testing::casereplay_audit::ThreeDaysFolder;
using testing::casereplay_audit::WorkThreeDays;
using testing::casereplay_audit::WorkThreeDaysIn;

const std::string kZeros(64, '0');

// The hash `casereplay verify --to N` reports for position N.
std::string VerifiedHashAt(const std::string& dir, uint64_t n) {
  const std::string out = Ok({"verify", "--data", dir, "--to", std::to_string(n)});
  INFO(out);
  std::smatch m;
  static const std::regex at("hash at ([0-9]+): ([0-9a-f]{64})");
  static const std::regex head("head position: ([0-9]+)\nhead hash: ([0-9a-f]{64})");
  if (std::regex_search(out, m, at) || std::regex_search(out, m, head)) {
    CHECK(std::stoull(m[1]) == n);
    return m[2];
  }
  FAIL("verify --to " << n << " printed no hash");
  return "";
}

}  // namespace

// =======================================================================================
// Digests: checkpoint.

TEST_CASE("casereplay checkpoint prints the digest of the head with the documented fields",
          "[audit][checkpoint]") {
  // Given a data folder with three days of casework and a sound chain
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  std::vector<RecordedEvent> all;
  VerifyReport report;
  {
    Office o(dir);
    WorkThreeDays(o);
    all = o.All();
    report = o.log->VerifyChain(1, 0);
  }
  REQUIRE(report.ok);
  const uint64_t head = all.size();
  REQUIRE(report.last_position == head);

  // When casereplay checkpoint runs on it
  const auto before = std::chrono::system_clock::now();
  const Ran ran = Casereplay({"checkpoint", "--data", dir});
  const auto after = std::chrono::system_clock::now();
  INFO(ran);
  // Then it prints the digest of the head with every documented field: formats, position, hash,
  // when recorded and when taken
  REQUIRE(ran.status == 0);
  const json d = ParseObject(ran.out);
  for (const char* field :
       {"format", "log_format", "position", "hash", "recorded_at", "taken_at"}) {
    INFO("field " << field);
    CHECK(d.contains(field));
  }
  CHECK(d["format"] == "caseengine-digest/1");
  CHECK(d["log_format"] == "caseengine-log/1");
  REQUIRE(d["position"].is_number_unsigned());
  CHECK(d["position"] == head);
  CHECK(d["hash"] == Hex(report.last_hash));
  CHECK(d["hash"] == Hex(all.back().hash));
  REQUIRE(d["recorded_at"].is_string());
  CHECK(IsRfc3339(d["recorded_at"]));
  CHECK(Instant(d["recorded_at"]) == all.back().recorded_at);
  REQUIRE(d["taken_at"].is_string());
  CHECK(IsRfc3339(d["taken_at"]));
  auto micros = [](std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  };
  CHECK(Instant(d["taken_at"]) >= micros(before) - 2 * kSecond);
  CHECK(Instant(d["taken_at"]) <= micros(after) + 2 * kSecond);
  // And the hash is the one verify reports for the head
  CHECK(d["hash"] == VerifiedHashAt(dir, head));
}

TEST_CASE("casereplay checkpoint --out writes the digest it prints", "[audit][checkpoint]") {
  // Given a data folder with three days of casework
  TempDir tmp;
  const std::string dir = ThreeDaysFolder(tmp);
  const std::string file = tmp.Sub("digest.json");
  // When casereplay checkpoint --out runs on it
  const Ran ran = Casereplay({"checkpoint", "--data", dir, "--out", file});
  INFO(ran);
  // Then the file holds the digest it prints
  REQUIRE(ran.status == 0);
  REQUIRE(fs::exists(file));
  const json written = ParseObject(ReadFile(file));
  CHECK(written == ParseObject(ran.out));
  CHECK(written["format"] == "caseengine-digest/1");
  CHECK(written["position"] == Checkpoint(dir)["position"]);
  CHECK(written["hash"] == Checkpoint(dir)["hash"]);
}

TEST_CASE("casereplay checkpoint --at N gives the hash that verify --to N reports",
          "[audit][checkpoint]") {
  // Given a data folder with three days of casework
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  std::vector<RecordedEvent> all;
  {
    Office o(dir);
    WorkThreeDays(o);
    all = o.All();
  }
  const uint64_t head = all.size();
  REQUIRE(head > 10);
  // When casereplay checkpoint --at N runs for positions from the first to the head
  // Then each digest is of that position, with the hash verify --to N reports
  for (uint64_t n : {uint64_t{1}, uint64_t{2}, head / 2, head - 1, head}) {
    INFO("--at " << n);
    const json d = Checkpoint(dir, {"--at", std::to_string(n)});
    CHECK(d["format"] == "caseengine-digest/1");
    CHECK(d["position"] == n);
    CHECK(d["hash"] == Hex(all[n - 1].hash));
    CHECK(d["hash"] == VerifiedHashAt(dir, n));
    CHECK(Instant(d["recorded_at"]) == all[n - 1].recorded_at);
  }
  {
    // And a position past the head is a usage error (exit 2) with no digest
    const Ran r = Casereplay({"checkpoint", "--data", dir, "--at", std::to_string(head + 1)});
    INFO(r);
    CHECK(r.status == 2);
    CHECK_FALSE(Contains(r.out, "caseengine-digest/1"));
  }
}

TEST_CASE("casereplay checkpoint --at 0 certifies position 0 and never the head",
          "[audit][checkpoint]") {
  // Position 0 is the log before its first event, whose digest is 64 zeros: asked for
  // explicitly, that is what --at 0 prints (or it is refused as a usage error), never the
  // digest of another position.
  // Given a data folder with three days of casework
  TempDir tmp;
  const std::string dir = ThreeDaysFolder(tmp);
  // When casereplay checkpoint --at 0 runs on it
  const Ran r = Casereplay({"checkpoint", "--data", dir, "--at", "0"});
  INFO(r);
  // Then it prints the digest of position 0
  CHECK(r.status == 0);
  if (r.status == 0) {
    const json d = ParseObject(r.out);
    CHECK(d["position"] == 0);
    CHECK(d["hash"] == kZeros);
  }
}

TEST_CASE("casereplay checkpoint of an empty log is position 0 with a hash of 64 zeros",
          "[audit][checkpoint]") {
  // Given an empty log, in a log folder or in an engine's folder
  // When casereplay checkpoint runs on it
  // Then the digest is of position 0 with a hash of 64 zeros
  TempDir tmp;
  SECTION("a log folder") {
    const std::string dir = tmp.Sub("data");
    {
      testing::OpenLog ol;
      REQUIRE(testing::OpenRocksLog(dir, &ol).ok());
    }
    const json d = Checkpoint(dir);
    CHECK(d["format"] == "caseengine-digest/1");
    CHECK(d["position"] == 0);
    CHECK(d["hash"] == kZeros);
  }
  SECTION("an engine's folder") {
    const std::string dir = tmp.Sub("engine");
    OpenEngine(dir).reset();
    const json d = Checkpoint(dir);
    CHECK(d["position"] == 0);
    CHECK(d["hash"] == kZeros);
  }
}

TEST_CASE("casereplay checkpoint refuses to certify a broken log", "[audit][checkpoint]") {
  // Given a data folder whose log has a byte flipped half way
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const uint64_t head = WorkThreeDaysIn(dir);
  const uint64_t bad = head / 2;
  FlipPayloadByte(dir, bad);
  const std::string file = tmp.Sub("digest.json");

  const std::vector<std::vector<std::string>> variants = {
      {}, {"--at", std::to_string(bad)}, {"--at", std::to_string(head)}, {"--out", file}};
  // When casereplay checkpoint runs on it, at the head, at the damage or with --out
  // Then each is refused (exit 1) with no digest printed or written
  for (const auto& extra : variants) {
    std::vector<std::string> args{"checkpoint", "--data", dir};
    args.insert(args.end(), extra.begin(), extra.end());
    const Ran r = Casereplay(args);
    INFO(r);
    CHECK(r.status == 1);
    CHECK_FALSE(Contains(r.out, "caseengine-digest/1"));
  }
  CHECK_FALSE(fs::exists(file));
  // And the chain before the damage is intact and can still be certified
  const json d = Checkpoint(dir, {"--at", std::to_string(bad - 1)});
  CHECK(d["position"] == bad - 1);
  CHECK(d["hash"] == VerifiedHashAt(dir, bad - 1));
}

}  // namespace caseengine
