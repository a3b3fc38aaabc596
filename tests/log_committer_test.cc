// The log's two threads: every decision runs on the writer ("log-writer"), and every
// callback on the committer ("log-commit"), the thread that wrote and synced its round,
// so a command's answer is two thread switches from its submission; callbacks come in
// the order decided; many appends from many threads are each completed once, with
// gapless positions; and a close with appends in flight completes every one of them.
#include <pthread.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events/event_log.h"
#include "tests/test_support.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

std::string ThreadName() {
  char name[32] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

}  // namespace

TEST_CASE("log: decisions run on the writer, callbacks on the committer that synced them",
          "[log][threads]") {
  TempDir dir;
  OpenLog open;
  REQUIRE(OpenRocksLog(dir.Sub("log"), &open).ok());
  EventLog& log = *open.log;

  std::mutex mu;
  std::set<std::string> decide_threads, callback_threads;
  std::vector<uint64_t> completed;  // last positions, in callback order
  bool durable_when_answered = true;
  std::atomic<int> pending{0};
  const int kAppends = 400;
  std::vector<std::thread> senders;
  for (int t = 0; t < 8; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kAppends / 8; ++i) {
        Decision d;
        const std::string stream = "s-" + std::to_string(t) + "-" + std::to_string(i);
        d.decide = [&, stream](AppendRequest* r) {
          {
            std::lock_guard<std::mutex> lock(mu);
            decide_threads.insert(ThreadName());
          }
          r->writes.push_back({stream, ExpectedVersion::NoStream(), {{"Made", "{}"}}});
          return Status::Ok();
        };
        pending++;
        AppendRequest base;
        base.actor = "tester";
        log.DecideAsync(base, std::move(d), [&](AppendOutcome o) {
          std::lock_guard<std::mutex> lock(mu);
          callback_threads.insert(ThreadName());
          if (o.status.ok()) {
            completed.push_back(o.result.last_position);
            if (log.HeadPosition() < o.result.last_position) durable_when_answered = false;
          }
          pending--;
        });
      }
    });
  }
  for (auto& t : senders) t.join();
  for (int i = 0; i < 1000 && pending.load() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(pending.load() == 0);
  std::lock_guard<std::mutex> lock(mu);
  CHECK(decide_threads == std::set<std::string>{"log-writer"});
  CHECK(callback_threads == std::set<std::string>{"log-commit"});
  CHECK(durable_when_answered);
  // Answered in the order decided: positions ascend, and none is missing.
  REQUIRE(completed.size() == static_cast<size_t>(kAppends));
  for (size_t i = 1; i < completed.size(); ++i) CHECK(completed[i] == completed[i - 1] + 1);
  CHECK(completed.back() == log.HeadPosition());
  // The log runs no thread beside these two (the stages once had one each).
  std::set<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string n;
    std::getline(comm, n);
    names.insert(n);
  }
  CHECK(names.count("log-writer") == 1);
  CHECK(names.count("log-commit") == 1);
  CHECK(names.count("log-store") == 0);
  CHECK(names.count("log-sync") == 0);
  CHECK(names.count("log-ack") == 0);
}

TEST_CASE("log: a close with appends in flight completes each of them exactly once",
          "[log][threads]") {
  TempDir dir;
  for (int round = 0; round < 5; ++round) {
    OpenLog open;
    REQUIRE(OpenRocksLog(dir.Sub("log"), &open).ok());
    const uint64_t start = open.log->HeadPosition();
    std::atomic<int> calls{0}, ok{0};
    std::vector<std::atomic<int>> per_append(300);
    for (size_t i = 0; i < per_append.size(); ++i) {
      open.log->AppendAsync(OneEvent("r" + std::to_string(round) + "-" + std::to_string(i)),
                            [&, i](AppendOutcome o) {
                              per_append[i]++;
                              calls++;
                              if (o.status.ok()) ok++;
                            });
    }
    open.log.reset();  // closes while most are in flight
    CHECK(calls.load() == 300);
    for (auto& n : per_append) CHECK(n.load() == 1);
    // What was acknowledged is there after a reopen, gapless.
    open.store.reset();
    OpenLog again;
    REQUIRE(OpenRocksLog(dir.Sub("log"), &again).ok());
    CHECK(ok.load() == 300);  // queued before the close: written, not refused
    CHECK(again.log->HeadPosition() == start + static_cast<uint64_t>(ok.load()));
  }
}
