// LiveQueue: events handed to the runner from memory as they are committed
// (ProjectionRunner::Offer), so that a runner tailing the log applies them without reading
// the log back or opening their personal fields again.
//
// Invariants: bounded (capacity events): an offer that does not fit is dropped whole, and
// the runner reads those events from the log instead; nothing is ever waited for on the
// offering side. Events leave in position order, each position at most once; events at
// or below the position the runner has applied are passed over (already applied from the
// log, or offered twice). last_offered() never goes back, and counts dropped offers too,
// so the runner can tell "not offered yet" from "dropped" or "never will be".
//
// Threading: thread-safe. Offer from any thread (the log's completion thread); Take and
// WaitOffered from the runner's thread. The lock is held only to move events in or out.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "aggregates/event.h"

namespace caseengine {

// One committed event as its command decided it. See ProjectionRunner::Offer for what the
// caller guarantees.
struct LiveEvent {
  uint64_t position = 0;
  std::string envelope;  // the stored envelope's bytes (AppendResult::envelopes)
  Event event;           // the domain event, personal fields in the clear
};

struct LiveQueueStats {
  uint64_t offered = 0;  // events offered
  uint64_t dropped = 0;  // offered when the queue was full (read from the log instead)
  uint64_t skipped = 0;  // offered but already applied (or offered twice)
};

class LiveQueue {
 public:
  explicit LiveQueue(size_t capacity) : capacity_(capacity) {}

  void Offer(std::vector<LiveEvent> events);

  // Moves into `out` the events from position `next` on, in order and without a gap, up to
  // `max` of them and none past `up_to`; drops the ones below `next` on the way. Returns
  // the position of the first event left in the queue past what was taken (0: none), which
  // tells where the next gap ends.
  uint64_t Take(uint64_t next, uint64_t up_to, size_t max, std::vector<LiveEvent>* out);

  // The highest position ever offered (taken, queued or dropped); 0 before any offer.
  uint64_t last_offered() const;
  // Blocks until last_offered() >= position or the timeout passes; returns last_offered().
  uint64_t WaitOffered(uint64_t position, std::chrono::microseconds timeout) const;

  LiveQueueStats Stats() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  mutable std::condition_variable offered_cv_;
  std::deque<LiveEvent> queue_;
  uint64_t last_offered_ = 0;
  LiveQueueStats stats_;
};

}  // namespace caseengine
