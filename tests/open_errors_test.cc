// Opening a data folder that is missing, holds something else, is damaged or is locked by
// another writer must give a clear error and leave every file as it was.
//
// "As it was" is checked by hashing every file under the folder before and after. A
// writable RocksDB open writes RocksDB's own info log even when it then fails (it renames
// LOG to LOG.old.<time> and starts a new LOG), so after a writable open the comparison
// leaves out files named LOG and LOG.old.*: they are diagnostics, not data. After a
// read-only open, and where the folder is refused before RocksDB runs, nothing at all
// may change.
#include <fcntl.h>
#include <poll.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/sha256.h"
#include "events/event_log.h"
#include "events/log_format.h"
#include "tests/raw_folder.h"
#include "tests/test_support.h"

namespace Catch {
template <>
struct StringMaker<caseengine::Status::Code> {
  static std::string convert(caseengine::Status::Code c) { return caseengine::Status::CodeName(c); }
};
}  // namespace Catch

namespace caseengine {
namespace {

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

enum class InfoLogs { kInclude, kExclude };

std::map<std::string, std::string> Snapshot(const std::string& dir, InfoLogs info_logs) {
  return testing::FolderSnapshot(dir, info_logs == InfoLogs::kInclude);
}

// What changed between two snapshots, or "" when nothing did.
std::string Diff(const std::map<std::string, std::string>& before,
                 const std::map<std::string, std::string>& after) {
  std::string d;
  for (const auto& [path, hash] : before) {
    auto it = after.find(path);
    if (it == after.end()) {
      d += "removed " + path + "; ";
    } else if (it->second != hash) {
      d += "changed " + path + "; ";
    }
  }
  for (const auto& [path, hash] : after) {
    if (!before.count(path)) d += "added " + path + "; ";
  }
  return d;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
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

// A caseengine data folder holding `n` events on stream-0, stream-1, ..., closed.
void MakeLog(const std::string& dir, int n) {
  testing::OpenLog open;
  REQUIRE(testing::OpenRocksLog(dir, &open).ok());
  for (int i = 0; i < n; ++i) {
    AppendOutcome o = open.log->Append(
        testing::OneEvent("stream-" + std::to_string(i % 3), ExpectedVersion::Any()));
    REQUIRE(o.status.ok());
  }
  REQUIRE(open.log->HeadPosition() == static_cast<uint64_t>(n));
}

// A read-only open that must work and show exactly the `n` events of MakeLog, chained.
void CheckReadOnlyView(const std::string& dir, int n) {
  testing::OpenLog ro;
  Status s = testing::OpenRocksLog(dir, &ro, /*read_only=*/true);
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(ro.log->HeadPosition() == static_cast<uint64_t>(n));
  std::vector<RecordedEvent> events;
  REQUIRE(ro.log->ReadAll(1, 1000, &events).ok());
  REQUIRE(events.size() == static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    CHECK(events[i].position == static_cast<uint64_t>(i + 1));
    CHECK(events[i].stream == "stream-" + std::to_string(i % 3));
    CHECK(events[i].version == static_cast<uint64_t>(i / 3 + 1));
  }
  VerifyReport r = ro.log->VerifyChain(1, 0);
  REQUIRE(r.ok);
  REQUIRE(r.checked == static_cast<uint64_t>(n));
  // A read-only log refuses appends rather than writing.
  REQUIRE(ro.log->Append(testing::OneEvent("stream-0")).status.code() == Code::kFailedPrecondition);
}

// log_crash_child --hold: another process with the folder open for writing, idle. It is
// exec'd rather than only forked, because this process may already run RocksDB's
// background threads, and a forked copy of a threaded process may not use them.
class HoldingChild {
 public:
  explicit HoldingChild(const std::string& dir) {
    pid_ = testing::SpawnWithStdoutPipe({LOG_CRASH_CHILD_PATH, "--data", dir, "--hold"}, &fd_);
  }
  ~HoldingChild() { Stop(); }

  // Waits for the child's "ready": the folder is open and locked.
  std::string WaitOpen() {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!Contains(out, "\n") && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 1000) <= 0) continue;
      char buf[512];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
};

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

TEST_CASE("a data folder open in this process is refused as busy; read-only opens still work",
          "[open]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  testing::OpenLog first;
  REQUIRE(testing::OpenRocksLog(dir, &first).ok());
  for (int i = 0; i < 5; ++i) {
    REQUIRE(first.log->Append(testing::OneEvent("stream-" + std::to_string(i % 3))).status.ok());
  }
  const auto before = Snapshot(dir, InfoLogs::kExclude);

  testing::OpenLog second;
  Status s = testing::OpenRocksLog(dir, &second);
  INFO(s.ToString());
  REQUIRE(s.code() == Code::kBusy);
  REQUIRE(Contains(s.message(), dir));
  REQUIRE(Contains(s.message(), "in use"));
  {
    const std::string diff = Diff(before, Snapshot(dir, InfoLogs::kExclude));
    INFO(diff);
    REQUIRE(diff.empty());
  }

  // The first log is unharmed and goes on.
  REQUIRE(first.log->Append(testing::OneEvent("stream-2")).status.ok());
  REQUIRE(first.log->HeadPosition() == 6);
  REQUIRE(first.log->VerifyChain(1, 0).ok);

  // A reader does not need the lock, and sees every durable event.
  CheckReadOnlyView(dir, 6);
}

TEST_CASE("a data folder open in another process is refused as busy; read-only opens still work",
          "[open]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  MakeLog(dir, 7);

  HoldingChild holder(dir);
  const std::string said = holder.WaitOpen();
  INFO("the holding process said: " << said);
  REQUIRE(said == "ready\n");
  const auto before = Snapshot(dir, InfoLogs::kExclude);

  testing::OpenLog open;
  Status s = testing::OpenRocksLog(dir, &open);
  INFO(s.ToString());
  REQUIRE(s.code() == Code::kBusy);
  REQUIRE(Contains(s.message(), dir));
  REQUIRE(Contains(s.message(), "in use"));
  {
    const std::string diff = Diff(before, Snapshot(dir, InfoLogs::kExclude));
    INFO(diff);
    REQUIRE(diff.empty());
  }

  CheckReadOnlyView(dir, 7);

  // Once the holder is gone, the lock goes with it.
  holder.Stop();
  REQUIRE(testing::OpenRocksLog(dir, &open).ok());
  REQUIRE(open.log->HeadPosition() == 7);
  REQUIRE(open.log->VerifyChain(1, 0).ok);
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

// A RocksDB database made by something else: only the default family, one key.
void MakeForeignDb(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  rocksdb::Status rs = rocksdb::DB::Open(options, dir, &db);
  REQUIRE(rs.ok());
  REQUIRE(db->Put(rocksdb::WriteOptions(), "rent-account-17", "arrears 120.00").ok());
  REQUIRE(db->FlushWAL(/*sync=*/true).ok());
  REQUIRE(db->Close().ok());
  delete db;
}

// The foreign database is still what its owner left: one family, its key.
void CheckForeignDbIntact(const std::string& dir) {
  std::vector<std::string> families;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &families).ok());
  REQUIRE(families == std::vector<std::string>{rocksdb::kDefaultColumnFamilyName});
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir, &db).ok());
  std::string value;
  CHECK(db->Get(rocksdb::ReadOptions(), "rent-account-17", &value).ok());
  CHECK(value == "arrears 120.00");
  delete db;
}

void CheckRefusedAsForeign(const Status& s, const std::string& dir) {
  INFO(s.ToString());
  REQUIRE_FALSE(s.ok());
  REQUIRE(s.code() == Code::kInvalidArgument);
  REQUIRE(Contains(s.message(), dir));
  REQUIRE(Contains(s.message(), "not a caseengine data folder"));
}

TEST_CASE("a RocksDB folder that is not a caseengine log is refused read-only and left as it was",
          "[open]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("other-db");
  MakeForeignDb(dir);
  const auto before = Snapshot(dir, InfoLogs::kInclude);  // read-only: not even the LOG

  testing::OpenLog open;
  CheckRefusedAsForeign(testing::OpenRocksLog(dir, &open, /*read_only=*/true), dir);
  open.Close();
  const std::string diff = Diff(before, Snapshot(dir, InfoLogs::kInclude));
  INFO(diff);
  REQUIRE(diff.empty());
  CheckForeignDbIntact(dir);
}

TEST_CASE("a RocksDB folder that is not a caseengine log is refused writable and left as it was",
          "[open]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("other-db");
  MakeForeignDb(dir);
  const auto before = Snapshot(dir, InfoLogs::kExclude);

  testing::OpenLog open;
  Status s = testing::OpenRocksLog(dir, &open);
  open.Close();
  const std::string diff = Diff(before, Snapshot(dir, InfoLogs::kExclude));
  {
    INFO("files changed by the open: " << diff);
    CheckRefusedAsForeign(s, dir);
  }
  INFO(diff);
  REQUIRE(diff.empty());
  CheckForeignDbIntact(dir);
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

}  // namespace
}  // namespace caseengine

namespace caseengine {
namespace {

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

}  // namespace
}  // namespace caseengine
