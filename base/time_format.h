// Time as the engine writes and reads it: instants are microseconds since the Unix epoch,
// shown as RFC 3339 UTC; dates are YYYY-MM-DD in UTC. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace caseengine {

// "2026-11-22T10:15:30.123456Z".
std::string FormatMicrosUtc(int64_t micros);
// The same through gmtime_r and snprintf, which FormatMicrosUtc uses for years outside
// 0..9999 (and tests check it against).
std::string FormatMicrosUtcSlow(int64_t micros);
// "2026-11-22": the UTC date of an instant.
std::string MicrosToDate(int64_t micros);
// The UTC date now, by the system clock. The engine's "today" is the command handler's
// (CommandServiceOptions::today, this by default), which a made-up history replaces.
std::string UtcToday();
// An instant from RFC 3339 ("2026-11-22T10:15:30Z", fractions and offsets allowed) or a
// date ("2026-11-22" is its midnight UTC). False when `text` is neither.
bool ParseInstant(std::string_view text, int64_t* micros);
// Like ParseInstant, for the end of a range: a date means the last microsecond of that day,
// so that "up to 2026-11-22" includes all of it.
bool ParseInstantUntil(std::string_view text, int64_t* micros);
// The one date parser: "2026-11-22", a real date of the calendar (no 2026-02-30), as days
// since 1970-01-01. Every date the engine reads, in a command, a filter or an instant,
// goes through it. False for anything else.
bool ParseDate(std::string_view text, int64_t* days);
bool IsDate(std::string_view text);
// "1970-01-11" for 10.
std::string DateFromDays(int64_t days);
// The date `n` days after `date` (before, for a negative n); "" when `date` is malformed.
std::string AddDays(std::string_view date, int64_t n);
// Whole days from date `from` to date `to` (both YYYY-MM-DD); 0 when either is malformed.
int64_t DaysBetween(std::string_view from, std::string_view to);

}  // namespace caseengine
