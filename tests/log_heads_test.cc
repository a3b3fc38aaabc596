// The stream heads' checkpoint (log_format.h, "heads-at"): the heads family is written
// every few events, an open reads the rest from the log, and a folder from before the
// checkpoint (every head in the family, no "heads-at") keeps working.
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "events/event_log.h"
#include "events/log_format.h"
#include "storage/memory_store.h"
#include "tests/test_support.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

EventLogOptions EveryFewEvents(uint64_t n) {
  EventLogOptions o;
  o.heads_checkpoint_events = n;
  return o;
}

// Appends `n` events to random streams of `streams`, each with the exact version it
// expects, and keeps the truth in `heads`.
void AppendRandom(EventLog* log, int n, int streams, std::mt19937* rng,
                  std::map<std::string, StreamHead>* heads) {
  for (int i = 0; i < n; ++i) {
    const std::string stream = "case-" + std::to_string((*rng)() % streams);
    StreamHead& h = (*heads)[stream];
    auto o = log->Append(OneEvent(
        stream, h.version == 0 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(h.version)));
    REQUIRE(o.status.ok());
    h.version++;
    h.last_position = o.result.last_position;
  }
}

// Every stream's head, as the log reports it and as the writer decides with it: an
// append expecting the true version passes, so the writer's heads are right too.
void CheckHeads(EventLog* log, std::map<std::string, StreamHead>* heads) {
  for (auto& [stream, want] : *heads) {
    StreamHead got;
    REQUIRE(log->Head(stream, &got).ok());
    CHECK(got.version == want.version);
    CHECK(got.last_position == want.last_position);
    auto stale = log->Append(OneEvent(stream, ExpectedVersion::Exact(want.version + 1)));
    CHECK(stale.status.code() == Status::Code::kConflict);
    auto o = log->Append(OneEvent(stream, ExpectedVersion::Exact(want.version)));
    REQUIRE(o.status.ok());
    want.version++;
    want.last_position = o.result.last_position;
  }
}

uint64_t HeadsAt(const MemoryStore& store) {
  FamilyId meta;
  REQUIRE(store.Family(log_format::kMetaFamily, &meta).ok());
  std::string value;
  if (!store.Get(meta, log_format::kHeadsAtKey, &value).ok()) return 0;
  uint64_t position = 0;
  REQUIRE(log_format::ParseLogKey(value, &position));
  return position;
}

}  // namespace

TEST_CASE("the heads family is a checkpoint that an open completes from the log", "[log][heads]") {
  auto store = NewMemoryLogStore();
  std::mt19937 rng(7);
  std::map<std::string, StreamHead> heads;
  {
    std::unique_ptr<EventLog> log;
    REQUIRE(EventLog::Open(store.get(), EveryFewEvents(16), &log).ok());
    AppendRandom(log.get(), 75, 9, &rng, &heads);
  }
  // Written at the rounds that passed 16 events since the last checkpoint: not at the end.
  const uint64_t at = HeadsAt(*store);
  CHECK(at >= 64);
  CHECK(at < 75);
  FamilyId family;
  REQUIRE(store->Family(log_format::kHeadsFamily, &family).ok());
  auto it = store->NewIterator(family, ReadPattern::kScan);
  int rows = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++rows) {
    uint64_t version = 0, last = 0;
    REQUIRE(log_format::ParseHeadValue(it->value(), &version, &last));
    CHECK(last <= at);
  }
  CHECK(rows > 0);

  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EveryFewEvents(16), &log).ok());
  CheckHeads(log.get(), &heads);
  AppendRandom(log.get(), 40, 12, &rng, &heads);
  CheckHeads(log.get(), &heads);
}

TEST_CASE("a checkpoint pass over more heads than one round writes spans rounds", "[log][heads]") {
  auto store = NewMemoryLogStore();
  std::map<std::string, StreamHead> heads;
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EveryFewEvents(2500), &log).ok());
  // 3,000 streams, one event each: the pass starts at 2,500 and writes 1,024 heads a
  // round, so it is complete only three rounds later.
  for (int i = 0; i < 3000; ++i) {
    const std::string stream = "client-" + std::to_string(i);
    auto o = log->Append(OneEvent(stream, ExpectedVersion::NoStream()));
    REQUIRE(o.status.ok());
    heads[stream] = StreamHead{1, o.result.last_position};
    if (i == 2500) CHECK(HeadsAt(*store) == 0);  // the pass is under way
  }
  CHECK(HeadsAt(*store) == 2500);
  // A power cut in the middle of the next pass, then an open.
  std::mt19937 rng(1);
  AppendRandom(log.get(), 2501, 3000, &rng, &heads);
  log.reset();
  store->SimulatePowerLoss();
  REQUIRE(EventLog::Open(store.get(), EveryFewEvents(2500), &log).ok());
  CheckHeads(log.get(), &heads);
}

TEST_CASE("stream heads are right after a power cut between checkpoints", "[log][heads]") {
  auto store = NewMemoryLogStore();
  std::mt19937 rng(11);
  std::map<std::string, StreamHead> heads;
  for (int life = 0; life < 4; ++life) {
    std::unique_ptr<EventLog> log;
    REQUIRE(EventLog::Open(store.get(), EveryFewEvents(10), &log).ok());
    CheckHeads(log.get(), &heads);
    AppendRandom(log.get(), 23, 6, &rng, &heads);
    log.reset();
    store->SimulatePowerLoss();  // every append was synced: nothing acknowledged is lost
  }
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EveryFewEvents(10), &log).ok());
  CheckHeads(log.get(), &heads);
  CHECK(log->VerifyChain(1, 0).ok);
}

TEST_CASE("a folder written before the heads checkpoint keeps its heads", "[log][heads]") {
  auto store = NewMemoryLogStore();
  std::mt19937 rng(3);
  std::map<std::string, StreamHead> heads;
  {
    std::unique_ptr<EventLog> log;
    REQUIRE(EventLog::Open(store.get(), EveryFewEvents(1000), &log).ok());
    AppendRandom(log.get(), 30, 5, &rng, &heads);
  }
  // As such a folder was: every head in the family, no "heads-at".
  FamilyId meta, family;
  REQUIRE(store->Family(log_format::kMetaFamily, &meta).ok());
  REQUIRE(store->Family(log_format::kHeadsFamily, &family).ok());
  store->RawDelete(meta, log_format::kHeadsAtKey);
  for (const auto& [stream, h] : heads) {
    store->RawPut(family, stream, log_format::HeadValue(h.version, h.last_position));
  }
  {
    std::unique_ptr<EventLog> log;
    REQUIRE(EventLog::Open(store.get(), EveryFewEvents(1000), &log).ok());
    CheckHeads(log.get(), &heads);  // appends: the first records where the family ends
  }
  CHECK(HeadsAt(*store) == 30);
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EveryFewEvents(1000), &log).ok());
  CheckHeads(log.get(), &heads);
}

TEST_CASE("a round that fails to write leaves the heads checkpoint as it was", "[log][heads]") {
  auto store = NewMemoryLogStore();
  std::mt19937 rng(5);
  std::map<std::string, StreamHead> heads;
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EveryFewEvents(4), &log).ok());
  AppendRandom(log.get(), 9, 3, &rng, &heads);
  const uint64_t at = HeadsAt(*store);
  store->FailNextWrites(1);
  // Enough events to pass the checkpoint in this round: it is not written.
  AppendRequest big;
  big.writes.push_back({"case-new", ExpectedVersion::NoStream(), {}});
  for (int i = 0; i < 6; ++i) big.writes.back().events.push_back({"SomethingHappened", "{}"});
  CHECK(!log->Append(big).status.ok());
  CHECK(HeadsAt(*store) == at);
  log.reset();  // a failed write stops the log
  REQUIRE(EventLog::Open(store.get(), EveryFewEvents(4), &log).ok());
  CheckHeads(log.get(), &heads);
  AppendRandom(log.get(), 9, 4, &rng, &heads);
  log.reset();
  REQUIRE(EventLog::Open(store.get(), EveryFewEvents(4), &log).ok());
  CheckHeads(log.get(), &heads);
  StreamHead none;
  REQUIRE(log->Head("case-new", &none).ok());
  CHECK(none.version == 0);
}
