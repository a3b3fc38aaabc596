// Tamper detection over part of the log: EventLog::VerifyChain and `casereplay verify`
// with --from and --to report a changed event inside the range checked and not one outside
// it, the event before the range being the anchor the range chains onto.
#include <catch2/catch.hpp>
#include <string>

#include "events/event_log.h"
#include "tests/tamper_support.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

using testing::tamper::Casereplay;
using testing::tamper::FlipByte;
using testing::tamper::HashByte;
using testing::tamper::PayloadByte;
using testing::tamper::RequireBrokenAt;
using testing::tamper::WriteLog;

}  // namespace

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

}  // namespace caseengine
