// ProjectionRunner: see projection_runner.h.
#include "projections/projection_runner.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <functional>
#include <future>
#include <limits>

#include "base/coding.h"

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

std::string RebuildMarker(const Projection& projection) {
  return std::string("rebuilding/") + projection.name();
}

std::string LayoutKey(const Projection& projection) {
  return std::string("layout/") + projection.name();
}

std::string ReadModelFamily(const Projection& projection) {
  return std::string("rm.") + projection.name();
}

ProjectionRunner::ProjectionRunner(const EventLog* log, const EventCodec* codec, Store* store,
                                   std::vector<Projection*> projections,
                                   ProjectionRunnerOptions options)
    : log_(log),
      codec_(codec),
      store_(store),
      projections_(std::move(projections)),
      options_(options) {
  for (size_t t = 0; t < kEventTypeCount; ++t) {
    bool reads = false;
    for (const Projection* p : projections_) {
      reads = reads || p->reads_personal(static_cast<EventType>(t));
    }
    opens_personal_.push_back(reads);
  }
  boost::asio::post(second_, [] { pthread_setname_np(pthread_self(), "projections-2"); });
}

ProjectionRunner::~ProjectionRunner() { Stop(); }

template <class Fn>
auto ProjectionRunner::OnSecondThread(Fn fn) -> std::future<decltype(fn())> {
  std::packaged_task<decltype(fn())()> task(std::move(fn));
  auto done = task.get_future();
  boost::asio::post(second_, std::move(task));
  return done;
}

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
  Status s = store_->Family(kCheckpointsFamily, &checkpoints_family_);
  if (!s.ok()) return s;
  families_.clear();
  checkpoints_.clear();
  WriteBatch stamp;  // layouts of read models that have none yet
  for (Projection* p : projections_) {
    FamilyId family;
    s = store_->Family(ReadModelFamily(*p), &family);
    if (!s.ok()) return s;
    families_.push_back(family);
    std::string value;
    s = store_->Get(checkpoints_family_, RebuildMarker(*p), &value);
    if (s.ok()) {
      // A rebuild a crash cut short: its rows and checkpoint are whatever was flushed.
      interrupted_.push_back(p->name());
      checkpoints_.push_back(0);
      continue;
    }
    if (s.code() != Status::Code::kNotFound) return s;
    uint64_t checkpoint = 0, layout = 1;
    bool has_checkpoint = false, has_layout = false;
    s = ReadU64(p->name(), "checkpoint", &checkpoint, &has_checkpoint);
    if (s.ok()) s = ReadU64(LayoutKey(*p), "layout", &layout, &has_layout);
    if (!s.ok()) return s;
    if (!has_checkpoint && !has_layout) {
      // Nothing applied yet, so no rows of any layout: they start in the projection's.
      stamp.Put(checkpoints_family_, LayoutKey(*p), BigEndian64(p->layout()));
    } else if (layout != p->layout()) {
      // Rows this build's projection would not write: rebuilt before anything else.
      interrupted_.push_back(p->name());
      checkpoints_.push_back(0);
      continue;
    }
    // Rows past the log's head (a log restored from an older backup) cannot be trusted.
    if (checkpoint > log_->HeadPosition()) {
      return Status::FailedPrecondition(
          std::string("read model ") + p->name() + " is at position " + std::to_string(checkpoint) +
          " but the log ends at " + std::to_string(log_->HeadPosition()) +
          "; rebuild the read models");
    }
    checkpoints_.push_back(checkpoint);
    if (!load_rows) continue;
    s = p->Load(*store_, family);
    if (!s.ok()) return s;
  }
  written_positions_ = checkpoints_;
  unwritten_.assign(projections_.size(), 0);
  held_.assign(projections_.size(), WriteBatch());
  written_at_.assign(projections_.size(), Clock::now());
  if (stamp.Count() > 0) {
    s = store_->Write(stamp, /*sync=*/true);
    if (!s.ok()) return s;
  }
  Publish(checkpoints_.empty() ? log_->HeadPosition()
                               : *std::min_element(checkpoints_.begin(), checkpoints_.end()));
  return Status::Ok();
}

Status ProjectionRunner::ReadU64(const std::string& key, const char* what, uint64_t* value,
                                 bool* found) const {
  std::string bytes;
  Status s = store_->Get(checkpoints_family_, key, &bytes);
  *found = s.ok();
  if (s.code() == Status::Code::kNotFound) return Status::Ok();
  if (!s.ok()) return s;
  if (bytes.size() != 8) {
    return Status::Corruption(std::string(what) + " " + key +
                              " is not 8 bytes; rebuild the read model");
  }
  *value = DecodeBigEndian64(bytes.data());
  return Status::Ok();
}

Status ProjectionRunner::CatchUp(uint64_t to) {
  Status s = FinishInterrupted();
  if (!s.ok()) return s;
  return CatchUpTo(to, /*purge_at_once=*/true);
}

Status ProjectionRunner::FinishInterrupted() {
  if (interrupted_.empty()) return Status::Ok();
  const std::vector<std::string> names = interrupted_;
  return Rebuild(names);
}

Status ProjectionRunner::CatchUpTo(uint64_t to, bool purge_at_once) {
  if (to == 0) to = log_->HeadPosition();
  // What a stopped store refused goes first, so rows are written in the order applied.
  Status s = WriteKept();
  const uint64_t from = Applied() + 1;
  if (s.ok() && to >= from) s = ApplyRange(from, to);
  if (s.ok()) s = WriteDeferred(/*all=*/purge_at_once);
  // One purge for the erasures of a pass, or (tailing the log) of every pass in an
  // interval: each purge flushes every family, and a run of erasures would otherwise
  // rewrite the files, and replace the log files under read-only readers, back to back.
  if (s.ok() && purge_pending_ &&
      (purge_at_once || Clock::now() - last_purge_ >= kMinPurgeInterval)) {
    s = PurgePersonal();
  }
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

Status ProjectionRunner::ApplyRange(uint64_t from, uint64_t to) {
  Status failed;
  Clock::time_point start = Clock::now();
  bool erasure = false;  // an erasure was applied: personal families are purged at the end
  uint64_t undecodable = 0, events = 0, decode_micros = 0;
  // Decoded a chunk at a time, once for every projection (see ApplyChunk).
  chunk_.clear();
  chunk_.reserve(options_.max_batch_events);
  // Sealed fields are opened only for projections that read them (a note's text, the
  // most common, for none).
  const EventCodec::OpenPersonal open = [this](EventType type) {
    return opens_personal_[static_cast<size_t>(type)];
  };
  auto decode_and_apply = [&] {
    const Clock::time_point decode_start = Clock::now();
    failed = DecodeChunk(open);
    decode_micros += MicrosSince(decode_start);
    if (!failed.ok()) return false;
    for (const DecodedEvent& d : chunk_) {
      if (!d.known) ++undecodable;
      NotePlaintext(d);
      // The stream of an erasure is the subject whose key sealed the person's details.
      erasure = erasure || (d.erases && MayHoldPlaintext(d.view.stream()));
    }
    events += chunk_.size();
    failed = ApplyChunk();
    return failed.ok();
  };
  Status scan = ReadChunks(from, to, decode_and_apply);
  // The person's plaintext leaves the files by a purge of the personal families, once
  // for the pass (see CatchUpTo), not once per erasure.
  if (failed.ok() && scan.ok() && erasure) purge_pending_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.events += events;
    stats_.undecodable += undecodable;
    stats_.apply_micros += MicrosSince(start);
    stats_.decode_micros += decode_micros;
  }
  if (!scan.ok()) return scan;
  return failed;
}

Status ProjectionRunner::ReadChunks(uint64_t from, uint64_t to,
                                    const std::function<bool()>& consume) {
  const size_t max = options_.max_batch_events;
  bool consumed = true;  // no consume has failed
  if (options_.threads < 2 || to - from < 2 * max) {
    Status scan = log_->Scan(from, to, [&](const EventView& v) {
      chunk_.emplace_back().bytes.assign(v.bytes());
      return chunk_.size() < max || (consumed = consume());
    });
    if (scan.ok() && consumed && !chunk_.empty()) consume();
    return scan;
  }
  // A long range: a thread of its own reads the next chunk from the log while this one's
  // is decoded and applied, so reading the log (about a tenth of a rebuild) is not a
  // step the other threads wait for. A chunk is handed over through `ready`.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<DecodedEvent> ready;
  bool have_ready = false, reader_done = false, stop = false;
  Status scan;
  std::thread reader([&] {
    pthread_setname_np(pthread_self(), "log-reader");
    std::vector<DecodedEvent> filling;
    filling.reserve(max);
    auto hand_over = [&] {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return !have_ready || stop; });
      if (stop) return false;
      ready.swap(filling);
      filling.clear();  // the chunk applied before, if any
      have_ready = true;
      cv.notify_all();
      return true;
    };
    Status s = log_->Scan(from, to, [&](const EventView& v) {
      filling.emplace_back().bytes.assign(v.bytes());
      return filling.size() < max || hand_over();
    });
    if (s.ok() && !filling.empty()) hand_over();
    std::lock_guard<std::mutex> lock(mu);
    scan = s;
    reader_done = true;
    cv.notify_all();
  });
  for (;;) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return have_ready || reader_done; });
    if (!have_ready) break;
    chunk_.swap(ready);
    have_ready = false;
    cv.notify_all();
    lock.unlock();
    if (!consume()) {
      lock.lock();
      stop = true;
      cv.notify_all();
      break;
    }
  }
  reader.join();
  return scan;
}

Status ProjectionRunner::DecodeChunk(const EventCodec::OpenPersonal& open) {
  // Each event on its own: a key the decoding looks up is the same whichever thread asks,
  // and KeyStore is thread-safe.
  auto decode = [&](size_t begin, size_t end) {
    for (size_t k = begin; k < end; ++k) {
      DecodedEvent& d = chunk_[k];
      // Parsed over the event's own copy: the scan's bytes do not outlive its callback.
      Status s = EventView::Parse(d.bytes, &d.view);
      if (!s.ok()) return s;
      d.known = codec_->Decode(d.view.type(), d.view.payload(), &d.event, open).ok();
      d.kind = ParseStream(d.view.stream(), &d.id);
      d.position = d.view.position();
      d.deletes = DeletesRows(d.view.type());
      d.erases = IsErasure(d.Projected());
    }
    return Status::Ok();
  };
  const size_t n = chunk_.size();
  if (options_.threads < 2 || n < kParallelChunkEvents) return decode(0, n);
  // In slices taken by whichever thread is free, not in halves: the second thread often
  // starts a millisecond late (the log's reader holds a core as a chunk is handed over),
  // and with halves the first then waited for it, a third of the decoding's time.
  std::atomic<size_t> next{0};
  auto slices = [&] {
    Status failed;
    for (size_t b = next.fetch_add(kDecodeSlice); b < n; b = next.fetch_add(kDecodeSlice)) {
      Status s = decode(b, std::min(n, b + kDecodeSlice));
      if (failed.ok()) failed = s;
    }
    return failed;
  };
  auto other = OnSecondThread(slices);
  Status first = slices();
  Status second = other.get();
  return first.ok() ? second : first;
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
  deferred_staged_ = false;
  // A large chunk's two threads write each projection's rows as soon as it is applied,
  // so that one thread's writes overlap the other's applying. A small chunk (a live
  // server's, tens of events) is written once for all projections: a write joins
  // RocksDB's one write queue beside the log's, and eight small ones a chunk cost more
  // than the rows in them.
  const bool parallel = options_.threads >= 2 && chunk_.size() >= kParallelChunkEvents;
  Status failed = OnThreads(order, parallel, [&](size_t i, Staged* out) {
    const Clock::time_point start = Clock::now();
    Status s = ApplyProjection(i, out);
    if (s.ok() && parallel) s = WriteStaged(out);
    costs_[i] = MicrosSince(start);
    return s;
  });
  chunk_.clear();
  // Rows a stopped store refused are applied but not yet written (see WriteStaged): not
  // published until they are.
  if (failed.ok()) Publish(*std::min_element(checkpoints_.begin(), checkpoints_.end()));
  return failed;
}

Status ProjectionRunner::OnThreads(const std::vector<size_t>& order, bool parallel,
                                   const std::function<Status(size_t, Staged*)>& fn) {
  std::atomic<size_t> next{0};
  std::mutex failed_mu;
  Status failed;
  auto work = [&](Staged* out) {
    auto fail = [&](const Status& s) {
      std::lock_guard<std::mutex> lock(failed_mu);
      if (failed.ok()) failed = s;
    };
    for (size_t k = next++; k < order.size(); k = next++) {
      Status s = fn(order[k], out);
      if (!s.ok()) fail(s);
    }
    Status s = WriteStaged(out);
    if (!s.ok()) fail(s);
  };
  if (parallel && order.size() >= 2) {
    auto other = OnSecondThread([&] { work(&staged_[1]); });
    work(&staged_[0]);
    other.get();
  } else {
    work(&staged_[0]);
  }
  return failed;
}

Status ProjectionRunner::ApplyProjection(size_t i, Staged* out) {
  const bool in_memory = projections_[i]->keeps_rows_in_memory();
  // A rebuild holds the rows of a projection that reads them only at a few events across
  // chunks, and writes them at its end in bulk (or before such an event).
  const bool held = Holds(i);
  const Projection::ReadsRows reads_at = projections_[i]->reads_rows_only_at();
  WriteBatch* batch = held ? &held_[i] : &out->batch;
  size_t pending = 0;
  uint64_t last = checkpoints_[i];
  auto commit = [&] {
    Stage(i, out, last);
    pending = 0;
    return WriteStaged(out);
  };
  for (const DecodedEvent& d : chunk_) {
    const uint64_t position = d.position;
    if (checkpoints_[i] >= position) continue;
    // Rows to delete must be committed before the event that deletes them is applied (by
    // projections that read them from the store); held rows, before an event the
    // projection reads its rows for.
    if (held ? d.deletes && !held_[i].Empty() && reads_at(d.Projected())
             : pending > 0 && d.deletes && !in_memory) {
      Status s = commit();
      if (!s.ok()) return s;
    }
    RowWriter rows(batch, families_[i], store_);
    projections_[i]->Apply(d.Projected(), &rows);
    ++pending;
    last = position;
    // An erasure's rows are written at once, so nothing after it can bring them back. Not
    // in a rebuild: one cut short is done again whole, and its end writes and purges.
    if (d.erases && !unlogged_) {
      Status s = commit();
      if (!s.ok()) return s;
    }
  }
  if (pending == 0) return Status::Ok();
  // A large chunk's threads write each projection on its own anyway: no turns there.
  if ((in_memory || held) && (!WriteDue(i, pending) || (chunk_.size() < kParallelChunkEvents &&
                                                        deferred_staged_.exchange(true)))) {
    checkpoints_[i] = last;  // applied, not yet written (see WriteDeferred)
    unwritten_[i] += pending;
  } else {
    Stage(i, out, last);
  }
  return Status::Ok();
}

bool ProjectionRunner::Holds(size_t i) const {
  return unlogged_ && projections_[i]->reads_rows_only_at() != nullptr;
}

bool ProjectionRunner::WriteDue(size_t i, uint64_t more_events) const {
  // A rebuild writes them once, at its end: one cut short is done again from the start
  // (see RebuildMarker), so rows written on the way would serve nothing. Held rows (see
  // Holds) go earlier only past kMaxHeldBytes.
  if (unlogged_) return held_[i].ByteSize() >= kMaxHeldBytes;
  return unwritten_[i] + more_events >= kDeferredWriteEvents ||
         Clock::now() - written_at_[i] >= options_.write_interval;
}

Status ProjectionRunner::WriteDeferred(bool all) {
  const Clock::time_point start = Clock::now();
  auto timed = [&](const Status& s) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.deferred_write_micros += MicrosSince(start);
    return s;
  };
  if (all) {
    // Each in a batch of its own (after a rebuild, a batch holds a whole read model), on
    // two threads: building a read model's rows is most of the work, and each builds its
    // own.
    std::vector<size_t> order;
    for (size_t i = 0; i < projections_.size(); ++i) {
      if (unwritten_[i] > 0) order.push_back(i);
    }
    if (order.empty()) return Status::Ok();
    Status s = timed(OnThreads(order, options_.threads >= 2, [&](size_t i, Staged* out) {
      Stage(i, out, checkpoints_[i]);
      // A rebuild's read model (kept in memory, or held) is written whole into its
      // emptied family: its rows go straight into a table file (Store::WriteBulk).
      return WriteStaged(out, /*bulk=*/unlogged_);
    }));
    if (!s.ok()) return s;
    Publish(Applied());
    return Status::Ok();
  }
  // The one most overdue, if any is due.
  size_t overdue = projections_.size();
  for (size_t i = 0; i < projections_.size(); ++i) {
    if (unwritten_[i] > 0 && WriteDue(i, 0) &&
        (overdue == projections_.size() || written_at_[i] < written_at_[overdue])) {
      overdue = i;
    }
  }
  if (overdue == projections_.size()) return Status::Ok();
  Staged& out = staged_[0];
  Stage(overdue, &out, checkpoints_[overdue]);
  Status s = timed(WriteStaged(&out));
  if (!s.ok()) return s;
  Publish(Applied());
  return Status::Ok();
}

void ProjectionRunner::NotePlaintext(const DecodedEvent& d) {
  if (!rebuilding_all_ || plaintext_overflow_ || !d.known) return;
  if (d.event.personal.erased || d.event.personal.Empty()) return;
  if (plaintext_subjects_.size() >= kMaxPlaintextSubjects) {
    plaintext_overflow_ = true;
    plaintext_subjects_.clear();
    return;
  }
  plaintext_subjects_.insert(std::hash<std::string_view>()(d.event.subject));
}

bool ProjectionRunner::MayHoldPlaintext(std::string_view subject) const {
  if (!rebuilding_all_ || plaintext_overflow_) return true;
  return plaintext_subjects_.count(std::hash<std::string_view>()(subject)) > 0;
}

Status ProjectionRunner::PurgePersonal() {
  purge_pending_ = false;
  last_purge_ = Clock::now();
  std::vector<FamilyId> personal;
  for (size_t i = 0; i < projections_.size(); ++i) {
    if (projections_[i]->personal()) personal.push_back(families_[i]);
  }
  Status s = store_->Purge(personal);
  if (!s.ok()) {
    purge_pending_ = true;  // done again at the next pass that goes through
    return s;
  }
  std::lock_guard<std::mutex> lock(mu_);
  stats_.purges++;
  return Status::Ok();
}

void ProjectionRunner::Stage(size_t i, Staged* out, uint64_t position) {
  unwritten_[i] = 0;
  written_at_[i] = Clock::now();
  if (!held_[i].Empty()) {
    if (out->batch.Empty()) {
      std::swap(out->batch, held_[i]);
    } else {
      out->batch.Append(held_[i]);
      held_[i].Clear();
    }
  }
  RowWriter rows(&out->batch, families_[i], store_);
  projections_[i]->Flush(&rows);
  out->batch.Put(checkpoints_family_, projections_[i]->name(), BigEndian64(position));
  out->checkpoints.emplace_back(i, position);
}

Status ProjectionRunner::WriteStaged(Staged* out, bool bulk) {
  if (out->checkpoints.empty()) return Status::Ok();
  const Clock::time_point start = Clock::now();
  Status s = bulk        ? store_->WriteBulk(out->batch)
             : unlogged_ ? store_->WriteUnlogged(out->batch)
                         : store_->Write(out->batch, /*sync=*/false);
  const size_t count = out->batch.Count();
  if (!s.ok() && !unlogged_ && !store_->Health().ok()) {
    // The store stopped (a full disk): the rows stay applied, kept with their checkpoints
    // to be written first once it takes writes again (WriteKept).
    std::lock_guard<std::mutex> lock(kept_mu_);
    for (const auto& [i, position] : out->checkpoints) checkpoints_[i] = position;
    kept_.push_back(std::move(*out));
    *out = Staged();
    return s;
  }
  out->batch.Clear();
  if (!s.ok()) {
    // Nothing of it was written: a later write must not record these checkpoints.
    out->checkpoints.clear();
    return s;
  }
  for (const auto& [i, position] : out->checkpoints) {
    checkpoints_[i] = position;
    written_positions_[i] = position;
  }
  out->checkpoints.clear();
  std::lock_guard<std::mutex> lock(mu_);
  stats_.batches++;
  stats_.rows += count;
  stats_.write_micros += MicrosSince(start);
  return Status::Ok();
}

Status ProjectionRunner::WriteKept() {
  std::vector<Staged> kept;
  {
    std::lock_guard<std::mutex> lock(kept_mu_);
    kept.swap(kept_);
  }
  if (kept.empty()) return Status::Ok();
  Status s;
  size_t done = 0;
  for (; done < kept.size(); ++done) {
    Staged& out = kept[done];
    const Status written = store_->Write(out.batch, /*sync=*/false);
    if (!written.ok()) {
      s = written;
      break;
    }
    for (const auto& [i, position] : out.checkpoints) written_positions_[i] = position;
  }
  if (done < kept.size()) {
    std::lock_guard<std::mutex> lock(kept_mu_);
    kept_.insert(kept_.begin(), std::make_move_iterator(kept.begin() + done),
                 std::make_move_iterator(kept.end()));
    return s;
  }
  Publish(*std::min_element(checkpoints_.begin(), checkpoints_.end()));
  return Status::Ok();
}

void ProjectionRunner::Publish(uint64_t position) {
  const uint64_t written =
      written_positions_.empty()
          ? position
          : *std::min_element(written_positions_.begin(), written_positions_.end());
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

Status ProjectionRunner::Rebuild(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (Find(name) == nullptr) return Status::NotFound("no read model named " + name);
  }
  auto named = [](const std::vector<std::string>& list, const char* name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  std::vector<size_t> chosen;
  for (size_t i = 0; i < projections_.size(); ++i) {
    const char* name = projections_[i]->name();
    if (names.empty() || named(names, name) || named(interrupted_, name)) chosen.push_back(i);
  }
  // Marked as rebuilding, their checkpoints set back, in one synced batch: a crash from
  // here on leaves marked read models, which are rebuilt again whatever rows they hold.
  WriteBatch batch;
  for (size_t i : chosen) {
    batch.Put(checkpoints_family_, projections_[i]->name(), BigEndian64(0));
    batch.Put(checkpoints_family_, RebuildMarker(*projections_[i]), "");
    batch.Put(checkpoints_family_, LayoutKey(*projections_[i]),
              BigEndian64(projections_[i]->layout()));
  }
  Status s = store_->Write(batch, /*sync=*/true);
  if (!s.ok()) return s;
  // Marked from here on: should anything below fail, a later CatchUp starts it again.
  interrupted_.clear();
  std::vector<FamilyId> emptied;
  for (size_t i : chosen) {
    interrupted_.push_back(projections_[i]->name());
    emptied.push_back(families_[i]);
    checkpoints_[i] = 0;
    written_positions_[i] = 0;
    unwritten_[i] = 0;
    held_[i].Clear();
    projections_[i]->Reset();
  }
  // The whole log is opened again: every key read in one pass, meanwhile.
  auto warm = OnSecondThread([this] { return codec_->WarmKeys(); });
  // The old rows' files go without being read, then a DeleteAll removes the rows that
  // were in no file, and the purge flushes it and compacts what is left (little: a file
  // that a compaction held when the files were dropped). Done in this order because a
  // DeleteAll written first could reach a file, and that file be dropped, before an older
  // file the compaction held: its rows would come back.
  s = store_->DropFiles(emptied);
  if (s.ok()) {
    WriteBatch empty;
    for (size_t i : chosen) empty.DeleteAll(families_[i]);
    s = store_->Write(empty, /*sync=*/false);
  }
  if (s.ok()) s = store_->Purge(emptied);
  const Status warmed = warm.get();
  if (s.ok()) s = warmed;
  // Loaded from their empty families: a read model that Open left unloaded (its rebuild
  // was cut short, or its layout is not this build's) learns where its rows are.
  for (size_t k = 0; s.ok() && k < chosen.size(); ++k) {
    s = projections_[chosen[k]]->Load(*store_, families_[chosen[k]]);
  }
  // Emptied or not, the read models are not whole until a later pass goes through.
  if (!s.ok()) {
    Fail(s);
    return s;
  }
  Publish(*std::min_element(checkpoints_.begin(), checkpoints_.end()));
  rebuilding_all_ = chosen.size() == projections_.size();
  plaintext_overflow_ = false;
  unlogged_ = true;
  s = CatchUpTo(0, /*purge_at_once=*/true);
  unlogged_ = false;
  rebuilding_all_ = false;
  std::unordered_set<uint64_t>().swap(plaintext_subjects_);
  if (!s.ok()) return s;
  // Rows and checkpoints on disk, then the markers gone.
  std::vector<FamilyId> written = {checkpoints_family_};
  WriteBatch done;
  for (size_t i : chosen) {
    written.push_back(families_[i]);
    done.Delete(checkpoints_family_, RebuildMarker(*projections_[i]));
  }
  s = store_->FlushFamilies(written);
  if (s.ok()) s = store_->Write(done, /*sync=*/true);
  if (s.ok()) interrupted_.clear();
  return s;
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
    const uint64_t head = log_->WaitForPosition(Applied(), std::chrono::milliseconds(100));
    const Status s = CatchUpTo(head, /*purge_at_once=*/false);
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
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace caseengine
