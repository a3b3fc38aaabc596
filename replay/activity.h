// Activity: the events of a time range (optionally of one actor or one stream), as the
// activity export and a stream's history read them, and their readable forms.
//
// Recorded times never go backwards along the log (the writer takes the later of the
// clock and the last recorded time), so the start of a range is found by binary search
// over positions and a scan stops after its end: the cost is the events read, not the
// size of the log.
//
// Threading: pure functions over a thread-safe log.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "events/event_log.h"

namespace caseengine {

struct ActivityFilter {
  int64_t from_micros = std::numeric_limits<int64_t>::min();  // inclusive
  int64_t to_micros = std::numeric_limits<int64_t>::max();    // inclusive
  std::string actor;                                          // empty: every actor
  std::string stream;                                         // empty: every stream
};

// Calls fn for each event the filter selects, in position order, until it returns false.
// With a stream, only that stream's events are read (through the stream index).
Status ScanActivity(const EventLog& log, const ActivityFilter& filter,
                    const std::function<bool(const EventView&)>& fn);

// Readable forms of ReadableEventJson's object (replay/event_json.h).
// A heading line "#<position> v<version> <recorded_at> <actor> <type>" and a line per
// field of "data" ("  <name>: <value>"; personal fields erased as "  personal: erased").
std::string HistoryText(const nlohmann::json& event);
// The CSV header and a row of the activity export (docs/auditing.md).
std::string ActivityCsvHeader();
std::string ActivityCsvRow(const nlohmann::json& event);

}  // namespace caseengine
