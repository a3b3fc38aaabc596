// ProjectionRunner: see projection_runner.h.
#include "projections/projection_runner.h"

#include <pthread.h>

#include <algorithm>

namespace caseengine {
namespace {

using Clock = std::chrono::steady_clock;

// Chunks smaller than this are applied on the runner's thread alone: a live runner
// usually applies a few events at a time, and a second thread would cost more than it
// saves.
constexpr size_t kParallelChunkEvents = 512;

uint64_t MicrosSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

}  // namespace

bool DeletesRows(std::string_view type) {
  return type == "ClientDeleted" || type == "CaseDeleted" || type == "LobbyRecordRemoved" ||
         type == "ClientRestored" || type == "CaseRestored";
}

bool IsErasure(const ProjectedEvent& e) {
  const std::string_view type = e.envelope.type();
  if (type == "LobbyRecordRemoved") return true;
  // An erased case's key sealed its notes, titles and reasons.
  return (type == "ClientDeleted" || type == "CaseDeleted") && e.event != nullptr &&
         e.event->mode == DeleteMode::kErase;
}

ProjectionRunner::ProjectionRunner(const EventLog* log, const EventCodec* codec, Store* store,
                                   std::vector<Projection*> projections,
                                   ProjectionRunnerOptions options)
    : log_(log),
      codec_(codec),
      store_(store),
      projections_(std::move(projections)),
      options_(options),
      checkpoints_(store),
      writes_(store, &checkpoints_, &projections_, options.write_interval),
      purge_(store),
      reader_(log, options.max_batch_events, options.threads >= 2),
      live_(options.max_offered_events) {
  for (size_t t = 0; t < kEventTypeCount; ++t) {
    bool reads = false;
    for (const Projection* p : projections_) {
      reads = reads || p->reads_personal(static_cast<EventType>(t));
    }
    opens_personal_.push_back(reads);
  }
  // Sealed fields are opened only for projections that read them (a note's text, the
  // most common, for none).
  open_ = [this](EventType type) { return opens_personal_[static_cast<size_t>(type)]; };
}

ProjectionRunner::~ProjectionRunner() { Stop(); }

std::vector<std::string> ProjectionRunner::FamilyNames(
    const std::vector<Projection*>& projections) {
  std::vector<std::string> names = {kCheckpointsFamily};
  for (const Projection* p : projections) names.push_back(ReadModelFamily(*p));
  return names;
}

Projection* ProjectionRunner::Find(std::string_view name) const {
  for (Projection* p : projections_) {
    if (name == p->name()) return p;
  }
  return nullptr;
}

Status ProjectionRunner::Open(bool load_rows) {
  Status s = checkpoints_.Open();
  if (!s.ok()) return s;
  std::vector<FamilyId> families;
  std::vector<uint64_t> checkpoints;
  personal_families_.clear();
  WriteBatch stamp;  // layouts of read models that have none yet
  for (Projection* p : projections_) {
    FamilyId family;
    s = store_->Family(ReadModelFamily(*p), &family);
    if (!s.ok()) return s;
    families.push_back(family);
    if (p->personal()) personal_families_.push_back(family);
    CheckpointStore::RowsState state;
    uint64_t checkpoint = 0;
    s = checkpoints_.Read(*p, &state, &checkpoint);
    if (!s.ok()) return s;
    if (state == CheckpointStore::RowsState::kInterrupted ||
        state == CheckpointStore::RowsState::kOtherLayout) {
      // Rows that cannot be trusted, or that this build's projection would not write:
      // rebuilt before anything else.
      interrupted_.push_back(p->name());
      checkpoints.push_back(0);
      continue;
    }
    if (state == CheckpointStore::RowsState::kNew) checkpoints_.PutLayout(&stamp, *p);
    // Rows past the log's head (a log restored from an older backup) cannot be trusted.
    if (checkpoint > log_->HeadPosition()) {
      return Status::FailedPrecondition(
          std::string("read model ") + p->name() + " is at position " + std::to_string(checkpoint) +
          " but the log ends at " + std::to_string(log_->HeadPosition()) +
          "; rebuild the read models");
    }
    checkpoints.push_back(checkpoint);
  }
  writes_.Reset(std::move(families), std::move(checkpoints));
  if (stamp.Count() > 0) {
    s = store_->Write(stamp, /*sync=*/true);
    if (!s.ok()) return s;
  }
  Publish(writes_.MinApplied(log_->HeadPosition()));
  return load_rows ? LoadRows() : Status::Ok();
}

Status ProjectionRunner::LoadRows() {
  // Each read model loads from its own family into its own rows: two threads, each
  // taking the next, the largest (the case list) first as listed.
  std::vector<size_t> chosen;
  for (size_t i = 0; i < projections_.size(); i++) {
    const std::string name = projections_[i]->name();
    if (std::find(interrupted_.begin(), interrupted_.end(), name) == interrupted_.end()) {
      chosen.push_back(i);
    }
  }
  std::atomic<size_t> next{0};
  std::mutex failed_mu;
  Status failed;
  std::vector<size_t> unreadable;
  auto load = [&] {
    for (size_t k = next++; k < chosen.size(); k = next++) {
      const size_t i = chosen[k];
      Status s = projections_[i]->Load(*store_, writes_.family(i));
      if (s.ok()) continue;
      std::lock_guard<std::mutex> lock(failed_mu);
      if (s.code() == Status::Code::kCorruption) {
        // Rows that do not read are rebuilt from the log, as a rebuild a crash cut short.
        projections_[i]->Reset();
        unreadable.push_back(i);
        rebuilt_.push_back(std::string(projections_[i]->name()) + ": " + s.message());
      } else if (failed.ok()) {
        failed = s;
      }
    }
  };
  if (options_.threads >= 2 && chosen.size() >= 2) {
    auto second = scheduler_.OnSecondThread([&] {
      load();
      return Status::Ok();
    });
    load();
    second.get();
  } else {
    load();
  }
  for (size_t i : unreadable) interrupted_.push_back(projections_[i]->name());
  if (!failed.ok()) Fail(failed);
  return failed;
}

Status ProjectionRunner::CatchUp(uint64_t to) {
  Status s = FinishInterrupted();
  if (!s.ok()) return s;
  return CatchUpTo(to, /*purge_at_once=*/true);
}

Status ProjectionRunner::CatchUpTo(uint64_t to, bool purge_at_once, bool live) {
  if (to == 0) to = log_->HeadPosition();
  // What a stopped store refused goes first, so rows are written in the order applied.
  Status s = WriteKept();
  const uint64_t from = Applied() + 1;
  if (s.ok() && to >= from) s = ApplyRange(from, to, live);
  if (s.ok()) s = WriteDeferred(/*all=*/purge_at_once);
  // One purge for the erasures of a pass, or (tailing the log) of every pass in an
  // interval (see PersonalPurge).
  if (s.ok()) s = purge_.PurgeIfDue(personal_families_, purge_at_once);
  if (!s.ok()) {
    Fail(s);
  } else if (purge_at_once) {
    // A catch-up or rebuild called again after a failure, which went through: the read
    // models are whole again, and error() says so.
    std::lock_guard<std::mutex> lock(mu_);
    error_ = Status::Ok();
  }
  return s;
}

void ProjectionRunner::Fail(const Status& s) {
  std::lock_guard<std::mutex> lock(mu_);
  error_ = s;
  applied_cv_.notify_all();
}

Status ProjectionRunner::ApplyRange(uint64_t from, uint64_t to, bool live) {
  Status failed, scan;
  const Clock::time_point start = Clock::now();
  PassTotals totals;
  // Decoded a chunk at a time, once for every projection (see ApplyChunk).
  chunk_.clear();
  chunk_.reserve(options_.max_batch_events);
  auto read = [&] {
    const Clock::time_point decode_start = Clock::now();
    const bool parallel = options_.threads >= 2 && chunk_.size() >= kParallelChunkEvents;
    failed = scheduler_.Decode(*codec_, open_, parallel, &chunk_);
    totals.decode_micros += MicrosSince(decode_start);
    totals.log_events += chunk_.size();
    if (failed.ok()) failed = ApplyDecoded(&totals);
    return failed.ok();
  };
  const uint64_t first = from;
  while (failed.ok() && scan.ok() && from <= to) {
    uint64_t read_to = to;
    if (live) {
      std::vector<LiveEvent> offered;
      const uint64_t queued = live_.Take(from, to, options_.max_batch_events, &offered);
      const size_t n = offered.size();
      if (n > 0 && FromMemory(std::move(offered), &totals)) {
        failed = ApplyDecoded(&totals);
        from += n;
        continue;
      }
      if (n > 0) {
        live = false;  // not what the log holds: the log it is, for this pass
      } else if (queued > from) {
        read_to = std::min(to, queued - 1);  // a gap: the events before the next offered
      } else if (from > first && live_.last_offered() < from) {
        // Applied from memory up to here, and what follows may still be offered: the
        // loop gives its offer a moment before it reads the log (see Loop).
        break;
      }
    }
    scan = reader_.Read(from, read_to, &chunk_, read);
    from = read_to + 1;
  }
  // The person's plaintext leaves the files by a purge of the personal families, once
  // for the pass (see CatchUpTo), not once per erasure.
  if (failed.ok() && scan.ok() && totals.erasure) purge_.Pend();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.events += totals.events;
    stats_.undecodable += totals.undecodable;
    stats_.apply_micros += MicrosSince(start);
    stats_.decode_micros += totals.decode_micros;
    stats_.live_events += totals.live_events;
    stats_.log_events += totals.log_events;
  }
  if (!scan.ok()) return scan;
  return failed;
}

bool ProjectionRunner::FromMemory(std::vector<LiveEvent> offered, PassTotals* totals) {
  const Clock::time_point start = Clock::now();
  for (LiveEvent& e : offered) {
    DecodedEvent& d = chunk_.emplace_back();
    d.bytes = std::move(e.envelope);
    if (!DecodeEvent(*codec_, open_, std::move(e.event), &d).ok() || d.position != e.position) {
      chunk_.clear();
      return false;
    }
  }
  totals->decode_micros += MicrosSince(start);
  totals->live_events += offered.size();
  return true;
}

Status ProjectionRunner::ApplyDecoded(PassTotals* totals) {
  for (const DecodedEvent& d : chunk_) {
    if (!d.known) ++totals->undecodable;
    purge_.NotePlaintext(d);
    // The stream of an erasure is the subject whose key sealed the person's details.
    totals->erasure = totals->erasure || (d.erases && purge_.MayHoldPlaintext(d.view.stream()));
  }
  totals->events += chunk_.size();
  return ApplyChunk();
}

Status ProjectionRunner::ApplyChunk() {
  // Projection by projection, the costliest of the last chunk first, each taken by
  // whichever thread is free: projections never read one another, so each thread stages
  // and writes the projections it took on its own, and the two stay evenly loaded.
  costs_.resize(projections_.size());
  std::vector<size_t> order(projections_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return costs_[a] > costs_[b]; });
  writes_.NewChunk();
  // A large chunk's two threads write each projection's rows as soon as it is applied,
  // so that one thread's writes overlap the other's applying. A small chunk (a live
  // server's, tens of events) is written once for all projections: a write joins
  // RocksDB's one write queue beside the log's, and eight small ones a chunk cost more
  // than the rows in them.
  const bool parallel = options_.threads >= 2 && chunk_.size() >= kParallelChunkEvents;
  Status failed = scheduler_.OnThreads(
      order, parallel,
      [&](size_t i, int slot) {
        const Clock::time_point start = Clock::now();
        Status s = ApplyProjection(i, &staged_[slot]);
        if (s.ok() && parallel) s = writes_.Write(&staged_[slot]);
        costs_[i] = MicrosSince(start);
        return s;
      },
      [&](int slot) { return writes_.Write(&staged_[slot]); });
  chunk_.clear();
  // Rows a stopped store refused are applied but not yet written (see DeferredWrites):
  // not published until they are.
  if (failed.ok()) PublishApplied();
  return failed;
}

Status ProjectionRunner::ApplyProjection(size_t i, Staged* out) {
  const bool in_memory = projections_[i]->keeps_rows_in_memory();
  // A rebuild holds the rows of a projection that reads them only at a few events across
  // chunks, and writes them at its end in bulk (or before such an event).
  const bool held = writes_.Holds(i);
  const Projection::ReadsRows reads_at = projections_[i]->reads_rows_only_at();
  WriteBatch* batch = held ? writes_.Held(i) : &out->batch;
  const FamilyId family = writes_.family(i);
  size_t pending = 0;
  const uint64_t applied = writes_.applied(i);
  uint64_t last = applied;
  auto commit = [&] {
    writes_.Stage(i, out, last);
    pending = 0;
    return writes_.Write(out);
  };
  for (const DecodedEvent& d : chunk_) {
    const uint64_t position = d.position;
    if (applied >= position) continue;
    // Rows to delete must be committed before the event that deletes them is applied (by
    // projections that read them from the store); held rows, before an event the
    // projection reads its rows for.
    if (held ? d.deletes && !batch->Empty() && reads_at(d.Projected())
             : pending > 0 && d.deletes && !in_memory) {
      Status s = commit();
      if (!s.ok()) return s;
    }
    RowWriter rows(batch, family, store_);
    projections_[i]->Apply(d.Projected(), &rows);
    ++pending;
    last = position;
    // An erasure's rows are written at once, so nothing after it can bring them back. Not
    // in a rebuild: one cut short is done again whole, and its end writes and purges.
    if (d.erases && !writes_.rebuilding()) {
      Status s = commit();
      if (!s.ok()) return s;
    }
  }
  if (pending == 0) return Status::Ok();
  // A large chunk's threads write each projection on its own anyway: no turns there.
  if ((in_memory || held) && (!writes_.WriteDue(i, pending) ||
                              (chunk_.size() < kParallelChunkEvents && writes_.TurnTaken()))) {
    writes_.Defer(i, last, pending);  // applied, not yet written (see WriteDeferred)
  } else {
    writes_.Stage(i, out, last);
  }
  return Status::Ok();
}

Status ProjectionRunner::WriteDeferred(bool all) {
  const Clock::time_point start = Clock::now();
  Status s;
  if (all) {
    // Each in a batch of its own (after a rebuild, a batch holds a whole read model), on
    // two threads: building a read model's rows is most of the work, and each builds its
    // own.
    const std::vector<size_t> order = writes_.Unwritten();
    if (order.empty()) return Status::Ok();
    s = scheduler_.OnThreads(
        order, options_.threads >= 2,
        [&](size_t i, int slot) {
          writes_.Stage(i, &staged_[slot], writes_.applied(i));
          // A rebuild's read model (kept in memory, or held) is written whole into its
          // emptied family: its rows go straight into a table file (Store::WriteBulk).
          return writes_.Write(&staged_[slot], /*bulk=*/writes_.rebuilding());
        },
        [](int) { return Status::Ok(); });
  } else {
    const size_t overdue = writes_.MostOverdue();
    if (overdue == projections_.size()) return Status::Ok();
    writes_.Stage(overdue, &staged_[0], writes_.applied(overdue));
    s = writes_.Write(&staged_[0]);
  }
  writes_.AddDeferredMicros(MicrosSince(start));
  if (!s.ok()) return s;
  Publish(Applied());
  return Status::Ok();
}

Status ProjectionRunner::WriteKept() {
  bool any = false;
  Status s = writes_.WriteKept(&any);
  if (s.ok() && any) PublishApplied();
  return s;
}

void ProjectionRunner::Publish(uint64_t position) {
  const uint64_t written = writes_.MinWritten(position);
  {
    std::lock_guard<std::mutex> lock(mu_);
    applied_.store(position, std::memory_order_release);
    written_.store(written, std::memory_order_release);
  }
  applied_cv_.notify_all();
}

uint64_t ProjectionRunner::WaitForApplied(uint64_t position,
                                          std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  applied_cv_.wait_for(lock, timeout, [&] { return Applied() >= position || !error_.ok(); });
  return Applied();
}

void ProjectionRunner::Start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "projections");  // shows in top -H, perf and gdb
    Loop();
  });
}

void ProjectionRunner::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ProjectionRunner::Loop() {
  // Started without a CatchUp first: a rebuild a crash cut short comes before the rest.
  if (Status s = FinishInterrupted(); !s.ok()) return Fail(s);
  bool failing = false;
  while (!stop_.load()) {
    // Also when nothing new came: a purge put off by the interval is due.
    uint64_t head = log_->WaitForPosition(Applied(), std::chrono::milliseconds(100));
    const uint64_t next = Applied() + 1;
    const uint64_t offered = live_.last_offered();
    if (head >= next && (offered != 0 || expect_offers_.load()) && offered < next) {
      // Events are being offered, but not yet these: the log publishes its head before
      // its callbacks run, so their offer is likely on its way.
      live_.WaitOffered(next, options_.offer_wait);
      head = log_->HeadPosition();
    }
    const Status s = CatchUpTo(head, /*purge_at_once=*/false, /*live=*/true);
    if (!s.ok()) {
      // A stopped store (a full disk): the error is kept for /healthz meanwhile, and the
      // runner goes on where it stopped once the store takes writes again.
      if (!store_->Health().ok() || s.code() == Status::Code::kNoSpace ||
          s.code() == Status::Code::kUnavailable) {
        failing = true;
        while (!stop_.load() && !store_->Health().ok()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        continue;
      }
      // Otherwise stopped: the error is kept for /healthz and queries answer 503 past
      // this point.
      return;
    }
    if (failing) {
      failing = false;
      std::lock_guard<std::mutex> lock(mu_);
      error_ = Status::Ok();
    }
  }
  // Rows kept in memory and not yet written, and an erasure applied but not yet purged,
  // are finished before the runner stops.
  CatchUpTo(Applied(), /*purge_at_once=*/true);
}

Status ProjectionRunner::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

ProjectionStats ProjectionRunner::Stats() const {
  ProjectionStats stats;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats = stats_;
  }
  const WriteStats writes = writes_.Stats();
  stats.batches = writes.batches;
  stats.rows = writes.rows;
  stats.write_micros = writes.write_micros;
  stats.deferred_write_micros = writes.deferred_write_micros;
  stats.purges = purge_.purges();
  const LiveQueueStats live = live_.Stats();
  stats.offered = live.offered;
  stats.offers_dropped = live.dropped;
  stats.offers_skipped = live.skipped;
  return stats;
}

}  // namespace caseengine
