// casereplay diff (docs/auditing.md): a changed row and rows only in one folder are named,
// and --max limits the differences printed but not those counted.
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "events/event_log.h"
#include "tests/casereplay_audit_support.h"
#include "tests/raw_folder.h"
#include "tests/test_support.h"

namespace caseengine {

namespace {

namespace fs = std::filesystem;
using testing::RawEdit;
using testing::TempDir;

using testing::casereplay_audit::Casereplay;
using testing::casereplay_audit::Contains;
using testing::casereplay_audit::DiffSummary;
using testing::casereplay_audit::Families;
using testing::casereplay_audit::Family;
using testing::casereplay_audit::LastLine;
using testing::casereplay_audit::Lines;
using testing::casereplay_audit::Ok;
using testing::casereplay_audit::Ran;
using testing::casereplay_audit::RawDelete;
using testing::casereplay_audit::RawPut;
using testing::casereplay_audit::WorkedFolder;

// The first `n` (key, value) rows of a family.
std::vector<std::pair<std::string, std::string>> FirstRows(rocksdb::DB* db,
                                                           rocksdb::ColumnFamilyHandle* family,
                                                           size_t n) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), family));
  for (it->SeekToFirst(); it->Valid() && rows.size() < n; it->Next()) {
    rows.emplace_back(it->key().ToString(), it->value().ToString());
  }
  REQUIRE(it->status().ok());
  return rows;
}

bool SaysDifferences(const std::string& last, uint64_t n) {
  return last == std::to_string(n) + " differences" ||
         (n == 1 && last == std::to_string(n) + " difference");
}

// Printable ASCII as is, other bytes as \xNN (both cases of hex digits accepted by the
// callers, which search for either).
std::string Printable(const std::string& s, bool upper = false) {
  std::string out;
  char buf[8];
  for (unsigned char c : s) {
    if (c >= 0x20 && c <= 0x7e) {
      out.push_back(static_cast<char>(c));
    } else {
      std::snprintf(buf, sizeof buf, upper ? "\\x%02X" : "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

bool ContainsPrintable(const std::string& out, const std::string& prefix, const std::string& raw) {
  return Contains(out, prefix + Printable(raw)) || Contains(out, prefix + Printable(raw, true));
}

}  // namespace

TEST_CASE("casereplay diff names a changed row and rows only in one folder", "[audit][diff]") {
  // Given an engine's folder and a rebuild of its read models that agrees with it
  TempDir tmp;
  const std::string dir = tmp.Sub("data"), into = tmp.Sub("rebuilt");
  const uint64_t head = WorkedFolder(dir, 200, 5);
  Ok({"rebuild", "--data", dir, "--into", into});
  REQUIRE(Casereplay({"diff", dir, into}).status == 0);

  std::pair<std::string, std::string> changed;  // key, old value
  std::string new_value;
  std::pair<std::string, std::string> deleted;
  const std::string extra_key = std::string("zz-extra\x01", 9);
  // When the rebuild has a row changed, one deleted and one added
  RawEdit(into, [&](rocksdb::DB* db, Families& f) {
    auto* case_list = Family(f, "rm.case_list");
    auto rows = FirstRows(db, case_list, 1);
    REQUIRE(rows.size() == 1);
    changed = rows[0];
    new_value = changed.second + "!";
    RawPut(db, case_list, changed.first, new_value);
    auto* people = Family(f, "rm.case_people");
    rows = FirstRows(db, people, 1);
    REQUIRE(rows.size() == 1);
    deleted = rows[0];
    RawDelete(db, people, deleted.first);
    RawPut(db, Family(f, "rm.journal"), extra_key, "a row nobody wrote");
  });

  // Then diff names each (exit 1), with both values of the changed row, and counts them per read
  // model
  const Ran diff = Casereplay({"diff", dir, into});
  INFO(diff);
  CHECK(diff.status == 1);
  CHECK(ContainsPrintable(diff.out, "  differs: ", changed.first));
  CHECK(ContainsPrintable(diff.out, "    A: ", changed.second));
  CHECK(ContainsPrintable(diff.out, "    B: ", new_value));
  CHECK(ContainsPrintable(diff.out, "  only in A: ", deleted.first));
  CHECK(ContainsPrintable(diff.out, "  only in B: ", extra_key));
  CHECK((Contains(diff.out, "  only in B: zz-extra\\x01") ||
         Contains(diff.out, "  only in B: zz-extra\\X01")));
  const auto summary = DiffSummary(diff.out);
  REQUIRE(summary.count("case_list") == 1);
  CHECK(summary.at("case_list").differences == 1);
  CHECK(summary.at("case_people").differences == 1);
  CHECK(summary.at("journal").differences == 1);
  CHECK(summary.at("audit_trail").differences == 0);
  CHECK(summary.at("case_list").a == head);
  CHECK(summary.at("case_list").b == head);
  CHECK(SaysDifferences(LastLine(diff.out), 3));

  // And the differs line comes with both values, right after it
  const auto lines = Lines(diff.out);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("  differs: ", 0) != 0) continue;
    REQUIRE(i + 2 < lines.size());
    CHECK(lines[i + 1].rfind("    A: ", 0) == 0);
    CHECK(lines[i + 2].rfind("    B: ", 0) == 0);
  }

  // And --read-model compares one read model alone; a missing folder is a usage error (and is not
  // made)
  const Ran one = Casereplay({"diff", dir, into, "--read-model", "case_people"});
  INFO(one);
  CHECK(one.status == 1);
  const auto one_summary = DiffSummary(one.out);
  CHECK(one_summary.size() == 1);
  CHECK(one_summary.count("case_people") == 1);
  CHECK(ContainsPrintable(one.out, "  only in A: ", deleted.first));
  CHECK_FALSE(Contains(one.out, "differs:"));
  CHECK(SaysDifferences(LastLine(one.out), 1));
  const Ran missing = Casereplay({"diff", dir, tmp.Sub("nowhere")});
  INFO(missing);
  CHECK(missing.status == 2);
  CHECK_FALSE(fs::exists(tmp.Sub("nowhere")));
  const Ran clean = Casereplay({"diff", dir, into, "--read-model", "lobby_queue"});
  INFO(clean);
  CHECK(clean.status == 0);
  CHECK(LastLine(clean.out) == "no differences");
}

TEST_CASE("casereplay diff --max limits the differences printed but not those counted",
          "[audit][diff]") {
  // Given a rebuild of an engine's read models with five journal rows deleted
  TempDir tmp;
  const std::string dir = tmp.Sub("data"), into = tmp.Sub("rebuilt");
  WorkedFolder(dir, 200, 9);
  Ok({"rebuild", "--data", dir, "--into", into});
  RawEdit(into, [&](rocksdb::DB* db, Families& f) {
    auto* journal = Family(f, "rm.journal");
    const auto rows = FirstRows(db, journal, 5);
    REQUIRE(rows.size() == 5);
    for (const auto& row : rows) RawDelete(db, journal, row.first);
  });
  auto count = [](const std::string& out, const std::string& what) {
    size_t n = 0;
    for (const auto& line : Lines(out)) n += line.rfind(what, 0) == 0;
    return n;
  };
  // When diff runs with --max 2
  // Then it prints two differences and counts five
  const Ran two = Casereplay({"diff", dir, into, "--max", "2"});
  INFO(two);
  CHECK(two.status == 1);
  CHECK(count(two.out, "  only in A: ") == 2);
  CHECK(DiffSummary(two.out).at("journal").differences == 5);
  CHECK(SaysDifferences(LastLine(two.out), 5));
  // And by default it prints up to 20
  const Ran all = Casereplay({"diff", dir, into});
  INFO(all);
  CHECK(count(all.out, "  only in A: ") == 5);  // the default shows up to 20
  CHECK(SaysDifferences(LastLine(all.out), 5));
}

}  // namespace caseengine
