// How RocksStore tunes RocksDB: see rocks_options.h.
#include "storage/rocks_options.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <algorithm>

namespace caseengine {
namespace {

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

}  // namespace

rocksdb::DBOptions DbOptions(const RocksStoreOptions& options) {
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
  db_options.db_write_buffer_size = options.memtable_bytes;
  // A vector memtable takes one insert at a time (the write group's leader inserts for all).
  if (!options.write_only_families.empty()) db_options.allow_concurrent_memtable_write = false;
  return db_options;
}

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

std::vector<rocksdb::ColumnFamilyDescriptor> FamilyDescriptors(
    const std::vector<std::string>& names, const RocksStoreOptions& options,
    const std::shared_ptr<rocksdb::Cache>& cache) {
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
  return descriptors;
}

}  // namespace caseengine
