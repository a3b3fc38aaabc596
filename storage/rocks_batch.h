// RocksBatch: a WriteBatch's operations sorted by family and key, and the RocksDB batch
// made of them (internal to storage/). Sorted, a memtable insert starts from where the
// previous one in that memtable went, so ascending keys skip most of the skip list's
// search: rebuilds, whose batches scatter rows over every read model, spend most of their
// time in those inserts.
//
// Invariants: the sort is stable, so operations on one key keep their order and the
// batch means the same; ops() point into the WriteBatch sorted, which must outlive them.
//
// Threading: one per thread (ForThisThread), used by that thread alone.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "storage/store.h"

namespace caseengine {

class RocksBatch {
 public:
  // An operation of a batch, as the store hands it to RocksDB.
  struct Op {
    FamilyId family;
    WriteOp op;
    std::string_view key, value;
    uint64_t head;  // the key's first 8 bytes, big-endian, zero-padded: most compares end here
    size_t seq;     // its place in the batch
  };

  // The calling thread's. The sort's and RocksDB's buffers are kept per thread: a batch of
  // a few hundred KB allocated and freed per write made glibc consolidate its free lists
  // every time.
  static RocksBatch& ForThisThread();

  // The batch's operations sorted by family and key, in ops(); refuses a malformed batch
  // (see WriteBatch::Check) for a store of `families` families.
  Status Sort(const WriteBatch& batch, size_t families);
  const std::vector<Op>& ops() const { return ops_; }

  // The RocksDB batch that Add fills; emptied by the caller before use.
  rocksdb::WriteBatch& rocks() { return wb_; }

  // Adds sorted operations to rocks(), on the families `handles` of `db` (a kDeleteAll
  // reads the family's last key); `path` names the folder in errors.
  Status Add(const Op* begin, const Op* end, rocksdb::DB* db,
             const std::vector<rocksdb::ColumnFamilyHandle*>& handles, const std::string& path);

  // A rebuild's batches are large; keep no more than a few MB per thread for good.
  void Release();

 private:
  std::vector<Op> ops_;
  rocksdb::WriteBatch wb_;
};

}  // namespace caseengine
