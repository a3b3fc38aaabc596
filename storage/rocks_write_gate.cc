// RocksWriteGate: see rocks_write_gate.h.
#include "storage/rocks_write_gate.h"

#include <rocksdb/write_batch.h>
#include <sys/statvfs.h>

#include "storage/rocks_status.h"

namespace caseengine {

void RocksWriteGate::Attach(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* default_family,
                            std::shared_ptr<DiskFullSwitch> disk_full) {
  db_ = db;
  default_ = default_family;
  disk_full_ = std::move(disk_full);
}

Status RocksWriteGate::Health() const {
  if (!failed_.load(std::memory_order_acquire)) return Status::Ok();
  std::lock_guard<std::mutex> lock(failure_mu_);
  return refusal_;
}

Status RocksWriteGate::Checked(Status s) {
  if (s.ok() || (s.code() != Status::Code::kIoError && s.code() != Status::Code::kNoSpace)) {
    return s;
  }
  std::lock_guard<std::mutex> lock(failure_mu_);
  if (failed_.load()) return refusal_;
  if (s.code() == Status::Code::kNoSpace) {
    refusal_ = Status::NoSpace(s.message() +
                               "; the engine takes no writes until there is space again, then "
                               "goes on by itself: free space on that disk, or give it more");
  } else {
    refusal_ = Status::Unavailable(
        "data folder " + path_ + " stopped taking writes after a failed write (" + s.message() +
        "); the engine tries again by itself, and goes on once the disk takes writes");
  }
  failed_wal_ = CurrentWal();
  failed_.store(true, std::memory_order_release);
  return refusal_;
}

Status RocksWriteGate::Recover() {
  std::lock_guard<std::mutex> recovering(recover_mu_);
  if (!failed_.load()) return Status::Ok();
  // A resume whose flush fails may leave RocksDB unable to resume at all (when it could
  // not switch to a new WAL, it takes the error as fatal): it is tried only once the
  // disk has room for what it writes.
  uint64_t memtables = 0;
  db_->GetIntProperty("rocksdb.cur-size-all-mem-tables", &memtables);
  // The tables a flush writes are no larger than the memtables they come from.
  const uint64_t needed = memtables + kResumeMargin;
  if (FreeBytes() < needed) {
    return Status::NoSpace("data folder " + path_ + ": waiting for " +
                           std::to_string(needed >> 20) + " MB free to go on");
  }
  std::lock_guard<std::mutex> turn(wal_mu_);
  // RocksDB flushes every memtable to new table files and starts a new WAL: what was
  // written before the failure is then durable, and the WAL that saw the error is
  // never written again. It starts one only if a memtable holds something, which the
  // marker sees to (KeepMarker); while RocksDB still writes the WAL of the failure (a
  // resume that failed may have started the new one already) the store stays stopped.
  Status s = FromRocks(db_->Resume(), path_);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(failure_mu_);
  if (failed_wal_ == 0 || CurrentWal() == failed_wal_) {
    refusal_ = Status::Unavailable(
        "data folder " + path_ +
        " could not start a new write-ahead log after a failed write; restart the engine "
        "to go on (nothing acknowledged is lost)");
    return refusal_;
  }
  refusal_ = Status::Ok();
  failed_.store(false, std::memory_order_release);
  KeepMarker();
  return Status::Ok();
}

std::unique_lock<std::mutex> RocksWriteGate::WalTurn() {
  std::unique_lock<std::mutex> lock(wal_mu_, std::defer_lock);
  if (Tight()) {
    lock.lock();
    if (!failed_.load()) KeepMarker();
  }
  return lock;
}

void RocksWriteGate::KeepMarker() {
  if (default_ == nullptr) return;
  uint64_t entries = 0;
  if (db_->GetIntProperty(default_, "rocksdb.num-entries-active-mem-table", &entries) &&
      entries > 0) {
    return;
  }
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  rocksdb::WriteBatch wb;
  if (wb.Put(default_, "caseengine.resume-marker", "").ok()) db_->Write(wo, &wb);
}

uint64_t RocksWriteGate::CurrentWal() {
  std::unique_ptr<rocksdb::LogFile> wal;
  if (!db_->GetCurrentWalFile(&wal).ok() || wal == nullptr) return 0;
  return wal->LogNumber();
}

uint64_t RocksWriteGate::FreeBytes() const {
  if (disk_full_ != nullptr) return disk_full_->full.load() ? 0 : UINT64_MAX;
  struct statvfs st;
  if (::statvfs(path_.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

bool RocksWriteGate::Tight() {
  if (disk_full_ != nullptr) return true;
  const int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  if (now - tight_checked_.load(std::memory_order_relaxed) >= kTightCheck.count()) {
    tight_checked_.store(now, std::memory_order_relaxed);
    tight_.store(FreeBytes() < kTightBytes, std::memory_order_relaxed);
  }
  return tight_.load(std::memory_order_relaxed);
}

}  // namespace caseengine
