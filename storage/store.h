// Store: the ordered key-value storage the engine is built on, as named families of keys
// (RocksDB column families). Everything durable lives in one Store per data folder, so a
// single WriteBatch can update the log, its indexes and a projection's rows atomically.
//
// Two implementations: RocksStore (rocks_store.h), the real one, and MemoryStore
// (memory_store.h), an in-memory twin for tests that can also inject faults and simulate
// losing whatever was not synced.
//
// Threading: every method may be called from any thread. Iterators are used by one
// thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace caseengine {

// Index of a family in the store; stable for the life of an open store.
using FamilyId = uint32_t;

// What an operation of a WriteBatch does. Not persisted.
enum class WriteOp { kPut, kDelete, kDeleteAll };

// An ordered list of puts and deletes that a Store applies atomically.
class WriteBatch {
 public:
  void Put(FamilyId family, std::string_view key, std::string_view value);
  void Delete(FamilyId family, std::string_view key);
  // Removes every key the family holds when the batch is written, at the cost of one
  // operation however many keys that is (a rebuild empties read models this way). A batch
  // with a DeleteAll holds no other operation on that family; stores refuse it otherwise.
  void DeleteAll(FamilyId family);
  // Makes room for `ops` more operations of `bytes` keys and values in all, so that a
  // large batch grows once (room not filled costs no memory until it is touched).
  void Reserve(size_t ops, size_t bytes);
  // Adds other's operations after these, in order.
  void Append(const WriteBatch& other);
  void Clear();
  size_t Count() const { return ops_.size(); }
  size_t ByteSize() const { return data_.size(); }
  bool Empty() const { return ops_.empty(); }

  // Calls fn(family, op, key, value) for each operation in order (key and value empty
  // for kDeleteAll, value empty for kDelete).
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (const Op& op : ops_) {
      fn(op.family, op.op, std::string_view(data_).substr(op.key_off, op.key_len),
         std::string_view(data_).substr(op.value_off, op.value_len));
    }
  }
  // Ok unless a DeleteAll shares its family with another operation of the batch, or an
  // operation names a family at or past `families`.
  Status Check(size_t families) const;

 private:
  struct Op {
    FamilyId family;
    WriteOp op;
    size_t key_off, key_len, value_off, value_len;
  };
  std::string data_;  // keys and values back to back, so a batch allocates rarely
  std::vector<Op> ops_;
};

// How an iterator will be used, so the store can read ahead and keep a long scan from
// flushing its cache of hot blocks.
enum class ReadPattern {
  kShort,  // a few entries (stream reads, index lookups)
  kScan,   // a long ordered pass (replay, verification, rebuilds)
};

class StoreIterator {
 public:
  virtual ~StoreIterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual void Seek(std::string_view key) = 0;         // first key >= key
  virtual void SeekForPrev(std::string_view key) = 0;  // last key <= key
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;    // valid until the iterator moves
  virtual std::string_view value() const = 0;  // valid until the iterator moves
  virtual Status status() const = 0;
};

// The least time between purges made after erasures (see Store::Purge).
inline constexpr std::chrono::milliseconds kMinPurgeInterval(250);

class Store {
 public:
  virtual ~Store() = default;

  // The family named `name`; NotFound unless it was named when the store was opened.
  virtual Status Family(std::string_view name, FamilyId* id) const = 0;
  virtual std::vector<std::string> FamilyNames() const = 0;

  // Applies the batch atomically. With sync, returns only after it is on stable storage.
  virtual Status Write(const WriteBatch& batch, bool sync) = 0;
  // Applies the batch atomically, without the write-ahead log: for rows that can be written
  // again from the event log (a rebuild, which marks what it is doing in a synced write
  // first). Readers see it at once, but it is durable only once FlushFamilies has
  // persisted its families; a crash before that loses it, or keeps some families' part of
  // it and not others'. A later sync does not make it durable. It saves the WAL's copy and
  // checksum of every row, and the replay of that WAL at the next open.
  virtual Status WriteUnlogged(const WriteBatch& batch) = 0;
  // Applies the batch as WriteUnlogged does, for a large batch into families that hold few
  // rows yet (the read models a rebuild writes whole at its end): a family's many rows go
  // straight into a table file of their own, which saves copying them into memory and
  // flushing them from there. Readers may see one family's part of it before another's.
  virtual Status WriteBulk(const WriteBatch& batch) = 0;
  // Removes the table files of `families` without reading them. Only for families whose
  // every row is to go (a rebuild, which has marked them first): a row not yet in a file
  // stays, older rows may come back, and a DeleteAll written after it removes what is
  // left. The memory store removes every row.
  virtual Status DropFiles(const std::vector<FamilyId>& families) = 0;
  // Persists every unlogged write to these families; returns once they are durable.
  virtual Status FlushFamilies(const std::vector<FamilyId>& families) = 0;
  // Makes every write that returned before this call durable.
  virtual Status SyncWal() = 0;
  // NotFound when the key is absent.
  virtual Status Get(FamilyId family, std::string_view key, std::string* value) const = 0;
  virtual std::unique_ptr<StoreIterator> NewIterator(
      FamilyId family, ReadPattern pattern = ReadPattern::kShort) const = 0;
  // Rewrites every family's files, so deleted data is physically gone.
  virtual Status CompactAll() = 0;
  // Makes what was deleted from `families` physically gone, at the cost of those families
  // alone: flushes every family's memtable once (so the WAL files that held the data
  // become obsolete and are removed), then rewrites each named family's files (used by
  // erasure, and by a rebuild for the rows it dropped). Purges that follow erasures as
  // they come run at most once in kMinPurgeInterval: each replaces the WAL, and back to
  // back they would rewrite the files without end.
  virtual Status Purge(const std::vector<FamilyId>& families) = 0;
  // Ok while the store takes writes. After a write, sync or flush fails on the disk (full:
  // kNoSpace; failing: kUnavailable), every later write, sync, flush and purge is refused
  // with this status, without touching the disk, until Recover succeeds. Reads go on.
  virtual Status Health() const { return Status::Ok(); }
  // Each family's name and the bytes of its table files on disk (compressed, as stored;
  // what is still in memory is not counted). Empty for a store without files.
  virtual std::vector<std::pair<std::string, uint64_t>> FamilyFileBytes() const { return {}; }
  // The bytes its cache of table blocks holds, and may hold (0 and 0: it has none).
  virtual void BlockCacheUsage(uint64_t* used, uint64_t* capacity) const {
    *used = 0;
    *capacity = 0;
  }
  // Makes a stopped store take writes again once its disk does (ok at once when it was
  // not stopped). Whatever was written before the failure is durable when it succeeds,
  // synced or not; nothing written after it was applied. Any thread, any time.
  virtual Status Recover() { return Health(); }
  virtual bool read_only() const = 0;
  // The data folder, or "" for an in-memory store.
  virtual const std::string& path() const = 0;
};

}  // namespace caseengine
