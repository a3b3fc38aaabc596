// Opening a RocksDB database made by something else (only the default family, one key),
// read-only or writable, must be refused as not a caseengine data folder and leave it as it
// was: every file (compared as open_errors_support.h describes), its family and its key.
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/open_errors_support.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

using testing::open_errors::Contains;
using testing::open_errors::Diff;
using testing::open_errors::InfoLogs;
using testing::open_errors::Snapshot;

using Code = Status::Code;

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

}  // namespace

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

}  // namespace caseengine
