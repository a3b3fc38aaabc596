// ProjectionRunner: keeps read models up to date with the log.
//
// It tails the log on a thread of its own, decodes each event once (personal fields
// opened with their subject's key) and gives it to every projection that has not yet
// applied it. A batch holds the rows of one or more projections, each with its
// checkpoint, so a projection resumes after a restart exactly where its rows end. Batches
// are written unsynced: a crash loses a suffix of batches, rows and checkpoints together,
// and the runner applies those events again.
//
// It composes one class per job:
//   CheckpointStore   checkpoints, rebuild markers and layouts (the layout on disk is
//                     described there)
//   LogChunkReader    reads the log a chunk at a time, ahead on a thread of its own
//   ChunkScheduler    decodes and applies a large chunk on two threads
//   DeferredWrites    when rows reach the store: read models kept in memory, rows held
//                     in a rebuild, batches kept while the store is stopped
//   PersonalPurge     purges personal families after erasures
//   LiveQueue         events offered from memory as they commit (see Offer)
//
// A rebuild writes its rows and checkpoints without the write-ahead log (Store::
// WriteUnlogged; the read models kept in memory or held, written whole at its end, Store::
// WriteBulk) and flushes them when it is done. Its first, synced, batch sets the
// rebuilding marker; then the families' files are dropped (Store::DropFiles) and a
// DeleteAll empties them of the rest; its last batch, synced after the flush, removes the
// marker. A crash in between can leave any part of the rows; a runner that opens a read
// model with the marker loads none of its rows and rebuilds it again first thing. So it
// does with rows of another layout than its projection's (a new build whose projection
// writes other rows): the first batch of the rebuild records the new layout.
//
// Read models kept in memory are written once in a while, not with every batch (see
// DeferredWrites). Before a deletion they need nothing (they read no rows), but an erasure
// writes them at once, and CatchUp, Rebuild and Stop write all of them before they return
// (each read model in a batch of its own). A rebuild writes them only at its end, and
// writes nothing at an erasure: one cut short is done again from the start.
//
// An event that deletes rows starts a new batch, so a projection finds the rows it must
// delete in the store. After a pass that applied an erasure, the families of projections
// that hold personal data are purged, so the person's plaintext leaves the files (see
// PersonalPurge).
//
// The log and codec may belong to another folder than the store (a rebuild into a
// separate folder reads one and writes the other).
//
// Events are read a chunk at a time, decoded, then applied projection by projection. A
// large chunk (a catch-up, a rebuild) is decoded by two threads, each taking the next
// slice of events, and applied by two, each taking the next projection, costliest first,
// and writing that projection's rows and checkpoint as soon as it is applied. A small
// chunk (a live server's) is applied on one thread and written in one batch for every
// projection. Before an event that deletes rows, and after an erasure, what is staged is
// written at once. A projection is applied by one thread at a time; a chunk is over, rows
// and checkpoints written, when every projection has applied it.
//
// A write that a stopped store refuses (Store::Health: a full disk) loses nothing: its
// rows stay applied and nothing is published past them; a runner tailing the log waits
// for the store to take writes again (the engine recovers it), writes what it kept first,
// and goes on. error() says why meanwhile.
//
// Threading: Open, CatchUp and Rebuild on one thread while the runner is not started;
// Start runs the runner on a thread named "projections"; Offer, Applied, WaitForApplied,
// Stats and error from any thread. The calling thread may use two more: "projections-2"
// (ChunkScheduler), and, while a long range is applied, "log-reader" (LogChunkReader).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aggregates/event_codec.h"
#include "events/event_log.h"
#include "projections/checkpoint_store.h"
#include "projections/chunk_scheduler.h"
#include "projections/decoded_event.h"
#include "projections/deferred_writes.h"
#include "projections/live_queue.h"
#include "projections/log_chunk_reader.h"
#include "projections/personal_purge.h"
#include "projections/projection.h"

namespace caseengine {

struct ProjectionRunnerOptions {
  // Events decoded and applied per chunk; each projection commits at least once a chunk.
  size_t max_batch_events = 4096;
  // Threads that apply a large chunk (1 or 2): with 2, a second thread takes projections
  // too, each writing its own batches.
  int threads = 2;
  // How long a runner tailing the log lets the rows of a read model kept in memory go
  // unwritten (see ProjectionRunner).
  std::chrono::milliseconds write_interval{100};
  // Offered events (Offer) a runner keeps before it applies them; past that, an offer is
  // dropped and its events are read from the log.
  size_t max_offered_events = 16384;
  // How long a runner that is being offered events waits for the offer of events the log
  // already shows before it reads them from the log (see Offer).
  std::chrono::microseconds offer_wait{5000};
};

struct ProjectionStats {
  uint64_t events = 0;         // events applied since open (to at least one projection)
  uint64_t batches = 0;        // batches written
  uint64_t rows = 0;           // row puts and deletes written (checkpoints included)
  uint64_t undecodable = 0;    // events no projection could decode (counted, skipped)
  uint64_t purges = 0;         // purges of personal rows after erasures
  uint64_t apply_micros = 0;   // time spent decoding, applying and writing (wall clock)
  uint64_t write_micros = 0;   // time spent writing batches (summed over threads)
  uint64_t decode_micros = 0;  // of apply_micros, decoding chunks (wall clock)
  // Writing the rows held back: of read models kept in memory, and at the end of a
  // rebuild also of those it held (wall clock).
  uint64_t deferred_write_micros = 0;
  // Of events: applied from memory as offered (Offer), and read from the log.
  uint64_t live_events = 0;
  uint64_t log_events = 0;
  uint64_t offered = 0;         // events offered
  uint64_t offers_dropped = 0;  // offered while the runner's queue was full
  uint64_t offers_skipped = 0;  // offered but already applied (read from the log)
};

class ProjectionRunner {
 public:
  // Nothing is owned; everything must outlive the runner. The store must have the
  // checkpoints family and ReadModelFamily() of every projection.
  ProjectionRunner(const EventLog* log, const EventCodec* codec, Store* store,
                   std::vector<Projection*> projections,
                   ProjectionRunnerOptions options = ProjectionRunnerOptions());
  ~ProjectionRunner();

  // The families a store needs for these projections.
  static std::vector<std::string> FamilyNames(const std::vector<Projection*>& projections);

  // Reads the checkpoints and loads each projection's rows. Without `load_rows` nothing is
  // loaded, which only a Rebuild of every projection may follow (it empties them all), or
  // LoadRows.
  Status Open(bool load_rows = true);
  // Loads the rows of each projection Open found whole (not Interrupted()), two at a time
  // when options.threads allows; after Open(false), before CatchUp and Start. A read model
  // whose rows do not read (Corruption) is emptied and joins Interrupted(), so CatchUp
  // rebuilds it from the log; Rebuilt() says which and why.
  Status LoadRows();
  // "name: why" of each read model LoadRows found unreadable and left to be rebuilt.
  std::vector<std::string> Rebuilt() const { return rebuilt_; }
  // Applies every event up to `to` (0: the log's head) on this thread, after finishing a
  // rebuild a crash cut short.
  Status CatchUp(uint64_t to = 0);
  // Empties the named projections (all when `names` is empty), and those whose rebuild a
  // crash cut short, their checkpoints set back in the same batch, and applies the whole
  // log to them again. Not while started.
  Status Rebuild(const std::vector<std::string>& names);
  // The read models whose rebuild did not finish (cut short by a crash, found by Open, or
  // by a failure here), or whose rows Open found in another layout, and that CatchUp
  // will rebuild first.
  std::vector<std::string> Interrupted() const { return interrupted_; }

  // Tails the log on a thread of its own until Stop (or destruction).
  void Start();
  void Stop();

  // Hands the runner events just committed, so that a runner tailing the log applies them
  // from memory: no read of the log, no decoding, no opening of sealed fields (AES-GCM).
  // Cheap and never blocking (a short lock to queue them): meant for the log's completion
  // thread.
  //
  // The caller guarantees:
  //  - each event is durable: offered only once its append succeeded (the callback of
  //    EventLog::AppendAsync or DecideAsync, status ok, not a duplicate);
  //  - `position` is its position in the log and `envelope` the bytes the log stored
  //    for it (AppendResult::envelopes, asked for with AppendRequest::keep_envelopes);
  //  - `event` is the Event the command decided for that envelope and gave to
  //    EventCodec::Encode, personal fields and free text in the clear, a copy of its own;
  //  - within a call positions are contiguous and ascending, and calls come in commit
  //    order (the order of the appends' callbacks). Appends left unoffered (a plain
  //    EventLog::Append, a command the caller does not offer) are fine: they are gaps,
  //    which the runner reads from the log.
  //
  // The runner applies an offered event when it is next in order and durable (the log's
  // head is past it); it reads the log to catch up after a start, across a gap, and when
  // more than max_offered_events wait (an offer that does not fit is dropped). Offered
  // events already applied are passed over. Their personal fields are taken as the log's
  // decoding would give them at that moment (EventCodec::AsDecoded): shut for types no
  // projection opens, marked erased when the subject's key is gone by then, so an event
  // applied after its subject's erasure shows no plaintext, as when read from the log. An
  // event whose type or position is not its envelope's is not trusted: the log is read
  // for it. A runner that has been offered anything and sees the log's head pass what was
  // offered waits up to offer_wait for the offer (the log publishes its head before its
  // callbacks run), then reads the log: an append never offered costs that much latency.
  // Checkpoints, erasures, deletes and purges go exactly as for events read from the log.
  // Offers made before Start are kept (within the bound) and applied once started; Open,
  // CatchUp and Rebuild read the log only.
  void Offer(std::vector<LiveEvent> events) { live_.Offer(std::move(events)); }
  // Every command will be offered (a command service feeds this runner): the runner waits
  // for the offer of events the log shows from the first one on, not only once something
  // was offered.
  void ExpectOffers() { expect_offers_ = true; }

  // Every projection has applied every event up to here.
  uint64_t Applied() const { return applied_.load(std::memory_order_acquire); }
  // Every projection's rows up to here are in the store (with its checkpoint); behind
  // Applied() by what read models kept in memory have not yet written.
  uint64_t Written() const { return written_.load(std::memory_order_acquire); }
  // Blocks until Applied() >= position or the timeout passes; returns Applied().
  uint64_t WaitForApplied(uint64_t position, std::chrono::milliseconds timeout) const;
  // The reason the runner stopped applying (a failed write or read), ok while it runs;
  // ok again once a later CatchUp or Rebuild in the same process has gone through.
  Status error() const;
  ProjectionStats Stats() const;
  const std::vector<Projection*>& projections() const { return projections_; }
  Projection* Find(std::string_view name) const;

 private:
  // CatchUp; a runner tailing the log puts the purge after erasures off to at most one
  // an interval (purge_at_once false), and applies offered events (`live`).
  Status CatchUpTo(uint64_t to, bool purge_at_once, bool live = false);
  // Rebuilds what Interrupted() names, if anything.
  Status FinishInterrupted();
  // Records the reason the runner stops applying (see error).
  void Fail(const Status& s);
  // Applies [from, to]: offered events that are next from memory when `live`, the rest
  // from the log.
  Status ApplyRange(uint64_t from, uint64_t to, bool live);
  // Totals of one pass, added to the stats at its end.
  struct PassTotals {
    uint64_t events = 0, undecodable = 0, decode_micros = 0, live_events = 0, log_events = 0;
    bool erasure = false;  // applied one: personal families are purged at the end
  };
  // Puts offered events into chunk_ as decoded; false (chunk_ emptied) when one is not
  // its envelope's.
  bool FromMemory(std::vector<LiveEvent> offered, PassTotals* totals);
  // Applies chunk_, decoded, to every projection, then empties it.
  Status ApplyDecoded(PassTotals* totals);
  // Applies chunk_ projection by projection (see ApplyDecoded).
  Status ApplyChunk();
  // Applies chunk_ to projection i and stages its rows and checkpoint in `out` (or holds
  // or defers them, see DeferredWrites); writes `out` before an event that deletes rows
  // and after an erasure.
  Status ApplyProjection(size_t i, Staged* out);
  // Writes the rows of read models kept in memory that changed since they were last
  // written: all of them, or (not `all`) the one most overdue, if any is due.
  Status WriteDeferred(bool all);
  // Writes what a stopped store refused, then publishes.
  Status WriteKept();
  // Publishes Applied() and Written(); on the runner's thread, never while a second
  // thread applies.
  void Publish(uint64_t position);
  void PublishApplied() { Publish(writes_.MinApplied(Applied())); }
  void Loop();

  const EventLog* log_;
  const EventCodec* codec_;
  Store* store_;
  std::vector<Projection*> projections_;
  ProjectionRunnerOptions options_;

  CheckpointStore checkpoints_;
  DeferredWrites writes_;
  PersonalPurge purge_;
  LogChunkReader reader_;
  std::vector<FamilyId> personal_families_;  // of projections that hold personal data
  std::vector<uint64_t> costs_;              // per projection: microseconds on the last chunk
  // Per event type: some projection reads its personal fields (Projection::reads_personal).
  std::vector<bool> opens_personal_;
  EventCodec::OpenPersonal open_;  // by opens_personal_
  LiveQueue live_;                 // see Offer
  std::atomic<bool> expect_offers_{false};
  std::vector<DecodedEvent> chunk_;
  Staged staged_[2];                      // one per applying thread
  std::vector<std::string> interrupted_;  // see Interrupted
  std::vector<std::string> rebuilt_;      // see Rebuilt

  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> written_{0};
  mutable std::mutex mu_;  // guards error_, stats_, and the wait below
  mutable std::condition_variable applied_cv_;
  Status error_;
  ProjectionStats stats_;  // what the parts above do not count themselves

  std::atomic<bool> stop_{false};
  std::thread thread_;
  // Last: its thread is joined first, when nothing it runs can be under way (every
  // caller waits).
  ChunkScheduler scheduler_;
};

}  // namespace caseengine
