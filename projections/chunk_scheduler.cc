// ChunkScheduler: see chunk_scheduler.h.
#include "projections/chunk_scheduler.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <mutex>

namespace caseengine {

ChunkScheduler::ChunkScheduler() {
  boost::asio::post(second_, [] { pthread_setname_np(pthread_self(), "projections-2"); });
}

Status ChunkScheduler::Decode(const EventCodec& codec, const EventCodec::OpenPersonal& open,
                              bool parallel, std::vector<DecodedEvent>* chunk) {
  // Each event on its own: a key the decoding looks up is the same whichever thread asks,
  // and KeyStore is thread-safe.
  auto decode = [&](size_t begin, size_t end) {
    for (size_t k = begin; k < end; ++k) {
      Status s = DecodeEvent(codec, open, &(*chunk)[k]);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  };
  const size_t n = chunk->size();
  if (!parallel) return decode(0, n);
  // In slices taken by whichever thread is free, not in halves: the second thread often
  // starts a millisecond late (the log's reader holds a core as a chunk is handed over),
  // and with halves the first then waited for it, a third of the decoding's time.
  std::atomic<size_t> next{0};
  auto slices = [&] {
    Status failed;
    for (size_t b = next.fetch_add(kSlice); b < n; b = next.fetch_add(kSlice)) {
      Status s = decode(b, std::min(n, b + kSlice));
      if (failed.ok()) failed = s;
    }
    return failed;
  };
  auto other = OnSecondThread(slices);
  Status first = slices();
  Status second = other.get();
  return first.ok() ? second : first;
}

Status ChunkScheduler::OnThreads(const std::vector<size_t>& order, bool parallel,
                                 const std::function<Status(size_t item, int slot)>& fn,
                                 const std::function<Status(int slot)>& finish) {
  std::atomic<size_t> next{0};
  std::mutex failed_mu;
  Status failed;
  auto work = [&](int slot) {
    auto fail = [&](const Status& s) {
      std::lock_guard<std::mutex> lock(failed_mu);
      if (failed.ok()) failed = s;
    };
    for (size_t k = next++; k < order.size(); k = next++) {
      Status s = fn(order[k], slot);
      if (!s.ok()) fail(s);
    }
    Status s = finish(slot);
    if (!s.ok()) fail(s);
  };
  if (parallel && order.size() >= 2) {
    auto other = OnSecondThread([&] { work(1); });
    work(0);
    other.get();
  } else {
    work(0);
  }
  return failed;
}

}  // namespace caseengine
