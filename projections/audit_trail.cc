// AuditTrail and AuditTrailProjection: see audit_trail.h.
#include "projections/audit_trail.h"

#include <limits>
#include <string_view>

#include "base/coding.h"
#include "base/json_text.h"
#include "base/time_format.h"
#include "events/log_range.h"
#include "projections/store_rows.h"

namespace caseengine {
namespace {

constexpr uint64_t kNoPosition = std::numeric_limits<uint64_t>::max();

std::string BlockKey(std::string_view actor, uint64_t bucket) {
  std::string key = RowPrefix('b', actor);
  PutBigEndian64(&key, bucket);
  return key;
}

uint64_t Offset(std::string_view offsets, size_t i) {
  return (static_cast<uint64_t>(static_cast<uint8_t>(offsets[2 * i])) << 8) |
         static_cast<uint8_t>(offsets[2 * i + 1]);
}

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
  LogRange range;
  range.actor = q.actor;
  range.stream = q.stream;
  if (!q.cursor.empty()) {
    uint64_t after;
    if (!ParsePositionCursor(q.cursor, &after)) {
      return Status::InvalidArgument("cursor is not one the audit trail gave");
    }
    if (after == kNoPosition) return Status::Ok();
    range.from_position = after + 1;
  }
  if (q.from_micros > 0) range.from_micros = q.from_micros;
  if (q.to_micros > 0) range.to_micros = q.to_micros;

  bool more = true;
  auto visit = [&](const EventView& v) {
    nlohmann::json entry = {{"position", v.position()},
                            {"at", FormatMicrosUtc(v.recorded_at())},
                            {"actor", ValidUtf8(v.actor())},
                            {"stream", ValidUtf8(v.stream())},
                            {"type", ValidUtf8(v.type())},
                            {"command_id", ValidUtf8(v.command_id())},
                            {"correlation_id", ValidUtf8(v.correlation_id())}};
    more = fn(v.position(), std::move(entry));
    return more;
  };
  // The narrowest way in: a stream has fewer events than an actor has, as a rule. An
  // actor's events alone come through this read model's index.
  if (q.actor.empty() || !q.stream.empty()) return ScanRange(*log, range, visit);
  bool empty = false;
  Status s = ResolvePositions(*log, &range, &empty);
  if (!s.ok() || empty) return s;
  const std::string prefix = RowPrefix('b', q.actor);
  std::string start = prefix;
  PutBigEndian64(&start, range.from_position >> AuditTrailProjection::kBucketBits);
  auto it = store->NewIterator(family, ReadPattern::kShort);
  std::string bytes;
  bool past = false;  // beyond the range's last position
  for (it->Seek(start); more && !past && it->Valid() && it->key().starts_with(prefix); it->Next()) {
    // Another actor whose id continues past a 0x00 would share the prefix: not ours.
    if (it->key().size() != prefix.size() + 8) continue;
    const uint64_t base = DecodeBigEndian64(it->key().data() + prefix.size())
                          << AuditTrailProjection::kBucketBits;
    if (base > range.to_position) break;
    const std::string_view offsets = it->value();
    if (offsets.size() % 2 != 0) {
      return Status::Corruption("audit trail index row of actor " + q.actor +
                                " is malformed; rebuild the read model");
    }
    for (size_t i = 0; more && i < offsets.size() / 2; ++i) {
      const uint64_t position = base + Offset(offsets, i);
      if (position < range.from_position) continue;
      if (position > range.to_position) {
        past = true;
        break;
      }
      EventView view;
      s = log->ReadView(position, &bytes, &view);
      if (!s.ok()) {
        return Status::Corruption("audit trail index names position " + std::to_string(position) +
                                  " which the log does not hold (" + s.message() +
                                  "); rebuild the read model");
      }
      if (range.Contains(view)) visit(view);
    }
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
  Reset();
  return Status::Ok();
}

void AuditTrailProjection::Reset() {
  blocks_.clear();
  dirty_.clear();
  bucket_ = 0;
}

void AuditTrailProjection::Apply(const ProjectedEvent& pe, RowWriter* rows) {
  const std::string_view actor = pe.envelope.actor();
  if (actor.empty()) return;
  const uint64_t position = pe.envelope.position();
  const uint64_t bucket = position >> kBucketBits;
  bucket_ = bucket;
  auto it = blocks_.find(actor);
  const bool fresh = it == blocks_.end();
  if (fresh) it = blocks_.emplace(std::string(actor), Block()).first;
  Block& b = it->second;
  if (fresh || b.bucket != bucket) {
    // The block before, still unwritten when a batch crosses into the next one.
    if (b.dirty) rows->Put(BlockKey(actor, b.bucket), b.offsets);
    b.bucket = bucket;
    b.offsets.clear();
    b.last = 0;
    // What earlier batches added to this block is committed, so in the store.
    std::string stored;
    if (rows->store().Get(rows->family(), BlockKey(actor, bucket), &stored).ok() &&
        !stored.empty() && stored.size() % 2 == 0) {
      b.offsets = std::move(stored);
      b.last = (bucket << kBucketBits) + Offset(b.offsets, b.offsets.size() / 2 - 1);
    }
  }
  if (position <= b.last) return;  // applied again after a failed write: already there
  const uint64_t offset = position - (bucket << kBucketBits);
  b.offsets.push_back(static_cast<char>(offset >> 8));
  b.offsets.push_back(static_cast<char>(offset & 0xff));
  b.last = position;
  if (!b.dirty) {
    b.dirty = true;
    dirty_.push_back(&it->first);
  }
}

void AuditTrailProjection::Flush(RowWriter* rows) {
  for (const std::string* actor : dirty_) {
    Block& b = blocks_.find(*actor)->second;
    rows->Put(BlockKey(*actor, b.bucket), b.offsets);
    b.dirty = false;
  }
  dirty_.clear();
  // Blocks the log has moved past never grow again.
  std::erase_if(blocks_, [&](const auto& entry) { return entry.second.bucket < bucket_; });
}

}  // namespace caseengine
