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

}  // namespace

Status AuditTrail::Scan(
    const AuditQuery& q,
    const std::function<bool(uint64_t position, nlohmann::json entry)>& fn) const {
  const Store* store = store_.load(std::memory_order_acquire);
  const EventLog* log = log_.load(std::memory_order_acquire);
  if (store == nullptr || log == nullptr) {
    return Status::Unavailable("the audit trail read model is not open");
  }
  const FamilyId family = family_.load(std::memory_order_acquire);
  uint64_t first = 1, last = log->HeadPosition();
  if (!q.cursor.empty()) {
    uint64_t after;
    if (!ParsePositionCursor(q.cursor, &after)) {
      return Status::InvalidArgument("cursor is not one the audit trail gave");
    }
    if (after == kNoPosition) return Status::Ok();
    first = after + 1;
  }
  if (q.from_micros > 0) {
    uint64_t at;
    Status s = log->FirstAtOrAfter(q.from_micros, &at);
    if (!s.ok()) return s;
    first = std::max(first, at);
  }
  if (q.to_micros > 0 && q.to_micros < std::numeric_limits<int64_t>::max()) {
    uint64_t at;
    Status s = log->FirstAtOrAfter(q.to_micros + 1, &at);  // at least 1
    if (!s.ok()) return s;
    last = std::min(last, at - 1);
  }
  if (first > last) return Status::Ok();

  bool more = true;
  auto visit = [&](const EventView& v) {
    const uint64_t position = v.position();
    if (position < first) return true;
    if (position > last) return false;
    if (!q.actor.empty() && v.actor() != q.actor) return true;
    if (!q.stream.empty() && v.stream() != q.stream) return true;
    // Redundant while recorded_at never decreases (see the file comment); kept so a log
    // that broke that rule still never yields an entry outside the range.
    if (q.from_micros > 0 && v.recorded_at() < q.from_micros) return true;
    if (q.to_micros > 0 && v.recorded_at() > q.to_micros) return true;
    nlohmann::json entry = {{"position", position},
                            {"at", FormatMicrosUtc(v.recorded_at())},
                            {"actor", ValidUtf8(v.actor())},
                            {"stream", ValidUtf8(v.stream())},
                            {"type", ValidUtf8(v.type())},
                            {"command_id", ValidUtf8(v.command_id())},
                            {"correlation_id", ValidUtf8(v.correlation_id())}};
    more = fn(position, std::move(entry));
    return more;
  };
  // The narrowest way in: a stream has fewer events than an actor has, as a rule.
  if (!q.stream.empty()) return log->ScanStream(q.stream, 1, visit, first);
  if (q.actor.empty()) return log->Scan(first, last, visit);
  const std::string prefix = "a" + q.actor + '\0';
  std::string start = prefix;
  PutBigEndian64(&start, first);
  auto it = store->NewIterator(family, ReadPattern::kShort);
  std::string bytes;
  for (it->Seek(start); more && it->Valid() && it->key().starts_with(prefix); it->Next()) {
    // Another actor whose id continues past a 0x00 would share the prefix: not ours.
    if (it->key().size() != prefix.size() + 8) continue;
    const uint64_t position = DecodeBigEndian64(it->key().data() + prefix.size());
    if (position > last) break;
    EventView view;
    Status s = log->ReadView(position, &bytes, &view);
    if (!s.ok()) {
      return Status::Corruption("audit trail index names position " + std::to_string(position) +
                                " which the log does not hold (" + s.message() +
                                "); rebuild the read model");
    }
    visit(view);
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
  const std::string_view actor = pe.envelope.actor();
  if (actor.empty()) return;
  key_.assign(1, 'a');
  key_.append(actor);
  key_ += '\0';
  PutBigEndian64(&key_, pe.envelope.position());
  rows->Put(key_, "");
}

}  // namespace caseengine
