// casereplay verify --digest (docs/auditing.md): a log that extends a digest passes; a
// log cut back below it, or changed before it and re-hashed, fails; a broken chain is
// reported even when the digest matches; and a file that is not a digest, or --digest
// with a range, is refused.
#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "base/sha256.h"
#include "events/event_log.h"
#include "events/event_view.h"
#include "events/log_format.h"
#include "tests/casereplay_audit_support.h"
#include "tests/domain_fixture.h"
#include "tests/raw_folder.h"
#include "tests/test_support.h"

namespace caseengine {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::RawEdit;
using testing::TempDir;

using testing::casereplay_audit::Casereplay;
using testing::casereplay_audit::Contains;
using testing::casereplay_audit::Families;
using testing::casereplay_audit::Family;
using testing::casereplay_audit::FlipPayloadByte;
using testing::casereplay_audit::Hex;
using testing::casereplay_audit::kDay;
using testing::casereplay_audit::kMonday;
using testing::casereplay_audit::Office;
using testing::casereplay_audit::Ok;
using testing::casereplay_audit::ParseObject;
using testing::casereplay_audit::PayloadByte;
using testing::casereplay_audit::Ran;
using testing::casereplay_audit::RawDelete;
using testing::casereplay_audit::RawGet;
using testing::casereplay_audit::RawPut;
using testing::casereplay_audit::ReadFile;
using testing::casereplay_audit::ThreeDaysFolder;
using testing::casereplay_audit::VerifyInProcess;
using testing::casereplay_audit::WorkThreeDaysIn;
using testing::casereplay_audit::WriteFile;

// A forger's rewrite: changes a payload byte of the event at `from`, re-chains every event
// from there to `head` (prev_hash and hash) and rewrites the committed head record, so
// the chain and the folder are consistent again. Returns the new head hash.
Hash256 RewriteAndRehash(const std::string& dir, uint64_t from, uint64_t head) {
  Hash256 prev{};
  RawEdit(dir, [&](rocksdb::DB* db, Families& f) {
    auto* log = Family(f, log_format::kLogFamily);
    auto* meta = Family(f, log_format::kMetaFamily);
    for (uint64_t p = from; p <= head; ++p) {
      std::string value = RawGet(db, log, log_format::LogKey(p));
      EventView view;
      REQUIRE(EventView::Parse(value, &view).ok());
      if (p == from) {
        prev = view.prev_hash();
        value[PayloadByte(value)] ^= 0x01;
      }
      prev = testing::Rechain(&value, prev);
      RawPut(db, log, log_format::LogKey(p), value);
    }
    RawPut(db, meta, log_format::kHeadKey, log_format::CommittedHeadValue(head, prev));
  });
  return prev;
}

// Cuts the log back to `keep` events and rewrites the committed head record to match, so
// the folder holds exactly the log as it stood then.
void CutBackTo(const std::string& dir, uint64_t keep, uint64_t head) {
  RawEdit(dir, [&](rocksdb::DB* db, Families& f) {
    auto* log = Family(f, log_format::kLogFamily);
    auto* meta = Family(f, log_format::kMetaFamily);
    EventView view;
    const std::string last = RawGet(db, log, log_format::LogKey(keep));
    REQUIRE(EventView::Parse(last, &view).ok());
    for (uint64_t p = keep + 1; p <= head; ++p) RawDelete(db, log, log_format::LogKey(p));
    RawPut(db, meta, log_format::kHeadKey, log_format::CommittedHeadValue(keep, view.hash()));
  });
}

// The folder is a sound log up to `head` on its own: in process and for casereplay.
void CheckChainSound(const std::string& dir, uint64_t head) {
  const VerifyReport r = VerifyInProcess(dir);
  INFO(r.reason);
  REQUIRE(r.ok);
  CHECK(r.last_position == head);
  const Ran plain = Casereplay({"verify", "--data", dir});
  INFO(plain);
  CHECK(plain.status == 0);
}

// casereplay verify --digest names the mismatch and never says the digest is ok.
void CheckDigestMismatch(const std::string& dir, const std::string& digest) {
  const Ran ran = Casereplay({"verify", "--data", dir, "--digest", digest});
  INFO(ran);
  CHECK(ran.status == 1);
  CHECK(Contains(ran.out, "digest MISMATCH: "));
  CHECK_FALSE(Contains(ran.out, "digest ok"));
}

}  // namespace

// =======================================================================================
// Digests: verify --digest.

TEST_CASE("casereplay verify --digest accepts a log that extends the digest", "[audit][digest]") {
  // Given a data folder with three days of casework, and digests of it at its head, at position 3
  // and of an empty log
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::string at_head = tmp.Sub("head.json"), at_3 = tmp.Sub("three.json"),
                    empty = tmp.Sub("empty.json");
  const uint64_t first_head = WorkThreeDaysIn(dir);
  Ok({"checkpoint", "--data", dir, "--out", at_head});
  Ok({"checkpoint", "--data", dir, "--at", "3", "--out", at_3});
  {
    // The digest of the log as it was before its first event.
    const std::string blank = tmp.Sub("blank");
    {
      testing::OpenLog ol;
      REQUIRE(testing::OpenRocksLog(blank, &ol).ok());
    }
    Ok({"checkpoint", "--data", blank, "--out", empty});
  }

  SECTION("at its own head") {
    // When verify --digest checks the folder against the digest of its head
    // Then the chain is reported ok first, then the digest
    const Ran r = Casereplay({"verify", "--data", dir, "--digest", at_head});
    INFO(r);
    CHECK(r.status == 0);
    CHECK(Contains(r.out, "chain ok\n"));
    // The chain report first, then the digest's line.
    CHECK(r.out.find("chain ok") < r.out.find("digest ok"));
    CHECK(Contains(
        r.out, "digest ok: the log extends the digest at position " + std::to_string(first_head)));
    CHECK_FALSE(Contains(r.out, "MISMATCH"));
  }
  // When more commands are appended
  SECTION("after more commands were appended") {
    {
      Office o(dir);
      o.now = kMonday + 5 * kDay;
      auto [client, kase] = o.Register("officer", "Later");
      o.Do("officer", AddNote{kase, "more", ""});
      REQUIRE(o.log->HeadPosition() > first_head + 2);
    }
    // Then verify --digest accepts every digest: the log extends each
    for (const auto& [file, position] : std::vector<std::pair<std::string, uint64_t>>{
             {at_head, first_head}, {at_3, 3}, {empty, 0}}) {
      INFO("digest at " << position);
      const Ran r = Casereplay({"verify", "--data", dir, "--digest", file});
      INFO(r);
      CHECK(r.status == 0);
      CHECK(Contains(r.out, "chain ok\n"));
      CHECK(Contains(
          r.out, "digest ok: the log extends the digest at position " + std::to_string(position)));
    }
  }
}

TEST_CASE("a log cut back below a digest and given a matching head record fails verify --digest",
          "[audit][digest]") {
  // Given a data folder with three days of casework and a digest of its head
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::string digest = tmp.Sub("digest.json");
  const uint64_t head = WorkThreeDaysIn(dir);
  Ok({"checkpoint", "--data", dir, "--out", digest});
  REQUIRE(Casereplay({"verify", "--data", dir, "--digest", digest}).status == 0);

  const uint64_t keep = head - 4;
  // When the log is cut back below the digest and given a matching head record
  CutBackTo(dir, keep, head);
  // Then on its own the folder is a valid log of `keep` events, yet verify --digest fails
  CheckChainSound(dir, keep);
  CheckDigestMismatch(dir, digest);
}

TEST_CASE("a log changed before a digest and re-hashed to its head fails verify --digest",
          "[audit][digest]") {
  // Given a data folder with three days of casework, a digest of its head and one from before the
  // middle
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::string digest = tmp.Sub("digest.json"), early = tmp.Sub("early.json");
  const uint64_t head = WorkThreeDaysIn(dir);
  const uint64_t changed = head / 2;
  Ok({"checkpoint", "--data", dir, "--out", digest});
  Ok({"checkpoint", "--data", dir, "--at", std::to_string(changed - 1), "--out", early});
  const json before = ParseObject(ReadFile(digest));

  // When an event in the middle is changed and every hash after it recomputed
  const Hash256 forged = RewriteAndRehash(dir, changed, head);
  CHECK(Hex(forged) != before["hash"].get<std::string>());
  // Then the forgery is complete (the chain verifies and the engine would open it for writing), yet
  // verify --digest fails
  CheckChainSound(dir, head);
  CheckDigestMismatch(dir, digest);
  // And a digest taken before the changed event still matches: the log extends it
  const Ran old = Casereplay({"verify", "--data", dir, "--digest", early});
  INFO(old);
  CHECK(old.status == 0);
  CHECK(Contains(
      old.out, "digest ok: the log extends the digest at position " + std::to_string(changed - 1)));
}

TEST_CASE("casereplay verify --digest reports a broken chain even when the digest matches",
          "[audit][digest]") {
  // Given a data folder with three days of casework and a digest at position 4
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::string digest = tmp.Sub("digest.json");
  const uint64_t head = WorkThreeDaysIn(dir);
  Ok({"checkpoint", "--data", dir, "--at", "4", "--out", digest});
  // When an event after the digest's position changes (the digest still matches, the chain not)
  const uint64_t bad = head - 3;
  FlipPayloadByte(dir, bad);
  // Then verify --digest reports the chain broken at that event (exit 1)
  const Ran r = Casereplay({"verify", "--data", dir, "--digest", digest});
  INFO(r);
  CHECK(r.status == 1);
  CHECK(Contains(r.out, "chain BROKEN at position " + std::to_string(bad) + ":"));
  CHECK_FALSE(Contains(r.out, "chain ok"));
}

TEST_CASE("casereplay verify refuses a file that is not a digest and --digest with a range",
          "[audit][digest]") {
  // Given a data folder with three days of casework and a good digest of it
  TempDir tmp;
  const std::string dir = ThreeDaysFolder(tmp);
  const std::string good = tmp.Sub("good.json");
  Ok({"checkpoint", "--data", dir, "--out", good});
  const json g = ParseObject(ReadFile(good));

  std::vector<std::pair<std::string, std::string>> bad = {
      {"not JSON", "this is not a digest\n"},
      {"empty", ""},
      {"an array", "[1,2,3]"},
      {"no hash", json{{"format", "caseengine-digest/1"}, {"position", 3}}.dump()},
      {"no position", json{{"format", "caseengine-digest/1"}, {"hash", g["hash"]}}.dump()},
      {"a short hash",
       [&] {
         json j = g;
         j["hash"] = g["hash"].get<std::string>().substr(1);
         return j.dump();
       }()},
      {"a hash that is not hex",
       [&] {
         json j = g;
         j["hash"] = std::string(64, 'g');
         return j.dump();
       }()},
      {"a position that is not a number",
       [&] {
         json j = g;
         j["position"] = "three";
         return j.dump();
       }()},
      {"another format",
       [&] {
         json j = g;
         j["format"] = "something-else/1";
         return j.dump();
       }()},
  };
  // When verify --digest is given files that are not digests, a missing file, or a range
  // Then each is a usage error (exit 2) with a message
  for (const auto& [what, content] : bad) {
    INFO("a digest file with " << what);
    const std::string file = tmp.Sub("bad.json");
    WriteFile(file, content);
    const Ran r = Casereplay({"verify", "--data", dir, "--digest", file});
    INFO(r);
    CHECK(r.status == 2);
    CHECK_FALSE(r.err.empty());
  }
  {
    const Ran r = Casereplay({"verify", "--data", dir, "--digest", tmp.Sub("missing.json")});
    INFO(r);
    CHECK(r.status == 2);
  }
  const std::vector<std::vector<std::string>> ranges = {
      {"--from", "2"}, {"--to", "5"}, {"--from", "1", "--to", "5"}};
  for (const auto& range : ranges) {
    std::vector<std::string> args{"verify", "--data", dir, "--digest", good};
    args.insert(args.end(), range.begin(), range.end());
    const Ran r = Casereplay(args);
    INFO(r);
    CHECK(r.status == 2);
    CHECK_FALSE(r.err.empty());
  }
  // And the good digest is fine
  CHECK(Casereplay({"verify", "--data", dir, "--digest", good}).status == 0);
  // And a folder that is not there cannot be certified, and is not made
  const std::string missing = tmp.Sub("nowhere");
  const Ran r = Casereplay({"checkpoint", "--data", missing, "--out", tmp.Sub("d2.json")});
  INFO(r);
  CHECK(r.status == 2);
  CHECK_FALSE(fs::exists(missing));
  CHECK_FALSE(fs::exists(tmp.Sub("d2.json")));
}

}  // namespace caseengine
