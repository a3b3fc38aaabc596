// A full disk, in process: the store stops at the first failed write and refuses every
// later one without touching the disk, the log and the read models wait, reads go on,
// and once space returns the engine writes again by itself, with nothing acknowledged
// lost and the chain whole. The disk is made full on demand by a file system wrapper
// (DiskFullSwitch) under RocksDB, or by the memory store's switch; disk_full_serve_test.cc
// does the same with a real tmpfs and the `caseengine serve` binary.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "aggregates/state.h"
#include "app/engine.h"
#include "tests/domain_fixture.h"
#include "tests/engine_support.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

using testing::TempDir;

const Actor& Officer() { return testing::DemoUser("officer"); }

RegisterClient Person(int i) {
  RegisterClient c;
  c.personal.surname = "Spacious" + std::to_string(i);
  c.personal.date_of_birth = "1990-01-01";
  return c;
}

// Waits (at most a minute) until `done` holds; whether it did.
template <class Fn>
bool Eventually(Fn done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::unique_ptr<Engine> OpenEngine(const std::string& dir,
                                   std::shared_ptr<DiskFullSwitch> full = nullptr) {
  EngineOptions options = testing::EngineOptionsFor(dir);
  options.recovery_interval = std::chrono::milliseconds(50);
  options.disk_full = std::move(full);
  return testing::OpenTestEngine(options);
}

TEST_CASE("a store whose disk is full refuses every write until it has recovered",
          "[storage][disk][failure]") {
  TempDir tmp;
  auto full = std::make_shared<DiskFullSwitch>();
  RocksStoreOptions options;
  options.path = tmp.Sub("data");
  options.families = {"a"};
  options.disk_full = full;
  std::unique_ptr<Store> store;
  REQUIRE(OpenRocksStore(options, &store).ok());
  FamilyId a = 0;
  REQUIRE(store->Family("a", &a).ok());
  WriteBatch before;
  before.Put(a, "k1", "before");
  REQUIRE(store->Write(before, /*sync=*/false).ok());  // written, not synced

  full->full = true;
  WriteBatch during;
  during.Put(a, "k2", "during");
  CHECK(store->Write(during, /*sync=*/false).code() == Status::Code::kNoSpace);
  // Stopped: everything that writes is refused the same way, reads go on.
  CHECK(store->Health().code() == Status::Code::kNoSpace);
  CHECK_THAT(store->Health().message(), Catch::Contains("free space"));
  CHECK(store->SyncWal().code() == Status::Code::kNoSpace);
  CHECK(store->WriteUnlogged(during).code() == Status::Code::kNoSpace);
  CHECK(store->FlushFamilies({a}).code() == Status::Code::kNoSpace);
  CHECK(store->Purge({a}).code() == Status::Code::kNoSpace);
  std::string value;
  CHECK(store->Get(a, "k1", &value).ok());
  CHECK(store->Get(a, "k2", &value).code() == Status::Code::kNotFound);
  // Still full: recovering fails, and nothing changes.
  CHECK_FALSE(store->Recover().ok());
  CHECK(store->Health().code() == Status::Code::kNoSpace);

  full->full = false;
  Status recovered = store->Recover();
  INFO(recovered.ToString());
  REQUIRE(recovered.ok());
  CHECK(store->Health().ok());
  // Full again at once, before anything is written after the recovery (every memtable
  // empty, the WAL new): the store goes on each time.
  full->full = true;
  WriteBatch again;
  again.Put(a, "k3", "again");
  CHECK(store->Write(again, /*sync=*/false).code() == Status::Code::kNoSpace);
  full->full = false;
  REQUIRE(store->Recover().ok());
  REQUIRE(store->Write(during, /*sync=*/true).ok());
  REQUIRE(store->Write(again, /*sync=*/true).ok());

  // What was written before the failure is durable; the refused write is not there.
  store.reset();
  options.disk_full = nullptr;
  REQUIRE(OpenRocksStore(options, &store).ok());
  for (const char* key : {"k1", "k2", "k3"}) {
    INFO(key);
    CHECK(store->Get(a, key, &value).ok());
  }
}

TEST_CASE(
    "a full disk stops writes while reads go on and writing resumes by itself once space returns",
    "[disk][failure]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  auto full = std::make_shared<DiskFullSwitch>();
  auto engine = OpenEngine(dir, full);

  std::vector<std::string> acknowledged;  // client ids
  for (int i = 0; i < 20; ++i) {
    CommandResult r = engine->commands().Execute(Officer(), Person(i));
    REQUIRE(r.ok());
    acknowledged.push_back(r.response["client_id"]);
  }
  const uint64_t head = engine->log().HeadPosition();
  REQUIRE(Eventually([&] { return engine->runner().Applied() >= head; }));

  full->full = true;
  // Every command is refused as "no space", the first (whose write failed) and the rest
  // (refused by the stopped store and log, without touching the disk).
  for (int i = 0; i < 10; ++i) {
    CommandResult r = engine->commands().Execute(Officer(), Person(100 + i));
    INFO(r.status.ToString());
    CHECK(r.status.code() == Status::Code::kNoSpace);
  }
  CHECK(engine->WriteHealth().code() == Status::Code::kNoSpace);
  CHECK(engine->store().Health().code() == Status::Code::kNoSpace);
  CHECK(engine->log().failed());

  // Reads go on: the log, the aggregates and the read models.
  CHECK(engine->log().HeadPosition() >= head);
  ClientState state;
  CHECK(engine->commands().ReadClient(acknowledged.front(), &state).ok());
  CHECK(engine->log().VerifyChain(1, 0).ok);

  // While the disk stays full, the recovery tries and fails, and nothing changes.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(engine->WriteHealth().code() == Status::Code::kNoSpace);
  CHECK(engine->Recoveries() == 0);

  full->full = false;
  REQUIRE(Eventually([&] { return engine->WriteHealth().ok(); }));
  CHECK(engine->Recoveries() >= 1);
  for (int i = 0; i < 5; ++i) {
    CommandResult r = engine->commands().Execute(Officer(), Person(200 + i));
    INFO(r.status.ToString());
    REQUIRE(r.ok());
    acknowledged.push_back(r.response["client_id"]);
  }
  // The read models caught up, and say so.
  const uint64_t after = engine->log().HeadPosition();
  REQUIRE(Eventually([&] { return engine->runner().Applied() >= after; }));
  // It says so once its loop has seen a pass go through.
  CHECK(Eventually([&] { return engine->runner().error().ok(); }));
  CHECK(engine->log().VerifyChain(1, 0).ok);
  for (const std::string& id : acknowledged) {
    INFO(id);
    CHECK(engine->commands().ReadClient(id, &state).ok());
  }

  // Reopened: everything acknowledged is there, the chain whole, the read models up to
  // the head.
  engine.reset();
  engine = OpenEngine(dir);
  const VerifyReport report = engine->log().VerifyChain(1, 0);
  CHECK(report.ok);
  CHECK(report.checked == engine->log().HeadPosition());
  CHECK(engine->log().HeadPosition() >= after);
  CHECK(engine->runner().Applied() == engine->log().HeadPosition());
  for (const std::string& id : acknowledged) {
    INFO(id);
    CHECK(engine->commands().ReadClient(id, &state).ok());
  }
}

TEST_CASE("a full disk during a burst of commands loses nothing acknowledged", "[disk][failure]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  auto full = std::make_shared<DiskFullSwitch>();
  auto engine = OpenEngine(dir, full);

  // Writers keep going while the disk fills and empties again.
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::vector<std::string> unexpected;  // failures other than "no space"
  std::atomic<int> refused{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        CommandResult r = engine->commands().Execute(Officer(), Person(w * 100000 + i));
        std::lock_guard<std::mutex> lock(mu);
        if (r.ok()) {
          acknowledged.push_back(r.response["client_id"]);
        } else if (r.status.code() == Status::Code::kNoSpace) {
          refused++;
        } else {
          unexpected.push_back(r.status.ToString());
        }
      }
    });
  }
  auto count = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return acknowledged.size();
  };
  REQUIRE(Eventually([&] { return count() >= 50; }));
  full->full = true;
  REQUIRE(Eventually([&] { return refused.load() >= 50; }));
  full->full = false;
  const size_t before = count();
  REQUIRE(Eventually([&] { return count() >= before + 50; }));
  stop = true;
  for (auto& t : writers) t.join();
  INFO((unexpected.empty() ? std::string() : unexpected.front()));
  CHECK(unexpected.empty());

  const uint64_t head = engine->log().HeadPosition();
  REQUIRE(Eventually([&] { return engine->runner().Applied() >= head; }));
  // It says so once its loop has seen a pass go through.
  CHECK(Eventually([&] { return engine->runner().error().ok(); }));
  engine.reset();
  engine = OpenEngine(dir);
  CHECK(engine->log().VerifyChain(1, 0).ok);
  ClientState state;
  for (const std::string& id : acknowledged) {
    INFO(id);
    CHECK(engine->commands().ReadClient(id, &state).ok());
  }
}

TEST_CASE("a log stopped by a full disk resumes once its store recovers without a gap",
          "[log][disk][failure]") {
  auto store = testing::NewMemoryLogStore();
  std::unique_ptr<EventLog> log;
  REQUIRE(EventLog::Open(store.get(), EventLogOptions(), &log).ok());
  REQUIRE(log->Append(testing::OneEvent("case-1")).status.ok());

  store->SetDiskFull(true);
  auto r = testing::OneEvent("case-1", ExpectedVersion::Exact(1));
  r.command_id = "cmd-a";
  CHECK(log->Append(r).status.code() == Status::Code::kNoSpace);
  CHECK(log->failed());
  CHECK(log->Append(testing::OneEvent("case-2")).status.code() == Status::Code::kNoSpace);
  // Nothing goes on while the store refuses writes.
  CHECK(log->Resume().code() == Status::Code::kNoSpace);
  CHECK(store->Recover().code() == Status::Code::kNoSpace);
  CHECK(log->failed());

  store->SetDiskFull(false);
  REQUIRE(store->Recover().ok());
  REQUIRE(log->Resume().ok());
  CHECK_FALSE(log->failed());
  auto retried = log->Append(r);
  REQUIRE(retried.status.ok());
  CHECK_FALSE(retried.result.duplicate);
  CHECK(retried.result.first_position == 2);
  CHECK(retried.result.versions[0].version == 2);
  CHECK(log->Append(testing::OneEvent("case-1", ExpectedVersion::Exact(2))).status.ok());
  CHECK(log->VerifyChain(1, 0).ok);
  CHECK(log->VerifyChain(1, 0).checked == 3);
}

}  // namespace
}  // namespace caseengine
