// casereplay, the auditor's command line, driven as a separate process on logs of known
// content: `verify` agrees with the in-process chain check and refuses a range past the
// head or backwards as a usage error, bad folders give exit status 2, and the folder is
// never written.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "tests/casereplay_cli_support.h"
#include "tests/raw_folder.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

using testing::casereplay_cli::Casereplay;
using testing::casereplay_cli::Hex;
using testing::casereplay_cli::ParseVerify;
using testing::casereplay_cli::Streams;
using testing::casereplay_cli::VerifyOutput;
using testing::casereplay_cli::WriteKnownLog;

namespace fs = std::filesystem;

std::map<std::string, std::string> Snapshot(const std::string& dir) {
  return testing::FolderSnapshot(dir);
}

}  // namespace

TEST_CASE("casereplay verify on an intact log agrees with the in-process chain check",
          "[casereplay]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const auto written = WriteKnownLog(dir);

  testing::OpenLog ol;
  REQUIRE(testing::OpenRocksLog(dir, &ol, /*read_only=*/true).ok());
  const VerifyReport report = ol.log->VerifyChain(1, 0);
  REQUIRE(report.ok);
  REQUIRE(ol.log->HeadPosition() == written.size());

  std::string out;
  const int status = Casereplay({"verify", "--data", dir}, &out);
  INFO(out);
  REQUIRE(status == 0);
  const VerifyOutput v = ParseVerify(out);
  CHECK(v.events == written.size());
  CHECK(v.events == report.checked);
  CHECK(v.head_position == ol.log->HeadPosition());
  CHECK(v.head_position == report.last_position);
  CHECK(v.head_hash == Hex(report.last_hash));
  std::vector<RecordedEvent> last;
  REQUIRE(ol.log->ReadAll(written.size(), 1, &last).ok());
  REQUIRE(last.size() == 1);
  CHECK(v.head_hash == Hex(last[0].hash));
}

TEST_CASE("casereplay exits 2 naming the folder when it is missing or not a log", "[casereplay]") {
  testing::TempDir tmp;
  const std::string missing = tmp.Sub("no-such-folder");
  for (const char* command : {"verify", "dump"}) {
    INFO(command);
    std::string out;
    const int status = Casereplay({command, "--data", missing}, &out);
    INFO(out);
    CHECK(status == 2);
    CHECK_THAT(out, Catch::Contains(missing));
    CHECK_FALSE(fs::exists(missing));  // read-only: it must not create the folder
  }
  const std::string empty = tmp.Sub("empty");
  fs::create_directories(empty);
  for (const char* command : {"verify", "dump"}) {
    INFO(command);
    std::string out;
    const int status = Casereplay({command, "--data", empty}, &out);
    INFO(out);
    CHECK(status == 2);
    CHECK_THAT(out, Catch::Contains(empty));
    CHECK(fs::is_empty(empty));
  }
}

TEST_CASE("casereplay never writes to the data folder", "[casereplay]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  const auto written = WriteKnownLog(dir);
  const auto before = Snapshot(dir);
  REQUIRE(before.count("CURRENT") == 1);

  const std::vector<std::vector<std::string>> commands{
      {"verify", "--data", dir},
      {"verify", "--data", dir, "--from", "10", "--to", "20"},
      {"dump", "--data", dir},
      {"dump", "--data", dir, "--stream", Streams()[0]},
      {"dump", "--data", dir, "--from", "5", "--limit", "3"},
  };
  for (const auto& args : commands) {
    INFO(args[0] << " " << (args.size() > 3 ? args[3] : ""));
    std::string out;
    REQUIRE(Casereplay(args, &out) == 0);
    CHECK(Snapshot(dir) == before);
  }
}

TEST_CASE("casereplay verify refuses a range past the head or backwards as a usage error",
          "[casereplay]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  WriteKnownLog(dir);
  std::string head_out;
  REQUIRE(Casereplay({"verify", "--data", dir}, &head_out) == 0);
  const uint64_t head = ParseVerify(head_out).head_position;
  std::string out;
  CHECK(Casereplay({"verify", "--data", dir, "--from", std::to_string(head + 2)}, &out) == 2);
  CHECK_THAT(out, Catch::Contains("beyond the head"));
  CHECK(Casereplay({"verify", "--data", dir, "--from", "3", "--to", "2"}, &out) == 2);
  CHECK_THAT(out, Catch::Contains("after --to"));
  CHECK(Casereplay({"verify", "--data", dir, "--from", "2", "--to", "3"}, &out) == 0);
  CHECK_THAT(out, Catch::Contains("checked positions: 2..3 of " + std::to_string(head)));
}

}  // namespace caseengine
