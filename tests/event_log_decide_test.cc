// EventLog::DecideAsync: decisions made on the writer thread, in order, against state only
// the writer changes, so a rule over several streams is never passed twice by a race.
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "events/event_log.h"
#include "tests/test_support.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

// A rule: at most one "current" claim over all streams. State lives with the decider and
// changes only in `accepted`, on the writer thread.
struct ClaimRule {
  bool claimed = false;
  int decided = 0;

  Decision For(const std::string& stream) {
    Decision d;
    d.decide = [this, stream](AppendRequest* r) {
      ++decided;
      if (claimed) return Status::Conflict("already claimed");
      r->writes.push_back({stream, ExpectedVersion::NoStream(), {{"Claimed", stream}}});
      r->response = "claimed by " + stream;
      return Status::Ok();
    };
    d.accepted = [this](const AppendResult&) { claimed = true; };
    return d;
  }
};

}  // namespace

TEST_CASE("a rule decided on the writer is passed by exactly one of many racing commands",
          "[log][decide]") {
  auto store = NewMemoryLogStore();
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  ClaimRule rule;
  std::atomic<int> wins{0}, refusals{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 32; ++t) {
    threads.emplace_back([&, t] {
      AppendRequest base;
      base.actor = "officer";
      auto o = log->Decide(base, rule.For("case-" + std::to_string(t)));
      if (o.status.ok()) {
        wins++;
      } else if (o.status.code() == Status::Code::kConflict) {
        refusals++;
      } else {
        other++;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wins.load() == 1);
  CHECK(refusals.load() == 31);
  CHECK(other.load() == 0);
  CHECK(log->HeadPosition() == 1);
}

TEST_CASE("a repeated decided command is not decided again and gets the first response",
          "[log][decide]") {
  TempDir dir;
  ClaimRule rule;
  AppendRequest base;
  base.command_id = "claim-1";
  {
    OpenLog l;
    REQUIRE(OpenRocksLog(dir.Sub("data"), &l).ok());
    auto first = l.log->Decide(base, rule.For("case-1"));
    REQUIRE(first.status.ok());
    CHECK(first.result.response == "claimed by case-1");
    auto again = l.log->Decide(base, rule.For("case-2"));
    REQUIRE(again.status.ok());
    CHECK(again.result.duplicate);
    CHECK(again.result.response == "claimed by case-1");
    CHECK(rule.decided == 1);
  }
  OpenLog l;
  REQUIRE(OpenRocksLog(dir.Sub("data"), &l).ok());
  auto after_restart = l.log->Decide(base, rule.For("case-3"));
  REQUIRE(after_restart.status.ok());
  CHECK(after_restart.result.duplicate);
  CHECK(after_restart.result.response == "claimed by case-1");
  CHECK(after_restart.result.first_position == 1);
  CHECK(rule.decided == 1);
  CHECK(l.log->HeadPosition() == 1);
}

TEST_CASE("a decision that refuses appends nothing and is not remembered", "[log][decide]") {
  auto store = NewMemoryLogStore();
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  AppendRequest base;
  base.command_id = "cmd";
  Decision no;
  no.decide = [](AppendRequest*) { return Status::Conflict("a rule says no"); };
  auto refused = log->Decide(base, no);
  CHECK(refused.status.code() == Status::Code::kConflict);
  CHECK(refused.status.message() == "a rule says no");
  CHECK(log->HeadPosition() == 0);
  ClaimRule rule;
  auto ok = log->Decide(base, rule.For("case-1"));  // the same command id, decided anew
  REQUIRE(ok.status.ok());
  CHECK_FALSE(ok.result.duplicate);
}

TEST_CASE("when a round cannot be written the log stops and its decisions are void",
          "[log][decide]") {
  auto store = NewMemoryLogStore();
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  // A decider that reloads its state when the failed-round count moves, as the command
  // handler does.
  ClaimRule rule;
  uint64_t seen = log->FailedRounds();
  auto decision = [&](const std::string& stream) {
    Decision d = rule.For(stream);
    auto decide = d.decide;
    d.decide = [&, decide](AppendRequest* r) {
      if (log->FailedRounds() != seen) {
        seen = log->FailedRounds();
        rule.claimed = false;  // what `accepted` did in the failed round is void
      }
      return decide(r);
    };
    return d;
  };
  store->FailNextWrites(1);
  auto failed = log->Decide(AppendRequest(), decision("case-1"));
  CHECK(failed.status.code() == Status::Code::kIoError);
  CHECK(log->FailedRounds() == 1);
  // The log stopped: nothing more is decided until it is reopened.
  CHECK(log->Decide(AppendRequest(), decision("case-2")).status.code() ==
        Status::Code::kUnavailable);
  CHECK(rule.claimed);  // what `accepted` did for the round that was never written
  log.reset();
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  // A reopened log gets a decider with its state folded from the log: nothing claimed.
  rule.claimed = false;
  seen = log->FailedRounds();
  auto ok = log->Decide(AppendRequest(), decision("case-2"));
  REQUIRE(ok.status.ok());
  CHECK(ok.result.first_position == 1);
  CHECK(ok.result.response == "claimed by case-2");
}
