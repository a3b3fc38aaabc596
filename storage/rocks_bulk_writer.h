// RocksBulkWriter: a RocksStore's bulk writes (Store::WriteBulk, a rebuild's batches) as
// table files built beside the database and moved into it, with what is left over going
// through the memtables unlogged (internal to storage/).
//
// Invariants: a bulk table file lives in the data folder under a name starting with
// "bulk-" only until it is moved in or removed; one that a crash left behind may hold
// rows of a person erased since, and RemoveLeftovers removes it at the next writable open.
//
// Threading: thread-safe; each call sorts in its thread's RocksBatch.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/rocks_batch.h"
#include "storage/rocks_write_gate.h"
#include "storage/store.h"

namespace caseengine {

class RocksBulkWriter {
 public:
  // On the open database `db` and its families `handles`, in folder `path`; the unlogged
  // write takes `gate`'s WAL turn. All outlive the writer.
  RocksBulkWriter(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
                  std::string path, RocksWriteGate* gate)
      : db_(db), handles_(std::move(handles)), path_(std::move(path)), gate_(gate) {}

  // Removes the bulk table files a crash left in folder `path`.
  static void RemoveLeftovers(const std::string& path);

  // Writes `batch`, unchecked: the caller passes a failure to its gate.
  Status Write(const WriteBatch& batch);

 private:
  // Writes sorted operations on one family to a new table file (the last operation on a
  // key wins, as it would in a batch); its path in *file.
  Status WriteTable(const RocksBatch::Op* begin, const RocksBatch::Op* end, std::string* file);

  // A family's run of a bulk write this long or longer goes into a table file of its own.
  static constexpr size_t kTableOps = 1024;

  rocksdb::DB* const db_;
  const std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  const std::string path_;
  RocksWriteGate* const gate_;
  std::atomic<uint64_t> files_{0};  // names this open's bulk table files
};

}  // namespace caseengine
