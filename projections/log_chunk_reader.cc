// LogChunkReader: see log_chunk_reader.h.
#include "projections/log_chunk_reader.h"

#include <pthread.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace caseengine {

Status LogChunkReader::Read(uint64_t from, uint64_t to, std::vector<DecodedEvent>* chunk,
                            const std::function<bool()>& consume) const {
  const size_t max = max_events_;
  bool consumed = true;  // no consume has failed
  if (!read_ahead_ || to - from < 2 * max) {
    Status scan = log_->Scan(from, to, [&](const EventView& v) {
      chunk->emplace_back().bytes.assign(v.bytes());
      return chunk->size() < max || (consumed = consume());
    });
    if (scan.ok() && consumed && !chunk->empty()) consume();
    return scan;
  }
  // A chunk is handed over through `ready`.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<DecodedEvent> ready;
  bool have_ready = false, reader_done = false, stop = false;
  Status scan;
  std::thread reader([&] {
    pthread_setname_np(pthread_self(), "log-reader");
    std::vector<DecodedEvent> filling;
    filling.reserve(max);
    auto hand_over = [&] {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return !have_ready || stop; });
      if (stop) return false;
      ready.swap(filling);
      filling.clear();  // the chunk applied before, if any
      have_ready = true;
      cv.notify_all();
      return true;
    };
    Status s = log_->Scan(from, to, [&](const EventView& v) {
      filling.emplace_back().bytes.assign(v.bytes());
      return filling.size() < max || hand_over();
    });
    if (s.ok() && !filling.empty()) hand_over();
    std::lock_guard<std::mutex> lock(mu);
    scan = s;
    reader_done = true;
    cv.notify_all();
  });
  for (;;) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return have_ready || reader_done; });
    if (!have_ready) break;
    chunk->swap(ready);
    have_ready = false;
    cv.notify_all();
    lock.unlock();
    if (!consume()) {
      lock.lock();
      stop = true;
      cv.notify_all();
      break;
    }
  }
  reader.join();
  return scan;
}

}  // namespace caseengine
