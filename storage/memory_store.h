// MemoryStore: the in-memory twin of RocksStore for tests. Same semantics (atomic batches,
// ordered iteration, families), plus fault injection: fail the next writes or syncs, and
// SimulatePowerLoss(), which forgets every write that was not synced or flushed (an
// unlogged one, flushed).
//
// Threading: thread-safe; one mutex guards everything (tests, not throughput).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/store.h"

namespace caseengine {

class MemoryStore : public Store {
 public:
  explicit MemoryStore(std::vector<std::string> families);

  Status Family(std::string_view name, FamilyId* id) const override;
  std::vector<std::string> FamilyNames() const override;
  Status Write(const WriteBatch& batch, bool sync) override;
  Status WriteUnlogged(const WriteBatch& batch) override;
  Status WriteBulk(const WriteBatch& batch) override { return WriteUnlogged(batch); }
  // Removes every row of the families at once (durably, as a file deletion is).
  Status DropFiles(const std::vector<FamilyId>& families) override;
  // Persists every write not yet durable, logged or not, whatever the families named (the
  // engine flushes all the families it wrote unlogged at once).
  Status FlushFamilies(const std::vector<FamilyId>& families) override;
  Status SyncWal() override;
  Status Get(FamilyId family, std::string_view key, std::string* value) const override;
  std::unique_ptr<StoreIterator> NewIterator(FamilyId family, ReadPattern pattern) const override;
  Status CompactAll() override { return Status::Ok(); }
  Status Purge(const std::vector<FamilyId>&) override { return Status::Ok(); }
  Status Health() const override;
  // Once the disk is no longer full (SetDiskFull(false)), every write made before the
  // failure becomes durable, as RocksDB's flush at its resume makes it.
  Status Recover() override;
  bool read_only() const override { return false; }
  const std::string& path() const override { return path_; }

  // After `after` more calls to Write or WriteUnlogged succeed, the next `n` fail with an
  // I/O error and change nothing.
  void FailNextWrites(int n, int after = 0);
  // The next `n` calls to SyncWal (or synced Writes) fail with an I/O error.
  void FailNextSyncs(int n);
  // While on, the next write, sync or flush fails with kNoSpace, and the store stops as
  // RocksStore does (see Store::Health) until Recover succeeds after it is turned off.
  // The transient failures above do not stop the store.
  void SetDiskFull(bool full);
  // Drops every write not yet made durable, as a power cut would.
  void SimulatePowerLoss();
  // Direct access for tests that tamper with stored bytes.
  void RawPut(FamilyId family, std::string_view key, std::string_view value);
  void RawDelete(FamilyId family, std::string_view key);

 private:
  using Table = std::map<std::string, std::string, std::less<>>;
  friend class MemoryStoreIterator;
  void ApplyTo(std::vector<Table>* tables, const WriteBatch& batch);
  // The injected failure of this write, if any (counts it); under mu_.
  Status FailingWrite();

  mutable std::mutex mu_;
  std::vector<std::string> names_;
  std::vector<Table> live_;  // what readers see
  // Writes not yet folded into durable_, in the order they were made. A logged one is
  // durable once synced, any one once flushed (as RocksDB's memtables persist logged and
  // unlogged rows alike); a power cut keeps the durable ones, in their order.
  struct Pending {
    WriteBatch batch;
    bool logged = true;
    bool durable = false;
  };
  // Marks pending writes durable (the logged ones alone, or all), then folds the durable
  // ones at the front into durable_; under mu_.
  void MakeDurable(bool logged_only);
  Status CheckFamilies(const std::vector<FamilyId>& families) const;  // InvalidArgument: unknown

  std::vector<Table> durable_;  // what survives SimulatePowerLoss, with the durable pending
  std::deque<Pending> pending_;
  int writes_before_failing_ = 0;
  int fail_writes_ = 0;
  int fail_syncs_ = 0;
  bool disk_full_ = false;
  Status refusal_;  // not ok while stopped (see Health)
  // Under mu_: the refusal of a stopped store, or of a full disk (which stops it).
  Status Stopped();
  std::string path_;
};

}  // namespace caseengine
