// DeferredWrites: when the rows a projection applied reach the store, and what the runner
// knows of each projection's positions: applied (Applied) and written (its checkpoint in
// the store).
//
// A read model kept in memory (Projection::keeps_rows_in_memory) is queried from memory,
// and its rows in the store serve only to load it at the next start; so a runner tailing
// the log writes them, with their checkpoint, once every write_interval or
// kDeferredWriteEvents events, not with every batch: a row that changed many times in
// between is written once. One such read model is written per small chunk at most
// (TakeTurn), so their writes (thousands of rows) take turns with the log's in the store's
// one write queue rather than hold it together. A rebuild writes them only at its end:
// one cut short is done again from the start, so rows written on the way would serve
// nothing. It also holds the rows of a projection that reads its rows only at a few events
// (Projection::reads_rows_only_at) across chunks, up to kMaxHeldBytes, to write them at its
// end straight into a table file (Store::WriteBulk). A crash loses what was not yet
// written, rows and checkpoint together, and the next start applies those events again.
//
// A write that a stopped store refuses (Store::Health: a full disk) loses nothing: its
// rows stay applied, kept with their checkpoints (WriteKept writes them first, in order,
// once the store takes writes again), and the runner publishes nothing past them.
//
// Invariants: a projection's rows are always staged with its checkpoint, so any write of a
// batch leaves every projection in it consistent; written(i) <= applied(i); a checkpoint is
// recorded as written only once the batch holding it is.
//
// Threading: the runner's threads only. Per-projection state (Holds, Stage, Defer, ...) is
// touched by the one thread applying that projection; Write by the thread owning the
// Staged; the rest between chunks, on the runner's thread. Kept batches are guarded (two
// threads may be refused at once); Stats from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

#include "projections/checkpoint_store.h"
#include "projections/projection.h"

namespace caseengine {

// Rows and checkpoints staged for one write.
struct Staged {
  WriteBatch batch;
  std::vector<std::pair<size_t, uint64_t>> checkpoints;  // projection, position
};

struct WriteStats {
  uint64_t batches = 0;
  uint64_t rows = 0;
  uint64_t write_micros = 0;
  uint64_t deferred_write_micros = 0;
};

class DeferredWrites {
 public:
  // Nothing is owned; everything must outlive this.
  DeferredWrites(Store* store, const CheckpointStore* checkpoints,
                 const std::vector<Projection*>* projections,
                 std::chrono::milliseconds write_interval)
      : store_(store),
        checkpoints_(checkpoints),
        projections_(projections),
        write_interval_(write_interval) {}

  // At open: each projection's family and its checkpoint in the store.
  void Reset(std::vector<FamilyId> families, std::vector<uint64_t> checkpoints);
  // Projection i starts again from position 0 (a rebuild emptied it).
  void Restart(size_t i);
  // A rebuild: batches without the write-ahead log, and rows held or deferred to its end.
  void set_rebuilding(bool on) { rebuilding_ = on; }
  bool rebuilding() const { return rebuilding_; }

  uint64_t applied(size_t i) const { return applied_[i]; }
  // The least position every projection has applied, and written; `none` without any.
  uint64_t MinApplied(uint64_t none) const;
  uint64_t MinWritten(uint64_t none) const;
  FamilyId family(size_t i) const { return families_[i]; }

  // In a rebuild, projection i's rows are held in Held(i) across chunks.
  bool Holds(size_t i) const;
  WriteBatch* Held(size_t i) { return &held_[i]; }
  // Read model i, kept in memory or held, is due to be written, with `more_events` applied
  // since it last was.
  bool WriteDue(size_t i, uint64_t more_events) const;
  // A new chunk: no read model kept in memory has taken its turn yet.
  void NewChunk() { turn_taken_ = false; }
  // False for the first caller of a chunk: it may write now; the others wait.
  bool TurnTaken() { return turn_taken_.exchange(true); }
  // Projection i applied up to `last`, `pending` events of it not yet written.
  void Defer(size_t i, uint64_t last, uint64_t pending);
  // Adds projection i's held rows, its rows in memory (its Flush) and its checkpoint at
  // `position` to `out`.
  void Stage(size_t i, Staged* out, uint64_t position);
  // Writes `out` and records the checkpoints staged in it; `bulk` (in a rebuild) with
  // Store::WriteBulk. A stopped store's refusal keeps the batch (see WriteKept).
  Status Write(Staged* out, bool bulk = false);
  // Writes what a stopped store refused, in order; `*any` says whether there was any. The
  // first failure, after which the rest stays kept.
  Status WriteKept(bool* any);

  // The read models with events applied but not written.
  std::vector<size_t> Unwritten() const;
  // The read model most overdue, if any is due; projections.size() when none.
  size_t MostOverdue() const;
  void AddDeferredMicros(uint64_t micros);
  WriteStats Stats() const;

  static constexpr uint64_t kDeferredWriteEvents = 65536;
  static constexpr size_t kMaxHeldBytes = 256 << 20;

 private:
  Store* store_;
  const CheckpointStore* checkpoints_;
  const std::vector<Projection*>* projections_;
  const std::chrono::milliseconds write_interval_;
  bool rebuilding_ = false;

  std::vector<FamilyId> families_;
  // Per projection: its last applied position (for one deferred, maybe not yet written),
  // and its checkpoint in the store.
  std::vector<uint64_t> applied_;
  std::vector<uint64_t> written_;
  // Per projection: events applied since its rows were last staged, and when that was.
  std::vector<uint64_t> unwritten_;
  std::vector<std::chrono::steady_clock::time_point> staged_at_;
  std::vector<WriteBatch> held_;  // per projection: see Holds
  std::atomic<bool> turn_taken_{false};
  // Batches a stopped store refused, applied and to be written first.
  std::mutex kept_mu_;
  std::vector<Staged> kept_;

  mutable std::mutex stats_mu_;
  WriteStats stats_;
};

}  // namespace caseengine
