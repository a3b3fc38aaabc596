// Tamper detection: a log is written through the engine, closed, and then changed behind
// its back through plain RocksDB (as someone with access to the data folder could), and the
// hash chain must name the first position that no longer holds what was written, both in
// process (EventLog::VerifyChain) and through the auditor's `casereplay verify`.
//
// The raw edits go through rocksdb::DB::Open on every column family (RocksDB refuses to
// open a database without naming all of them) and touch only the `log` family, whose keys
// are 8-byte big-endian positions and whose values are FlatBuffers envelopes
// (events/log_format.h).
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "events/event_view.h"
#include "events/log_format.h"
#include "tests/raw_folder.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

constexpr uint64_t kEvents = 300;  // events in every test log
constexpr int kStreams = 6;

std::string StreamName(int s) { return "case-" + std::to_string(s); }

// Writes exactly `total` events over kStreams streams: single events, several events to one
// stream, and now and then one request over two streams, every expectation exact.
void WriteLog(const std::string& dir, uint64_t total = kEvents) {
  testing::OpenLog ol;
  REQUIRE(testing::OpenRocksLog(dir, &ol).ok());
  std::vector<uint64_t> versions(kStreams, 0);
  uint64_t written = 0;
  for (int k = 0; written < total; ++k) {
    AppendRequest r;
    r.command_id = "cmd-" + std::to_string(k);
    r.actor = "caseworker-" + std::to_string(k % 3);
    const int s = k % kStreams;
    const uint64_t n = std::min<uint64_t>(1 + k % 3, total - written);
    StreamWrite w{StreamName(s), ExpectedVersion::Exact(versions[s]), {}};
    for (uint64_t e = 0; e < n; ++e) {
      w.events.push_back({"NoteAdded", "{\"request\":" + std::to_string(k) +
                                           ",\"event\":" + std::to_string(e) +
                                           ",\"note\":\"client called about the application\"}"});
    }
    r.writes.push_back(std::move(w));
    if (k % 7 == 3 && written + n < total) {
      const int s2 = (s + 1) % kStreams;
      r.writes.push_back(
          {StreamName(s2),
           ExpectedVersion::Exact(versions[s2]),
           {{"CaseMoved", "{\"to\":\"triage\",\"request\":" + std::to_string(k) + "}"}}});
    }
    AppendOutcome o = ol.log->Append(std::move(r));
    REQUIRE(o.status.ok());
    REQUIRE(o.result.first_position == written + 1);
    for (const StreamVersion& v : o.result.versions) {
      versions[std::stoi(v.stream.substr(5))] = v.version;
    }
    written = o.result.last_position;
  }
  REQUIRE(ol.log->HeadPosition() == total);
  VerifyReport r = ol.log->VerifyChain(1, 0);
  REQUIRE(r.ok);
  REQUIRE(r.checked == total);
}

// Opens the data folder with plain RocksDB, lets `fn` change the `log` and `meta` families,
// flushes every family (so the change lands in table files, not only in the WAL) and closes
// the database.
void TamperLogAndMeta(const std::string& dir,
                      const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle* log,
                                               rocksdb::ColumnFamilyHandle* meta)>& fn) {
  testing::RawEdit(dir, [&](rocksdb::DB* db, testing::RawFamilies& families) {
    fn(db, testing::RawFamily(families, log_format::kLogFamily),
       testing::RawFamily(families, log_format::kMetaFamily));
  });
}

// The same for edits of the `log` family alone.
void TamperLog(const std::string& dir,
               const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>& fn) {
  TamperLogAndMeta(dir, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log,
                            rocksdb::ColumnFamilyHandle*) { fn(db, log); });
}

std::string RawGet(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log, uint64_t position) {
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), log, log_format::LogKey(position), &value);
  INFO("reading position " << position << ": " << s.ToString());
  REQUIRE(s.ok());
  return value;
}

void RawPut(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log, uint64_t position,
            const std::string& value) {
  REQUIRE(db->Put(rocksdb::WriteOptions(), log, log_format::LogKey(position), value).ok());
}

void RawDelete(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log, uint64_t position) {
  REQUIRE(db->Delete(rocksdb::WriteOptions(), log, log_format::LogKey(position)).ok());
}

// Offsets of a byte in the middle of the payload, and of one in the middle of the stored
// hash, of an envelope.
size_t PayloadByte(const std::string& envelope) {
  EventView view;
  REQUIRE(EventView::Parse(envelope, &view).ok());
  REQUIRE(view.payload().size() > 2);
  return static_cast<size_t>(view.payload().data() - envelope.data()) + view.payload().size() / 2;
}

size_t HashByte(const std::string& envelope) {
  EventView view;
  REQUIRE(EventView::Parse(envelope, &view).ok());
  return view.hash_offset() + 16;
}

// Flips one byte of the event at `position`, at the offset `where` picks.
void FlipByte(const std::string& dir, uint64_t position,
              const std::function<size_t(const std::string&)>& where) {
  TamperLog(dir, [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log) {
    std::string value = RawGet(db, log, position);
    const size_t offset = where(value);
    REQUIRE(offset < value.size());
    value[offset] = static_cast<char>(value[offset] ^ 0x01);
    RawPut(db, log, position, value);
  });
}

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

VerifyReport VerifyReadOnly(const std::string& dir, uint64_t from, uint64_t to) {
  testing::OpenLog ol;
  Status s = testing::OpenRocksLog(dir, &ol, /*read_only=*/true);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return ol.log->VerifyChain(from, to);
}

int Casereplay(const std::vector<std::string>& args, std::string* output) {
  std::vector<std::string> argv{CASEREPLAY_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunCommand(argv, output);
}

// `casereplay verify` must exit 1 and name the first bad position.
void RequireCasereplayBrokenAt(const std::string& dir, uint64_t position) {
  std::string out;
  const int status = Casereplay({"verify", "--data", dir}, &out);
  INFO(out);
  CHECK(status == 1);
  CHECK_THAT(out, Catch::Contains("chain BROKEN at position " + std::to_string(position) + ":"));
}

// A report of a chain checked from `from` that breaks at `position`.
void RequireBrokenAt(const VerifyReport& r, uint64_t position, uint64_t from = 1) {
  INFO("reason: " << r.reason);
  REQUIRE_FALSE(r.ok);
  CHECK(r.first_bad == position);
  CHECK(r.checked == position - from);
  CHECK(r.last_position == position - 1);
  CHECK_FALSE(r.reason.empty());
}

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

TEST_CASE("verifying a sub-range reports tampering inside it and not outside it", "[tamper]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  // Payload bytes changed at 50 and 250; their stored hashes are intact.
  FlipByte(dir, 50, PayloadByte);
  FlipByte(dir, 250, PayloadByte);

  testing::OpenLog ol;
  REQUIRE(testing::OpenRocksLog(dir, &ol, /*read_only=*/true).ok());
  const EventLog& log = *ol.log;

  SECTION("the whole log breaks at the first") { RequireBrokenAt(log.VerifyChain(1, 0), 50); }
  SECTION("a range between them verifies") {
    VerifyReport r = log.VerifyChain(100, 200);
    INFO(r.reason);
    CHECK(r.ok);
    CHECK(r.checked == 101);
    CHECK(r.last_position == 200);
    CHECK(log.VerifyChain(51, 249).ok);
    CHECK(log.VerifyChain(1, 49).ok);
    // The event before a range anchors it and is trusted, not checked: 250's payload
    // changed but its stored hash did not, so 251.. chains onto it.
    CHECK(log.VerifyChain(251, 0).ok);
  }
  SECTION("a range that reaches a tamper names it") {
    RequireBrokenAt(log.VerifyChain(100, 250), 250, 100);
    RequireBrokenAt(log.VerifyChain(250, 250), 250, 250);
    // 50 is the anchor of 51.. (trusted, see above); the break found is the one at 250.
    RequireBrokenAt(log.VerifyChain(51, 0), 250, 51);
    RequireBrokenAt(log.VerifyChain(40, 60), 50, 40);
  }
  SECTION("casereplay verify honours --from and --to") {
    std::string out;
    int status = Casereplay({"verify", "--data", dir, "--from", "100", "--to", "200"}, &out);
    INFO(out);
    CHECK(status == 0);
    CHECK_THAT(out, Catch::Contains("events: 101\n"));
    CHECK_THAT(out, Catch::Contains("checked positions: 100..200 of 300\n"));
    status = Casereplay({"verify", "--data", dir, "--from", "100"}, &out);
    INFO(out);
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("chain BROKEN at position 250:"));
  }
}

TEST_CASE("a changed hash just before a range is reported at the range's first position",
          "[tamper]") {
  // The anchor's stored hash is what the range chains onto, so a change to it shows as a
  // mismatch at `from` (whose prev_hash no longer matches), while its other bytes do not.
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteLog(dir);
  FlipByte(dir, 150, HashByte);

  testing::OpenLog ol;
  REQUIRE(testing::OpenRocksLog(dir, &ol, /*read_only=*/true).ok());
  VerifyReport r = ol.log->VerifyChain(151, 200);
  REQUIRE_FALSE(r.ok);
  CHECK(r.first_bad == 151);
  CHECK_THAT(r.reason, Catch::Contains("150"));
  CHECK(ol.log->VerifyChain(152, 200).ok);
  CHECK(ol.log->VerifyChain(100, 149).ok);
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
