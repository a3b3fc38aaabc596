// The coroutine plumbing of the demo seeding: Task (a step of a household's script),
// Play (a whole household, which frees itself when it ends) and DayScheduler, which runs
// the households on worker threads in the order of a made-up calendar.
//
// A household's script is a life: it starts on a day of its own, and each step happens
// some days after the one before. The log's recorded_at never goes back and a decision's
// business date must not run ahead of the clock, so steps run in calendar order across
// all households: a household `co_await`s the day its next step is due (Until); once no
// command of the current day is in flight and no household of it has anything left to
// do, the scheduler walks the clock (SeedClock) to the earliest day anyone waits for and
// lets every household due that day run. So a day's commands are in flight together and
// share the log's group commits.
//
// Threading: `threads` workers share one queue of households ready to run; a household
// runs on one worker at a time (it may move between workers from one step to the next,
// handed over under the scheduler's lock). Answers arrive on a thread of the log, which
// only queues the waiting household (Answered); a condition variable, not an atomic wait:
// see base/await.h.
#pragma once

#include <climits>
#include <condition_variable>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "demo/seed_clock.h"

namespace caseengine::demo {

// A step of a household's script. It starts when awaited and, when it ends, resumes
// whoever awaited it.
class [[nodiscard]] Task {
 public:
  struct promise_type {
    std::coroutine_handle<> awaiter;

    Task get_return_object() {
      return Task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    auto final_suspend() noexcept {
      struct ResumeAwaiter {
        bool await_ready() noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
          const std::coroutine_handle<> next = h.promise().awaiter;
          return next ? next : std::noop_coroutine();
        }
        void await_resume() noexcept {}
      };
      return ResumeAwaiter{};
    }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };

  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&&) = delete;
  ~Task() {
    if (handle_) handle_.destroy();
  }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    handle_.promise().awaiter = awaiter;
    return handle_;
  }
  void await_resume() const noexcept {}

 private:
  explicit Task(std::coroutine_handle<promise_type> handle) : handle_(handle) {}
  std::coroutine_handle<promise_type> handle_;
};

// A whole household: created suspended, started by the scheduler on its first day, and
// freed by itself when its script ends.
struct Play {
  struct promise_type {
    Play get_return_object() {
      return Play{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
  std::coroutine_handle<> handle;
};

class DayScheduler {
 public:
  struct Start {
    int64_t day;  // days since 1970-01-01
    int household;
  };
  // `clock` is walked to each day before anything of that day runs; `start` makes the
  // (suspended) coroutine of a household.
  DayScheduler(SeedClock* clock, std::function<Play(int household)> start)
      : clock_(clock), start_(std::move(start)) {}

  // The households and their first days, sorted by day; before any Work.
  void SetStarts(std::vector<Start> starts) { starts_ = std::move(starts); }
  // A worker: runs households on the calling thread until every household has ended. Each
  // worker thread calls it.
  void Work();

  // The day the clock is on (read by a running household).
  int64_t today() const {
    std::lock_guard<std::mutex> lock(mu_);
    return day_;
  }

  // `co_await Until(day)`: resumes the household on `day` (at once when it is today or
  // `happens` is false). True when the step happens: `happens`, and the seeding was not
  // stopped.
  struct Until {
    DayScheduler* days;
    int64_t day;
    bool happens;
    bool await_ready() const { return !happens || days->stopped() || day <= days->today(); }
    void await_suspend(std::coroutine_handle<> waiting) { days->Wait(day, waiting); }
    bool await_resume() const { return happens && !days->stopped(); }
  };

  // A running household sends a command (Sent) and is queued again with its answer
  // (Answered, from any thread). The day does not end while a command is in flight.
  void Sent();
  void Answered(std::coroutine_handle<> waiting);

  // Stops the seeding: no household starts, and those waiting for a day are run at once
  // (their Until says false), so that every household ends.
  void Stop();
  bool stopped() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_;
  }

 private:
  void Wait(int64_t day, std::coroutine_handle<> waiting);
  // With nothing running or in flight: the next day anyone waits for, its households
  // queued. False when no household is left.
  bool NextDay();

  SeedClock* clock_;
  std::function<Play(int)> start_;
  std::vector<Start> starts_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  size_t next_start_ = 0;
  int64_t day_ = INT64_MIN;
  std::deque<std::coroutine_handle<>> ready_;
  std::map<int64_t, std::vector<std::coroutine_handle<>>> waiting_;  // by day
  int running_ = 0;    // households being run by a worker
  int in_flight_ = 0;  // commands sent and not answered
  bool stopped_ = false;
  bool done_ = false;
};

}  // namespace caseengine::demo
