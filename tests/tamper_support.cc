// Helpers of the tamper detection tests (see tamper_support.h).
#include "tests/tamper_support.h"

#include <rocksdb/options.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "events/event_view.h"
#include "events/log_format.h"
#include "tests/raw_folder.h"
#include "tests/test_support.h"

namespace caseengine::testing::tamper {

std::string StreamName(int s) { return "case-" + std::to_string(s); }

void WriteLog(const std::string& dir, uint64_t total) {
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

void TamperLogAndMeta(const std::string& dir,
                      const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle* log,
                                               rocksdb::ColumnFamilyHandle* meta)>& fn) {
  testing::RawEdit(dir, [&](rocksdb::DB* db, testing::RawFamilies& families) {
    fn(db, testing::RawFamily(families, log_format::kLogFamily),
       testing::RawFamily(families, log_format::kMetaFamily));
  });
}

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

void RequireCasereplayBrokenAt(const std::string& dir, uint64_t position) {
  std::string out;
  const int status = Casereplay({"verify", "--data", dir}, &out);
  INFO(out);
  CHECK(status == 1);
  CHECK_THAT(out, Catch::Contains("chain BROKEN at position " + std::to_string(position) + ":"));
}

void RequireBrokenAt(const VerifyReport& r, uint64_t position, uint64_t from) {
  INFO("reason: " << r.reason);
  REQUIRE_FALSE(r.ok);
  CHECK(r.first_bad == position);
  CHECK(r.checked == position - from);
  CHECK(r.last_position == position - 1);
  CHECK_FALSE(r.reason.empty());
}

}  // namespace caseengine::testing::tamper
