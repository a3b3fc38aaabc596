// CaseHistory and CaseHistoryProjection: see case_history.h.
#include "projections/case_history.h"

#include <limits>
#include <string_view>

#include "base/coding.h"
#include "base/json_text.h"
#include "base/time_format.h"
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

std::string DeletedKey(std::string_view case_id) {
  std::string key = "d";
  key += case_id;
  return key;
}

void DeleteCase(std::string_view case_id, RowWriter* rows) {
  DeleteRowsWithPrefix(RowPrefix('h', case_id), rows);
  rows->Delete(DeletedKey(case_id));
}

bool ValidMonth(const std::string& month) {
  if (month.size() != 7 || month[4] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (month[i] < '0' || month[i] > '9') return false;
  }
  const int m = (month[5] - '0') * 10 + (month[6] - '0');
  return m >= 1 && m <= 12;
}

}  // namespace

Status CaseHistory::Read(const std::string& case_id, const std::string& month,
                         const std::string& type, size_t limit, const std::string& cursor,
                         nlohmann::json* page) const {
  const Store* store = store_.load(std::memory_order_acquire);
  if (store == nullptr) return Status::Unavailable("the case history read model is not open");
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
  // One iterator for the mark and the rows: on RocksDB they come from one view.
  auto it = store->NewIterator(family_.load(std::memory_order_acquire), ReadPattern::kShort);
  const std::string deleted = DeletedKey(case_id);
  it->Seek(deleted);
  if (it->Valid() && it->key() == deleted) {
    return Status::NotFound("case " + case_id + " is deleted");
  }
  const std::string prefix = RowPrefix('h', case_id);
  nlohmann::json entries = nlohmann::json::array();
  uint64_t last = 0;
  bool more = false;
  if (after < std::numeric_limits<uint64_t>::max()) {
    std::string start = prefix;
    PutBigEndian64(&start, after + 1);
    for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (it->key().size() != prefix.size() + 8) continue;
      const std::string_view value = it->value();
      auto row = nlohmann::json::parse(value.begin(), value.end(), nullptr, false);
      if (!row.is_object() || !row["at"].is_string() || !row["type"].is_string()) {
        return Status::Corruption("case history row of case " + case_id +
                                  " is malformed; rebuild the read model");
      }
      if (!month.empty()) {
        const std::string_view row_month =
            std::string_view(row["at"].get_ref<const std::string&>()).substr(0, 7);
        if (row_month < month) continue;
        if (row_month > month) break;  // `at` never goes back: no later row is in the month
      }
      if (!type.empty() && row["type"].get_ref<const std::string&>() != type) continue;
      if (entries.size() == limit) {
        more = true;
        break;
      }
      last = DecodeBigEndian64(it->key().data() + prefix.size());
      entries.push_back(std::move(row));
    }
    if (!it->status().ok()) return it->status();
  }
  if (entries.empty() && cursor.empty()) {
    it->Seek(prefix);
    if (!it->Valid() || !it->key().starts_with(prefix)) {
      return it->status().ok() ? Status::NotFound("no history for case " + case_id) : it->status();
    }
  }
  *page = {{"entries", std::move(entries)}, {"next_cursor", more ? std::to_string(last) : ""}};
  return Status::Ok();
}

Status CaseHistoryProjection::Load(const Store& store, FamilyId family) {
  history_.family_.store(family, std::memory_order_release);
  history_.store_.store(&store, std::memory_order_release);
  Reset();
  return Status::Ok();
}

void CaseHistoryProjection::Reset() {
  at_micros_ = -1;
  at_.clear();
}

const std::string& CaseHistoryProjection::At(int64_t micros) {
  if (micros != at_micros_) {
    at_micros_ = micros;
    at_ = FormatMicrosUtc(micros);
  }
  return at_;
}

void CaseHistoryProjection::Apply(const ProjectedEvent& pe, RowWriter* rows) {
  const Event* e = pe.event;
  if (pe.kind == StreamKind::kClient) {
    if (e == nullptr || e->type != EventType::kClientDeleted || e->mode != "erase") return;
    // The client's cases go with it, also those deleted before it (for which no
    // CaseDeleted is written now).
    const std::string owned = RowPrefix('o', pe.id);
    auto it = rows->store().NewIterator(rows->family(), ReadPattern::kShort);
    for (it->Seek(owned); it->Valid() && it->key().starts_with(owned); it->Next()) {
      DeleteCase(it->key().substr(owned.size()), rows);
      rows->Delete(it->key());
    }
    return;
  }
  if (pe.kind != StreamKind::kCase) return;
  const std::string_view case_id = pe.id;
  if (e != nullptr) {
    switch (e->type) {
      case EventType::kCaseOpened: {
        std::string owner = RowPrefix('o', e->client_id);
        owner += case_id;
        rows->Put(owner, "");
        break;
      }
      case EventType::kCaseDeleted:
        if (e->mode == "erase") return DeleteCase(case_id, rows);
        rows->Put(DeletedKey(case_id), "");
        break;
      case EventType::kCaseRestored:
        rows->Delete(DeletedKey(case_id));
        break;
      default:
        break;
    }
  }
  const uint64_t position = pe.envelope.position();
  std::string& row = row_;  // JSON by hand: Apply runs for every event of every case
  row.clear();
  row.append("{\"position\":");
  row.append(std::to_string(position));
  row.append(",\"version\":");
  row.append(std::to_string(pe.envelope.version()));
  row.append(",\"at\":");
  AppendJsonString(&row, At(pe.envelope.recorded_at()));
  row.append(",\"actor\":");
  AppendJsonString(&row, pe.envelope.actor());
  row.append(",\"type\":");
  AppendJsonString(&row, pe.envelope.type());
  row.append(",\"details\":{");
  if (e != nullptr) {
    bool first = true;
    for (const Field& f : kFields) {
      const std::string& value = e->*f.member;
      if (value.empty()) continue;
      if (!first) row.push_back(',');
      first = false;
      row.push_back('"');
      row.append(f.name);
      row.append("\":");
      AppendJsonString(&row, value);
    }
    if (e->type == EventType::kPersonAdded) {
      row.append(first ? "\"joint_applicant\":" : ",\"joint_applicant\":");
      row.append(e->joint_applicant ? "true" : "false");
    }
  }
  row.append("}}");
  std::string key = RowPrefix('h', case_id);
  PutBigEndian64(&key, position);
  rows->Put(key, row);
}

}  // namespace caseengine
