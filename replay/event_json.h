// JSON forms of stored events for people and tools (casereplay dump, later the HTTP
// feeds). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "base/time_format.h"
#include "events/event_view.h"

namespace caseengine {

// Envelope fields; the payload as base64 (its decoding belongs to the domain).
nlohmann::json EventToJson(const EventView& event);

// One line of JSON. Text fields hold whatever bytes a client sent; bytes that are not
// UTF-8 are shown as U+FFFD rather than failing the whole output.
std::string ToJsonLine(const nlohmann::json& j);

}  // namespace caseengine
