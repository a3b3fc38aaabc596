// ProjectionRunner: keeps read models up to date with the log.
//
// It tails the log on a thread of its own, decodes each event once (personal fields
// opened with their subject's key) and gives it to every projection that has not yet
// applied it. A batch holds the rows of one or more projections, each with its
// checkpoint, so a projection resumes after a restart exactly where its rows end. Batches
// are written unsynced: a crash loses a suffix of batches, rows and checkpoints together,
// and the runner applies those events again.
//
// Layout, in the store the read models live in:
//
//   checkpoints  key   := projection-name
//                value := position:u64            (the last event it applied)
//                key   := "rebuilding/" projection-name
//                value := ""                      (a rebuild of it is under way)
//                key   := "layout/" projection-name
//                value := layout:u64              (Projection::layout of its rows;
//                                                  absent: 1)
//   rm.<name>    the projection's own rows (see each projection's file)
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
// A read model kept in memory (Projection::keeps_rows_in_memory) is queried from memory,
// and its rows in the store serve only to load it at the next start; so a runner tailing
// the log writes them, with their checkpoint, once every write_interval or
// kDeferredWriteEvents events, not with every batch: a row that changed many times in
// between is written once. One such read model is written per chunk at most, so their
// writes (thousands of rows) take turns with the log's in the store's one write queue
// rather than hold it together. Before a deletion it needs nothing (it reads no rows),
// but an erasure writes it at once, and CatchUp, Rebuild and Stop write all of it before
// they return (each read model in a batch of its own). A rebuild writes them only at its
// end, and writes nothing at an erasure: one cut short is done again from the start. A
// crash loses what was not yet written, rows and checkpoint together, and the next start
// applies those events again.
//
// An event that deletes rows starts a new batch, so a projection finds the rows it must
// delete in the store. After a pass that applied an erasure, the families of projections
// that hold personal data are purged, so the person's plaintext leaves the files: at the
// end of CatchUp, and by a runner tailing the log at most once every 250 ms (a run of
// erasures shares one purge) and before it stops.
//
// The log and codec may belong to another folder than the store (a rebuild into a
// separate folder reads one and writes the other).
//
// Events are read a chunk at a time, decoded, then applied projection by projection. A
// large chunk (a catch-up, a rebuild) is decoded by two threads, each taking the next
// slice of events (each event on its own), and applied by two, each taking the next
// projection, costliest first, and writing that projection's rows and checkpoint as soon
// as it is applied. A small chunk (a live server's) is applied on one thread and written
// in one batch for every projection. Before an event that deletes rows, and after an erasure,
// what is staged is written at once. A projection is applied by one thread at a time; a
// chunk is over, rows and checkpoints written, when every projection has applied it.
//
// A write that a stopped store refuses (Store::Health: a full disk) loses nothing: its
// rows stay applied, kept with their checkpoints, and nothing is published past them; a
// runner tailing the log waits for the store to take writes again (the engine recovers
// it), writes what it kept first, and goes on. error() says why meanwhile.
//
// Threading: Open, CatchUp and Rebuild on one thread while the runner is not started;
// Start runs the runner on a thread named "projections"; Applied, WaitForApplied, Stats
// and error from any thread. The calling thread may use two more: the runner's own
// "projections-2", which decodes and applies beside it (started with the runner and kept:
// a thread started per chunk cost a rebuild 130 thread starts, each with a fresh stack
// and allocator cache), and, while a long range is applied, "log-reader".
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "aggregates/event_codec.h"
#include "events/event_log.h"
#include "projections/projection.h"

namespace caseengine {

inline constexpr const char* kCheckpointsFamily = "checkpoints";

// The family of a projection's rows.
std::string ReadModelFamily(const Projection& projection);
// The key in the checkpoints family that says a rebuild of the projection is under way.
std::string RebuildMarker(const Projection& projection);
// The key in the checkpoints family that holds the layout of the projection's rows.
std::string LayoutKey(const Projection& projection);

struct ProjectionRunnerOptions {
  // Events decoded and applied per chunk; each projection commits at least once a chunk.
  size_t max_batch_events = 4096;
  // Threads that apply a large chunk (1 or 2): with 2, a second thread takes projections
  // too, each writing its own batches.
  int threads = 2;
  // How long a runner tailing the log lets the rows of a read model kept in memory go
  // unwritten (see ProjectionRunner).
  std::chrono::milliseconds write_interval{100};
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
  // loaded, which only a Rebuild of every projection may follow (it empties them all).
  Status Open(bool load_rows = true);
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
  // An event of the log, decoded once for every projection.
  struct DecodedEvent {
    std::string bytes;
    EventView view;  // over bytes
    Event event;
    // Read once here: each projection's pass over a chunk would otherwise go back to the
    // envelope (cold by then) for them.
    uint64_t position = 0;
    bool deletes = false;  // DeletesRows
    bool known = false;    // decoded (a type this build knows)
    bool erases = false;
    StreamKind kind = StreamKind::kOther;
    std::string_view id;
    ProjectedEvent Projected() const { return {view, known ? &event : nullptr, kind, id}; }
  };

  // CatchUp; a runner tailing the log puts the purge after erasures off to at most one
  // an interval (purge_at_once false).
  Status CatchUpTo(uint64_t to, bool purge_at_once);
  // Rebuilds what Interrupted() names, if anything.
  Status FinishInterrupted();
  // Records the reason the runner stops applying (see error).
  void Fail(const Status& s);
  Status ApplyRange(uint64_t from, uint64_t to);
  // Reads the log's events from `from` to `to` into chunk_, calling `consume` with each
  // full chunk and the last one, until it returns false; the scan's status.
  Status ReadChunks(uint64_t from, uint64_t to, const std::function<bool()>& consume);
  // Parses and decodes the events of chunk_, whose bytes are read; a large chunk on two
  // threads, each taking kDecodeSlice events at a time.
  Status DecodeChunk(const EventCodec::OpenPersonal& open);
  static constexpr size_t kDecodeSlice = 128;
  // Applies chunk_ to every projection, then empties it.
  Status ApplyChunk();
  // Rows and checkpoints staged for one write: a projection's rows are always staged with
  // its checkpoint, so any write of the batch leaves every projection in it consistent.
  struct Staged {
    WriteBatch batch;
    std::vector<std::pair<size_t, uint64_t>> checkpoints;  // projection, position
  };
  // Calls fn(i, out) for each i of `order`, taken in turn by whichever thread is free (two
  // if `parallel`), each staging into its own staged_ slot, which it writes when the
  // order runs out; the first failure.
  Status OnThreads(const std::vector<size_t>& order, bool parallel,
                   const std::function<Status(size_t, Staged*)>& fn);
  // Applies chunk_ to projection i and stages its rows and checkpoint in `out` (or holds
  // them, see Holds); writes `out` before an event that deletes rows and after an erasure.
  Status ApplyProjection(size_t i, Staged* out);
  // A rebuild holds projection i's rows in held_[i] across chunks, to write them at its
  // end with the read models kept in memory (Projection::reads_rows_only_at), up to
  // kMaxHeldBytes.
  bool Holds(size_t i) const;
  static constexpr size_t kMaxHeldBytes = 256 << 20;
  // Adds projection i's held rows, its rows in memory (its Flush) and its checkpoint at
  // `position` to `out`.
  void Stage(size_t i, Staged* out, uint64_t position);
  // Writes `out` and records the checkpoints staged in it; `bulk` (in a rebuild) with
  // Store::WriteBulk.
  Status WriteStaged(Staged* out, bool bulk = false);
  Status PurgePersonal();
  // Writes what a stopped store refused (kept_), in order; the first failure.
  Status WriteKept();
  // Writes the rows of read models kept in memory that changed since they were last
  // written: all of them, or (not `all`) the one most overdue, if any is due.
  Status WriteDeferred(bool all);
  // Read model i, kept in memory, is due to be written (with `more_events` applied since
  // unwritten_ was counted).
  bool WriteDue(size_t i, uint64_t more_events) const;
  static constexpr uint64_t kDeferredWriteEvents = 65536;
  // Reads an 8-byte value of the checkpoints family; `found` false when the key is absent.
  // `what` names the value in the error when it is malformed.
  Status ReadU64(const std::string& key, const char* what, uint64_t* value, bool* found) const;
  // A rebuild of every read model starts from empty families, so an erasure needs a purge
  // only if this pass wrote some of the person's plaintext, i.e. decoded it because the
  // key still existed (an erasure cut short by a crash); otherwise every event of theirs
  // was opened as erased and no byte of theirs reached the files. The subjects whose
  // plaintext was decoded are kept as 64-bit hashes (a collision only costs a purge), up
  // to kMaxPlaintextSubjects, past which every erasure purges as usual.
  static constexpr size_t kMaxPlaintextSubjects = 1 << 20;
  void NotePlaintext(const DecodedEvent& d);
  bool MayHoldPlaintext(std::string_view subject) const;
  // Publishes Applied() and Written() (from written_positions_); on the runner's thread,
  // never while a second thread applies.
  void Publish(uint64_t position);
  void Loop();
  // Runs fn on "projections-2"; the future is ready once it has run.
  template <class Fn>
  auto OnSecondThread(Fn fn) -> std::future<decltype(fn())>;

  const EventLog* log_;
  const EventCodec* codec_;
  Store* store_;
  std::vector<Projection*> projections_;
  ProjectionRunnerOptions options_;

  FamilyId checkpoints_family_ = 0;
  std::vector<FamilyId> families_;  // per projection
  // Per projection: its last applied position (for one kept in memory, maybe not yet
  // written: see unwritten_).
  std::vector<uint64_t> checkpoints_;
  // Per projection kept in memory: events applied since its rows were last written, and
  // when that was.
  std::vector<uint64_t> unwritten_;
  std::vector<uint64_t> written_positions_;  // per projection: its checkpoint in the store
  std::vector<WriteBatch> held_;             // per projection: see Holds
  std::vector<std::chrono::steady_clock::time_point> written_at_;
  // A read model kept in memory has been staged in this chunk: the others wait their turn.
  std::atomic<bool> deferred_staged_{false};
  std::vector<uint64_t> costs_;  // per projection: microseconds on the last chunk
  // Per event type: some projection reads its personal fields (Projection::reads_personal).
  std::vector<bool> opens_personal_;
  std::vector<DecodedEvent> chunk_;
  Staged staged_[2];  // one per applying thread
  // Batches a stopped store refused, applied and to be written first (see WriteStaged).
  std::mutex kept_mu_;
  std::vector<Staged> kept_;
  std::vector<std::string> interrupted_;  // see Interrupted
  bool unlogged_ = false;        // rebuilding: batches without the WAL, lists written at the end
  bool purge_pending_ = false;   // an erasure was applied and its purge has not run
  bool rebuilding_all_ = false;  // see NotePlaintext
  bool plaintext_overflow_ = false;
  std::unordered_set<uint64_t> plaintext_subjects_;
  std::chrono::steady_clock::time_point last_purge_;

  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> written_{0};
  mutable std::mutex mu_;  // guards error_, stats_, and the wait below
  mutable std::condition_variable applied_cv_;
  Status error_;
  ProjectionStats stats_;

  std::atomic<bool> stop_{false};
  std::thread thread_;
  // Last: joined first, when nothing it runs can be under way (every caller waits).
  boost::asio::thread_pool second_{1};
};

}  // namespace caseengine
