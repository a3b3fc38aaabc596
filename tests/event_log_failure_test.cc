// Failure handling of the log, with faults injected into the in-memory store: a failed
// batch write or sync stops the log, and a reopened log goes on gaplessly; a power cut
// loses only what was never acknowledged.
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

#include "events/event_log.h"
#include "tests/test_support.h"

using namespace caseengine;
using namespace caseengine::testing;

TEST_CASE("a failed batch write stops the log and a reopened log goes on without a gap",
          "[log][failure]") {
  auto store = NewMemoryLogStore();
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  REQUIRE(log->Append(OneEvent("case-1")).status.ok());

  store->FailNextWrites(1);
  auto r = OneEvent("case-1", ExpectedVersion::Exact(1));
  r.command_id = "cmd-a";
  auto failed = log->Append(r);
  CHECK(failed.status.code() == Status::Code::kIoError);
  CHECK(log->failed());
  CHECK(log->HeadPosition() == 1);
  // Rounds after a failed one would chain onto it: none is written.
  auto after = log->Append(OneEvent("case-2"));
  CHECK(after.status.code() == Status::Code::kUnavailable);
  CHECK_THAT(after.status.message(), Catch::Contains("reopen"));

  // Reopened, the same command succeeds at the position the failed one would have had.
  log.reset();
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  CHECK(log->HeadPosition() == 1);
  auto retried = log->Append(r);
  REQUIRE(retried.status.ok());
  CHECK_FALSE(retried.result.duplicate);
  CHECK(retried.result.first_position == 2);
  CHECK(retried.result.versions[0].version == 2);
  CHECK(log->VerifyChain(1, 0).ok);
  CHECK(log->VerifyChain(1, 0).checked == 2);
}

TEST_CASE("rounds decided behind a failed write are not written either", "[log][failure]") {
  auto store = NewMemoryLogStore();
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  REQUIRE(log->Append(OneEvent("case-0")).status.ok());
  store->FailNextWrites(1);
  // Many appends at once: the writer decides several rounds before the failed write is
  // known; every one of them fails, and none reaches the store.
  std::mutex mu;
  std::condition_variable cv;
  int answered = 0, succeeded = 0;
  const int n = 200;
  for (int i = 0; i < n; ++i) {
    log->AppendAsync(OneEvent("case-" + std::to_string(i % 7 + 1)), [&](AppendOutcome o) {
      std::lock_guard<std::mutex> lock(mu);
      if (o.status.ok()) succeeded++;
      answered++;
      cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return answered == n; });
  }
  CHECK(log->failed());
  const uint64_t head = log->HeadPosition();
  CHECK(head == 1 + static_cast<uint64_t>(succeeded));
  log.reset();
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  CHECK(log->HeadPosition() == head);  // nothing beyond what was acknowledged
  CHECK(log->VerifyChain(1, 0).ok);
  REQUIRE(log->Append(OneEvent("case-0", ExpectedVersion::Exact(1))).status.ok());
  CHECK(log->HeadPosition() == head + 1);
}

TEST_CASE("a failed sync stops the log until it is reopened", "[log][failure]") {
  auto store = NewMemoryLogStore();
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  REQUIRE(log->Append(OneEvent("case-1")).status.ok());

  store->FailNextSyncs(1);
  auto r = OneEvent("case-2");
  r.command_id = "cmd-b";
  auto failed = log->Append(r);
  CHECK(failed.status.code() == Status::Code::kUnavailable);
  CHECK_THAT(failed.status.message(), Catch::Contains("same command id"));
  CHECK(log->failed());
  CHECK(log->HeadPosition() == 1);  // never published
  CHECK(log->Append(OneEvent("case-3")).status.code() == Status::Code::kUnavailable);

  // Reopened, the log finds the truth: here the write had reached the store, so the
  // retry with the same command id is answered with the original result.
  log.reset();
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  auto retried = log->Append(r);
  REQUIRE(retried.status.ok());
  CHECK(retried.result.duplicate);
  CHECK(retried.result.first_position == 2);
  CHECK(log->VerifyChain(1, 0).ok);
}

TEST_CASE("a power cut loses nothing that was acknowledged", "[log][failure]") {
  auto store = NewMemoryLogStore();
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  for (int i = 0; i < 20; ++i)
    REQUIRE(log->Append(OneEvent("case-" + std::to_string(i))).status.ok());
  log.reset();
  store->SimulatePowerLoss();
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  CHECK(log->HeadPosition() == 20);
  CHECK(log->VerifyChain(1, 0).ok);
}

TEST_CASE("closing the log completes every queued append", "[log]") {
  auto store = NewMemoryLogStore();
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  std::atomic<int> ok{0}, done{0};
  for (int i = 0; i < 500; ++i) {
    log->AppendAsync(OneEvent("case-" + std::to_string(i % 7)), [&](AppendOutcome o) {
      if (o.status.ok()) ok++;
      done++;
    });
  }
  log.reset();
  CHECK(done.load() == 500);
  CHECK(ok.load() == 500);
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  CHECK(log->HeadPosition() == 500);
}
