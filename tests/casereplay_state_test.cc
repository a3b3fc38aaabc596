// casereplay state (docs/auditing.md): --at a position and --as-of an instant or day equal
// the live state recorded up to there, exit 2 before a stream's first event, only the
// stream's own events are read, and an erased client's personal fields show as erased.
#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "aggregates/state_reader.h"
#include "base/time_format.h"
#include "events/event_view.h"
#include "events/log_format.h"
#include "projections/read_models.h"
#include "tests/casereplay_audit_support.h"
#include "tests/raw_folder.h"
#include "tests/test_support.h"

namespace caseengine {

namespace {

using nlohmann::json;
using testing::RawEdit;
using testing::TempDir;

using testing::casereplay_audit::Casereplay;
using testing::casereplay_audit::Contains;
using testing::casereplay_audit::Families;
using testing::casereplay_audit::Family;
using testing::casereplay_audit::kDay;
using testing::casereplay_audit::kHour;
using testing::casereplay_audit::kMonday;
using testing::casereplay_audit::Office;
using testing::casereplay_audit::Ok;
using testing::casereplay_audit::OpenEngine;
using testing::casereplay_audit::ParseObject;
using testing::casereplay_audit::Ran;
using testing::casereplay_audit::RawPut;
using testing::casereplay_audit::RunWorkload;
using testing::casereplay_audit::Snap;
using testing::casereplay_audit::VerifyInProcess;
using testing::casereplay_audit::Worked;
using testing::casereplay_audit::Workload;
using testing::casereplay_audit::WorkThreeDays;

}  // namespace

// =======================================================================================
// State as it was.

TEST_CASE("casereplay state --at equals the live state at that position", "[audit][state]") {
  // Given an engine's folder after a random workload, with the live state of each stream after
  // every command
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Workload w;
  {
    auto engine = OpenEngine(dir);
    w = RunWorkload(*engine, 220, 7);
  }
  REQUIRE(w.accepted > 80);
  REQUIRE(w.refused > 10);
  REQUIRE(!w.lobby.empty());
  std::set<std::string> kinds;
  for (const Snap& s : w.snaps) kinds.insert(s.stream.substr(0, s.stream.find('-')));
  CHECK(kinds == std::set<std::string>{"case", "client", "lobby"});

  // When casereplay state --at prints each stream at each of those positions
  // Then it equals the live state then, printed with two-space indentation
  bool format_checked = false;
  for (const Snap& s : w.snaps) {
    INFO(s.stream << " at " << s.position);
    const Ran r = Casereplay(
        {"state", "--data", dir, "--stream", s.stream, "--at", std::to_string(s.position)});
    INFO(r);
    REQUIRE(r.status == 0);
    const json got = ParseObject(r.out);
    CHECK(got == s.state);
    if (!format_checked) {
      // Printed with two-space indentation.
      std::string trimmed = r.out;
      while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) {
        trimmed.pop_back();
      }
      CHECK(trimmed == got.dump(2));
      format_checked = true;
    }
  }
  // And without --at or --as-of it prints the state now, which is each stream's last snapshot
  std::map<std::string, json> last;
  for (const Snap& s : w.snaps) last[s.stream] = s.state;
  int checked = 0;
  for (const auto& [stream, state] : last) {
    if (++checked > 40) break;
    INFO(stream << " now");
    CHECK(ParseObject(Ok({"state", "--data", dir, "--stream", stream})) == state);
  }
}

TEST_CASE("casereplay state --as-of shows the aggregate as recorded up to that instant or day",
          "[audit][state]") {
  // Given three days of casework on a clock the test sets
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();

  // When casereplay state --as-of prints client, case and Lobby streams at each event's instant
  for (const std::string& stream :
       {"client-" + w.client, "case-" + w.kase, "lobby-" + w.lobby, "client-" + w.other_client}) {
    INFO(stream);
    const auto events = o.Stream(stream);
    REQUIRE(!events.empty());
    for (size_t i = 0; i < events.size(); ++i) {
      const RecordedEvent& e = events[i];
      INFO("event " << e.position << " " << e.type << " at " << FormatMicrosUtc(e.recorded_at));
      const json at_event = o.StateAsOf(stream, AsOf{e.position, 0});
      // Then at the instant an event was recorded, it is included...
      const json got = ParseObject(Ok(
          {"state", "--data", dir, "--stream", stream, "--as-of", FormatMicrosUtc(e.recorded_at)}));
      CHECK(got == at_event);
      CHECK(got == o.StateAsOf(stream, AsOf{0, e.recorded_at}));
      CHECK(got == ParseObject(Ok({"state", "--data", dir, "--stream", stream, "--at",
                                   std::to_string(e.position)})));
      // ... a microsecond before, it is not.
      if (i > 0 && events[i - 1].recorded_at < e.recorded_at) {
        const json before = ParseObject(Ok({"state", "--data", dir, "--stream", stream, "--as-of",
                                            FormatMicrosUtc(e.recorded_at - 1)}));
        CHECK(before == o.StateAsOf(stream, AsOf{events[i - 1].position, 0}));
      }
    }
    // And with neither flag it is the state now
    CHECK(ParseObject(Ok({"state", "--data", dir, "--stream", stream})) ==
          o.StateAsOf(stream, AsOf()));
  }

  const std::string client = "client-" + w.client;
  // And a date means the end of that day (UTC): the first day's changes, not the second's
  // (whose first one was recorded at midnight exactly).
  const json day1 =
      ParseObject(Ok({"state", "--data", dir, "--stream", client, "--as-of", "2025-11-24"}));
  CHECK(day1 == o.StateAsOf(client, AsOf{0, kMonday + kDay - 1}));
  CHECK(day1["status"] == "inactive");
  CHECK(day1["groups"] == json::array());
  const json day2 =
      ParseObject(Ok({"state", "--data", dir, "--stream", client, "--as-of", "2025-11-25"}));
  CHECK(day2 == o.StateAsOf(client, AsOf{0, kMonday + 2 * kDay - 1}));
  CHECK(day2["groups"] == json::array({"families"}));
  CHECK(day2["case_number"] == "HX-2025-001");
  // And an instant without a fraction, and one with an offset (10:00+01:00 is 09:00Z), are read
  // alike
  CHECK(ParseObject(
            Ok({"state", "--data", dir, "--stream", client, "--as-of", "2025-11-25T09:00:00Z"})) ==
        o.StateAsOf(client, AsOf{0, kMonday + kDay + 9 * kHour}));
  CHECK(ParseObject(Ok({"state", "--data", dir, "--stream", client, "--as-of",
                        "2025-11-25T10:00:00+01:00"})) ==
        o.StateAsOf(client, AsOf{0, kMonday + kDay + 9 * kHour}));
}

TEST_CASE("casereplay state of a stream with no events by then is exit 2", "[audit][state]") {
  // Given three days of casework, with a client whose first event is not position 1
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();
  const std::string stream = "client-" + w.other_client;  // its first event is not position 1
  const auto events = o.Stream(stream);
  REQUIRE(events[0].position > 1);
  const int64_t first = events[0].recorded_at;

  const std::vector<std::vector<std::string>> exit2 = {
      {"state", "--data", dir, "--stream", "client-0123456789abcdef"},
      {"state", "--data", dir, "--stream", "case-nobody", "--at", "5"},
      {"state", "--data", dir, "--stream", stream, "--at", std::to_string(events[0].position - 1)},
      {"state", "--data", dir, "--stream", stream, "--as-of", "2025-11-23"},
      {"state", "--data", dir, "--stream", stream, "--as-of", FormatMicrosUtc(first - 1)},
      {"state", "--data", dir, "--stream", stream, "--as-of", "yesterday"},
      {"state", "--data", dir, "--stream", stream, "--at", "seven"},
      {"state", "--data", dir, "--stream", stream, "--at", "5", "--as-of", "2025-11-26"},
      {"state", "--data", dir},
      {"state", "--data", tmp.Sub("nowhere"), "--stream", stream},
  };
  // When casereplay state asks for streams before their first event, unknown streams, bad times and
  // positions, or a missing folder Then each is exit 2 with a message
  for (const auto& args : exit2) {
    const Ran r = Casereplay(args);
    INFO(args[args.size() - 2] << " " << args.back() << ": " << r);
    CHECK(r.status == 2);
    CHECK_FALSE(r.err.empty());
  }
  // And at its first event the stream exists
  CHECK(Casereplay({"state", "--data", dir, "--stream", stream, "--at",
                    std::to_string(events[0].position)})
            .status == 0);
  CHECK(Casereplay({"state", "--data", dir, "--stream", stream, "--as-of", FormatMicrosUtc(first)})
            .status == 0);
}

TEST_CASE("casereplay state reads only the stream's own events", "[audit][state]") {
  // Given three days of casework, and an unreadable event of another stream in the middle of the
  // client's events
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();
  const std::string stream = "client-" + w.client;
  const json expected = o.StateAsOf(stream, AsOf());
  const auto all = o.All();
  const auto own = o.Stream(stream);
  o.Close();
  uint64_t garbage = 0;
  for (const auto& r : all) {
    if (r.stream != stream && r.position > own.front().position &&
        r.position < own.back().position) {
      garbage = r.position;
      break;
    }
  }
  REQUIRE(garbage != 0);
  RawEdit(dir, [&](rocksdb::DB* db, Families& f) {
    RawPut(db, Family(f, log_format::kLogFamily), log_format::LogKey(garbage),
           "not an envelope at all");
  });
  REQUIRE_FALSE(VerifyInProcess(dir).ok);
  // When the client's state is printed
  // Then it is the state as recorded: the unreadable event is never read
  CHECK(ParseObject(Ok({"state", "--data", dir, "--stream", stream})) == expected);
  CHECK(ParseObject(Ok({"state", "--data", dir, "--stream", stream, "--as-of", "2025-11-27"})) ==
        expected);
}

TEST_CASE("casereplay state shows the personal fields of an erased client as erased",
          "[audit][state][erasure]") {
  // Given three days of casework with an erased client
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  Office o(dir);
  const Worked w = WorkThreeDays(o);
  o.ReopenReadOnly();
  const std::string client = "client-" + w.erased_client;
  const auto events = o.Stream(client);
  REQUIRE(events.size() >= 2);

  // When casereplay state prints the client now
  // Then it is erased and deleted, with none of its personal fields
  const json now = ParseObject(Ok({"state", "--data", dir, "--stream", client}));
  CHECK(now == o.StateAsOf(client, AsOf()));
  CHECK(now["erased"] == true);
  CHECK(now["deleted"] == true);
  for (const char* field : {"surname", "forenames", "email", "date_of_birth"}) {
    CHECK_FALSE(now.contains(field));
  }
  // And before the erasure was recorded the key was there, but it is gone now: the replay
  // cannot show what the person's fields were then either.
  const json then = ParseObject(
      Ok({"state", "--data", dir, "--stream", client, "--at", std::to_string(events[0].position)}));
  CHECK(then == o.StateAsOf(client, AsOf{events[0].position, 0}));
  for (const char* field : {"surname", "forenames", "email", "date_of_birth"}) {
    CHECK_FALSE(then.contains(field));
  }
  CHECK_FALSE(Contains(then.dump(), "Zanzibarova"));
  CHECK(then["erased"] == true);  // what an auditor reads: the details are gone
  CHECK(then["deleted"] == false);
  // And a client whose key exists shows them
  const json kept = ParseObject(Ok({"state", "--data", dir, "--stream", "client-" + w.client}));
  CHECK(kept["surname"] == "Harrow");
  CHECK(kept["erased"] == false);
}

}  // namespace caseengine
