// LogChunkReader: reads a range of the log a chunk of events at a time, for the runner to
// decode and apply.
//
// Invariants: chunks come in log order, each full (max_events) but the last, and a chunk
// holds only the events' bytes (DecodedEvent::bytes): decoding is the caller's. Once
// `consume` returns false nothing more is read or handed over.
//
// Threading: Read runs on the caller's thread, which `consume` also runs on. A long range
// (at least two chunks, with read-ahead on) is read on a thread of its own, "log-reader",
// started for the call and joined before it returns: it reads the next chunk while the
// caller decodes and applies this one, so reading the log (about a tenth of a rebuild) is
// not a step the other threads wait for.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "events/event_log.h"
#include "projections/decoded_event.h"

namespace caseengine {

class LogChunkReader {
 public:
  // `log` is not owned and must outlive this.
  LogChunkReader(const EventLog* log, size_t max_events, bool read_ahead)
      : log_(log), max_events_(max_events), read_ahead_(read_ahead) {}

  // Reads the events from `from` to `to` into `chunk` (which must be empty), calling
  // `consume` with each full chunk and the last one until it returns false; `consume`
  // empties the chunk. The scan's status.
  Status Read(uint64_t from, uint64_t to, std::vector<DecodedEvent>* chunk,
              const std::function<bool()>& consume) const;

 private:
  const EventLog* log_;
  const size_t max_events_;
  const bool read_ahead_;
};

}  // namespace caseengine
