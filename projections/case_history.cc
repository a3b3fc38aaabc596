// CaseHistory and CaseHistoryProjection: see case_history.h.
#include "projections/case_history.h"

#include <cstdio>
#include <limits>
#include <string_view>

#include "base/coding.h"
#include "base/json_text.h"
#include "base/time_format.h"
#include "events/log_range.h"
#include "projections/case_marks.h"
#include "projections/store_rows.h"

namespace caseengine {
namespace {

// The string fields an event may carry, all but `subject` (which only names the key that
// seals the personal fields); personal fields are not among them.
struct Field {
  const char* name;
  std::string Event::*member;
};
constexpr Field kFields[] = {
    {"client_id", &Event::client_id},
    {"case_id", &Event::case_id},
    {"user_id", &Event::user_id},
    {"role", &Event::role},
    {"team_id", &Event::team_id},
    {"status", &Event::status},
    {"client_type", &Event::client_type},
    {"case_number", &Event::case_number},
    {"group", &Event::group},
    {"relationship", &Event::relationship},
    {"date", &Event::date},
    {"reason", &Event::reason},
    {"title", &Event::title},
    {"item_id", &Event::item_id},
    {"strand_id", &Event::strand_id},
    {"strand_type", &Event::strand_type},
    {"other_case_id", &Event::other_case_id},
    {"other_item_id", &Event::other_item_id},
    {"mode", &Event::mode},
    {"source", &Event::source},
    {"referrer", &Event::referrer},
};

// One entry: the envelope's metadata and the event's fields that are set (text that is
// not UTF-8 shows its bad bytes as U+FFFD, as everywhere else).
nlohmann::json Entry(const EventView& v, const Event* e) {
  nlohmann::json details = nlohmann::json::object();
  if (e != nullptr) {
    for (const Field& f : kFields) {
      const std::string& value = e->*f.member;
      if (!value.empty()) details[f.name] = ValidUtf8(value);
    }
    if (e->type == EventType::kPersonAdded) details["joint_applicant"] = e->joint_applicant;
  }
  return {{"position", v.position()},
          {"version", v.version()},
          {"at", FormatMicrosUtc(v.recorded_at())},
          {"actor", ValidUtf8(v.actor())},
          {"type", ValidUtf8(v.type())},
          {"details", std::move(details)}};
}

bool ValidMonth(const std::string& month) {
  if (month.size() != 7 || month[4] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (month[i] < '0' || month[i] > '9') return false;
  }
  const int m = (month[5] - '0') * 10 + (month[6] - '0');
  return m >= 1 && m <= 12;
}

// The recorded times of a valid month "YYYY-MM", both inclusive.
bool MonthRange(const std::string& month, int64_t* from, int64_t* to) {
  int year = std::stoi(month.substr(0, 4)), m = std::stoi(month.substr(5, 2)) + 1;
  if (m == 13) {
    m = 1;
    ++year;
  }
  if (!ParseInstant(month + "-01", from)) return false;
  if (year > 9999) {  // December 9999: to the end of time
    *to = std::numeric_limits<int64_t>::max();
    return true;
  }
  char next[32];
  std::snprintf(next, sizeof next, "%04d-%02d-01", year, m);
  int64_t end;
  if (!ParseInstant(next, &end)) return false;
  *to = end - 1;
  return true;
}

}  // namespace

Status CaseHistory::Read(const std::string& case_id, const std::string& month,
                         const std::string& type, size_t limit, const std::string& cursor,
                         nlohmann::json* page, uint64_t upto) const {
  const Store* store = store_.load(std::memory_order_acquire);
  const EventLog* log = log_.load(std::memory_order_acquire);
  const EventCodec* codec = codec_.load(std::memory_order_acquire);
  if (store == nullptr || log == nullptr || codec == nullptr) {
    return Status::Unavailable("the case history read model is not open");
  }
  if (limit == 0) limit = kDefaultLimit;
  if (limit > kMaxLimit) {
    return Status::InvalidArgument("limit must be between 1 and " + std::to_string(kMaxLimit));
  }
  if (!month.empty() && !ValidMonth(month)) {
    return Status::InvalidArgument("month must be YYYY-MM, not '" + month + "'");
  }
  EventType parsed;
  if (!type.empty() && !ParseEventType(type, &parsed)) {
    return Status::InvalidArgument("unknown event type '" + type + "'");
  }
  if (case_id.find('\0') != std::string::npos) return Status::InvalidArgument("malformed case id");
  uint64_t after = 0;
  if (!cursor.empty() && !ParsePositionCursor(cursor, &after)) {
    return Status::InvalidArgument("cursor is not one the case history gave");
  }
  // One iterator for both marks: on RocksDB they come from one view.
  auto it = store->NewIterator(family_.load(std::memory_order_acquire), ReadPattern::kShort);
  Status marks = CaseMarks::Check(it.get(), case_id, "history");
  if (!marks.ok()) return marks;

  LogRange range;
  range.stream = CaseStream(case_id);
  range.to_position = upto;
  if (!month.empty() && !MonthRange(month, &range.from_micros, &range.to_micros)) {
    return Status::InvalidArgument("month must be YYYY-MM, not '" + month + "'");
  }
  nlohmann::json entries = nlohmann::json::array();
  uint64_t last = 0;
  bool more = false;
  if (after < std::numeric_limits<uint64_t>::max()) {
    range.from_position = after + 1;
    Event event;
    Status s = ScanRange(*log, range, [&](const EventView& v) {
      if (!type.empty() && v.type() != type) return true;
      if (entries.size() == limit) {
        more = true;  // one past the page: there is a next one
        return false;
      }
      // An event this build cannot decode still shows, without details.
      // Of the sealed fields, only the free text typed about the case shows.
      const bool known = codec->Decode(v.type(), v.payload(), &event, HasFreeText).ok();
      last = v.position();
      entries.push_back(Entry(v, known ? &event : nullptr));
      return true;
    });
    if (!s.ok()) return s;
  }
  if (entries.empty() && cursor.empty()) {
    bool any = false;
    Status s = log->ScanStream(range.stream, 1, [&](const EventView& v) {
      any = v.position() <= upto;  // the stream's first event
      return false;
    });
    if (!s.ok()) return s;
    if (!any) return Status::NotFound("no history for case " + case_id);
  }
  *page = {{"entries", std::move(entries)}, {"next_cursor", more ? std::to_string(last) : ""}};
  return Status::Ok();
}

Status CaseHistoryProjection::Load(const Store& store, FamilyId family) {
  history_.family_.store(family, std::memory_order_release);
  history_.store_.store(&store, std::memory_order_release);
  return Status::Ok();
}

void CaseHistoryProjection::Apply(const ProjectedEvent& pe, RowWriter* rows) {
  CaseMarks::Apply(pe, rows, nullptr);  // the entries are the log's: nothing else to drop
}

}  // namespace caseengine
