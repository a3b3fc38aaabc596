// Await: blocks the calling thread until an asynchronous operation calls back, and returns
// what it passed. The one way synchronous calls are built on asynchronous ones here.
//
//   AppendOutcome o = Await<AppendOutcome>([&](auto done) { log->AppendAsync(r, done); });
//
// A condition variable sleeps on a futex at once; std::atomic::wait and semaphores spin and
// sched_yield first, which with many waiting threads on few cores steals the CPU the
// threads doing the work need. The state is shared, because the thread calling back may
// still be inside notify when the waiter wakes and returns. Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace caseengine {

template <class T, class Start>
T Await(Start start) {
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<T> value;
  };
  auto state = std::make_shared<State>();
  start(std::function<void(T)>([state](T value) {
    std::lock_guard<std::mutex> lock(state->mu);
    state->value = std::move(value);
    state->cv.notify_one();
  }));
  std::unique_lock<std::mutex> lock(state->mu);
  state->cv.wait(lock, [&] { return state->value.has_value(); });
  return std::move(*state->value);
}

}  // namespace caseengine
