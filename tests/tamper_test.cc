// Tamper detection, one event at a time: a log is written through the engine, closed, and
// then changed behind its back through plain RocksDB (as someone with access to the data
// folder could): a byte of an event changed (in its payload, its hash or anywhere), an event
// removed, two swapped, one changed with its own hash recomputed, one inserted. The hash
// chain must name the first position that no longer holds what was written, both in process
// (EventLog::VerifyChain) and through the auditor's `casereplay verify`.
#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include "events/event_log.h"
#include "events/event_view.h"
#include "events/log_format.h"
#include "tests/tamper_support.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

using testing::tamper::FlipByte;
using testing::tamper::HashByte;
using testing::tamper::kEvents;
using testing::tamper::PayloadByte;
using testing::tamper::RawDelete;
using testing::tamper::RawGet;
using testing::tamper::RawPut;
using testing::tamper::RequireBrokenAt;
using testing::tamper::RequireCasereplayBrokenAt;
using testing::tamper::StreamName;
using testing::tamper::TamperLog;
using testing::tamper::TamperLogAndMeta;
using testing::tamper::VerifyReadOnly;
using testing::tamper::WriteLog;

}  // namespace

TEST_CASE("changing one byte of a stored event's payload is detected at its position", "[tamper]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  constexpr uint64_t kP = 137;
  FlipByte(dir, kP, PayloadByte);

  VerifyReport r = VerifyReadOnly(dir, 1, 0);
  RequireBrokenAt(r, kP);
  CHECK_THAT(r.reason, Catch::Contains("changed"));
  RequireCasereplayBrokenAt(dir, kP);
}

TEST_CASE("changing one byte of a stored event's hash is detected at its position", "[tamper]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  constexpr uint64_t kP = 137;
  FlipByte(dir, kP, HashByte);

  VerifyReport r = VerifyReadOnly(dir, 1, 0);
  RequireBrokenAt(r, kP);
  CHECK_THAT(r.reason, Catch::Contains("hash"));
  RequireCasereplayBrokenAt(dir, kP);
}

TEST_CASE("changing the middle byte of a stored event is detected at its position", "[tamper]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  constexpr uint64_t kP = 173;
  FlipByte(dir, kP, [](const std::string& value) { return value.size() / 2; });

  RequireBrokenAt(VerifyReadOnly(dir, 1, 0), kP);
  RequireCasereplayBrokenAt(dir, kP);
}

TEST_CASE("changing any single byte of a stored event is detected at its position", "[tamper]") {
  // Every offset of one envelope, and a few bit patterns: whether the byte is in a string,
  // the payload, a hash, a FlatBuffers offset or padding, the chain breaks at that event.
  // (A MemoryStore, so the few thousand edits take milliseconds; the bytes are the same.)
  auto store = testing::NewMemoryLogStore();
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  for (int i = 0; i < 20; ++i) {
    AppendRequest r = testing::OneEvent(StreamName(i % 3), ExpectedVersion::Any(), "NoteAdded",
                                        "{\"note\":" + std::to_string(i) + "}");
    r.command_id = "cmd-" + std::to_string(i);
    REQUIRE(log->Append(std::move(r)).status.ok());
  }
  FamilyId family = 0;
  REQUIRE(store->Family(log_format::kLogFamily, &family).ok());
  constexpr uint64_t kP = 11;
  std::string original;
  REQUIRE(store->Get(family, log_format::LogKey(kP), &original).ok());
  for (size_t offset = 0; offset < original.size(); ++offset) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::string changed = original;
      changed[offset] = static_cast<char>(changed[offset] ^ mask);
      store->RawPut(family, log_format::LogKey(kP), changed);
      VerifyReport r = log->VerifyChain(1, 0);
      INFO("offset " << offset << " of " << original.size() << ", mask " << int(mask) << ": "
                     << r.reason);
      REQUIRE_FALSE(r.ok);
      REQUIRE(r.first_bad == kP);
    }
  }
  store->RawPut(family, log_format::LogKey(kP), original);
  CHECK(log->VerifyChain(1, 0).ok);
}

TEST_CASE("removing a stored event is detected at its position as missing", "[tamper]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  constexpr uint64_t kP = 150;
  TamperLog(dir, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    RawGet(db, log, kP);  // it was there
    RawDelete(db, log, kP);
  });

  VerifyReport r = VerifyReadOnly(dir, 1, 0);
  RequireBrokenAt(r, kP);
  CHECK_THAT(r.reason, Catch::Contains("missing"));
  RequireCasereplayBrokenAt(dir, kP);
}

TEST_CASE("swapping two stored events is detected at the earlier position", "[tamper]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  constexpr uint64_t kP = 90, kQ = 211;
  TamperLog(dir, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    const std::string p = RawGet(db, log, kP);
    const std::string q = RawGet(db, log, kQ);
    RawPut(db, log, kP, q);
    RawPut(db, log, kQ, p);
  });

  VerifyReport r = VerifyReadOnly(dir, 1, 0);
  RequireBrokenAt(r, kP);
  CHECK_THAT(r.reason, Catch::Contains("reordered"));
  RequireCasereplayBrokenAt(dir, kP);
}

TEST_CASE("a changed event whose own hash was recomputed breaks the chain at the next position",
          "[tamper]") {
  // A forger who knows the hash function can make the changed event consistent with
  // itself, but not with the stored prev_hash of the event after it.
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  constexpr uint64_t kP = 120;
  TamperLog(dir, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    std::string value = RawGet(db, log, kP);
    const size_t offset = PayloadByte(value);
    value[offset] = static_cast<char>(value[offset] ^ 0x01);
    EventView view;
    REQUIRE(EventView::Parse(value, &view).ok());
    const Hash256 h = log_format::ChainHash(view.prev_hash(), view.bytes(), view.hash_offset());
    std::memcpy(value.data() + view.hash_offset(), h.data(), h.size());
    RawPut(db, log, kP, value);
  });

  VerifyReport r = VerifyReadOnly(dir, 1, 0);
  RequireBrokenAt(r, kP + 1);
  CHECK_THAT(r.reason, Catch::Contains("previous hash"));
  RequireCasereplayBrokenAt(dir, kP + 1);
}

TEST_CASE("inserting an event between two is detected at the right position", "[tamper]") {
  // Every event after the insertion moves up one key, as it would have to for the log to
  // stay gapless, and the head record is rewritten to the new end: only the chain and the
  // positions the envelopes carry can tell.
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  constexpr uint64_t kP = 140;  // the inserted event goes here, between 139 and the old 140
  auto insert =
      [&](const std::function<std::string(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>& make) {
        TamperLogAndMeta(dir, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log,
                                  rocksdb::ColumnFamilyHandle* meta) {
          const std::string inserted = make(db, log);
          for (uint64_t p = kEvents; p >= kP; --p) RawPut(db, log, p + 1, RawGet(db, log, p));
          RawPut(db, log, kP, inserted);
          EventView last;
          const std::string last_bytes = RawGet(db, log, kEvents + 1);
          REQUIRE(EventView::Parse(last_bytes, &last).ok());
          REQUIRE(db->Put(rocksdb::WriteOptions(), meta, log_format::kHeadKey,
                          log_format::CommittedHeadValue(kEvents + 1, last.hash()))
                      .ok());
        });
      };

  SECTION("an event copied from elsewhere in the log is detected where it was inserted") {
    insert([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
      return RawGet(db, log, kP + 50);  // a genuine event, with its genuine hash
    });
    VerifyReport r = VerifyReadOnly(dir, 1, 0);
    RequireBrokenAt(r, kP);
    RequireCasereplayBrokenAt(dir, kP);
  }
  SECTION("a forged event that chains onto the one before is detected at the event after it") {
    // The forger gives the new event the right position, the right prev_hash and its own
    // correct hash; the event after it (the old kP) still names the hash of kP - 1 and its
    // old position.
    insert([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
      std::string value = RawGet(db, log, kP);
      const size_t offset = PayloadByte(value);
      value[offset] = static_cast<char>(value[offset] ^ 0x01);
      EventView view;
      REQUIRE(EventView::Parse(value, &view).ok());
      REQUIRE(view.position() == kP);
      const Hash256 h = log_format::ChainHash(view.prev_hash(), view.bytes(), view.hash_offset());
      std::memcpy(value.data() + view.hash_offset(), h.data(), h.size());
      return value;
    });
    VerifyReport r = VerifyReadOnly(dir, 1, 0);
    RequireBrokenAt(r, kP + 1);
    RequireCasereplayBrokenAt(dir, kP + 1);
  }
  {
    testing::OpenLog ol;
    REQUIRE(testing::OpenRocksLog(dir, &ol, /*read_only=*/true).ok());
    CHECK(ol.log->HeadPosition() == kEvents + 1);
  }
}

}  // namespace caseengine
