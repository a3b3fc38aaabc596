// JSON forms of events: see event_json.h.
#include "replay/event_json.h"

#include "base/coding.h"
#include "base/time_format.h"

namespace caseengine {

nlohmann::json EventToJson(const EventView& e) {
  nlohmann::json j;
  j["position"] = e.position();
  j["stream"] = e.stream();
  j["version"] = e.version();
  j["type"] = e.type();
  j["recorded_at"] = FormatMicrosUtc(e.recorded_at());
  j["actor"] = e.actor();
  j["tenant"] = e.tenant();
  j["command_id"] = e.command_id();
  j["correlation_id"] = e.correlation_id();
  j["causation_id"] = e.causation_id();
  j["payload_base64"] = Base64Encode(e.payload());
  j["prev_hash"] = HexEncode(AsBytes(e.prev_hash()));
  j["hash"] = HexEncode(AsBytes(e.hash()));
  return j;
}

}  // namespace caseengine

namespace caseengine {

std::string ToJsonLine(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace caseengine
