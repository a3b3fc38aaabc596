// LogWriter: the group-commit engine behind EventLog::Append (internal to events/).
//
// Two threads, each a Boost.Asio io_context, handing rounds on in order:
// - the writer (log_writer.cc) drains the append queue; for each round it checks expected
//   versions against its cache of stream heads, assigns positions, encodes and
//   hash-chains the envelopes into one WriteBatch and hands the round to the committer;
// - the committer (log_committer.cc) takes every round queued meanwhile, writes their
//   batches in one write, unsynced, syncs the WAL once, publishes the new durable
//   position and runs the rounds' callbacks in order, on its own thread.
// So the writer decides rounds k+1, k+2, ... while round k is written, synced and
// answered: the one thread every command waits for does no I/O and no memtable inserts,
// and what it decides during a sync goes out in the committer's next write and sync.
// Callbacks run on the thread that made their appends durable, with no hand-off: each
// stage once was a thread of its own (store, sync, acknowledgement), and a command's
// answer took three more thread switches after the writer's. The price is that writing,
// syncing and answering no longer overlap: callbacks must be short (the server queues a
// command's answer here for one of its I/O threads), as the next write and sync wait
// for them (bench/RESULTS.md, 2026-12-07, measures both sides).
// Requests answered without writing (refused by a decision, conflicts, duplicates) go the
// same way: their callbacks never run on the writer thread, and an answer never rests on
// appends that are not yet durable.
//
// The writer holds the head (version, last position) of every stream in memory, loaded
// at open from the `heads` family and the events after its checkpoint: deciding an
// append never reads the store. That costs about 120 bytes a stream (a million streams:
// about 120 MB) and a scan of the heads at open, and it is what lets one thread decide
// every append race-free. The family is written as a checkpoint every
// EventLogOptions::heads_checkpoint_events events, not with every round: a row per
// stream per round cost the writer as much as the stream index does.
//
// A failed write stops the log, like a failed sync: the rounds decided after it chain
// onto it and cannot be stored without it, so they fail too, and the log refuses appends
// until it is reopened or resumed. While stopped, the committer does not touch the store
// (RocksDB must not write or sync a WAL after an error on it). Resume runs on the writer
// thread (log_writer_open.cc): it lets every round in flight fail through the committer
// first, then reloads the writer's state from the store, as an open does.
//
// Invariants: positions are gapless in the store (rounds are written in the order they
// were decided, and none after a failed one); the writer's state (next position, last
// hash, heads, in-flight command ids) is touched by the writer thread only; a request is
// completed exactly once, after the durable position covers everything decided before
// it (or with the failure that stopped the log).
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/batching_queue.h"
#include "events/event_log.h"

namespace caseengine {

class LogWriter {
 public:
  // Loads the stream heads; fails when they cannot be read.
  static Status Create(EventLog* log, const LogTail& tail, std::unique_ptr<LogWriter>* out);
  // Completes everything queued, then joins the threads.
  ~LogWriter();

  void Submit(AppendRequest request, Decision decision, EventLog::AppendCallback done);
  LogStats Stats() const;
  // See EventLog::Resume.
  Status Resume();
  uint64_t FailedRounds() const { return counters_.failed_rounds.load(); }

 private:
  struct Pending {
    AppendRequest request;
    Decision decision;  // empty for plain appends
    EventLog::AppendCallback done;
    AppendOutcome outcome;
  };
  using PendingPtr = std::unique_ptr<Pending>;
  // A decided round on its way to the committer, which writes its batch (null when it
  // writes nothing: only answers), syncs and completes its requests.
  struct Handoff {
    std::unique_ptr<WriteBatch> batch;
    std::vector<PendingPtr> pending;
    uint64_t wait_position = 0;  // durable position that completes them all
  };
  struct InFlight {
    AppendResult result;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  struct CachedHead : StreamHead {
    bool dirty = false;  // changed since the heads family was last written
  };
  using HeadCache = std::unordered_map<std::string, CachedHead, StringHash, std::equal_to<>>;
  // Pointers to cache entries, unlike iterators, survive a rehash.
  using HeadRef = HeadCache::value_type*;

  enum class Admission {
    kWrite,   // append its events in this round
    kDone,    // answered without writing (invalid, conflict, durable duplicate); the
              // answer goes out with the round, once what was decided before it is durable
    kFollow,  // a duplicate of an unsynced append: answer when that one is durable
  };

  void DrainAppends();
  void WriteRound(std::vector<PendingPtr>* round);
  // Decides what to do with p; heads receives the cache entry of each stream it writes.
  Admission Admit(Pending* p, std::vector<HeadRef>* heads, uint64_t* follow_position);
  // heads[i] is null for a stream that does not exist yet; AppendEvents creates it.
  void AppendEvents(Pending* p, HeadRef* heads, int64_t now);
  Status LoadHeads(uint64_t tail_position);
  void StartThreads();
  LogWriter(EventLog* log, const LogTail& tail);
  void PruneInFlight();
  // Adds this round's part of the heads' checkpoint to batch_.
  void CheckpointHeads();
  // On the committer thread: every round queued, written, synced and completed.
  void DrainCommits();
  void Commit(std::vector<Handoff>* rounds);
  // Writes the rounds' batches in one write; not ok when they were not written.
  Status WriteRounds(std::vector<Handoff>* rounds);
  // Syncs the WAL up to `target` and publishes it; not ok when it is not durable.
  Status SyncTo(uint64_t target);
  static void Complete(Pending* p) { p->done(std::move(p->outcome)); }
  void Fail(std::vector<PendingPtr>* pending, const Status& status);
  Status StoppedStatus() const { return log_->StoppedStatus(); }
  // On the writer thread: EventLog::Resume.
  Status ResumeOnWriter();
  std::unique_ptr<WriteBatch> TakeSpareBatch();
  void ReturnSpareBatch(std::unique_ptr<WriteBatch> batch);

  EventLog* const log_;
  Store* const store_;
  const LogFamilies families_;

  // Writer-thread state.
  uint64_t next_position_;
  Hash256 last_hash_;
  int64_t last_recorded_at_;
  HeadCache heads_;
  // The heads' checkpoint (log_format.h, "heads-at"): the position the heads family is
  // complete up to, the heads changed since, the pass being written (its heads, how many
  // are written, its position), and whether a folder from before the checkpoint still
  // needs its "heads-at" record.
  uint64_t heads_at_ = 0;
  std::vector<HeadRef> dirty_;
  std::vector<HeadRef> flushing_;
  size_t flushed_ = 0;
  uint64_t pass_at_ = 0;
  bool write_heads_at_ = false;
  std::unordered_map<std::string, InFlight, StringHash, std::equal_to<>> in_flight_;
  std::deque<std::pair<uint64_t, std::string>> in_flight_order_;  // (last position, id)
  std::unique_ptr<WriteBatch> batch_;                             // the round being decided
  WriteBatch combined_;  // committer thread: the rounds of one write
  flatbuffers::FlatBufferBuilder fbb_;
  std::string scratch_;

  struct Counters {
    std::atomic<uint64_t> appends{0}, events{0}, rounds{0}, syncs{0}, sync_micros{0},
        write_micros{0}, encode_micros{0}, answer_micros{0}, failed_rounds{0};
  } counters_;

  std::mutex closing_mu_;
  bool closing_ = false;
  BatchingQueue<PendingPtr> appends_;
  BatchingQueue<Handoff> commits_;
  // Written batches go back to the writer, so a round's buffers are allocated rarely.
  std::mutex spare_mu_;
  std::vector<std::unique_ptr<WriteBatch>> spare_batches_;
  boost::asio::io_context writer_io_, committer_io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> writer_work_,
      committer_work_;
  std::thread writer_thread_, committer_thread_;
};

}  // namespace caseengine
