// EventLog: the durable, gapless, hash-chained log of every event, with a stream index.
//
// Appends come from any thread and are queued to one writer thread, which checks each
// request's expected stream versions, gives its events the next global positions and
// chains their hashes into one batch per round (with the stream index and the
// idempotency record). A committer thread writes the batches queued meanwhile in one
// write, syncs the WAL once and only then acknowledges them: group commit, with deciding
// overlapped with writing and syncing (see log_writer.h).
// Readers never see past the last synced position, so a reader that has seen position N
// has seen every event below N.
//
// Failure: a batch that cannot be written, or a sync that fails, stops the log: every
// request not yet durable fails, and every later append is refused (kNoSpace when the
// disk is full, kUnavailable otherwise) until the log is reopened, or resumed once its
// store takes writes again (Resume); retrying with the same command id is then safe.
// Nothing of the log touches the store for writing while it is stopped.
//
// Threading: every public method is thread-safe. Append callbacks run on the log's
// committer thread (or the caller's, when the log is closing), in order, and must not
// block: the log's next write and sync wait for them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/sha256.h"
#include "base/status.h"
#include "events/event_view.h"
#include "storage/store.h"

namespace caseengine {

// What the writer expects a stream's current version to be.
struct ExpectedVersion {
  enum class Kind { kAny, kNoStream, kExact, kStreamExists };
  Kind kind = Kind::kAny;
  uint64_t version = 0;  // for kExact

  static ExpectedVersion Any() { return {Kind::kAny, 0}; }
  static ExpectedVersion NoStream() { return {Kind::kNoStream, 0}; }
  static ExpectedVersion Exact(uint64_t v) { return {Kind::kExact, v}; }
  static ExpectedVersion StreamExists() { return {Kind::kStreamExists, 0}; }
  bool Matches(uint64_t current) const;
  std::string ToString() const;
};

struct NewEvent {
  std::string type;
  std::string payload;
};

struct StreamWrite {
  std::string stream;
  ExpectedVersion expected;
  std::vector<NewEvent> events;
};

struct AppendRequest {
  std::vector<StreamWrite> writes;  // one or more streams, written atomically
  std::string command_id;           // idempotency key; empty for none
  // The command id was generated for this request and can never have been seen: it is
  // recorded in the envelopes but neither looked up nor kept for repeats.
  bool fresh_command_id = false;
  std::string actor;
  std::string tenant;
  std::string correlation_id;
  std::string causation_id;
  // Kept with the idempotency record and given back, in AppendResult::response, to a
  // repeat of the command (e.g. the ids a command generated). Needs a command id.
  std::string response;
  // Kept with the idempotency record too and given back in AppendResult::request_digest:
  // the caller's digest of the request, so that it can tell a repeat of the same request
  // from another request that reuses its command id (which the log does not judge).
  std::string request_digest;
  // Rows of other families written in the same batch as the events, before them (the
  // data keys of subjects whose first events these are). For the engine's own use: not
  // checked, and dropped when the request is refused.
  WriteBatch rows;
  // Give back the encoded envelopes in AppendResult::envelopes (for a reader fed from
  // memory as commands commit: ProjectionRunner::Offer).
  bool keep_envelopes = false;
};

struct StreamVersion {
  std::string stream;
  uint64_t version = 0;
  bool operator==(const StreamVersion&) const = default;
};

struct AppendResult {
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  int64_t recorded_at = 0;              // microseconds since the epoch
  std::vector<StreamVersion> versions;  // the new version of each stream written
  bool duplicate = false;               // the command id was seen before; nothing appended
  std::string response;                 // AppendRequest::response of the original
  std::string request_digest;           // AppendRequest::request_digest of the original
  // With AppendRequest::keep_envelopes: each appended event's envelope, as stored (hash
  // and all), in position order; empty for a duplicate.
  std::vector<std::string> envelopes;
};

// Why an expected version did not hold.
struct VersionConflict {
  std::string stream;
  ExpectedVersion expected;
  uint64_t actual = 0;  // 0: the stream does not exist
};

struct AppendOutcome {
  Status status;  // ok, kConflict (see conflict), kInvalidArgument, kIoError, kUnavailable
  AppendResult result;
  std::optional<VersionConflict> conflict;
};

struct StreamHead {
  uint64_t version = 0;        // 0: no such stream
  uint64_t last_position = 0;  // position of the stream's last event
};

struct VerifyReport {
  bool ok = true;
  uint64_t checked = 0;        // events whose hash was checked
  uint64_t first_bad = 0;      // position where the chain breaks, when !ok
  std::string reason;          // why, when !ok
  uint64_t last_position = 0;  // last good position
  Hash256 last_hash{};         // hash at last_position
};

// Counters since open, for /metrics and benchmarks. Monotonic; read without locking.
struct LogStats {
  uint64_t appends = 0;        // requests written (not counting refused or duplicate ones)
  uint64_t events = 0;         // events written
  uint64_t rounds = 0;         // writer rounds (WriteBatches)
  uint64_t syncs = 0;          // WAL syncs
  uint64_t sync_micros = 0;    // time spent in WAL syncs
  uint64_t write_micros = 0;   // time spent in unsynced batch writes
  uint64_t encode_micros = 0;  // time spent deciding, encoding and hashing rounds
  uint64_t answer_micros = 0;  // time the committer spent in append callbacks
  uint64_t failed_rounds = 0;  // rounds whose batch could not be written
};

// A decision made on the writer thread, in queue order (see EventLog::DecideAsync).
struct Decision {
  // Fills request->writes (and may set response) from in-memory state that only the
  // writer thread changes. A status that is not ok is the outcome; nothing is appended.
  // Ok with no writes: decided, with nothing to append (the outcome is ok, with no
  // positions; the decider knows why). Not called for a command id seen before. Must not
  // block.
  std::function<Status(AppendRequest* request)> decide;
  // The log accepted the decided events (positions and versions in result); runs on the
  // writer thread before the next decision, so state the decision changes is updated
  // here. The batch may still fail to write: see EventLog::FailedRounds.
  std::function<void(const AppendResult& result)> accepted;
};

struct EventLogOptions {
  // Upper bounds for one writer round; more pending requests wait for the next round.
  size_t max_batch_events = 8192;
  size_t max_batch_bytes = 8 << 20;
  // Current time in microseconds since the epoch; the system clock when empty.
  std::function<int64_t()> clock;
  // The stream heads are written to their family once this many events have been
  // appended since they last were (see log_format.h, "heads-at"); an open reads the
  // events after that from the log.
  uint64_t heads_checkpoint_events = 65536;
};

// Limits on what one request may carry.
inline constexpr size_t kMaxStreamIdBytes = 256;
inline constexpr size_t kMaxEventTypeBytes = 128;
inline constexpr size_t kMaxCommandIdBytes = 256;
inline constexpr size_t kMaxPayloadBytes = 1 << 20;
inline constexpr size_t kMaxEventsPerRequest = 10000;

class LogWriter;

// The store families the log lives in, resolved once at open.
struct LogFamilies {
  FamilyId log = 0, streams = 0, heads = 0, idempotency = 0, meta = 0;
};

// Where the log ended when it was opened.
struct LogTail {
  uint64_t position = 0;
  Hash256 hash{};
  int64_t recorded_at = 0;
};

class EventLog {
 public:
  // Opens the log kept in `store` (which it does not own and which must outlive it). A
  // read-only store gives a read-only log. The store must have the families of
  // LogFamilyNames().
  static Status Open(Store* store, const EventLogOptions& options, std::unique_ptr<EventLog>* log);
  static std::vector<std::string> LogFamilyNames();

  // Finishes every queued append, then stops the writer.
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  using AppendCallback = std::function<void(AppendOutcome)>;
  void AppendAsync(AppendRequest request, AppendCallback done);
  // Blocks until the append is durable (or failed).
  AppendOutcome Append(AppendRequest request);

  // Like AppendAsync, but the events are decided on the writer thread: `base` carries the
  // command id, actor and the rest; `decision.decide` fills in the writes. This is how
  // rules that span streams are decided race-free: one thread decides everything, in
  // order, against state no other thread changes.
  void DecideAsync(AppendRequest base, Decision decision, AppendCallback done);
  AppendOutcome Decide(AppendRequest base, Decision decision);

  // Last durable position; 0 when the log is empty.
  uint64_t HeadPosition() const { return durable_position_.load(std::memory_order_acquire); }
  // Durable head of one stream.
  Status Head(std::string_view stream, StreamHead* head) const;

  // Up to `max` events from position `from` (inclusive) in order.
  Status ReadAll(uint64_t from, size_t max, std::vector<RecordedEvent>* out) const;
  // The event at `position`; NotFound when the log has none there.
  Status ReadAt(uint64_t position, RecordedEvent* out) const;
  // One event by a point read (no iterator): `view` points into `bytes`. NotFound past
  // the head, Corruption when the log lacks it or it does not parse.
  Status ReadView(uint64_t position, std::string* bytes, EventView* view) const;
  // The first position recorded at or after `micros` (the head + 1 when none is), by
  // binary search: recorded times never go backwards along the log (the writer takes the
  // larger of the clock and the last time, also across restarts).
  Status FirstAtOrAfter(int64_t micros, uint64_t* position) const;
  // Up to `max` events of `stream` from version `from_version` (inclusive).
  Status ReadStream(std::string_view stream, uint64_t from_version, size_t max,
                    std::vector<RecordedEvent>* out) const;
  // Calls fn for each event in [from, to] (to = 0: up to the head) without copying; stops
  // early when fn returns false. Views are valid only during the call.
  Status Scan(uint64_t from, uint64_t to, const std::function<bool(const EventView&)>& fn) const;

  // Calls fn for each event of `stream` from version `from_version` (inclusive), in
  // version order, without copying; stops early when fn returns false. Events before
  // `from_position` are passed over in the stream index without being read (a page of an
  // audit trail by stream starts where the last one ended).
  Status ScanStream(std::string_view stream, uint64_t from_version,
                    const std::function<bool(const EventView&)>& fn,
                    uint64_t from_position = 0) const;
  // Like ScanStream, newest first: the events of `stream` at positions below `below`, in
  // descending version order (a journal page, read back from its cursor).
  Status ScanStreamBack(std::string_view stream, uint64_t below,
                        const std::function<bool(const EventView&)>& fn) const;

  // Blocks until the durable head is above `position` or the timeout passes; returns the
  // head. Wakes on commit, not by polling.
  uint64_t WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) const;

  // Checks the hash chain over [from, to] (to = 0: up to the head).
  VerifyReport VerifyChain(uint64_t from, uint64_t to) const;

  LogStats Stats() const;
  // Rounds whose batch could not be written, so far. Such a round stops the log (see
  // failed()), so no decision follows it on this log; a decider that sees the count move
  // knows that state updated by Decision::accepted since it last looked may be void.
  uint64_t FailedRounds() const;

  // Stopped after a failed write or sync; appends are refused until reopened or resumed.
  bool failed() const { return failed_.load(); }
  // Why the log stopped (the first failure); ok while it runs.
  Status failure() const;
  // What an append is refused with while the log is stopped.
  Status StoppedStatus() const;
  // Goes on after a stop, once the store takes writes again (Store::Health; a store that
  // failed is recovered first, Store::Recover): waits for every request in flight to have
  // failed, then reloads what the writer holds (next position, last hash, stream heads)
  // from the store, so the chain goes on from what is stored. Rounds written but not
  // synced when the log stopped (their requests failed as "unknown whether stored") are
  // kept if the store kept them. Ok when the log was not stopped; the store's status
  // while it refuses writes. Any thread but the log's own.
  Status Resume();
  Store* store() const { return store_; }

 private:
  friend class LogWriter;
  EventLog(Store* store, const EventLogOptions& options);
  Status Recover(LogTail* tail);
  // The events of `stream` through its index, forward from `from_version` or back from
  // its last, at positions in [from_position, below) and up to the head.
  Status WalkStream(std::string_view stream, bool back, uint64_t from_version,
                    uint64_t from_position, uint64_t below,
                    const std::function<bool(const EventView&)>& fn) const;
  // Makes everything up to `position` visible to readers and wakes waiters.
  void Publish(uint64_t position);
  void MarkFailed(const Status& cause);
  void ClearFailed();

  Store* store_;
  EventLogOptions options_;
  LogFamilies families_;
  std::atomic<uint64_t> durable_position_{0};
  std::atomic<bool> failed_{false};
  mutable std::mutex failure_mu_;  // guards failure_
  Status failure_;
  mutable std::mutex wait_mu_;
  mutable std::condition_variable wait_cv_;
  mutable std::atomic<int> waiters_{0};
  std::unique_ptr<LogWriter> writer_;  // null when read-only
};

}  // namespace caseengine
