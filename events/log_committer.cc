// LogWriter, the committer thread's job (see log_writer.h): it takes every round the
// writer handed on meanwhile, writes their batches to the store in one write, unsynced,
// syncs the WAL once, publishes the new durable position and completes the rounds'
// requests in order, all on one thread.
//
// Invariants kept here: rounds are written in the order they were decided, and none
// after a failed write (the log stops and they fail); a request is completed once, after
// the durable position covers everything decided before it; while the log is stopped
// this thread neither writes nor syncs.
//
// Why one thread: with a thread each for writing, syncing and completing, a command's
// answer took three hand-offs (wake-ups and thread switches) after the writer's. The
// writer, which decides while this thread writes and syncs, keeps the pipeline that lets
// rounds group; what is given up is the overlap of one round's write with another's sync
// and a third's answers (bench/RESULTS.md, 2026-12-07).
#include <chrono>

#include "events/log_writer.h"

namespace caseengine {
namespace {

// The answer to an append written before the log stopped, and not synced.
Status UnknownStatus(const Status& stopped) {
  const std::string message = stopped.message() +
                              "; whether this append is stored is unknown: retry it with the "
                              "same command id once the log goes on";
  return stopped.code() == Status::Code::kNoSpace ? Status::NoSpace(message)
                                                  : Status::Unavailable(message);
}

uint64_t MicrosSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t)
      .count();
}

}  // namespace

void LogWriter::DrainCommits() {
  for (auto rounds = commits_.TakeAll(); !rounds.empty(); rounds = commits_.TakeAll()) {
    Commit(&rounds);
  }
}

void LogWriter::Commit(std::vector<Handoff>* rounds) {
  Status s = WriteRounds(rounds);
  if (s.ok()) {
    // Answers without a round of their own wait too: they may rest on earlier rounds.
    uint64_t target = 0;
    for (const Handoff& h : *rounds) target = std::max(target, h.wait_position);
    s = SyncTo(target);
  }
  // In the order decided, now that everything decided before each is durable (or has
  // failed with what stopped the log).
  const auto answer_start = std::chrono::steady_clock::now();
  for (Handoff& h : *rounds) {
    if (!s.ok()) {
      Fail(&h.pending, s);
      continue;
    }
    for (auto& p : h.pending) Complete(p.get());
  }
  counters_.answer_micros += MicrosSince(answer_start);
}

Status LogWriter::WriteRounds(std::vector<Handoff>* handoffs) {
  // The rounds queued meanwhile go to the store in one write, in order: each write costs
  // a WAL record and a pass through RocksDB's write queue, and a writer that keeps up
  // hands on rounds of a few appends. Once a write fails, neither its rounds nor any after
  // them (they chain onto them) may be stored: the log stops, and they fail.
  std::vector<Handoff*> rounds;
  for (Handoff& h : *handoffs) {
    if (h.batch != nullptr) rounds.push_back(&h);
  }
  Status s = log_->failed() ? StoppedStatus() : Status::Ok();
  if (s.ok() && !rounds.empty()) {
    const WriteBatch* batch = rounds[0]->batch.get();
    if (rounds.size() > 1) {
      // A combined batch of a burst is not kept at its largest.
      if (combined_.ByteSize() > (8 << 20)) combined_ = WriteBatch();
      combined_.Clear();
      for (Handoff* h : rounds) combined_.Append(*h->batch);
      batch = &combined_;
    }
    const auto write_start = std::chrono::steady_clock::now();
    s = store_->Write(*batch, /*sync=*/false);
    counters_.write_micros += MicrosSince(write_start);
    if (!s.ok()) log_->MarkFailed(s);
  }
  // Every round accepted but not stored voids what its decision changed (FailedRounds).
  if (!s.ok()) counters_.failed_rounds += rounds.size();
  for (Handoff* h : rounds) ReturnSpareBatch(std::move(h->batch));
  return s;
}

Status LogWriter::SyncTo(uint64_t target) {
  if (target <= log_->HeadPosition()) return Status::Ok();  // durable already
  // Written, but an earlier write or sync stopped the log: never synced here.
  if (log_->failed()) return UnknownStatus(StoppedStatus());
  const auto sync_start = std::chrono::steady_clock::now();
  Status s = store_->SyncWal();
  counters_.syncs++;
  counters_.sync_micros += MicrosSince(sync_start);
  if (!s.ok()) {
    log_->MarkFailed(s);
    return UnknownStatus(StoppedStatus());
  }
  log_->Publish(target);
  return Status::Ok();
}

void LogWriter::Fail(std::vector<PendingPtr>* pending, const Status& status) {
  for (auto& p : *pending) {
    p->outcome.status = status;
    p->outcome.result = AppendResult();
    p->outcome.conflict.reset();
    Complete(p.get());
  }
}

}  // namespace caseengine
