// JSON forms of events: see event_json.h.
#include "audit/event_json.h"

#include "aggregates/state_json.h"
#include "base/coding.h"
#include "base/json_text.h"
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
  // A JSON number or other non-string value is written as JSON: "-3" from a number is a
  // number to a spreadsheet, never a formula, and stays as it is.
  std::string text = v.is_string() ? ValidUtf8(v.get_ref<const std::string&>())
                     : v.is_null() ? std::string()
                                   : ToJsonLine(v);
  if (v.is_string()) {
    // Control characters other than line breaks and tabs leave as U+FFFD: a NUL or an
    // escape in a cell confuses the programs that read it (text written before input was
    // checked for them may hold some).
    std::string clean;
    clean.reserve(text.size());
    for (char ch : text) {
      const unsigned char c = static_cast<unsigned char>(ch);
      if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F) {
        clean += "\xEF\xBF\xBD";
      } else {
        clean += ch;
      }
    }
    text = std::move(clean);
    // A cell a spreadsheet would take for a formula (OWASP's CSV injection): a leading
    // quote makes it text.
    if (!text.empty() && std::string_view("=+-@\t\r").find(text[0]) != std::string_view::npos) {
      text.insert(0, 1, '\'');
    }
  }
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace caseengine
