// LiveQueue: see live_queue.h.
#include "projections/live_queue.h"

#include <algorithm>
#include <iterator>

namespace caseengine {

void LiveQueue::Offer(std::vector<LiveEvent> events) {
  if (events.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.offered += events.size();
    last_offered_ = std::max(last_offered_, events.back().position);
    if (queue_.size() + events.size() > capacity_) {
      // The runner is behind (or not started): it reads these from the log when it gets
      // there, which costs it a read and a decoding, not the caller a wait.
      stats_.dropped += events.size();
    } else {
      queue_.insert(queue_.end(), std::make_move_iterator(events.begin()),
                    std::make_move_iterator(events.end()));
    }
  }
  offered_cv_.notify_all();
}

uint64_t LiveQueue::Take(uint64_t next, uint64_t up_to, size_t max, std::vector<LiveEvent>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  while (!queue_.empty()) {
    LiveEvent& front = queue_.front();
    if (front.position < next) {
      ++stats_.skipped;
    } else if (front.position == next && front.position <= up_to && out->size() < max) {
      out->push_back(std::move(front));
      ++next;
    } else {
      return front.position;
    }
    queue_.pop_front();
  }
  return 0;
}

uint64_t LiveQueue::last_offered() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_offered_;
}

uint64_t LiveQueue::WaitOffered(uint64_t position, std::chrono::microseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  offered_cv_.wait_for(lock, timeout, [&] { return last_offered_ >= position; });
  return last_offered_;
}

LiveQueueStats LiveQueue::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace caseengine
