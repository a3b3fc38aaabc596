// LogRange: a part of the log as auditors ask for it (positions, recorded times, one
// actor's or one stream's events), and ScanRange, which reads it. The audit trail's pages
// and the activity export both read the log this way.
//
// Recorded times never go backwards along the log (the writer takes the later of the clock
// and the last recorded time), so a time range becomes a range of positions by binary
// search (EventLog::FirstAtOrAfter), and a scan costs the events it reads, not the size of
// the log. A stream's events are read through the stream index, from the range's first
// position on.
//
// Threading: pure functions over a thread-safe log.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "events/event_log.h"

namespace caseengine {

struct LogRange {
  uint64_t from_position = 1;                                   // inclusive
  uint64_t to_position = std::numeric_limits<uint64_t>::max();  // inclusive
  int64_t from_micros = std::numeric_limits<int64_t>::min();    // inclusive
  int64_t to_micros = std::numeric_limits<int64_t>::max();      // inclusive
  std::string actor;                                            // empty: every actor
  std::string stream;                                           // empty: every stream

  // Whether the event is in the range. Its time is checked too, although the positions
  // found for the times already exclude it while times never go back: a log that broke
  // that rule still yields no event outside the range.
  bool Contains(const EventView& event) const;
};

// Narrows the range's positions to its times (by binary search) and to the log's durable
// head. Sets *empty when no position is left.
Status ResolvePositions(const EventLog& log, LogRange* range, bool* empty);

// Calls fn for each event in the range, in position order, until it returns false.
Status ScanRange(const EventLog& log, LogRange range,
                 const std::function<bool(const EventView&)>& fn);

}  // namespace caseengine
