// LogRange and ScanRange: see log_range.h.
#include "events/log_range.h"

#include <algorithm>

namespace caseengine {

bool LogRange::Contains(const EventView& e) const {
  const uint64_t position = e.position();
  if (position < from_position || position > to_position) return false;
  if (e.recorded_at() < from_micros || e.recorded_at() > to_micros) return false;
  if (!actor.empty() && e.actor() != actor) return false;
  return stream.empty() || e.stream() == stream;
}

Status ResolvePositions(const EventLog& log, LogRange* range, bool* empty) {
  range->from_position = std::max<uint64_t>(range->from_position, 1);
  range->to_position = std::min(range->to_position, log.HeadPosition());
  if (range->from_micros != std::numeric_limits<int64_t>::min()) {
    uint64_t at;
    Status s = log.FirstAtOrAfter(range->from_micros, &at);
    if (!s.ok()) return s;
    range->from_position = std::max(range->from_position, at);
  }
  if (range->to_micros != std::numeric_limits<int64_t>::max()) {
    uint64_t at;
    Status s = log.FirstAtOrAfter(range->to_micros + 1, &at);  // at least 1
    if (!s.ok()) return s;
    range->to_position = std::min(range->to_position, at - 1);
  }
  *empty = range->from_position > range->to_position;
  return Status::Ok();
}

Status ScanRange(const EventLog& log, LogRange range,
                 const std::function<bool(const EventView&)>& fn) {
  bool empty = false;
  Status s = ResolvePositions(log, &range, &empty);
  if (!s.ok() || empty) return s;
  auto visit = [&](const EventView& v) {
    if (v.position() > range.to_position) return false;
    return !range.Contains(v) || fn(v);
  };
  if (!range.stream.empty()) return log.ScanStream(range.stream, 1, visit, range.from_position);
  return log.Scan(range.from_position, range.to_position, visit);
}

}  // namespace caseengine
