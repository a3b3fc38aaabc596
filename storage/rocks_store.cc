// RocksStore: see rocks_store.h.
#include "storage/rocks_store.h"

#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <regex>
#include <system_error>
#include <thread>

#include "base/coding.h"
#include "storage/rocks_support.h"

namespace caseengine {
namespace {

namespace fs = std::filesystem;

// The table files a bulk write builds in the data folder before RocksDB moves them in
// (RocksStore::WriteBulk). One that a crash left behind may hold rows of a person erased
// since: a writable open removes them.
constexpr const char* kBulkPrefix = "bulk-";

void RemoveBulkLeftovers(const std::string& path) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kBulkPrefix, 0) == 0 && entry.path().extension() == ".sst") {
      fs::remove(entry.path(), ec);
    }
  }
}

// The folder and everything in it for the owner alone (0700 folders, 0600 files): they
// hold personal data. Files made later are governed by the process's umask, which the
// engine's executables set to 077. A folder created by an older build (0755, 0644) is
// narrowed here at its next writable open.
Status RestrictModes(const std::string& path) {
  std::error_code ec;
  auto narrow = [&](const fs::path& p, bool folder) {
    const fs::perms others = fs::perms::group_all | fs::perms::others_all;
    const fs::perms now = fs::status(p, ec).permissions();
    if (ec) return;
    if ((now & others) != fs::perms::none) fs::permissions(p, others, fs::perm_options::remove, ec);
    if (folder && !ec) fs::permissions(p, fs::perms::owner_all, fs::perm_options::add, ec);
  };
  narrow(path, true);
  if (ec) return Status::IoError("cannot restrict the modes of " + path + ": " + ec.message());
  for (auto it = fs::recursive_directory_iterator(path, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink(ec)) continue;
    narrow(it->path(), it->is_directory(ec));
    if (ec)
      return Status::IoError("cannot restrict the mode of " + it->path().string() + ": " +
                             ec.message());
  }
  if (ec) return Status::IoError("cannot list " + path + ": " + ec.message());
  return Status::Ok();
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

Status FromRocks(const rocksdb::Status& s, const std::string& path) {
  if (s.ok()) return Status::Ok();
  // The state alone: our Status adds its own code name.
  std::string msg = s.getState() != nullptr ? s.getState() : s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) {
    return Status::Corruption("data folder " + path + " is damaged (" + msg +
                              "); nothing was changed: restore it from a backup");
  }
  if (s.IsIOError() &&
      (msg.find("lock") != std::string::npos || msg.find("LOCK") != std::string::npos)) {
    return Status::Busy("data folder " + path +
                        " is in use by another engine (its LOCK is held): stop that "
                        "process, or open the folder read-only");
  }
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsNoSpace() || msg.find("No space left") != std::string::npos) {
    return Status::NoSpace("the disk of data folder " + path + " is full (" + msg + ")");
  }
  return Status::IoError(msg);
}

class RocksIterator : public StoreIterator {
 public:
  RocksIterator(rocksdb::Iterator* it, const std::string* path) : it_(it), path_(path) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view key) override { it_->Seek(ToSlice(key)); }
  void SeekForPrev(std::string_view key) override { it_->SeekForPrev(ToSlice(key)); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return ToView(it_->key()); }
  std::string_view value() const override { return ToView(it_->value()); }
  Status status() const override { return FromRocks(it_->status(), *path_); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
  const std::string* path_;  // the store's, which outlives its iterators
};

class RocksStore : public Store {
 public:
  RocksStore(std::string path, bool read_only) : path_(std::move(path)), read_only_(read_only) {}
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
    s = Checked(WriteBulkUnchecked(batch));
    return s;
  }

  Status WriteBulkUnchecked(const WriteBatch& batch) {
    Scratch& scratch = LocalScratch();
    Status s = SortOps(batch, &scratch);
    if (!s.ok()) return s;
    // A family's run of operations long enough to be worth a file of its own goes into
    // one; the rest go through the memtables as an unlogged write, after the files.
    rocksdb::WriteBatch& wb = scratch.wb;
    wb.Clear();
    std::vector<rocksdb::IngestExternalFileArg> tables;
    const Op* ops = scratch.ops.data();
    const size_t n = scratch.ops.size();
    for (size_t begin = 0, end; s.ok() && begin < n; begin = end) {
      bool deletes_all = false;
      for (end = begin; end < n && ops[end].family == ops[begin].family; ++end) {
        deletes_all = deletes_all || ops[end].op == WriteOp::kDeleteAll;
      }
      if (end - begin < kBulkTableOps || deletes_all) {
        s = AddOps(ops + begin, ops + end, &wb);
        continue;
      }
      rocksdb::IngestExternalFileArg& table = tables.emplace_back();
      table.column_family = handles_[ops[begin].family];
      table.external_files.emplace_back();
      // Moved into the database, not copied; its sequence number kept in the MANIFEST
      // rather than written into the file.
      table.options.move_files = true;
      table.options.write_global_seqno = false;
      s = WriteTable(ops + begin, ops + end, &table.external_files.back());
    }
    if (s.ok() && !tables.empty()) s = FromRocks(db_->IngestExternalFiles(tables), path_);
    rocksdb::WriteOptions wo;
    wo.disableWAL = true;
    if (s.ok() && wb.Count() > 0) {
      auto turn = WalTurn();
      s = Health();
      if (s.ok()) s = FromRocks(db_->Write(wo, &wb), path_);
    }
    // An ingested file was moved; one that was not is of no use.
    for (const auto& table : tables) {
      std::error_code ec;
      fs::remove(table.external_files.front(), ec);
    }
    Release(&scratch);
    return s;
  }

  Status DropFiles(const std::vector<FamilyId>& families) override {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    Status s = WritableHandles(families, &handles);
    for (size_t i = 0; s.ok() && i < handles.size(); ++i) {
      s = Checked(FromRocks(rocksdb::DeleteFilesInRange(db_, handles[i], nullptr, nullptr), path_));
    }
    return s;
  }

  Status FlushFamilies(const std::vector<FamilyId>& families) override {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    Status s = WritableHandles(families, &handles);
    if (!s.ok()) return s;
    auto turn = WalTurn();
    s = Health();
    if (!s.ok()) return s;
    return Checked(FromRocks(db_->Flush(rocksdb::FlushOptions(), handles), path_));
  }

  Status SyncWal() override {
    if (read_only_) return Status::Ok();
    auto turn = WalTurn();
    Status s = Health();
    if (!s.ok()) return s;
    return Checked(FromRocks(db_->SyncWAL(), path_));
  }

  Status Health() const override {
    if (!failed_.load(std::memory_order_acquire)) return Status::Ok();
    std::lock_guard<std::mutex> lock(failure_mu_);
    return refusal_;
  }

  Status Recover() override {
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
        auto turn = WalTurn();
        s = Health();
        if (s.ok()) s = Checked(FromRocks(db_->Flush(rocksdb::FlushOptions(), h), path_));
      }
      if (!s.ok()) return s;
      s = Checked(FromRocks(db_->CompactRange(co, h, nullptr, nullptr), path_));
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Status Purge(const std::vector<FamilyId>& families) override {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    Status s = WritableHandles(families, &handles);
    if (s.ok()) {
      auto turn = WalTurn();
      s = Health();
      if (s.ok()) s = Checked(FromRocks(db_->Flush(rocksdb::FlushOptions(), handles_), path_));
    }
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (size_t i = 0; s.ok() && i < handles.size(); ++i) {
      s = Checked(FromRocks(db_->CompactRange(co, handles[i], nullptr, nullptr), path_));
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

  // An operation of a batch, as the store hands it to RocksDB.
  struct Op {
    FamilyId family;
    WriteOp op;
    std::string_view key, value;
    uint64_t head;  // the key's first 8 bytes, big-endian, zero-padded: most compares end here
    size_t seq;     // its place in the batch
  };
  // The sort's and RocksDB's buffers are kept per thread: a batch of a few hundred KB
  // allocated and freed per write made glibc consolidate its free lists every time.
  struct Scratch {
    std::vector<Op> ops;
    rocksdb::WriteBatch wb;
  };
  static Scratch& LocalScratch() {
    thread_local Scratch scratch;
    return scratch;
  }

  // The batch's operations sorted by family and key (stably, so operations on one key keep
  // their order and the batch means the same), in scratch.ops; refuses a malformed batch.
  Status SortOps(const WriteBatch& batch, Scratch* scratch) const {
    if (read_only_) return Status::FailedPrecondition("store is open read-only");
    std::vector<Op>& ops = scratch->ops;
    ops.clear();
    ops.reserve(batch.Count());
    bool bad_family = false, delete_all = false;
    batch.ForEach([&](FamilyId f, WriteOp op, std::string_view key, std::string_view value) {
      bad_family = bad_family || f >= handles_.size();
      delete_all = delete_all || op == WriteOp::kDeleteAll;
      char head[8] = {};
      if (!key.empty()) std::memcpy(head, key.data(), std::min(key.size(), sizeof(head)));
      ops.push_back({f, op, key, value, DecodeBigEndian64(head), ops.size()});
    });
    if (bad_family || delete_all) {
      Status checked = batch.Check(handles_.size());
      if (!checked.ok()) return checked;
    }
    // Stable by the place in the batch. Heads that differ order keys as bytes do: where they
    // first differ, both bytes are the keys' own, or the shorter key's padding (0) faces a
    // byte of the longer that is not 0, and a key's prefix sorts first.
    std::sort(ops.begin(), ops.end(), [](const Op& a, const Op& b) {
      if (a.family != b.family) return a.family < b.family;
      if (a.head != b.head) return a.head < b.head;
      const int c = a.key.compare(b.key);
      return c != 0 ? c < 0 : a.seq < b.seq;
    });
    return Status::Ok();
  }

  // Adds sorted operations to a RocksDB batch.
  Status AddOps(const Op* begin, const Op* end, rocksdb::WriteBatch* wb) const {
    std::string last;
    for (const Op* op = begin; op != end; ++op) {
      if (op->op == WriteOp::kPut) {
        wb->Put(handles_[op->family], ToSlice(op->key), ToSlice(op->value));
      } else if (op->op == WriteOp::kDelete) {
        wb->Delete(handles_[op->family], ToSlice(op->key));
      } else {
        // One range tombstone from the smallest key to just past the last one there.
        std::unique_ptr<rocksdb::Iterator> it(
            db_->NewIterator(rocksdb::ReadOptions(), handles_[op->family]));
        it->SeekToLast();
        if (!it->status().ok()) return FromRocks(it->status(), path_);
        if (!it->Valid()) continue;
        last.assign(it->key().data(), it->key().size());
        last.push_back('\0');
        wb->DeleteRange(handles_[op->family], rocksdb::Slice(), last);
      }
    }
    return Status::Ok();
  }

  // The status of an operation that writes; an I/O failure (the disk full, or failing)
  // stops every write from here on (see Store::Health). The first failure is the one
  // reported: what follows it is its consequence.
  Status Checked(Status s) {
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

  // RocksDB must not write or sync a WAL after an error on it (Health stops us), but a
  // sync that starts while a write fails meets the error first (its writer asserts). So
  // while the disk is nearly full, writes, syncs and flushes take turns, and each checks
  // Health once it has its turn. With room to spare no write can run out of it, and they
  // overlap as usual (the log's writes go on while the WAL syncs).
  std::unique_lock<std::mutex> WalTurn() {
    std::unique_lock<std::mutex> lock(wal_mu_, std::defer_lock);
    if (Tight()) {
      lock.lock();
      if (!failed_.load()) KeepMarker();
    }
    return lock;
  }
  // Keeps a row in the default family's active memtable, written without the WAL, so
  // that a resume after a failed WAL write always has a memtable to flush and so starts
  // a new WAL (RocksDB switches WALs only with a memtable switch; with every memtable
  // empty it would resume on the WAL that saw the error, and its next write asserts).
  // Under wal_mu_, on a store that takes writes.
  void KeepMarker() {
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
  // The number of the WAL RocksDB writes now; 0 when it cannot say.
  uint64_t CurrentWal() {
    std::unique_ptr<rocksdb::LogFile> wal;
    if (!db_->GetCurrentWalFile(&wal).ok() || wal == nullptr) return 0;
    return wal->LogNumber();
  }
  // Free bytes on the folder's disk (for a test's DiskFullSwitch, none while it is on).
  uint64_t FreeBytes() const {
    if (disk_full_ != nullptr) return disk_full_->full.load() ? 0 : UINT64_MAX;
    struct statvfs st;
    if (::statvfs(path_.c_str(), &st) != 0) return 0;
    return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  }
  // Room for RocksDB's new WAL, MANIFEST and LOG lines besides the flushed tables.
  static constexpr uint64_t kResumeMargin = 4 << 20;
  // Free space under kTightBytes (looked at once every kTightCheck), or a disk that a
  // test may fill at any time.
  bool Tight() {
    if (disk_full_ != nullptr) return true;
    const int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
    if (now - tight_checked_.load(std::memory_order_relaxed) >= kTightCheck.count()) {
      tight_checked_.store(now, std::memory_order_relaxed);
      tight_.store(FreeBytes() < kTightBytes, std::memory_order_relaxed);
    }
    return tight_.load(std::memory_order_relaxed);
  }
  // Far more than one write holds (a log round is at most 8 MB).
  static constexpr uint64_t kTightBytes = 256ull << 20;
  static constexpr std::chrono::steady_clock::duration kTightCheck = std::chrono::milliseconds(10);

  Status Apply(const WriteBatch& batch, const rocksdb::WriteOptions& wo) {
    Status health = Health();
    if (!health.ok()) return health;
    // Sorted by family and key: a memtable insert starts from where the previous one in
    // that memtable went, so ascending keys skip most of the skip list's search: rebuilds,
    // whose batches scatter rows over every read model, spend most of their time in those
    // inserts.
    Scratch& scratch = LocalScratch();
    Status s = SortOps(batch, &scratch);
    if (!s.ok()) return s;
    rocksdb::WriteBatch& wb = scratch.wb;
    wb.Clear();
    s = AddOps(scratch.ops.data(), scratch.ops.data() + scratch.ops.size(), &wb);
    if (s.ok()) {
      auto turn = WalTurn();
      s = Health();
      if (s.ok()) s = Checked(FromRocks(db_->Write(wo, &wb), path_));
    }
    Release(&scratch);
    return s;
  }

  // A rebuild's batches are large; keep no more than a few MB per thread for good.
  static void Release(Scratch* scratch) {
    if (scratch->wb.GetDataSize() > (8 << 20)) scratch->wb = rocksdb::WriteBatch();
    if (scratch->ops.capacity() > (1 << 16)) std::vector<Op>().swap(scratch->ops);
  }

  // Writes sorted operations on one family to a new table file (the last operation on a
  // key wins, as it would in a batch); its path in *file.
  Status WriteTable(const Op* begin, const Op* end, std::string* file) {
    const FamilyId family = begin->family;
    rocksdb::Options options(db_->GetDBOptions(), db_->GetOptions(handles_[family]));
    // Compressed as a flush would: the bottommost level's compression (zstd) costs several
    // times more to write, and the family's first compaction applies it.
    options.bottommost_compression = rocksdb::kDisableCompressionOption;
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options, handles_[family]);
    *file = path_ + "/" + kBulkPrefix + std::to_string(bulk_files_++) + ".sst";
    rocksdb::Status rs = writer.Open(*file);
    for (const Op* op = begin; rs.ok() && op != end; ++op) {
      if (op + 1 != end && op[1].key == op->key) continue;
      rs = op->op == WriteOp::kPut ? writer.Put(ToSlice(op->key), ToSlice(op->value))
                                   : writer.Delete(ToSlice(op->key));
    }
    if (rs.ok()) rs = writer.Finish();
    return FromRocks(rs, path_);
  }

  // A family's run of a bulk write this long or longer goes into a table file of its own.
  static constexpr size_t kBulkTableOps = 1024;

  std::string path_;
  bool read_only_;
  std::atomic<uint64_t> bulk_files_{0};  // names this open's bulk table files
  rocksdb::DB* db_ = nullptr;
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::Env> env_;               // only with RocksStoreOptions::disk_full
  rocksdb::ColumnFamilyHandle* default_ = nullptr;  // RocksDB's default family (KeepMarker)

  // Set at the first failed write, sync or flush; cleared by Recover (see Store::Health).
  std::atomic<bool> failed_{false};
  mutable std::mutex failure_mu_;  // guards refusal_
  Status refusal_;
  uint64_t failed_wal_ = 0;  // the WAL RocksDB wrote when the store stopped (see Recover)
  std::mutex recover_mu_;    // one Recover at a time
  std::mutex wal_mu_;        // see WalTurn
  std::shared_ptr<DiskFullSwitch> disk_full_;  // a test's, or null
  std::atomic<int64_t> tight_checked_{INT64_MIN / 2};
  std::atomic<bool> tight_{false};
};

rocksdb::ColumnFamilyOptions FamilyOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                           bool compress) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = 64 << 20;
  cf.max_write_buffer_number = 4;
  cf.level_compaction_dynamic_level_bytes = true;
  cf.compression = compress ? rocksdb::kLZ4Compression  // fast to decode: replay is read-bound
                            : rocksdb::kNoCompression;
  cf.bottommost_compression = compress ? rocksdb::kZSTD : rocksdb::kNoCompression;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.block_size = 16 << 10;
  // Most point lookups (idempotency keys, stream heads) are for keys that do not exist.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.format_version = 5;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

// A key's group in a family whose keys ascend within a group (RocksStoreOptions::
// ascending_families): the key without its last `counter_bytes` bytes. The memtable keeps
// where each group's last insert went and starts the next one there.
class DropCounter : public rocksdb::SliceTransform {
 public:
  explicit DropCounter(size_t counter_bytes)
      : counter_bytes_(counter_bytes),
        name_("caseengine.DropCounter." + std::to_string(counter_bytes)) {}
  const char* Name() const override { return name_.c_str(); }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - counter_bytes_);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= counter_bytes_; }

 private:
  const size_t counter_bytes_;
  const std::string name_;
};

// The write-ahead log files of a database folder, sorted.
std::vector<std::string> LogFiles(const std::string& path) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0) files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool MissingFile(const rocksdb::Status& s) {
  return s.ToString().find("No such file") != std::string::npos;
}

// How long a read-only open keeps trying while the engine replaces log files under it.
// Not a count of attempts: on a loaded machine an attempt can take longer than the
// engine's purge interval (250 ms), and 200 attempts ran out (a test saw it, once in 24
// opens, with the two cores busy compiling beside it).
constexpr std::chrono::seconds kReadOnlyOpenPatience(60);

// Files RocksDB writes while it creates a database, before CURRENT exists.
bool IsCreationArtifact(const std::string& name) {
  static const std::regex kArtifact(
      R"(LOCK|LOG|LOG\.old\.[0-9]+|IDENTITY|MANIFEST-[0-9]+|OPTIONS-[0-9]+(\.dbtmp)?|[0-9]+\.(dbtmp|log))");
  return std::regex_match(name, kArtifact);
}

// What to do with the folder: refuse it, create a database in it, or open the one there.
Status CheckFolder(const RocksStoreOptions& options, bool* exists) {
  std::error_code ec;
  const fs::path dir(options.path);
  const bool creating = options.create_if_missing && !options.read_only;
  *exists = false;
  if (!fs::exists(dir, ec)) {
    if (ec) return Status::IoError("cannot inspect " + options.path + ": " + ec.message());
    if (creating) return Status::Ok();
    return Status::NotFound("data folder " + options.path + " does not exist");
  }
  if (!fs::is_directory(dir, ec)) {
    return Status::InvalidArgument(options.path + " is not a folder");
  }
  if (fs::exists(dir / "CURRENT", ec)) {
    *exists = true;
    return Status::Ok();
  }
  bool only_artifacts = true, empty = true;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    empty = false;
    if (!entry.is_regular_file() || !IsCreationArtifact(entry.path().filename().string())) {
      only_artifacts = false;
    }
  }
  if (ec) return Status::IoError("cannot list " + options.path + ": " + ec.message());
  if (only_artifacts && creating) return Status::Ok();  // empty, or a creation cut short
  if (empty || only_artifacts) {
    return Status::NotFound("data folder " + options.path + " holds no data yet");
  }
  return Status::InvalidArgument(options.path +
                                 " holds files but no caseengine data (no RocksDB CURRENT file); " +
                                 "refusing to touch it");
}

// True when the database holds nothing and no family but the default and ones we would
// create: a creation cut short between writing CURRENT and adding the last family (RocksDB
// adds them one at a time).
bool InterruptedCreation(const rocksdb::DBOptions& db_options, const RocksStoreOptions& options,
                         const std::vector<std::string>& existing) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : existing) {
    const auto& ours = options.families;
    if (name != rocksdb::kDefaultColumnFamilyName &&
        std::find(ours.begin(), ours.end(), name) == ours.end()) {
      return false;
    }
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(rocksdb::Options(db_options, rocksdb::ColumnFamilyOptions()),
                                    options.path, descriptors, &handles, &db)
           .ok()) {
    return false;
  }
  bool empty = true;
  for (auto* h : handles) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), h));
    it->SeekToFirst();
    if (it->Valid() || !it->status().ok()) empty = false;
    it.reset();
    db->DestroyColumnFamilyHandle(h);
  }
  delete db;
  return empty;
}

}  // namespace

Status RocksStore::Open(const RocksStoreOptions& options) {
  bool exists = false;
  Status s = CheckFolder(options, &exists);
  if (!s.ok()) return s;

  if (exists && !options.read_only) RemoveBulkLeftovers(options.path);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing && !options.read_only;
  db_options.create_missing_column_families = db_options.create_if_missing;
  db_options.paranoid_checks = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.keep_log_file_num = 5;
  db_options.max_open_files = -1;  // every table file open from the start: see read_only
  // Table files are opened on the opening thread: RocksDB's default starts up to 16
  // threads per column family for it, and an open of the engine's folder (two dozen
  // families) started and ended about 240 threads, more work on two cores than the files.
  db_options.max_file_opening_threads = 1;
  // No WAL recycling: a recycled WAL keeps old bytes, and erasure by destroying a data key
  // needs every copy of the key gone from the folder once its WAL is obsolete. (Recycling
  // makes an fdatasync of overwritten blocks cheaper, but measured syncs barely changed.)
  db_options.recycle_log_file_num = 0;
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.db_write_buffer_size = 512 << 20;
  // A vector memtable takes one insert at a time (the write group's leader inserts for all).
  if (!options.write_only_families.empty()) db_options.allow_concurrent_memtable_write = false;

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

  auto cache = rocksdb::NewLRUCache(256 << 20);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) {
    descriptors.emplace_back(n, FamilyOptions(cache, options.compress));
    if (std::find(options.write_only_families.begin(), options.write_only_families.end(), n) !=
        options.write_only_families.end()) {
      descriptors.back().options.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
    }
    for (const auto& ascending : options.ascending_families) {
      if (ascending.name != n) continue;
      descriptors.back().options.memtable_insert_with_hint_prefix_extractor =
          std::make_shared<DropCounter>(ascending.counter_bytes);
    }
  }

  if (!options.read_only) {
    db_options.listeners.push_back(NewNoAutoRecovery());
    db_options.info_log = NewFolderLogger(options.path);
  }
  if (options.disk_full != nullptr) {
    env_ = NewDiskFullEnv(options.disk_full);
    db_options.env = env_.get();
    disk_full_ = options.disk_full;
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
  if (!options.read_only) {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == rocksdb::kDefaultColumnFamilyName) default_ = handles_[i];
    }
    KeepMarker();
    return RestrictModes(options.path);
  }
  return Status::Ok();
}

Status OpenRocksStore(const RocksStoreOptions& options, std::unique_ptr<Store>* store) {
  auto rocks = std::make_unique<RocksStore>(options.path, options.read_only);
  Status s = rocks->Open(options);
  if (!s.ok()) return s;
  *store = std::move(rocks);
  return Status::Ok();
}

}  // namespace caseengine
