// DayScheduler: see day_scheduler.h.
#include "demo/day_scheduler.h"

#include <algorithm>
#include <climits>

namespace caseengine::demo {

void DayScheduler::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (!ready_.empty()) {
      const std::coroutine_handle<> next = ready_.front();
      ready_.pop_front();
      ++running_;
      lock.unlock();
      next.resume();  // until the household sends a command, waits for a day, or ends
      lock.lock();
      --running_;
      continue;
    }
    if (done_) return;
    if (running_ == 0 && in_flight_ == 0) {
      // The day is over: nothing of it is left to run or to answer.
      if (!NextDay()) {
        done_ = true;
        cv_.notify_all();
        return;
      }
      cv_.notify_all();
      continue;
    }
    cv_.wait(lock);
  }
}

bool DayScheduler::NextDay() {
  if (stopped_) {
    for (auto& [day, households] : waiting_) {
      ready_.insert(ready_.end(), households.begin(), households.end());
    }
    waiting_.clear();
    return !ready_.empty();
  }
  int64_t next = INT64_MAX;
  if (!waiting_.empty()) next = waiting_.begin()->first;
  if (next_start_ < starts_.size()) next = std::min(next, starts_[next_start_].day);
  if (next == INT64_MAX) return false;
  day_ = next;
  clock_->Walk(next);
  auto due = waiting_.find(next);
  if (due != waiting_.end()) {
    ready_.insert(ready_.end(), due->second.begin(), due->second.end());
    waiting_.erase(due);
  }
  for (; next_start_ < starts_.size() && starts_[next_start_].day == next; ++next_start_) {
    ready_.push_back(start_(starts_[next_start_].household).handle);
  }
  return true;
}

void DayScheduler::Wait(int64_t day, std::coroutine_handle<> waiting) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) {
    ready_.push_back(waiting);
    cv_.notify_one();
    return;
  }
  waiting_[day].push_back(waiting);
}

void DayScheduler::Sent() {
  std::lock_guard<std::mutex> lock(mu_);
  ++in_flight_;
}

void DayScheduler::Answered(std::coroutine_handle<> waiting) {
  std::lock_guard<std::mutex> lock(mu_);
  --in_flight_;
  ready_.push_back(waiting);
  cv_.notify_one();
}

void DayScheduler::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = true;
  cv_.notify_all();
}

}  // namespace caseengine::demo
