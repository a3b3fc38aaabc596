// JSON forms of events: see event_json.h.
#include "replay/event_json.h"

#include <ctime>

#include "base/coding.h"

namespace caseengine {

std::string FormatMicrosUtc(int64_t micros) {
  int64_t seconds = micros / 1000000;
  int64_t frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    seconds -= 1;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(frac));
  return buf;
}

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
