// EventDriven: command_bench's writers as sessions without threads of their own
// (--drive events), as an asynchronous server drives the command handler: a command's
// answer, on the thread that delivers it, records its latency and sends that writer's
// next command, so no thread waits for a free place. Benchmarks only.
//
// Invariants: every writer keeps up to `inflight` commands in flight until all the
// commands are sent; Run returns once every answer has arrived.
//
// Threading: answers arrive on the log's threads, one at a time per thread; a writer's
// state is guarded by its Caseload's mutex, the count of places in flight by mu_.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <random>
#include <vector>

#include "app/command_service.h"
#include "bench/bench_util.h"
#include "bench/caseload.h"
#include "bench/command_mix.h"

namespace caseengine::bench {

class EventDriven {
 public:
  EventDriven(CommandService* handler, const Senders* senders, uint64_t commands, int writers)
      : handler_(handler), senders_(senders), commands_(commands), sessions_(writers) {
    for (int w = 0; w < writers; ++w) sessions_[w].rng.seed(w + 1);
  }

  // Runs every command, `inflight` at a time per writer.
  WriterRun Run(int inflight);

  uint64_t failed() const { return failed_; }
  uint64_t refused() const { return refused_; }

 private:
  struct Session {
    Caseload load;
    std::mt19937 rng;
    std::vector<double> latencies;  // guarded by load.mu
  };

  // Sends the writer's next command, or retires one of its places when all are sent.
  void Send(Session* s);

  CommandService* handler_;
  const Senders* senders_;
  const uint64_t commands_;
  std::vector<Session> sessions_;
  std::atomic<uint64_t> next_{0}, failed_{0}, refused_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  size_t active_ = 0;  // commands in flight or about to be sent; guarded by mu_
};

}  // namespace caseengine::bench
