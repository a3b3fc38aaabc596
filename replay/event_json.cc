// JSON forms of events: see event_json.h.
#include "replay/event_json.h"

#include "aggregates/state_json.h"
#include "base/coding.h"
#include "base/time_format.h"

namespace caseengine {
namespace {

void PutEnvelope(const EventView& e, nlohmann::json* j) {
  (*j)["position"] = e.position();
  (*j)["stream"] = e.stream();
  (*j)["version"] = e.version();
  (*j)["type"] = e.type();
  (*j)["recorded_at"] = FormatMicrosUtc(e.recorded_at());
  (*j)["actor"] = e.actor();
  (*j)["tenant"] = e.tenant();
  (*j)["command_id"] = e.command_id();
  (*j)["correlation_id"] = e.correlation_id();
  (*j)["causation_id"] = e.causation_id();
}

void PutData(const EventView& e, const EventCodec& codec, nlohmann::json* j) {
  Event event;
  if (codec.Decode(e.type(), e.payload(), &event).ok()) (*j)["data"] = EventFieldsToJson(event);
}

}  // namespace

nlohmann::json EventToJson(const EventView& e) {
  nlohmann::json j;
  PutEnvelope(e, &j);
  j["payload_base64"] = Base64Encode(e.payload());
  j["prev_hash"] = HexEncode(AsBytes(e.prev_hash()));
  j["hash"] = HexEncode(AsBytes(e.hash()));
  return j;
}

nlohmann::json EventJson(const EventView& e, const EventCodec& codec) {
  nlohmann::json j = EventToJson(e);
  PutData(e, codec, &j);
  return j;
}

nlohmann::json ReadableEventJson(const EventView& e, const EventCodec& codec) {
  nlohmann::json j;
  PutEnvelope(e, &j);
  PutData(e, codec, &j);
  return j;
}

std::string ToJsonLine(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string CsvCell(const nlohmann::json& v) {
  std::string text = v.is_string() ? v.get<std::string>()
                     : v.is_null() ? std::string()
                                   : ToJsonLine(v);
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace caseengine
