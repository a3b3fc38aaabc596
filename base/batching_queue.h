// BatchingQueue: a many-producer queue drained in whole batches by one consumer that is
// scheduled only when the queue goes from idle to busy. This is the heart of group
// commit: while the consumer works on one batch, producers pile up the next.
//
//   if (queue.Push(item)) schedule(drain);            // producer, any thread
//   void drain() { while (!(items = queue.TakeAll()).empty()) process(items); }
//
// TakeAll marks the queue idle, under the same lock, when it finds nothing, so an item
// pushed after that schedules a new drain and no item is ever stranded.
//
// Threading: Push from any thread; TakeAll from the one consumer.
#pragma once

#include <mutex>
#include <vector>

namespace caseengine {

template <class T>
class BatchingQueue {
 public:
  // Queues the item; true when the caller must schedule a drain.
  bool Push(T item) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.push_back(std::move(item));
    if (scheduled_) return false;
    scheduled_ = true;
    return true;
  }

  std::vector<T> TakeAll() {
    std::vector<T> out;
    std::lock_guard<std::mutex> lock(mu_);
    if (items_.empty()) {
      scheduled_ = false;
      return out;
    }
    out.swap(items_);
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<T> items_;
  bool scheduled_ = false;
};

}  // namespace caseengine
