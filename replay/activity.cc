// Activity: see activity.h.
#include "replay/activity.h"

#include "replay/event_json.h"

namespace caseengine {

Status ScanActivity(const EventLog& log, const ActivityFilter& f,
                    const std::function<bool(const EventView&)>& fn) {
  auto visit = [&](const EventView& v) {
    if (v.recorded_at() > f.to_micros) return false;
    if (v.recorded_at() < f.from_micros) return true;
    if (!f.actor.empty() && v.actor() != f.actor) return true;
    if (!f.stream.empty() && v.stream() != f.stream) return true;
    return fn(v);
  };
  uint64_t from = 1;
  if (f.from_micros != std::numeric_limits<int64_t>::min()) {
    Status s = log.FirstAtOrAfter(f.from_micros, &from);
    if (!s.ok()) return s;
  }
  if (from > log.HeadPosition()) return Status::Ok();
  if (!f.stream.empty()) return log.ScanStream(f.stream, 1, visit, from);
  return log.Scan(from, 0, visit);
}

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
