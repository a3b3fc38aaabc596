// EventLog: opening and reading the log. Verifying its chain lives in log_verify.cc,
// appending in log_writer.cc.
#include "events/event_log.h"

#include <algorithm>

#include "base/await.h"
#include "base/coding.h"
#include "events/log_format.h"
#include "events/log_writer.h"

namespace caseengine {

bool ExpectedVersion::Matches(uint64_t current) const {
  switch (kind) {
    case Kind::kAny:
      return true;
    case Kind::kNoStream:
      return current == 0;
    case Kind::kExact:
      return current == version;
    case Kind::kStreamExists:
      return current > 0;
  }
  return false;
}

std::string ExpectedVersion::ToString() const {
  switch (kind) {
    case Kind::kAny:
      return "any";
    case Kind::kNoStream:
      return "no stream";
    case Kind::kExact:
      return std::to_string(version);
    case Kind::kStreamExists:
      return "an existing stream";
  }
  return "?";
}

std::vector<std::string> EventLog::LogFamilyNames() {
  using namespace log_format;
  return {kLogFamily, kStreamsFamily, kHeadsFamily, kIdempotencyFamily, kMetaFamily};
}

EventLog::EventLog(Store* store, const EventLogOptions& options)
    : store_(store), options_(options) {}

EventLog::~EventLog() { writer_.reset(); }

Status EventLog::Open(Store* store, const EventLogOptions& options,
                      std::unique_ptr<EventLog>* out) {
  std::unique_ptr<EventLog> log(new EventLog(store, options));
  LogTail tail;
  Status s = log->Recover(&tail);
  if (!s.ok()) return s;
  if (!store->read_only()) {
    s = LogWriter::Create(log.get(), tail, &log->writer_);
    if (!s.ok()) return s;
  }
  *out = std::move(log);
  return Status::Ok();
}

Status EventLog::Recover(LogTail* tail) {
  using namespace log_format;
  const std::string where = store_->path().empty() ? "the store" : store_->path();
  LogFamilies found;
  struct {
    const char* name;
    FamilyId* id;
  } families[] = {{kLogFamily, &found.log},
                  {kStreamsFamily, &found.streams},
                  {kHeadsFamily, &found.heads},
                  {kIdempotencyFamily, &found.idempotency},
                  {kMetaFamily, &found.meta}};
  for (const auto& f : families) {
    if (!store_->Family(f.name, f.id).ok()) {
      return Status::InvalidArgument(where + " is not a caseengine data folder (it has no '" +
                                     f.name + "' family)");
    }
  }
  // Set once, at open; a resume (writer_ set) finds the same ids, read meanwhile.
  if (!writer_) families_ = found;

  auto it = store_->NewIterator(families_.log);
  it->SeekToLast();
  if (!it->status().ok()) return it->status();
  const bool empty = !it->Valid();

  std::string format;
  Status s = store_->Get(families_.meta, kFormatKey, &format);
  if (s.ok() && format != kFormatValue) {
    return Status::FailedPrecondition(where + " holds a log in format '" + format +
                                      "', which this build does not read");
  }
  if (!s.ok() && s.code() != Status::Code::kNotFound) return s;
  if (!s.ok()) {
    if (!empty) return Status::Corruption(where + " has events but no format marker");
    if (!store_->read_only()) {
      WriteBatch batch;
      batch.Put(families_.meta, kFormatKey, kFormatValue);
      s = store_->Write(batch, /*sync=*/true);
      if (!s.ok()) return s;
    }
  }
  // The committed head recorded with the last batch, when there is one.
  uint64_t committed = 0;
  Hash256 committed_hash{};
  std::string head_value;
  s = store_->Get(families_.meta, kHeadKey, &head_value);
  if (s.ok() && !ParseCommittedHeadValue(head_value, &committed, &committed_hash)) {
    return Status::Corruption(where + ": the committed head record is unreadable");
  }
  if (!s.ok() && s.code() != Status::Code::kNotFound) return s;
  if (empty && committed == 0) return Status::Ok();

  // Never chain new events onto a log whose end is not what was committed. A read-only
  // open goes on regardless, with the head at the furthest position either side
  // claims, so that VerifyChain can name the damage.
  Status damage;
  uint64_t position = 0;
  EventView view;
  const std::string at = where + ": ";
  if (empty) {
    damage = Status::Corruption(at + "the log is empty but " + std::to_string(committed) +
                                " events were committed: events were removed");
  } else if (!ParseLogKey(it->key(), &position)) {
    return Status::Corruption(at + "the last key of the log is malformed");
  } else if (!EventView::Parse(it->value(), &view).ok()) {
    damage = Status::Corruption(at + "the last stored event (position " + std::to_string(position) +
                                ") is unreadable");
  } else if (view.position() != position ||
             ChainHash(view.prev_hash(), view.bytes(), view.hash_offset()) != view.hash()) {
    damage = Status::Corruption(at + "the last stored event (position " + std::to_string(position) +
                                ") does not match its hash");
  } else if (committed != 0 && (committed != position || committed_hash != view.hash())) {
    damage = Status::Corruption(
        at + "the log ends at position " + std::to_string(position) + " but position " +
        std::to_string(committed) + " was the last committed" +
        (committed > position ? ": events were removed from its end"
                              : ": events were changed or added outside the engine"));
  }
  if (!damage.ok()) {
    if (!store_->read_only()) {
      return Status::Corruption(damage.message() +
                                "; refusing to append. Run `casereplay verify` on it");
    }
    durable_position_.store(std::max(position, committed));
    return Status::Ok();
  }
  tail->position = position;
  tail->hash = view.hash();
  tail->recorded_at = view.recorded_at();
  durable_position_.store(position);
  return Status::Ok();
}

void EventLog::AppendAsync(AppendRequest request, AppendCallback done) {
  DecideAsync(std::move(request), Decision(), std::move(done));
}

void EventLog::DecideAsync(AppendRequest base, Decision decision, AppendCallback done) {
  if (!writer_) {
    AppendOutcome o;
    o.status = Status::FailedPrecondition("the log is open read-only");
    return done(std::move(o));
  }
  writer_->Submit(std::move(base), std::move(decision), std::move(done));
}

AppendOutcome EventLog::Append(AppendRequest request) {
  return Decide(std::move(request), Decision());
}

AppendOutcome EventLog::Decide(AppendRequest base, Decision decision) {
  return Await<AppendOutcome>([&](AppendCallback done) {
    DecideAsync(std::move(base), std::move(decision), std::move(done));
  });
}

LogStats EventLog::Stats() const { return writer_ ? writer_->Stats() : LogStats(); }

uint64_t EventLog::FailedRounds() const { return writer_ ? writer_->FailedRounds() : 0; }

void EventLog::MarkFailed(const Status& cause) {
  std::lock_guard<std::mutex> lock(failure_mu_);
  if (failed_.load()) return;
  failure_ = cause.ok() ? Status::IoError("a write failed") : cause;
  failed_.store(true);
}

Status EventLog::failure() const {
  std::lock_guard<std::mutex> lock(failure_mu_);
  return failure_;
}

Status EventLog::StoppedStatus() const {
  const Status cause = failure();
  if (cause.code() == Status::Code::kNoSpace) {
    return Status::NoSpace("the event log stopped: " + cause.message());
  }
  return Status::Unavailable("the event log stopped after a failed write or sync (" +
                             cause.message() +
                             "); appends are refused until it is resumed once the store takes "
                             "writes again (the engine does that by itself), or reopened");
}

Status EventLog::Resume() {
  if (!failed()) return Status::Ok();
  if (!writer_) return Status::FailedPrecondition("the log is open read-only");
  return writer_->Resume();
}

void EventLog::ClearFailed() {
  std::lock_guard<std::mutex> lock(failure_mu_);
  failure_ = Status::Ok();
  failed_.store(false);
}

void EventLog::Publish(uint64_t position) {
  uint64_t current = durable_position_.load();
  while (position > current &&
         !durable_position_.compare_exchange_weak(current, position, std::memory_order_release)) {
  }
  if (waiters_.load() > 0) {
    std::lock_guard<std::mutex> lock(wait_mu_);
    wait_cv_.notify_all();
  }
}

uint64_t EventLog::WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) const {
  if (HeadPosition() > position) return HeadPosition();
  std::unique_lock<std::mutex> lock(wait_mu_);
  waiters_.fetch_add(1);
  wait_cv_.wait_for(lock, timeout, [&] { return HeadPosition() > position; });
  waiters_.fetch_sub(1);
  return HeadPosition();
}

Status EventLog::Head(std::string_view stream, StreamHead* head) const {
  using namespace log_format;
  // From the stream index, not the heads family: that family is a checkpoint (see
  // log_format.h), and the index holds every event, durable or about to be.
  *head = StreamHead();
  const uint64_t durable = HeadPosition();
  const std::string prefix = StreamPrefix(stream);
  auto it = store_->NewIterator(families_.streams);
  for (it->SeekForPrev(StreamKey(stream, UINT64_MAX)); it->Valid(); it->Prev()) {
    if (it->key().substr(0, prefix.size()) != prefix || it->value().size() != 8) break;
    const uint64_t position = DecodeBigEndian64(it->value().data());
    if (position > durable) continue;  // written, not yet synced
    std::string_view ignored;
    ParseStreamKey(it->key(), &ignored, &head->version);
    head->last_position = position;
    break;
  }
  return it->status();
}

Status EventLog::Scan(uint64_t from, uint64_t to,
                      const std::function<bool(const EventView&)>& fn) const {
  const uint64_t head = HeadPosition();
  if (to == 0 || to > head) to = head;
  if (from == 0) from = 1;
  auto it = store_->NewIterator(families_.log, ReadPattern::kScan);
  for (it->Seek(log_format::LogKey(from)); it->Valid(); it->Next()) {
    uint64_t position = 0;
    if (!log_format::ParseLogKey(it->key(), &position)) {
      return Status::Corruption("malformed key in the log");
    }
    if (position > to) break;
    EventView view;
    Status s = EventView::Parse(it->value(), &view);
    if (!s.ok())
      return Status::Corruption("event " + std::to_string(position) + ": " + s.message());
    if (!fn(view)) break;
  }
  return it->status();
}

Status EventLog::ReadAll(uint64_t from, size_t max, std::vector<RecordedEvent>* out) const {
  out->clear();
  if (max == 0) return Status::Ok();
  return Scan(from, 0, [&](const EventView& v) {
    out->push_back(v.ToRecorded());
    return out->size() < max;
  });
}

Status EventLog::ReadView(uint64_t position, std::string* bytes, EventView* view) const {
  if (position == 0 || position > HeadPosition()) {
    return Status::NotFound("no event at position " + std::to_string(position));
  }
  Status s = store_->Get(families_.log, log_format::LogKey(position), bytes);
  if (s.code() == Status::Code::kNotFound) {
    return Status::Corruption("event " + std::to_string(position) + " is missing from the log");
  }
  if (!s.ok()) return s;
  s = EventView::Parse(*bytes, view);
  if (!s.ok()) return Status::Corruption("event " + std::to_string(position) + ": " + s.message());
  return Status::Ok();
}

Status EventLog::ReadAt(uint64_t position, RecordedEvent* out) const {
  std::string bytes;
  EventView view;
  Status s = ReadView(position, &bytes, &view);
  if (!s.ok()) return s;
  *out = view.ToRecorded();
  return Status::Ok();
}

Status EventLog::FirstAtOrAfter(int64_t micros, uint64_t* position) const {
  // Invariant: every position below lo is recorded before `micros`; hi and above are not.
  uint64_t lo = 1, hi = HeadPosition() + 1;
  std::string bytes;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    EventView view;
    Status s = ReadView(mid, &bytes, &view);
    if (!s.ok()) return s;
    if (view.recorded_at() < micros) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *position = lo;
  return Status::Ok();
}

Status EventLog::ReadStream(std::string_view stream, uint64_t from_version, size_t max,
                            std::vector<RecordedEvent>* out) const {
  out->clear();
  if (max == 0) return Status::Ok();
  return ScanStream(stream, from_version, [&](const EventView& v) {
    out->push_back(v.ToRecorded());
    return out->size() < max;
  });
}

Status EventLog::ScanStream(std::string_view stream, uint64_t from_version,
                            const std::function<bool(const EventView&)>& fn,
                            uint64_t from_position) const {
  return WalkStream(stream, /*back=*/false, from_version, from_position, UINT64_MAX, fn);
}

Status EventLog::ScanStreamBack(std::string_view stream, uint64_t below,
                                const std::function<bool(const EventView&)>& fn) const {
  return WalkStream(stream, /*back=*/true, 1, 0, below, fn);
}

Status EventLog::WalkStream(std::string_view stream, bool back, uint64_t from_version,
                            uint64_t from_position, uint64_t below,
                            const std::function<bool(const EventView&)>& fn) const {
  using namespace log_format;
  if (!ValidStreamId(stream)) return Status::InvalidArgument("malformed stream id");
  const uint64_t head = HeadPosition();
  const std::string prefix = StreamPrefix(stream);
  auto it = store_->NewIterator(families_.streams);
  if (back) {
    it->SeekForPrev(StreamKey(stream, UINT64_MAX));
  } else {
    it->Seek(StreamKey(stream, std::max<uint64_t>(from_version, 1)));
  }
  std::string bytes;
  // Versions grow with positions: entries out of range are passed over in the index (they
  // are only keys) until the walk can stop.
  for (; it->Valid(); back ? it->Prev() : it->Next()) {
    if (it->key().substr(0, prefix.size()) != prefix) break;
    if (it->value().size() != 8) return Status::Corruption("malformed stream index entry");
    const uint64_t position = DecodeBigEndian64(it->value().data());
    if (position > head || position >= below) {
      if (back) continue;
      break;
    }
    if (position < from_position) {
      if (back) break;
      continue;
    }
    EventView view;
    Status s = ReadView(position, &bytes, &view);
    if (!s.ok()) return s;
    std::string_view indexed_stream;
    uint64_t indexed_version = 0;
    ParseStreamKey(it->key(), &indexed_stream, &indexed_version);
    if (view.stream() != stream || view.version() != indexed_version) {
      return Status::Corruption("the stream index names event " + std::to_string(position) +
                                " as version " + std::to_string(indexed_version) + " of " +
                                std::string(stream) + ", but it is not");
    }
    if (!fn(view)) break;
  }
  return it->status();
}

}  // namespace caseengine
