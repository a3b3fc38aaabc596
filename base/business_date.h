// The business date: the calendar date in the deployment's time zone (Europe/London by
// default), which "today", due dates and "overdue" are counted in. An event keeps the
// UTC instant it was recorded; at 00:30 on a summer morning in London the business date
// is already the next day's while UTC's is not.
//
// Thread-safe: each call makes its own ICU time zone (cheap against a command).
#pragma once

#include <cstdint>
#include <string>

namespace caseengine {

// Whether ICU knows `time_zone` (an IANA name such as "Europe/London").
bool KnownTimeZone(const std::string& time_zone);
// "YYYY-MM-DD" of the instant (microseconds since the epoch) in `time_zone`; the UTC date
// for an unknown zone.
std::string DateIn(const std::string& time_zone, int64_t micros);
// Today's date in `time_zone`, by the system clock.
std::string TodayIn(const std::string& time_zone);

}  // namespace caseengine
