// EventLog semantics, run against both stores (the in-memory twin and RocksDB): expected
// versions, multi-stream atomicity, idempotency, reads, waiting, validation; and the
// range scan the auditors' reads share.
#include "events/event_log.h"

#include <catch2/catch.hpp>
#include <thread>

#include "events/log_range.h"
#include "tests/test_support.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

// A log on the store kind chosen by the test's section.
struct Fixture {
  TempDir dir;
  std::unique_ptr<MemoryStore> memory;
  OpenLog rocks;
  EventLog* log = nullptr;

  explicit Fixture(bool use_rocks) {
    if (use_rocks) {
      REQUIRE(OpenRocksLog(dir.Sub("data"), &rocks).ok());
      log = rocks.log.get();
    } else {
      memory = NewMemoryLogStore();
      REQUIRE(EventLog::Open(memory.get(), EventLogOptions(), &rocks.log).ok());
      log = rocks.log.get();
    }
  }
  ~Fixture() { rocks.log.reset(); }
};

std::vector<RecordedEvent> All(EventLog* log) {
  std::vector<RecordedEvent> out;
  REQUIRE(log->ReadAll(1, 1 << 20, &out).ok());
  return out;
}

}  // namespace

TEST_CASE("appends get gapless positions and per-stream versions", "[log]") {
  for (bool rocks : {false, true}) {
    Fixture f(rocks);
    auto a = f.log->Append(OneEvent("case-1", ExpectedVersion::NoStream()));
    REQUIRE(a.status.ok());
    CHECK(a.result.first_position == 1);
    CHECK(a.result.last_position == 1);
    REQUIRE(a.result.versions.size() == 1);
    CHECK(a.result.versions[0] == StreamVersion{"case-1", 1});
    auto b = f.log->Append(OneEvent("case-2"));
    auto c = f.log->Append(OneEvent("case-1", ExpectedVersion::Exact(1)));
    REQUIRE(b.status.ok());
    REQUIRE(c.status.ok());
    CHECK(b.result.first_position == 2);
    CHECK(c.result.first_position == 3);
    CHECK(c.result.versions[0].version == 2);
    CHECK(f.log->HeadPosition() == 3);

    auto events = All(f.log);
    REQUIRE(events.size() == 3);
    for (size_t i = 0; i < events.size(); ++i) CHECK(events[i].position == i + 1);
    CHECK(events[0].prev_hash == Hash256{});
    CHECK(events[1].prev_hash == events[0].hash);
    CHECK(events[2].prev_hash == events[1].hash);
    CHECK(events[0].actor == "tester");
    CHECK(events[0].type == "SomethingHappened");
    CHECK(events[2].recorded_at >= events[0].recorded_at);
  }
}

TEST_CASE("an expected version that does not hold fails and names stream, expected, actual",
          "[log]") {
  for (bool rocks : {false, true}) {
    Fixture f(rocks);
    REQUIRE(f.log->Append(OneEvent("case-1")).status.ok());
    REQUIRE(f.log->Append(OneEvent("case-1")).status.ok());

    auto stale = f.log->Append(OneEvent("case-1", ExpectedVersion::Exact(1)));
    CHECK(stale.status.code() == Status::Code::kConflict);
    REQUIRE(stale.conflict.has_value());
    CHECK(stale.conflict->stream == "case-1");
    CHECK(stale.conflict->expected.version == 1);
    CHECK(stale.conflict->actual == 2);
    CHECK_THAT(stale.status.message(), Catch::Contains("case-1") && Catch::Contains("2"));

    auto not_new = f.log->Append(OneEvent("case-1", ExpectedVersion::NoStream()));
    CHECK(not_new.status.code() == Status::Code::kConflict);
    CHECK(not_new.conflict->actual == 2);

    auto missing = f.log->Append(OneEvent("case-9", ExpectedVersion::StreamExists()));
    CHECK(missing.status.code() == Status::Code::kConflict);
    CHECK(missing.conflict->actual == 0);

    auto exact_missing = f.log->Append(OneEvent("case-9", ExpectedVersion::Exact(3)));
    CHECK(exact_missing.status.code() == Status::Code::kConflict);

    CHECK(f.log->Append(OneEvent("case-1", ExpectedVersion::StreamExists())).status.ok());
    CHECK(f.log->HeadPosition() == 3);  // the refused appends wrote nothing
  }
}

TEST_CASE("a batch with one stale stream writes nothing to any stream", "[log]") {
  for (bool rocks : {false, true}) {
    Fixture f(rocks);
    REQUIRE(f.log->Append(OneEvent("case-1")).status.ok());
    REQUIRE(f.log->Append(OneEvent("case-2")).status.ok());

    AppendRequest move;
    move.writes.push_back({"case-1", ExpectedVersion::Exact(1), {{"StrandMovedOut", "a"}}});
    move.writes.push_back({"case-2", ExpectedVersion::Exact(7), {{"StrandMovedIn", "b"}}});
    auto outcome = f.log->Append(move);
    CHECK(outcome.status.code() == Status::Code::kConflict);
    CHECK(outcome.conflict->stream == "case-2");
    CHECK(f.log->HeadPosition() == 2);
    StreamHead h;
    REQUIRE(f.log->Head("case-1", &h).ok());
    CHECK(h.version == 1);

    move.writes[1].expected = ExpectedVersion::Exact(1);
    auto ok = f.log->Append(move);
    REQUIRE(ok.status.ok());
    CHECK(ok.result.first_position == 3);
    CHECK(ok.result.last_position == 4);
    CHECK(ok.result.versions == std::vector<StreamVersion>{{"case-1", 2}, {"case-2", 2}});
    auto events = All(f.log);
    REQUIRE(events.size() == 4);
    CHECK(events[2].stream == "case-1");
    CHECK(events[3].stream == "case-2");
  }
}

TEST_CASE("a stream listed without events asserts its version and writes nothing to it", "[log]") {
  for (bool rocks : {false, true}) {
    Fixture f(rocks);
    REQUIRE(f.log->Append(OneEvent("client-1")).status.ok());
    AppendRequest r;
    r.writes.push_back({"client-1", ExpectedVersion::Exact(1), {}});
    r.writes.push_back({"case-1", ExpectedVersion::NoStream(), {{"CaseOpened", ""}}});
    auto ok = f.log->Append(r);
    REQUIRE(ok.status.ok());
    CHECK(ok.result.versions == std::vector<StreamVersion>{{"client-1", 1}, {"case-1", 1}});
    r.writes[1].stream = "case-2";
    r.writes[0].expected = ExpectedVersion::Exact(0);
    CHECK(f.log->Append(r).status.code() == Status::Code::kConflict);
    CHECK(f.log->HeadPosition() == 2);
  }
}

TEST_CASE("a repeated command id returns the original result and appends nothing", "[log]") {
  for (bool rocks : {false, true}) {
    Fixture f(rocks);
    auto r = OneEvent("case-1", ExpectedVersion::NoStream());
    r.command_id = "cmd-1";
    auto first = f.log->Append(r);
    REQUIRE(first.status.ok());
    CHECK_FALSE(first.result.duplicate);
    // The repeat would conflict if it were decided again; it is answered instead.
    auto again = f.log->Append(r);
    REQUIRE(again.status.ok());
    CHECK(again.result.duplicate);
    CHECK(again.result.first_position == first.result.first_position);
    CHECK(again.result.last_position == first.result.last_position);
    CHECK(again.result.versions == first.result.versions);
    CHECK(again.result.recorded_at == first.result.recorded_at);
    CHECK(f.log->HeadPosition() == 1);
  }
}

TEST_CASE("duplicates queued behind an unsynced original get its result", "[log]") {
  for (bool rocks : {false, true}) {
    Fixture f(rocks);
    const int kCopies = 50;
    std::atomic<int> done{0};
    std::vector<AppendOutcome> outcomes(kCopies);
    for (int i = 0; i < kCopies; ++i) {
      auto r = OneEvent("case-1");
      r.command_id = "same";
      f.log->AppendAsync(r, [&, i](AppendOutcome o) {
        outcomes[i] = std::move(o);
        done++;
      });
    }
    while (done.load() < kCopies) std::this_thread::yield();
    int originals = 0;
    for (const auto& o : outcomes) {
      REQUIRE(o.status.ok());
      CHECK(o.result.first_position == 1);
      if (!o.result.duplicate) originals++;
    }
    CHECK(originals == 1);
    CHECK(f.log->HeadPosition() == 1);
  }
}

TEST_CASE("a refused command id can be used again", "[log]") {
  Fixture f(false);
  auto r = OneEvent("case-1", ExpectedVersion::Exact(5));
  r.command_id = "cmd";
  CHECK(f.log->Append(r).status.code() == Status::Code::kConflict);
  r.writes[0].expected = ExpectedVersion::Any();
  auto ok = f.log->Append(r);
  REQUIRE(ok.status.ok());
  CHECK_FALSE(ok.result.duplicate);
}

TEST_CASE("idempotency and data survive a restart", "[log]") {
  TempDir dir;
  AppendResult first;
  {
    OpenLog l;
    REQUIRE(OpenRocksLog(dir.Sub("data"), &l).ok());
    auto r = OneEvent("case-1", ExpectedVersion::NoStream());
    r.command_id = "register-42";
    auto o = l.log->Append(r);
    REQUIRE(o.status.ok());
    first = o.result;
    REQUIRE(l.log->Append(OneEvent("case-2")).status.ok());
  }
  OpenLog l;
  REQUIRE(OpenRocksLog(dir.Sub("data"), &l).ok());
  CHECK(l.log->HeadPosition() == 2);
  auto r = OneEvent("case-1", ExpectedVersion::NoStream());
  r.command_id = "register-42";
  auto again = l.log->Append(r);
  REQUIRE(again.status.ok());
  CHECK(again.result.duplicate);
  CHECK(again.result.first_position == first.first_position);
  CHECK(again.result.versions == first.versions);
  CHECK(l.log->HeadPosition() == 2);
  // The chain goes on from where it was.
  auto next = l.log->Append(OneEvent("case-1", ExpectedVersion::Exact(1)));
  REQUIRE(next.status.ok());
  CHECK(next.result.first_position == 3);
  CHECK(l.log->VerifyChain(1, 0).ok);
  CHECK(l.log->VerifyChain(1, 0).checked == 3);
}

TEST_CASE("reads: a stream from a version, all from a position, heads", "[log]") {
  for (bool rocks : {false, true}) {
    Fixture f(rocks);
    for (int i = 0; i < 10; ++i) {
      REQUIRE(f.log
                  ->Append(OneEvent(i % 2 ? "case-odd" : "case-even", ExpectedVersion::Any(),
                                    "Numbered", std::to_string(i)))
                  .status.ok());
    }
    std::vector<RecordedEvent> out;
    REQUIRE(f.log->ReadStream("case-odd", 2, 100, &out).ok());
    REQUIRE(out.size() == 4);
    CHECK(out[0].version == 2);
    CHECK(out[0].payload == "3");
    CHECK(out[3].version == 5);
    CHECK(out[3].position == 10);

    REQUIRE(f.log->ReadStream("case-odd", 1, 2, &out).ok());
    CHECK(out.size() == 2);
    REQUIRE(f.log->ReadStream("case-none", 1, 10, &out).ok());
    CHECK(out.empty());
    CHECK(f.log->ReadStream("", 1, 10, &out).code() == Status::Code::kInvalidArgument);

    REQUIRE(f.log->ReadAll(4, 3, &out).ok());
    REQUIRE(out.size() == 3);
    CHECK(out[0].position == 4);
    CHECK(out[2].position == 6);
    REQUIRE(f.log->ReadAll(11, 3, &out).ok());
    CHECK(out.empty());

    StreamHead h;
    REQUIRE(f.log->Head("case-even", &h).ok());
    CHECK(h.version == 5);
    CHECK(h.last_position == 9);
    REQUIRE(f.log->Head("case-none", &h).ok());
    CHECK(h.version == 0);

    int seen = 0;
    REQUIRE(f.log
                ->Scan(2, 5,
                       [&](const EventView& v) {
                         CHECK(v.position() == static_cast<uint64_t>(2 + seen));
                         return ++seen < 100;
                       })
                .ok());
    CHECK(seen == 4);
  }
}

namespace {

// Ten events, in turn to case-even and case-odd.
void AppendOddAndEven(Fixture& f) {
  for (int i = 0; i < 10; ++i) {
    REQUIRE(f.log
                ->Append(OneEvent(i % 2 ? "case-odd" : "case-even", ExpectedVersion::Any(),
                                  "Numbered", std::to_string(i)))
                .status.ok());
  }
}

}  // namespace

TEST_CASE("a stream scan from a position starts at the stream's first event at or after it",
          "[log]") {
  for (bool rocks : {false, true}) {
    Fixture f(rocks);
    AppendOddAndEven(f);  // case-odd holds positions 2, 4, 6, 8, 10
    auto positions = [&](uint64_t from_version, uint64_t from_position) {
      std::vector<uint64_t> out;
      REQUIRE(f.log
                  ->ScanStream(
                      "case-odd", from_version,
                      [&](const EventView& v) {
                        out.push_back(v.position());
                        return true;
                      },
                      from_position)
                  .ok());
      return out;
    };
    CHECK(positions(1, 0) == std::vector<uint64_t>{2, 4, 6, 8, 10});
    CHECK(positions(1, 5) == std::vector<uint64_t>{6, 8, 10});
    CHECK(positions(1, 6) == std::vector<uint64_t>{6, 8, 10});
    CHECK(positions(4, 3) == std::vector<uint64_t>{8, 10});  // the later of the two
    CHECK(positions(1, 11).empty());
  }
}

TEST_CASE("a backward stream scan gives the stream's events below a position newest first",
          "[log]") {
  for (bool rocks : {false, true}) {
    Fixture f(rocks);
    AppendOddAndEven(f);  // case-odd holds positions 2, 4, 6, 8, 10
    auto positions = [&](const std::string& stream, uint64_t below, size_t max) {
      std::vector<uint64_t> out;
      REQUIRE(f.log
                  ->ScanStreamBack(stream, below,
                                   [&](const EventView& v) {
                                     CHECK(v.stream() == stream);
                                     out.push_back(v.position());
                                     return out.size() < max;
                                   })
                  .ok());
      return out;
    };
    CHECK(positions("case-odd", UINT64_MAX, 100) == std::vector<uint64_t>{10, 8, 6, 4, 2});
    CHECK(positions("case-odd", 8, 100) == std::vector<uint64_t>{6, 4, 2});
    CHECK(positions("case-odd", 7, 2) == std::vector<uint64_t>{6, 4});
    CHECK(positions("case-even", 2, 100) == std::vector<uint64_t>{1});
    CHECK(positions("case-odd", 2, 100).empty());
    CHECK(positions("case-none", UINT64_MAX, 100).empty());
    // A stream whose id is a prefix of another's reads its own events only.
    REQUIRE(f.log->Append(OneEvent("case-o", ExpectedVersion::Any(), "Numbered", "x")).status.ok());
    CHECK(positions("case-o", UINT64_MAX, 100) == std::vector<uint64_t>{11});
    CHECK(f.log->ScanStreamBack("", 5, [](const EventView&) { return true; }).code() ==
          Status::Code::kInvalidArgument);
  }
}

TEST_CASE("WaitForPosition wakes when a later position is committed", "[log]") {
  for (bool rocks : {false, true}) {
    Fixture f(rocks);
    CHECK(f.log->WaitForPosition(0, std::chrono::milliseconds(20)) == 0);
    std::thread appender([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      f.log->Append(OneEvent("case-1"));
    });
    auto start = std::chrono::steady_clock::now();
    uint64_t head = f.log->WaitForPosition(0, std::chrono::seconds(10));
    auto waited = std::chrono::steady_clock::now() - start;
    appender.join();
    CHECK(head == 1);
    CHECK(waited < std::chrono::seconds(5));
    CHECK(f.log->WaitForPosition(0, std::chrono::milliseconds(1)) == 1);
  }
}

TEST_CASE("malformed appends are refused with a reason and write nothing", "[log]") {
  Fixture f(false);
  auto refused = [&](AppendRequest r, const std::string& words) {
    auto o = f.log->Append(std::move(r));
    CHECK(o.status.code() == Status::Code::kInvalidArgument);
    CHECK_THAT(o.status.message(), Catch::Contains(words));
  };
  refused(AppendRequest(), "at least one stream");
  refused(OneEvent(""), "stream id");
  refused(OneEvent("has space"), "stream id");
  refused(OneEvent(std::string(257, 'x')), "stream id");
  refused(OneEvent("case-1", ExpectedVersion::Any(), ""), "event type");
  refused(OneEvent("case-1", ExpectedVersion::Any(), "Bad Type!"), "event type");
  refused(OneEvent("case-1", ExpectedVersion::Any(), "Big", std::string((1 << 20) + 1, 'x')),
          "1 MiB");
  auto twice = OneEvent("case-1");
  twice.writes.push_back(twice.writes[0]);
  refused(twice, "twice");
  AppendRequest empty;
  empty.writes.push_back({"case-1", ExpectedVersion::Any(), {}});
  refused(empty, "at least one event");
  auto long_id = OneEvent("case-1");
  long_id.command_id = std::string(257, 'k');
  refused(long_id, "command id");
  CHECK(f.log->HeadPosition() == 0);
  CHECK(f.log->Append(OneEvent("case-1")).result.first_position == 1);
}

TEST_CASE("a read-only log reads and verifies but refuses appends", "[log]") {
  TempDir dir;
  {
    OpenLog l;
    REQUIRE(OpenRocksLog(dir.Sub("data"), &l).ok());
    REQUIRE(l.log->Append(OneEvent("case-1")).status.ok());
  }
  OpenLog ro;
  REQUIRE(OpenRocksLog(dir.Sub("data"), &ro, /*read_only=*/true).ok());
  CHECK(ro.log->HeadPosition() == 1);
  CHECK(ro.log->VerifyChain(1, 0).ok);
  CHECK(ro.log->Append(OneEvent("case-2")).status.code() == Status::Code::kFailedPrecondition);
}

TEST_CASE("a fresh command id is recorded in the events but not kept for repeats", "[log]") {
  auto store = NewMemoryLogStore();
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  auto r = OneEvent("case-1");
  r.command_id = "cmd-generated-1";
  r.fresh_command_id = true;
  REQUIRE(log->Append(r).status.ok());
  std::vector<RecordedEvent> events;
  REQUIRE(log->ReadAll(1, 10, &events).ok());
  CHECK(events[0].command_id == "cmd-generated-1");
  FamilyId idempotency;
  REQUIRE(store->Family("idempotency", &idempotency).ok());
  std::string value;
  CHECK(store->Get(idempotency, "cmd-generated-1", &value).code() == Status::Code::kNotFound);
}

TEST_CASE("a log range reads the events of its times, actor and stream, and nothing outside",
          "[log]") {
  auto store = NewMemoryLogStore();
  int64_t now = 1000;
  EventLogOptions options;
  options.clock = [&] { return now; };
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), options, &log).ok());
  // Positions 1..12 recorded at 1000, 1010, ..., 1110; actors alternate; three streams.
  for (int i = 0; i < 12; ++i) {
    now = 1000 + 10 * i;
    AppendRequest r = OneEvent("case-" + std::to_string(i % 3), ExpectedVersion::Any(), "Numbered",
                               std::to_string(i));
    r.actor = i % 2 ? "odd" : "even";
    REQUIRE(log->Append(r).status.ok());
  }
  auto positions = [&](const LogRange& range) {
    std::vector<uint64_t> out;
    REQUIRE(ScanRange(*log, range, [&](const EventView& v) {
              out.push_back(v.position());
              return true;
            }).ok());
    return out;
  };
  LogRange all;
  CHECK(positions(all).size() == 12);
  LogRange times;
  times.from_micros = 1025;  // between positions 3 (1020) and 4 (1030)
  times.to_micros = 1060;    // exactly position 7
  CHECK(positions(times) == std::vector<uint64_t>{4, 5, 6, 7});
  LogRange actor = times;
  actor.actor = "odd";  // even positions hold the odd actor's events (i = position - 1)
  CHECK(positions(actor) == std::vector<uint64_t>{4, 6});
  LogRange stream;
  stream.stream = "case-1";  // positions 2, 5, 8, 11
  stream.from_position = 3;
  stream.to_micros = 1100;  // through position 11
  CHECK(positions(stream) == std::vector<uint64_t>{5, 8, 11});
  LogRange after;
  after.from_micros = 2000;
  CHECK(positions(after).empty());
  LogRange before;
  before.to_micros = 999;
  CHECK(positions(before).empty());
  log.reset();
}
