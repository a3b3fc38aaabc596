// Many threads appending at once, to shared and to separate streams, with optimistic
// retries on shared streams: no version is handed out twice, positions have no gap, and
// every acknowledged event is readable where it was acknowledged.
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "events/event_log.h"
#include "tests/test_support.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

struct Ack {
  uint64_t position;
  std::string stream;
  uint64_t version;
};

// Catch2 assertions are not thread-safe: workers record what went wrong, the test
// thread asserts after joining.
struct Problems {
  std::mutex mu;
  std::vector<std::string> list;
  void Add(const std::string& p) {
    std::lock_guard<std::mutex> lock(mu);
    list.push_back(p);
  }
};

void RunConcurrentAppends(EventLog* log, int threads, int per_thread) {
  std::mutex mu;
  Problems problems;
  std::vector<Ack> acks;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      uint64_t own_version = 0;
      for (int i = 0; i < per_thread; ++i) {
        AppendRequest r;
        r.actor = "thread-" + std::to_string(t);
        std::string stream;
        switch (i % 3) {
          case 0:  // a stream of its own, exact versions
            stream = "own-" + std::to_string(t);
            r.writes.push_back({stream, ExpectedVersion::Exact(own_version), {{"Own", ""}}});
            break;
          case 1:  // one of a few shared streams, any version
            stream = "shared-" + std::to_string(i % 4);
            r.writes.push_back({stream, ExpectedVersion::Any(), {{"Shared", ""}}});
            break;
          default: {  // a contended stream with read-then-exact retries
            stream = "contended";
            for (;;) {
              StreamHead h;
              if (!log->Head(stream, &h).ok()) return problems.Add("Head failed");
              AppendRequest c;
              c.writes.push_back({stream, ExpectedVersion::Exact(h.version), {{"Counted", ""}}});
              auto o = log->Append(c);
              if (o.status.ok()) {
                std::lock_guard<std::mutex> lock(mu);
                acks.push_back({o.result.first_position, stream, o.result.versions[0].version});
                break;
              }
              if (o.status.code() != Status::Code::kConflict) {
                return problems.Add("contended append: " + o.status.ToString());
              }
              conflicts++;
            }
            continue;
          }
        }
        auto o = log->Append(std::move(r));
        if (!o.status.ok()) return problems.Add("append: " + o.status.ToString());
        if (stream.rfind("own-", 0) == 0) own_version = o.result.versions[0].version;
        std::lock_guard<std::mutex> lock(mu);
        acks.push_back({o.result.first_position, stream, o.result.versions[0].version});
      }
    });
  }
  for (auto& w : workers) w.join();
  REQUIRE(problems.list.empty());

  const uint64_t total = static_cast<uint64_t>(threads) * per_thread;
  REQUIRE(acks.size() == total);
  CHECK(log->HeadPosition() == total);

  std::vector<RecordedEvent> all;
  REQUIRE(log->ReadAll(1, total + 10, &all).ok());
  REQUIRE(all.size() == total);
  std::map<std::string, std::set<uint64_t>> versions;
  for (size_t i = 0; i < all.size(); ++i) {
    REQUIRE(all[i].position == i + 1);                             // gapless and in order
    CHECK(versions[all[i].stream].insert(all[i].version).second);  // no duplicate version
  }
  for (const auto& [stream, vs] : versions) {
    CHECK(*vs.begin() == 1);
    CHECK(*vs.rbegin() == vs.size());  // 1..n with no gap
  }
  for (const Ack& a : acks) {
    const RecordedEvent& e = all[a.position - 1];
    CHECK(e.stream == a.stream);
    CHECK(e.version == a.version);
  }
  CHECK(log->VerifyChain(1, 0).ok);
}

}  // namespace

TEST_CASE("many threads on shared and separate streams: no duplicate version, no gap",
          "[log][concurrency]") {
  SECTION("in memory") {
    auto store = NewMemoryLogStore();
    std::unique_ptr<EventLog> log;
    REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
    RunConcurrentAppends(log.get(), 16, 150);
  }
  SECTION("on RocksDB") {
    TempDir dir;
    OpenLog l;
    REQUIRE(OpenRocksLog(dir.Sub("data"), &l).ok());
    RunConcurrentAppends(l.log.get(), 32, 150);
  }
}

TEST_CASE("small writer rounds still keep every append whole and in order", "[log][concurrency]") {
  // Rounds of at most 3 events force multi-event appends to start new rounds.
  auto store = NewMemoryLogStore();
  EventLogOptions options;
  options.max_batch_events = 3;
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), options, &log).ok());
  Problems problems;
  std::vector<std::thread> workers;
  for (int t = 0; t < 8; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        AppendRequest r;
        r.writes.push_back(
            {"a-" + std::to_string(t), ExpectedVersion::Any(), {{"One", ""}, {"Two", ""}}});
        r.writes.push_back({"b-" + std::to_string(t), ExpectedVersion::Any(), {{"Three", ""}}});
        auto o = log->Append(std::move(r));
        if (!o.status.ok() || o.result.last_position != o.result.first_position + 2) {
          problems.Add("append not whole: " + o.status.ToString());
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  CHECK(problems.list.empty());
  std::vector<RecordedEvent> all;
  REQUIRE(log->ReadAll(1, 10000, &all).ok());
  REQUIRE(all.size() == 8 * 50 * 3);
  for (size_t i = 0; i < all.size(); i += 3) {
    // The three events of one append are adjacent.
    CHECK(all[i].type == "One");
    CHECK(all[i + 1].type == "Two");
    CHECK(all[i + 2].type == "Three");
    CHECK(all[i].stream == all[i + 1].stream);
  }
  CHECK(log->VerifyChain(1, 0).ok);
}
