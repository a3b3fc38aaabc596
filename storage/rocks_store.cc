// RocksStore: see rocks_store.h. The Store interface over one RocksDB database, and its
// opening; the pieces it is built from are the folder's checks (rocks_folder.h), RocksDB's
// options (rocks_options.h), sorted batches (rocks_batch.h), bulk writes
// (rocks_bulk_writer.h) and the gate that stops writes after a failed one
// (rocks_write_gate.h).
//
// Invariants: every write, sync and flush passes the gate (Health before, Checked after);
// db_, handles_ and names_ do not change once Open succeeds.
//
// Threading: thread-safe (RocksDB is; so are the gate and the bulk writer).
#include "storage/rocks_store.h"

#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include "storage/rocks_backup.h"
#include "storage/rocks_batch.h"
#include "storage/rocks_bulk_writer.h"
#include "storage/rocks_folder.h"
#include "storage/rocks_iterator.h"
#include "storage/rocks_options.h"
#include "storage/rocks_status.h"
#include "storage/rocks_support.h"
#include "storage/rocks_write_gate.h"

namespace caseengine {
namespace {

// How long a read-only open keeps trying while the engine replaces log files under it.
// Not a count of attempts: on a loaded machine an attempt can take longer than the
// engine's purge interval (250 ms), and 200 attempts ran out (a test saw it, once in 24
// opens, with the two cores busy compiling beside it).
constexpr std::chrono::seconds kReadOnlyOpenPatience(60);

class RocksStore : public Store {
 public:
  RocksStore(std::string path, bool read_only)
      : path_(std::move(path)), read_only_(read_only), gate_(path_) {}
  ~RocksStore() override {
    if (db_ != nullptr) {
      for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
      db_->Close();
      delete db_;
    }
  }

  Status Open(const RocksStoreOptions& options);

  Status Family(std::string_view name, FamilyId* id) const override {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) {
        *id = static_cast<FamilyId>(i);
        return Status::Ok();
      }
    }
    return Status::NotFound("data folder " + path_ + " has no family " + std::string(name));
  }
  std::vector<std::string> FamilyNames() const override { return names_; }

  Status Write(const WriteBatch& batch, bool sync) override {
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    return Apply(batch, wo);
  }

  Status WriteUnlogged(const WriteBatch& batch) override {
    rocksdb::WriteOptions wo;
    wo.disableWAL = true;
    return Apply(batch, wo);
  }

  Status WriteBulk(const WriteBatch& batch) override {
    Status s = Health();
    if (!s.ok()) return s;
    if (read_only_) return Status::FailedPrecondition("store is open read-only");
    s = gate_.Checked(bulk_->Write(batch));
    return s;
  }

  Status DropFiles(const std::vector<FamilyId>& families) override {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    Status s = WritableHandles(families, &handles);
    for (size_t i = 0; s.ok() && i < handles.size(); ++i) {
      s = gate_.Checked(
          FromRocks(rocksdb::DeleteFilesInRange(db_, handles[i], nullptr, nullptr), path_));
    }
    return s;
  }

  Status FlushFamilies(const std::vector<FamilyId>& families) override {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    Status s = WritableHandles(families, &handles);
    if (!s.ok()) return s;
    auto turn = gate_.WalTurn();
    s = Health();
    if (!s.ok()) return s;
    return gate_.Checked(FromRocks(db_->Flush(rocksdb::FlushOptions(), handles), path_));
  }

  Status SyncWal() override {
    if (read_only_) return Status::Ok();
    auto turn = gate_.WalTurn();
    Status s = Health();
    if (!s.ok()) return s;
    return gate_.Checked(FromRocks(db_->SyncWAL(), path_));
  }

  Status Health() const override { return gate_.Health(); }

  std::vector<std::pair<std::string, uint64_t>> FamilyFileBytes() const override {
    std::vector<std::pair<std::string, uint64_t>> sizes;
    for (size_t i = 0; i < handles_.size(); ++i) {
      uint64_t bytes = 0;
      db_->GetIntProperty(handles_[i], rocksdb::DB::Properties::kTotalSstFilesSize, &bytes);
      sizes.emplace_back(names_[i], bytes);
    }
    return sizes;
  }

  void BlockCacheUsage(uint64_t* used, uint64_t* capacity) const override {
    *used = block_cache_ ? block_cache_->GetUsage() : 0;
    *capacity = block_cache_ ? block_cache_->GetCapacity() : 0;
  }

  Status Recover() override { return gate_.Recover(); }

  // See BackupStore (rocks_backup.h). It reads the folder's files and writes only to the
  // backup folder: not through the write gate, so a backup can be taken while a full
  // disk stops writes.
  Status Backup(const std::string& backup_dir, const std::string& metadata, uint32_t keep,
                BackupEntry* entry) {
    if (read_only_) return Status::FailedPrecondition("store is open read-only");
    return CreateRocksBackup(db_, backup_dir, metadata, keep, entry);
  }

  Status Get(FamilyId family, std::string_view key, std::string* value) const override {
    if (family >= handles_.size()) return Status::InvalidArgument("unknown family");
    return FromRocks(db_->Get(rocksdb::ReadOptions(), handles_[family], ToSlice(key), value),
                     path_);
  }

  std::unique_ptr<StoreIterator> NewIterator(FamilyId family, ReadPattern pattern) const override {
    rocksdb::ReadOptions ro;
    if (pattern == ReadPattern::kScan) {
      // Caching every block of a pass over the whole log costs more than the reads and
      // evicts the blocks that point reads need (measured: replay 2x faster without).
      ro.fill_cache = false;
      ro.readahead_size = 2 << 20;
    }
    return std::make_unique<RocksIterator>(db_->NewIterator(ro, handles_.at(family)), &path_);
  }

  Status CompactAll() override {
    if (read_only_) return Status::FailedPrecondition("store is open read-only");
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (auto* h : handles_) {
      Status s;
      {
        auto turn = gate_.WalTurn();
        s = Health();
        if (s.ok()) s = gate_.Checked(FromRocks(db_->Flush(rocksdb::FlushOptions(), h), path_));
      }
      if (!s.ok()) return s;
      s = gate_.Checked(FromRocks(db_->CompactRange(co, h, nullptr, nullptr), path_));
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Status Purge(const std::vector<FamilyId>& families) override {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    Status s = WritableHandles(families, &handles);
    if (s.ok()) {
      auto turn = gate_.WalTurn();
      s = Health();
      if (s.ok()) {
        s = gate_.Checked(FromRocks(db_->Flush(rocksdb::FlushOptions(), handles_), path_));
      }
    }
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (size_t i = 0; s.ok() && i < handles.size(); ++i) {
      s = gate_.Checked(FromRocks(db_->CompactRange(co, handles[i], nullptr, nullptr), path_));
    }
    return s;
  }

  bool read_only() const override { return read_only_; }
  const std::string& path() const override { return path_; }

 private:
  // The handles of `families`, for an operation that changes them: refused on a read-only
  // store or for a family it does not have.
  Status WritableHandles(const std::vector<FamilyId>& families,
                         std::vector<rocksdb::ColumnFamilyHandle*>* handles) const {
    if (read_only_) return Status::FailedPrecondition("store is open read-only");
    Status health = Health();
    if (!health.ok()) return health;
    for (FamilyId f : families) {
      if (f >= handles_.size()) return Status::InvalidArgument("unknown family");
      handles->push_back(handles_[f]);
    }
    return Status::Ok();
  }

  Status Apply(const WriteBatch& batch, const rocksdb::WriteOptions& wo) {
    Status health = Health();
    if (!health.ok()) return health;
    if (read_only_) return Status::FailedPrecondition("store is open read-only");
    // Sorted by family and key, for the memtables' sake (see rocks_batch.h).
    RocksBatch& sorted = RocksBatch::ForThisThread();
    Status s = sorted.Sort(batch, handles_.size());
    if (!s.ok()) return s;
    rocksdb::WriteBatch& wb = sorted.rocks();
    wb.Clear();
    s = sorted.Add(sorted.ops().data(), sorted.ops().data() + sorted.ops().size(), db_, handles_,
                   path_);
    if (s.ok()) {
      auto turn = gate_.WalTurn();
      s = Health();
      if (s.ok()) s = gate_.Checked(FromRocks(db_->Write(wo, &wb), path_));
    }
    sorted.Release();
    return s;
  }

  const std::string path_;
  const bool read_only_;
  rocksdb::DB* db_ = nullptr;
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::Env> env_;  // only with RocksStoreOptions::disk_full
  std::shared_ptr<rocksdb::Cache> block_cache_;
  RocksWriteGate gate_;
  std::unique_ptr<RocksBulkWriter> bulk_;  // once open
};

}  // namespace

Status RocksStore::Open(const RocksStoreOptions& options) {
  bool exists = false;
  Status s = CheckFolder(options, &exists);
  if (!s.ok()) return s;

  if (exists && !options.read_only) RocksBulkWriter::RemoveLeftovers(options.path);

  rocksdb::DBOptions db_options = DbOptions(options);

  std::vector<std::string> names = options.families;
  std::vector<std::string> existing;
  if (exists) {
    s = FromRocks(rocksdb::DB::ListColumnFamilies(db_options, options.path, &existing),
                  options.path);
    if (!s.ok()) return s;
    // Decide whether the database is ours before a writable open rewrites its files.
    for (const auto& required : options.required_families) {
      if (std::find(existing.begin(), existing.end(), required) != existing.end()) continue;
      if (!options.read_only && options.create_if_missing &&
          InterruptedCreation(db_options, options, existing)) {
        break;
      }
      return Status::InvalidArgument(options.path +
                                     " is not a caseengine data folder (it has no '" + required +
                                     "' family); refusing to touch it");
    }
  }
  for (const auto& e : existing) {
    if (!options.read_only || options.open_all_families) {
      if (std::find(names.begin(), names.end(), e) == names.end()) names.push_back(e);
    }
  }
  if (std::find(names.begin(), names.end(), rocksdb::kDefaultColumnFamilyName) == names.end()) {
    names.push_back(rocksdb::kDefaultColumnFamilyName);
  }
  if (options.read_only) {
    // Read-only opens can only name families that exist.
    std::vector<std::string> present;
    for (const auto& n : names) {
      if (std::find(existing.begin(), existing.end(), n) != existing.end()) present.push_back(n);
    }
    names = present;
  }

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors =
      FamilyDescriptors(names, options, cache);

  if (!options.read_only) {
    db_options.listeners.push_back(NewNoAutoRecovery());
    db_options.info_log = NewFolderLogger(options.path);
  }
  if (options.disk_full != nullptr) {
    env_ = NewDiskFullEnv(options.disk_full);
    db_options.env = env_.get();
  }
  rocksdb::Options open_options(db_options, FamilyOptions(cache, options.compress));
  rocksdb::Status rs;
  if (!options.read_only) {
    rs = rocksdb::DB::Open(open_options, options.path, descriptors, &handles_, &db_);
  } else {
    // A read-only open takes no lock, and a live engine may flush, compact and delete files
    // meanwhile. The open reads the MANIFEST, then replays the log files it finds: when the
    // engine flushes and deletes a log file between the two, that file's events are in
    // neither, and the open would see a log with a gap (or fail on a table file deleted
    // before it was opened). So the attempt counts only when every log file present before
    // it is still there after it, and is repeated otherwise. Once open, every table file
    // stays open (max_open_files = -1), so later deletions do not matter.
    const auto give_up = std::chrono::steady_clock::now() + kReadOnlyOpenPatience;
    for (int attempt = 1;; ++attempt) {
      const std::vector<std::string> before = LogFiles(options.path);
      rs = rocksdb::DB::OpenForReadOnly(open_options, options.path, descriptors, &handles_, &db_);
      const std::vector<std::string> after = LogFiles(options.path);
      const bool lost = !std::includes(after.begin(), after.end(), before.begin(), before.end());
      if (!lost && (rs.ok() || !MissingFile(rs))) break;
      if (db_ != nullptr) {
        for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
        delete db_;
        db_ = nullptr;
      }
      handles_.clear();
      if (std::chrono::steady_clock::now() >= give_up) {
        return Status::Busy("the engine kept replacing the log files of " + options.path +
                            " while they were being opened read-only; try again");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(2 * attempt, 50)));
    }
  }
  if (!rs.ok()) {
    if (db_ != nullptr) {
      for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
      delete db_;
    }
    db_ = nullptr;
    handles_.clear();
    return FromRocks(rs, options.path);
  }
  names_ = names;
  block_cache_ = cache;
  bulk_ = std::make_unique<RocksBulkWriter>(db_, handles_, path_, &gate_);
  // The resume marker goes in the default family, on a store that takes writes.
  rocksdb::ColumnFamilyHandle* default_family = nullptr;
  for (size_t i = 0; !options.read_only && i < names_.size(); ++i) {
    if (names_[i] == rocksdb::kDefaultColumnFamilyName) default_family = handles_[i];
  }
  gate_.Attach(db_, default_family, options.disk_full);
  if (options.read_only) return Status::Ok();
  gate_.KeepMarker();
  return RestrictModes(options.path);
}

Status BackupStore(Store* store, const std::string& backup_dir, const std::string& metadata,
                   uint32_t keep, BackupEntry* entry) {
  auto* rocks = dynamic_cast<RocksStore*>(store);
  if (rocks == nullptr) return Status::FailedPrecondition("only a data folder can be backed up");
  return rocks->Backup(backup_dir, metadata, keep, entry);
}

Status OpenRocksStore(const RocksStoreOptions& options, std::unique_ptr<Store>* store) {
  auto rocks = std::make_unique<RocksStore>(options.path, options.read_only);
  Status s = rocks->Open(options);
  if (!s.ok()) return s;
  *store = std::move(rocks);
  return Status::Ok();
}

}  // namespace caseengine
