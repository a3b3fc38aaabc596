// RocksWriteGate: what stops a RocksStore's writes after a failed one and lets them go on
// again (internal to storage/). A write, sync or flush that fails (a full disk, a failing
// one) stops every later write, sync and flush with the same answer (see Store::Health):
// RocksDB must not touch a WAL after an error on it (its writer asserts). Recover resumes
// the database (RocksDB's Resume: every memtable flushed to new table files, and a new
// WAL); on a disk still full it fails and the store stays stopped.
//
// Invariants: once stopped, Health answers the first failure's refusal until a Recover
// succeeds; a Recover succeeds only once RocksDB writes a WAL other than the one that
// saw the failure. While the disk is nearly full, every write, sync and flush takes its
// turn (WalTurn) and checks Health once it has it.
//
// Threading: thread-safe; Attach before any other call but Health.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "base/status.h"
#include "storage/rocks_store.h"

namespace caseengine {

class RocksWriteGate {
 public:
  explicit RocksWriteGate(std::string path) : path_(std::move(path)) {}

  // The open database; `default_family` its default family on a store that takes writes,
  // else null; `disk_full` a test's switch, or null.
  void Attach(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* default_family,
              std::shared_ptr<DiskFullSwitch> disk_full);

  // Ok, or why writes are stopped (Store::Health).
  Status Health() const;

  // The status of an operation that writes; an I/O failure (the disk full, or failing)
  // stops every write from here on. The first failure is the one reported: what follows
  // it is its consequence.
  Status Checked(Status s);

  // Resumes writes after a failure, once the disk has room (Store::Recover).
  Status Recover();

  // RocksDB must not write or sync a WAL after an error on it (Health stops us), but a
  // sync that starts while a write fails meets the error first (its writer asserts). So
  // while the disk is nearly full, writes, syncs and flushes take turns, and each checks
  // Health once it has its turn. With room to spare no write can run out of it, and they
  // overlap as usual (the log's writes go on while the WAL syncs).
  std::unique_lock<std::mutex> WalTurn();

  // Keeps a row in the default family's active memtable, written without the WAL, so
  // that a resume after a failed WAL write always has a memtable to flush and so starts
  // a new WAL (RocksDB switches WALs only with a memtable switch; with every memtable
  // empty it would resume on the WAL that saw the error, and its next write asserts).
  // Under the WAL turn, on a store that takes writes.
  void KeepMarker();

 private:
  // The number of the WAL RocksDB writes now; 0 when it cannot say.
  uint64_t CurrentWal();
  // Free bytes on the folder's disk (for a test's DiskFullSwitch, none while it is on).
  uint64_t FreeBytes() const;
  // Free space under kTightBytes (looked at once every kTightCheck), or a disk that a
  // test may fill at any time.
  bool Tight();

  // Room for RocksDB's new WAL, MANIFEST and LOG lines besides the flushed tables.
  static constexpr uint64_t kResumeMargin = 4 << 20;
  // Far more than one write holds (a log round is at most 8 MB).
  static constexpr uint64_t kTightBytes = 256ull << 20;
  static constexpr std::chrono::steady_clock::duration kTightCheck = std::chrono::milliseconds(10);

  const std::string path_;  // the data folder, named in refusals
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* default_ = nullptr;  // RocksDB's default family (KeepMarker)
  std::shared_ptr<DiskFullSwitch> disk_full_;       // a test's, or null

  // Set at the first failed write, sync or flush; cleared by Recover (see Store::Health).
  std::atomic<bool> failed_{false};
  mutable std::mutex failure_mu_;  // guards refusal_
  Status refusal_;
  uint64_t failed_wal_ = 0;  // the WAL RocksDB wrote when the store stopped (see Recover)
  std::mutex recover_mu_;    // one Recover at a time
  std::mutex wal_mu_;        // see WalTurn
  std::atomic<int64_t> tight_checked_{INT64_MIN / 2};
  std::atomic<bool> tight_{false};
};

}  // namespace caseengine
