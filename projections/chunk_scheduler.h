// ChunkScheduler: the runner's two threads for a large chunk (a catch-up's, a rebuild's):
// the calling thread and "projections-2", which decode a chunk's events in slices and
// then apply it projection by projection, each taking the next item whichever is free.
//
// Invariants: every call returns only once the second thread has finished its share, so
// nothing it runs outlives the call, and what the two threads write is seen by the caller
// afterwards. Items of one call are taken once each; no item is run by both threads.
//
// Threading: Decode, OnThreads and OnSecondThread are called from one thread at a time
// (the runner's). "projections-2" is started with the scheduler and kept: a thread
// started per chunk cost a rebuild 130 thread starts, each with a fresh stack and
// allocator cache. It is joined when the scheduler is destroyed.
#pragma once

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <future>
#include <vector>

#include "aggregates/event_codec.h"
#include "projections/decoded_event.h"

namespace caseengine {

class ChunkScheduler {
 public:
  ChunkScheduler();

  // Decodes every event of `chunk` (its bytes read): on two threads, each taking kSlice
  // events at a time, when `parallel`; the first failure.
  Status Decode(const EventCodec& codec, const EventCodec::OpenPersonal& open, bool parallel,
                std::vector<DecodedEvent>* chunk);
  static constexpr size_t kSlice = 128;

  // Calls fn(item, slot) for each item of `order`, in order, each taken by whichever
  // thread is free (two if `parallel` and there are two items), then finish(slot) on each
  // thread that ran; slot is 0 on the calling thread, 1 on the second. The first failure.
  Status OnThreads(const std::vector<size_t>& order, bool parallel,
                   const std::function<Status(size_t item, int slot)>& fn,
                   const std::function<Status(int slot)>& finish);

  // Runs fn on "projections-2"; the future is ready once it has run.
  template <class Fn>
  auto OnSecondThread(Fn fn) -> std::future<decltype(fn())> {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto done = task.get_future();
    boost::asio::post(second_, std::move(task));
    return done;
  }

 private:
  boost::asio::thread_pool second_{1};
};

}  // namespace caseengine
