// AuditTrail and AuditTrailProjection: see audit_trail.h.
#include "projections/audit_trail.h"

#include <algorithm>
#include <limits>
#include <string_view>

#include "base/coding.h"
#include "base/json_text.h"
#include "base/time_format.h"
#include "projections/store_rows.h"

namespace caseengine {
namespace {

constexpr uint64_t kNoPosition = std::numeric_limits<uint64_t>::max();

void PutString(std::string* dst, std::string_view s) {
  const uint32_t n = static_cast<uint32_t>(s.size());
  const char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)};
  dst->append(len, 4);
  dst->append(s);
}

bool GetString(std::string_view* in, std::string_view* s) {
  if (in->size() < 4) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(in->data());
  const size_t n = (size_t{p[0]} << 24) | (size_t{p[1]} << 16) | (size_t{p[2]} << 8) | p[3];
  if (in->size() - 4 < n) return false;
  *s = in->substr(4, n);
  in->remove_prefix(4 + n);
  return true;
}

struct Row {
  int64_t recorded_at = 0;
  std::string_view stream, actor, type, command_id, correlation_id;
};

bool DecodeRow(std::string_view value, Row* row) {
  if (value.size() < 8) return false;
  row->recorded_at = static_cast<int64_t>(DecodeBigEndian64(value.data()));
  value.remove_prefix(8);
  return GetString(&value, &row->stream) && GetString(&value, &row->actor) &&
         GetString(&value, &row->type) && GetString(&value, &row->command_id) &&
         GetString(&value, &row->correlation_id) && value.empty();
}

std::string PositionKey(uint64_t position) {
  std::string key = "p";
  PutBigEndian64(&key, position);
  return key;
}

// The first position whose event was recorded at or after `micros`: one past the last row
// when none was.
uint64_t FirstAtOrAfter(const Store& store, FamilyId family, int64_t micros) {
  auto it = store.NewIterator(family, ReadPattern::kShort);
  it->Seek("p");
  if (!it->Valid() || it->key().size() != 9 || it->key()[0] != 'p') return 1;
  uint64_t lo = DecodeBigEndian64(it->key().data() + 1);
  it->SeekForPrev(PositionKey(kNoPosition));
  if (!it->Valid() || it->key().size() != 9 || it->key()[0] != 'p') return lo;
  uint64_t hi = DecodeBigEndian64(it->key().data() + 1) + 1;
  // Invariant: every position below lo was recorded before `micros`, every row at or
  // above hi at or after it. A probe lands on the first row at or above mid, so gaps in
  // the positions (there are none, but cheaply tolerated) do not break the search.
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    it->Seek(PositionKey(mid));
    uint64_t at = hi;
    Row row;
    if (it->Valid() && it->key().size() == 9 && it->key()[0] == 'p') {
      at = DecodeBigEndian64(it->key().data() + 1);
    }
    if (at >= hi || !DecodeRow(it->value(), &row) || row.recorded_at >= micros) {
      hi = mid;
    } else {
      lo = at + 1;
    }
  }
  return lo;
}

}  // namespace

Status AuditTrail::Scan(
    const AuditQuery& q,
    const std::function<bool(uint64_t position, nlohmann::json entry)>& fn) const {
  const Store* store = store_.load(std::memory_order_acquire);
  if (store == nullptr) return Status::Unavailable("the audit trail read model is not open");
  const FamilyId family = family_.load(std::memory_order_acquire);
  uint64_t first = 1, last = kNoPosition;
  if (!q.cursor.empty()) {
    uint64_t after;
    if (!ParsePositionCursor(q.cursor, &after)) {
      return Status::InvalidArgument("cursor is not one the audit trail gave");
    }
    if (after == kNoPosition) return Status::Ok();
    first = after + 1;
  }
  if (q.from_micros > 0) first = std::max(first, FirstAtOrAfter(*store, family, q.from_micros));
  if (q.to_micros > 0 && q.to_micros < std::numeric_limits<int64_t>::max()) {
    last = FirstAtOrAfter(*store, family, q.to_micros + 1) - 1;  // FirstAtOrAfter is at least 1
  }
  if (first > last) return Status::Ok();

  // The narrowest index: a stream has fewer events than an actor has, as a rule.
  std::string prefix;
  if (!q.stream.empty()) {
    prefix = "s" + q.stream + '\0';
  } else if (!q.actor.empty()) {
    prefix = "a" + q.actor + '\0';
  } else {
    prefix = "p";
  }
  const bool by_index = prefix != "p";
  std::string start = prefix;
  PutBigEndian64(&start, first);
  auto it = store->NewIterator(family, by_index ? ReadPattern::kShort : ReadPattern::kScan);
  std::string value;
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    // Another actor whose id continues past a 0x00 would share the prefix: not ours.
    if (it->key().size() != prefix.size() + 8) continue;
    const uint64_t position = DecodeBigEndian64(it->key().data() + prefix.size());
    if (position > last) break;
    std::string_view bytes = it->value();
    if (by_index) {
      Status s = store->Get(family, PositionKey(position), &value);
      if (!s.ok()) {
        return Status::Corruption("audit trail index names position " + std::to_string(position) +
                                  " which has no row; rebuild the read model");
      }
      bytes = value;
    }
    Row row;
    if (!DecodeRow(bytes, &row)) {
      return Status::Corruption("audit trail row at position " + std::to_string(position) +
                                " is malformed; rebuild the read model");
    }
    if (!q.actor.empty() && row.actor != q.actor) continue;
    if (!q.stream.empty() && row.stream != q.stream) continue;
    // Redundant while recorded_at never decreases (see the file comment); kept so a log
    // that broke that rule still never yields an entry outside the range.
    if (q.from_micros > 0 && row.recorded_at < q.from_micros) continue;
    if (q.to_micros > 0 && row.recorded_at > q.to_micros) continue;
    nlohmann::json entry = {{"position", position},
                            {"at", FormatMicrosUtc(row.recorded_at)},
                            {"actor", ValidUtf8(row.actor)},
                            {"stream", ValidUtf8(row.stream)},
                            {"type", ValidUtf8(row.type)},
                            {"command_id", ValidUtf8(row.command_id)},
                            {"correlation_id", ValidUtf8(row.correlation_id)}};
    if (!fn(position, std::move(entry))) return Status::Ok();
  }
  return it->status();
}

Status AuditTrail::Query(const AuditQuery& query, nlohmann::json* page) const {
  const size_t limit = query.limit == 0 ? kDefaultLimit : query.limit;
  if (limit > kMaxLimit) {
    return Status::InvalidArgument("limit must be between 1 and " + std::to_string(kMaxLimit));
  }
  nlohmann::json entries = nlohmann::json::array();
  uint64_t last = 0;
  bool more = false;
  Status s = Scan(query, [&](uint64_t position, nlohmann::json entry) {
    if (entries.size() == limit) {
      more = true;  // one past the page: there is a next one
      return false;
    }
    last = position;
    entries.push_back(std::move(entry));
    return true;
  });
  if (!s.ok()) return s;
  *page = {{"entries", std::move(entries)}, {"next_cursor", more ? std::to_string(last) : ""}};
  return Status::Ok();
}

Status AuditTrail::ForEach(const AuditQuery& query,
                           const std::function<bool(const nlohmann::json&)>& fn) const {
  return Scan(query, [&](uint64_t, nlohmann::json entry) { return fn(entry); });
}

Status AuditTrailProjection::Load(const Store& store, FamilyId family) {
  trail_.family_.store(family, std::memory_order_release);
  trail_.store_.store(&store, std::memory_order_release);
  return Status::Ok();
}

void AuditTrailProjection::Apply(const ProjectedEvent& pe, RowWriter* rows) {
  const EventView& v = pe.envelope;
  const uint64_t position = v.position();
  const std::string_view stream = v.stream(), actor = v.actor();
  value_.clear();
  PutBigEndian64(&value_, static_cast<uint64_t>(v.recorded_at()));
  PutString(&value_, stream);
  PutString(&value_, actor);
  PutString(&value_, v.type());
  PutString(&value_, v.command_id());
  PutString(&value_, v.correlation_id());
  key_.assign(1, 'p');
  PutBigEndian64(&key_, position);
  rows->Put(key_, value_);
  if (!actor.empty()) {
    key_.assign(1, 'a');
    key_.append(actor);
    key_ += '\0';
    PutBigEndian64(&key_, position);
    rows->Put(key_, "");
  }
  key_.assign(1, 's');
  key_.append(stream);
  key_ += '\0';
  PutBigEndian64(&key_, position);
  rows->Put(key_, "");
}

}  // namespace caseengine
