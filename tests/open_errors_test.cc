// Opening a data folder that is missing, is a file, holds unrelated files, is damaged or
// holds a log in a format this build does not read must give a clear error and leave every
// file as it was (compared as open_errors_support.h describes); a folder whose creation was
// cut short holds no data and is taken up by a writable open.
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "events/log_format.h"
#include "storage/rocks_store.h"
#include "tests/open_errors_support.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

using testing::open_errors::Contains;
using testing::open_errors::Diff;
using testing::open_errors::InfoLogs;
using testing::open_errors::MakeLog;
using testing::open_errors::Snapshot;

namespace fs = std::filesystem;
using Code = Status::Code;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFile(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

Status OpenStore(const std::string& dir, bool read_only, bool create_if_missing,
                 std::unique_ptr<Store>* store) {
  RocksStoreOptions o;
  o.path = dir;
  o.families = EventLog::LogFamilyNames();
  o.read_only = read_only;
  o.create_if_missing = create_if_missing;
  return OpenRocksStore(o, store);
}

}  // namespace

TEST_CASE("opening a missing data folder read-only is NotFound and creates nothing", "[open]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("missing");

  testing::OpenLog open;
  Status s = testing::OpenRocksLog(dir, &open, /*read_only=*/true);
  INFO(s.ToString());
  REQUIRE(s.code() == Code::kNotFound);
  REQUIRE(Contains(s.message(), dir));
  REQUIRE(Contains(s.message(), "does not exist"));
  REQUIRE_FALSE(fs::exists(dir));

  // Nor does a writable open that was told not to create.
  std::unique_ptr<Store> store;
  s = OpenStore(dir, /*read_only=*/false, /*create_if_missing=*/false, &store);
  INFO(s.ToString());
  REQUIRE(s.code() == Code::kNotFound);
  REQUIRE(Contains(s.message(), dir));
  REQUIRE_FALSE(fs::exists(dir));
}

TEST_CASE("a folder of unrelated files is refused and left exactly as it was", "[open]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("documents");
  fs::create_directories(dir + "/letters");
  WriteFile(dir + "/notes.txt", "tenancy notes, not a database\n");
  WriteFile(dir + "/scan.bin", std::string("\x00\x01\xff\xfe binary", 12));
  WriteFile(dir + "/letters/2024-01.txt", "Dear ...\n");
  // Nothing of RocksDB's may appear either, so info logs are compared too.
  const auto before = Snapshot(dir, InfoLogs::kInclude);

  const bool read_only = GENERATE(false, true);
  INFO((read_only ? "read-only" : "writable, create_if_missing") << " open");
  testing::OpenLog open;
  Status s = testing::OpenRocksLog(dir, &open, read_only);
  INFO(s.ToString());
  REQUIRE(s.code() == Code::kInvalidArgument);
  REQUIRE(Contains(s.message(), dir));
  REQUIRE(Contains(s.message(), "no caseengine data"));
  const std::string diff = Diff(before, Snapshot(dir, InfoLogs::kInclude));
  INFO(diff);
  REQUIRE(diff.empty());
}

TEST_CASE("a path that is a file, not a folder, is refused and left as it was", "[open]") {
  testing::TempDir tmp;
  const std::string path = tmp.Sub("data");
  WriteFile(path, "just a file\n");
  const bool read_only = GENERATE(false, true);
  testing::OpenLog open;
  Status s = testing::OpenRocksLog(path, &open, read_only);
  INFO(s.ToString());
  REQUIRE(s.code() == Code::kInvalidArgument);
  REQUIRE(Contains(s.message(), path));
  REQUIRE(ReadFile(path) == "just a file\n");
  REQUIRE(fs::is_regular_file(path));
}

TEST_CASE("a data folder with a damaged CURRENT or MANIFEST is refused and left as it was",
          "[open]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  MakeLog(dir, 10);

  std::string damage;
  SECTION("CURRENT holds garbage") {
    damage = "CURRENT";
    WriteFile(dir + "/CURRENT", std::string("\x13\x37garbage\xff\x00\x01 no newline", 22));
  }
  SECTION("CURRENT names a MANIFEST that does not exist") {
    damage = "MANIFEST-999999";  // the message names the missing file
    WriteFile(dir + "/CURRENT", "MANIFEST-999999\n");
  }
  SECTION("CURRENT is empty") {
    damage = "CURRENT";
    WriteFile(dir + "/CURRENT", "");
  }
  SECTION("the MANIFEST has bytes flipped in the middle") {
    std::vector<fs::path> manifests;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().filename().string().rfind("MANIFEST-", 0) == 0) manifests.push_back(e.path());
    }
    REQUIRE(manifests.size() == 1);
    damage = manifests[0].filename().string();
    std::string bytes = ReadFile(manifests[0]);
    REQUIRE(bytes.size() >= 64);
    for (size_t i = bytes.size() / 2 - 8; i < bytes.size() / 2 + 8; ++i) bytes[i] ^= 0x5a;
    WriteFile(manifests[0], bytes);
  }
  INFO("damaged " << damage);

  for (bool read_only : {false, true}) {
    INFO((read_only ? "read-only" : "writable") << " open");
    // Only a writable open makes RocksDB write its info log.
    const InfoLogs info_logs = read_only ? InfoLogs::kInclude : InfoLogs::kExclude;
    const auto before = Snapshot(dir, info_logs);
    testing::OpenLog open;
    Status s = testing::OpenRocksLog(dir, &open, read_only);
    INFO(s.ToString());
    REQUIRE_FALSE(s.ok());
    REQUIRE((s.code() == Code::kCorruption || s.code() == Code::kIoError ||
             s.code() == Code::kInvalidArgument || s.code() == Code::kNotFound));
    // The message says where (the folder) and what (the damaged file, or that the folder
    // is damaged).
    REQUIRE(Contains(s.message(), dir));
    REQUIRE((Contains(s.message(), damage) || Contains(s.message(), "damaged") ||
             Contains(s.message(), "orrupt")));
    const std::string diff = Diff(before, Snapshot(dir, info_logs));
    INFO(diff);
    REQUIRE(diff.empty());
  }
}

TEST_CASE("a log in a format this build does not read is refused read-only and left as it was",
          "[open]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  MakeLog(dir, 3);
  {
    std::unique_ptr<Store> store;
    REQUIRE(OpenStore(dir, false, false, &store).ok());
    FamilyId meta = 0;
    REQUIRE(store->Family(log_format::kMetaFamily, &meta).ok());
    WriteBatch b;
    b.Put(meta, log_format::kFormatKey, "caseengine-log/99");
    REQUIRE(store->Write(b, /*sync=*/true).ok());
  }
  const auto before = Snapshot(dir, InfoLogs::kInclude);  // read-only: not even the LOG
  testing::OpenLog open;
  Status s = testing::OpenRocksLog(dir, &open, /*read_only=*/true);
  INFO(s.ToString());
  REQUIRE(s.code() == Code::kFailedPrecondition);
  REQUIRE(Contains(s.message(), dir));
  REQUIRE(Contains(s.message(), "caseengine-log/99"));
  open.Close();
  const std::string diff = Diff(before, Snapshot(dir, InfoLogs::kInclude));
  INFO(diff);
  REQUIRE(diff.empty());
}

TEST_CASE(
    "a folder left by a creation cut short before CURRENT holds no data and is taken up "
    "by a writable open",
    "[open]") {
  // RocksDB writes CURRENT last when it creates a database; what a crash leaves before
  // that is RocksDB's own scaffolding and no event.
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  fs::create_directories(dir);
  WriteFile(fs::path(dir) / "LOCK", "");
  WriteFile(fs::path(dir) / "LOG", "2026/11/22-03:00:00 RocksDB version: 7.8.3\n");
  WriteFile(fs::path(dir) / "IDENTITY", "3a1f");
  WriteFile(fs::path(dir) / "MANIFEST-000001", "half a manifest");
  WriteFile(fs::path(dir) / "000003.dbtmp", "");
  const auto before = Snapshot(dir, InfoLogs::kInclude);

  testing::OpenLog ro;
  Status s = testing::OpenRocksLog(dir, &ro, /*read_only=*/true);
  CHECK(s.code() == Code::kNotFound);
  CHECK(Contains(s.message(), "no data"));
  CHECK(Snapshot(dir, InfoLogs::kInclude) == before);

  testing::OpenLog rw;
  s = testing::OpenRocksLog(dir, &rw);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(rw.log->Append(testing::OneEvent("case-1")).status.ok());
  CHECK(rw.log->VerifyChain(1, 0).ok);
}

TEST_CASE("a database cut short before its families were added is taken up by a writable open",
          "[open]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(options, dir, &db).ok());
    REQUIRE(db->Close().ok());
    delete db;
  }
  testing::OpenLog ro;
  CHECK(testing::OpenRocksLog(dir, &ro, /*read_only=*/true).code() == Code::kInvalidArgument);
  testing::OpenLog rw;
  Status s = testing::OpenRocksLog(dir, &rw);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(rw.log->Append(testing::OneEvent("case-1")).status.ok());
}

}  // namespace caseengine
