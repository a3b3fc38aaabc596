// JSON forms of stored events for people and tools: `casereplay dump`, `history` and
// `export`, and the HTTP event feeds. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "aggregates/event_codec.h"
#include "base/time_format.h"
#include "events/event_view.h"

namespace caseengine {

// Envelope fields; the payload as base64 (its decoding belongs to the domain).
nlohmann::json EventToJson(const EventView& event);
// EventToJson with "data": the decoded fields (personal ones opened where the subject's
// key exists, {"erased": true} where it was destroyed). Without "data" when the payload
// does not decode.
nlohmann::json EventJson(const EventView& event, const EventCodec& codec);
// What a person reads: the envelope without payload bytes and hashes, and "data".
nlohmann::json ReadableEventJson(const EventView& event, const EventCodec& codec);

// One line of JSON. Text fields hold whatever bytes a client sent; bytes that are not
// UTF-8 are shown as U+FFFD rather than failing the whole output.
std::string ToJsonLine(const nlohmann::json& j);
// A CSV cell (RFC 4180): strings as they are, other values as compact JSON, quoted when
// they hold a comma, a quote or a line break. The one writer of CSV cells (the HTTP lists
// and `casereplay export`), so it is where CSV injection is stopped: a string that starts
// with = + - @, a tab or a CR gets a leading ' (OWASP), so a spreadsheet shows it as text
// rather than running it; a JSON number ("-3") is left as it is. Bytes that are not UTF-8
// and control characters but CR, LF and tab are written as U+FFFD.
std::string CsvCell(const nlohmann::json& v);

}  // namespace caseengine
