// Activity: the readable forms of events, as the activity export and a stream's history
// print them. The events of a time range (optionally of one actor or one stream) are read
// with ScanRange (events/log_range.h).
//
// Threading: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace caseengine {

// Readable forms of ReadableEventJson's object (audit/event_json.h).
// A heading line "#<position> v<version> <recorded_at> <actor> <type>" and a line per
// field of "data" ("  <name>: <value>"; personal fields erased as "  personal: erased").
std::string HistoryText(const nlohmann::json& event);
// The CSV header and a row of the activity export (docs/auditing.md).
std::string ActivityCsvHeader();
std::string ActivityCsvRow(const nlohmann::json& event);

}  // namespace caseengine
