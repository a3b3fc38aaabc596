// Tamper detection at the head of the log: the last event cut (with or without the
// committed head record rewritten to match) or changed, and the chain rewritten from a
// changed event to the head. What the folder cannot show, a digest of (head position, head
// hash) kept outside it does, in process and through `casereplay verify --digest`.
#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "events/event_log.h"
#include "events/event_view.h"
#include "events/log_format.h"
#include "tests/raw_folder.h"
#include "tests/tamper_support.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

using testing::tamper::Casereplay;
using testing::tamper::FlipByte;
using testing::tamper::kEvents;
using testing::tamper::PayloadByte;
using testing::tamper::RawDelete;
using testing::tamper::RawGet;
using testing::tamper::RawPut;
using testing::tamper::RequireBrokenAt;
using testing::tamper::RequireCasereplayBrokenAt;
using testing::tamper::TamperLog;
using testing::tamper::TamperLogAndMeta;
using testing::tamper::VerifyReadOnly;
using testing::tamper::WriteLog;

// A forger's edit: flips a payload byte of the event at `from`, then rewrites prev_hash and
// hash of every event from there to `to`, so the chain verifies again. Returns the new
// hash at `to`.
Hash256 ChangeAndRehash(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log, uint64_t from,
                        uint64_t to) {
  Hash256 prev{};
  for (uint64_t p = from; p <= to; ++p) {
    std::string value = RawGet(db, log, p);
    EventView view;
    REQUIRE(EventView::Parse(value, &view).ok());
    if (p == from) {
      prev = view.prev_hash();
      const size_t offset = PayloadByte(value);
      value[offset] = static_cast<char>(value[offset] ^ 0x01);
    }
    prev = testing::Rechain(&value, prev);
    RawPut(db, log, p, value);
  }
  return prev;
}

}  // namespace

TEST_CASE("rewriting the whole chain after a change keeps it valid but changes the head hash",
          "[tamper]") {
  // The chain alone proves consistency, not authenticity: whoever rewrites every hash from
  // the change to the head gets a chain that verifies. What catches it is a digest of
  // (head position, head hash) kept outside the folder, as auditors do.
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  const VerifyReport before = VerifyReadOnly(dir, 1, 0);
  REQUIRE(before.ok);
  constexpr uint64_t kP = 200;
  TamperLog(dir, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    ChangeAndRehash(db, log, kP, kEvents);
  });

  const VerifyReport after = VerifyReadOnly(dir, 1, 0);
  INFO(after.reason);
  CHECK(after.ok);
  CHECK(after.last_position == before.last_position);
  CHECK(after.last_hash != before.last_hash);
}

TEST_CASE("cutting the last event is detected against the committed head record", "[tamper]") {
  // Each hash covers what came before it, never what comes after, so the log minus its last
  // event is a valid chain on its own. The engine also records the committed head (position
  // and hash) in the same batch as every append, and that no longer matches.
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  TamperLog(
      dir, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) { RawDelete(db, log, kEvents); });
  {
    testing::OpenLog ol;
    REQUIRE(testing::OpenRocksLog(dir, &ol, /*read_only=*/true).ok());
    CHECK(ol.log->HeadPosition() == kEvents);
    VerifyReport r = ol.log->VerifyChain(1, 0);
    RequireBrokenAt(r, kEvents);
    CHECK_THAT(r.reason, Catch::Contains("missing"));
  }
  RequireCasereplayBrokenAt(dir, kEvents);
  testing::OpenLog writable;
  Status s = testing::OpenRocksLog(dir, &writable);
  CHECK(s.code() == Status::Code::kCorruption);
  CHECK_THAT(s.message(), Catch::Contains("removed"));
}

TEST_CASE(
    "cutting the last event and rewriting the head record leaves a chain only an "
    "external digest can catch",
    "[tamper]") {
  // With the head record rewritten as well, the folder holds exactly the log as it stood one
  // append earlier: nothing inside it can tell. A (head position, head hash) digest kept
  // outside the folder, as auditors keep it, does.
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  const VerifyReport full = VerifyReadOnly(dir, 1, 0);
  REQUIRE(full.ok);
  REQUIRE(full.last_position == kEvents);
  const VerifyReport one_less = VerifyReadOnly(dir, 1, kEvents - 1);
  REQUIRE(one_less.ok);

  TamperLogAndMeta(dir, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log,
                            rocksdb::ColumnFamilyHandle* meta) {
    RawDelete(db, log, kEvents);
    REQUIRE(db->Put(rocksdb::WriteOptions(), meta, log_format::kHeadKey,
                    log_format::CommittedHeadValue(kEvents - 1, one_less.last_hash))
                .ok());
  });

  {
    testing::OpenLog ol;
    REQUIRE(testing::OpenRocksLog(dir, &ol, /*read_only=*/true).ok());
    CHECK(ol.log->HeadPosition() == kEvents - 1);
    VerifyReport r = ol.log->VerifyChain(1, 0);
    INFO(r.reason);
    CHECK(r.ok);
    CHECK(r.checked == kEvents - 1);
    CHECK(r.last_position == kEvents - 1);
    CHECK(r.last_hash == one_less.last_hash);
    CHECK(r.last_hash != full.last_hash);  // what a digest comparison would catch
  }
  std::string out;
  const int status = Casereplay({"verify", "--data", dir}, &out);
  INFO(out);
  CHECK(status == 0);
  CHECK_THAT(out, Catch::Contains("head position: " + std::to_string(kEvents - 1) + "\n"));
}

TEST_CASE("a log whose last event was changed is refused for writing but can still be audited",
          "[tamper]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  FlipByte(dir, kEvents, PayloadByte);

  {
    // Nothing may be chained onto a tail that does not match its hash.
    testing::OpenLog ol;
    Status s = testing::OpenRocksLog(dir, &ol, /*read_only=*/false);
    INFO(s.ToString());
    CHECK(s.code() == Status::Code::kCorruption);
    CHECK_THAT(s.message(), Catch::Contains("position " + std::to_string(kEvents)));
    CHECK(ol.log == nullptr);
  }
  {
    // ... and nothing was: the raw log still ends at the changed event.
    TamperLog(dir, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), log));
      it->SeekToLast();
      REQUIRE(it->Valid());
      CHECK(it->key().ToString() == log_format::LogKey(kEvents));
    });
  }
  {
    // A read-only open is how the damage is examined: it must work and name the position.
    testing::OpenLog ol;
    Status s = testing::OpenRocksLog(dir, &ol, /*read_only=*/true);
    INFO(s.ToString());
    CHECK(s.ok());
    if (s.ok()) RequireBrokenAt(ol.log->VerifyChain(1, 0), kEvents);
  }
  RequireCasereplayBrokenAt(dir, kEvents);
}

TEST_CASE(
    "rewriting one event and recomputing every later hash is caught by verify --digest "
    "against a digest taken before",
    "[tamper]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  const std::string digest = tmp.Sub("digest.json");
  std::string out;
  int status = Casereplay({"checkpoint", "--data", dir, "--out", digest}, &out);
  INFO(out);
  REQUIRE(status == 0);
  status = Casereplay({"verify", "--data", dir, "--digest", digest}, &out);
  INFO(out);
  REQUIRE(status == 0);
  CHECK_THAT(out, Catch::Contains("digest ok: the log extends the digest at position " +
                                  std::to_string(kEvents)));

  constexpr uint64_t kP = 77;
  TamperLogAndMeta(dir, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log,
                            rocksdb::ColumnFamilyHandle* meta) {
    const Hash256 head = ChangeAndRehash(db, log, kP, kEvents);
    REQUIRE(db->Put(rocksdb::WriteOptions(), meta, log_format::kHeadKey,
                    log_format::CommittedHeadValue(kEvents, head))
                .ok());
  });
  {
    // Nothing in the folder can tell: the chain verifies and the engine opens it to write.
    testing::OpenLog ol;
    Status s = testing::OpenRocksLog(dir, &ol);
    INFO(s.ToString());
    REQUIRE(s.ok());
    VerifyReport r = ol.log->VerifyChain(1, 0);
    INFO(r.reason);
    CHECK(r.ok);
    CHECK(r.last_position == kEvents);
  }
  status = Casereplay({"verify", "--data", dir}, &out);
  INFO(out);
  CHECK(status == 0);

  // The digest kept outside the folder does.
  status = Casereplay({"verify", "--data", dir, "--digest", digest}, &out);
  INFO(out);
  CHECK(status == 1);
  CHECK_THAT(out, Catch::Contains("digest MISMATCH: "));
  CHECK_THAT(out, !Catch::Contains("digest ok"));
}

}  // namespace caseengine
