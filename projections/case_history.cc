// CaseHistory and CaseHistoryProjection: see case_history.h.
#include "projections/case_history.h"

#include <limits>
#include <string_view>

#include "base/coding.h"
#include "base/time_format.h"

namespace caseengine {
namespace {

constexpr std::string_view kCaseStream = "case-";
constexpr std::string_view kClientStream = "client-";

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

std::string Prefix(char tag, std::string_view id) {
  std::string key;
  key.reserve(id.size() + 2 + 8);
  key += tag;
  key += id;
  key += '\0';
  return key;
}

std::string DeletedKey(std::string_view case_id) {
  std::string key = "d";
  key += case_id;
  return key;
}

// Deletes every committed row under `prefix`. Only deleting events call this, and the
// runner has committed everything before them (see RowWriter::store).
void DeletePrefix(const std::string& prefix, RowWriter* rows) {
  auto it = rows->store().NewIterator(rows->family(), ReadPattern::kShort);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    rows->Delete(it->key());
  }
}

void DeleteCase(std::string_view case_id, RowWriter* rows) {
  DeletePrefix(Prefix('h', case_id), rows);
  rows->Delete(DeletedKey(case_id));
}

// The length of the well-formed UTF-8 sequence (Unicode table 3-7) starting at s[i], or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

// Appends `s` as a JSON string. Each byte that is not UTF-8 becomes U+FFFD, so every row
// parses, and parsing and writing a row again gives the same bytes.
void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t run = 0;  // where the bytes still to be copied as they are begin
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const size_t n = Utf8Length(s, i);
      if (n > 0) {
        i += n;
        continue;
      }
    }
    out->append(s.data() + run, i - run);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          static const char kHex[] = "0123456789abcdef";
          const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          out->append(escaped, sizeof escaped);
        } else {
          out->append("\xEF\xBF\xBD");
        }
    }
    ++i;
    run = i;
  }
  out->append(s.data() + run, i - run);
  out->push_back('"');
}

bool ParseCursor(const std::string& cursor, uint64_t* position) {
  if (cursor.empty() || cursor.size() > 20) return false;
  uint64_t v = 0;
  for (char c : cursor) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    v = v * 10 + digit;
  }
  if (v == 0) return false;
  *position = v;
  return true;
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
  if (!cursor.empty() && !ParseCursor(cursor, &after)) {
    return Status::InvalidArgument("cursor is not one the case history gave");
  }
  // One iterator for the mark and the rows: on RocksDB they come from one view.
  auto it = store->NewIterator(family_.load(std::memory_order_acquire), ReadPattern::kShort);
  const std::string deleted = DeletedKey(case_id);
  it->Seek(deleted);
  if (it->Valid() && it->key() == deleted) {
    return Status::NotFound("case " + case_id + " is deleted");
  }
  const std::string prefix = Prefix('h', case_id);
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
  const std::string_view stream = pe.envelope.stream();
  const Event* e = pe.event;
  if (stream.starts_with(kClientStream)) {
    if (e == nullptr || e->type != EventType::kClientDeleted || e->mode != "erase") return;
    // The client's cases go with it, also those deleted before it (for which no
    // CaseDeleted is written now).
    const std::string owned = Prefix('o', stream.substr(kClientStream.size()));
    auto it = rows->store().NewIterator(rows->family(), ReadPattern::kShort);
    for (it->Seek(owned); it->Valid() && it->key().starts_with(owned); it->Next()) {
      DeleteCase(it->key().substr(owned.size()), rows);
      rows->Delete(it->key());
    }
    return;
  }
  if (!stream.starts_with(kCaseStream)) return;
  const std::string_view case_id = stream.substr(kCaseStream.size());
  if (e != nullptr) {
    switch (e->type) {
      case EventType::kCaseOpened: {
        std::string owner = Prefix('o', e->client_id);
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
  std::string key = Prefix('h', case_id);
  PutBigEndian64(&key, position);
  rows->Put(key, row);
}

}  // namespace caseengine
