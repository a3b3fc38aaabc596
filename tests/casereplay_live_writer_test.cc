// casereplay, driven as a separate process, on a folder that an engine has open for
// writing: `verify` and `dump` see at least every synced event, before, after and while
// the writer appends, and a chain that is a prefix of the writer's.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "events/event_log.h"
#include "tests/casereplay_cli_support.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

using testing::casereplay_cli::AppendKnown;
using testing::casereplay_cli::Casereplay;
using testing::casereplay_cli::DumpJson;
using testing::casereplay_cli::Hex;
using testing::casereplay_cli::OpenWithClock;
using testing::casereplay_cli::ParseVerify;
using testing::casereplay_cli::VerifyOutput;

}  // namespace

TEST_CASE("casereplay verifies and dumps a folder that a writer has open", "[casereplay]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  testing::OpenLog ol;
  OpenWithClock(dir, &ol);
  auto written = AppendKnown(ol.log.get(), 50);
  const uint64_t synced = ol.log->HeadPosition();  // every Append returned: all synced
  REQUIRE(synced == written.size());

  auto hash_at = [&](uint64_t position) {
    std::vector<RecordedEvent> e;
    REQUIRE(ol.log->ReadAll(position, 1, &e).ok());
    REQUIRE(e.size() == 1);
    return Hex(e[0].hash);
  };

  {
    std::string out;
    const int status = Casereplay({"verify", "--data", dir}, &out);
    INFO(out);
    REQUIRE(status == 0);
    const VerifyOutput v = ParseVerify(out);
    CHECK(v.head_position >= synced);
    CHECK(v.events == v.head_position);
    CHECK(v.head_hash == hash_at(v.head_position));
    const auto lines = DumpJson({"--data", dir});
    REQUIRE(lines.size() >= synced);
    for (size_t i = 0; i < written.size(); ++i) {
      CHECK(lines[i]["position"] == written[i].position);
      CHECK(lines[i]["stream"] == written[i].stream);
    }
  }

  // The writer keeps going; still open, it appends more, and casereplay sees them.
  const auto more = AppendKnown(ol.log.get(), 20, 50);
  {
    std::string out;
    REQUIRE(Casereplay({"verify", "--data", dir}, &out) == 0);
    const VerifyOutput v = ParseVerify(out);
    CHECK(v.head_position >= written.size() + more.size());
  }

  {
    // ... and while appends are in flight: each run sees at least what was synced when
    // it started, and a chain that is a prefix of the writer's.
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0}, appended{0};
    const uint64_t start = ol.log->HeadPosition();
    std::thread writer([&] {
      for (int k = 0; !stop.load(); ++k) {
        AppendRequest r = testing::OneEvent("busy-" + std::to_string(k % 4));
        if (k % 3 == 0) r.writes[0].events.push_back({"SomethingElse", std::string(300, 'x')});
        if (ol.log->Append(std::move(r)).status.ok()) {
          appended++;
        } else {
          failures++;
        }
      }
    });
    // Let the writer get going, so the runs below overlap its appends.
    for (int i = 0; i < 1000 && appended.load() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::vector<VerifyOutput> seen;
    for (int round = 0; round < 8; ++round) {
      const uint64_t before = ol.log->HeadPosition();
      std::string out;
      const int status = Casereplay({"verify", "--data", dir}, &out);
      INFO("round " << round << ": " << out);
      CHECK(status == 0);
      if (status != 0) continue;
      const VerifyOutput v = ParseVerify(out);
      CHECK(v.head_position >= before);
      CHECK(v.events == v.head_position);
      seen.push_back(v);
    }
    stop = true;
    writer.join();
    CHECK(failures == 0);
    CHECK(appended > 0);
    CHECK(ol.log->HeadPosition() > start);
    for (const auto& v : seen) {
      REQUIRE(v.head_position <= ol.log->HeadPosition());
      CHECK(v.head_hash == hash_at(v.head_position));
    }
  }
}

}  // namespace caseengine
