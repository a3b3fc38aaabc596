// Activity: see activity.h.
#include "audit/activity.h"

#include "audit/event_json.h"

namespace caseengine {

std::string HistoryText(const nlohmann::json& e) {
  std::string out = "#" + std::to_string(e.value("position", uint64_t{0})) + " v" +
                    std::to_string(e.value("version", uint64_t{0})) + " " +
                    e.value("recorded_at", "") + " " + e.value("actor", "") + " " +
                    e.value("type", "") + "\n";
  if (!e.contains("data")) return out + "  (the payload does not decode)\n";
  for (const auto& [name, value] : e["data"].items()) {
    out += "  " + name + ": ";
    if (name == "personal" && value.value("erased", false)) {
      out += "erased";
    } else {
      out += value.is_string() ? value.get<std::string>() : ToJsonLine(value);
    }
    out += "\n";
  }
  return out;
}

std::string ActivityCsvHeader() {
  return "position,recorded_at,actor,stream,type,command_id,details\n";
}

std::string ActivityCsvRow(const nlohmann::json& e) {
  std::string row;
  for (const char* name : {"position", "recorded_at", "actor", "stream", "type", "command_id"}) {
    row += CsvCell(e.value(name, nlohmann::json())) + ",";
  }
  return row + CsvCell(e.contains("data") ? e["data"] : nlohmann::json()) + "\n";
}

}  // namespace caseengine
