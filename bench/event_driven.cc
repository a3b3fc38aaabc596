// EventDriven: see event_driven.h.
#include "bench/event_driven.h"

#include <chrono>

namespace caseengine::bench {

using Clock = std::chrono::steady_clock;

WriterRun EventDriven::Run(int inflight) {
  const auto start = Clock::now();
  active_ = sessions_.size() * inflight;
  for (int k = 0; k < inflight; ++k) {
    for (auto& s : sessions_) Send(&s);
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return active_ == 0; });
  }
  WriterRun run;
  run.seconds = Seconds(start);
  std::vector<double> all;
  for (auto& s : sessions_) all.insert(all.end(), s.latencies.begin(), s.latencies.end());
  run.p50_us = Percentile(&all, 0.50);
  run.p99_us = Percentile(&all, 0.99);
  return run;
}

void EventDriven::Send(Session* s) {
  if (next_++ >= commands_) {
    std::lock_guard<std::mutex> lock(mu_);
    if (--active_ == 0) cv_.notify_one();
    return;
  }
  Command c = Next(s->load, s->rng);
  const auto t0 = Clock::now();
  handler_->ExecuteAsync(senders_->For(c), c, CommandOptions(), [this, s, c, t0](CommandResult r) {
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
    if (!r.status.ok()) failed_++;
    if (r.rejected) refused_++;
    Remember(s->load, c, r);
    {
      std::lock_guard<std::mutex> lock(s->load.mu);
      s->latencies.push_back(us);
    }
    Send(s);
  });
}

}  // namespace caseengine::bench
