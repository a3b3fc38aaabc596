// How RocksStore tunes RocksDB (internal to storage/): the database's options and each
// family's (compression, block cache, bloom filters, memtables), with the measurements
// behind them in the comments of rocks_options.cc.
//
// Invariants: every family of one open shares one block cache; what a family's options
// say about its keys (RocksStoreOptions::ascending_families, write_only_families) must
// hold for every key written to it.
//
// Threading: pure functions; any thread.
#pragma once

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <memory>
#include <string>
#include <vector>

#include "storage/rocks_store.h"

namespace caseengine {

// The database's options for `options` (what RocksStore::Open adds besides: its logger,
// listener and test Env).
rocksdb::DBOptions DbOptions(const RocksStoreOptions& options);

// A family's options, its blocks cached in `cache`.
rocksdb::ColumnFamilyOptions FamilyOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                           bool compress);

// The families `names` as RocksDB opens them, each with FamilyOptions and the memtable
// its keys call for.
std::vector<rocksdb::ColumnFamilyDescriptor> FamilyDescriptors(
    const std::vector<std::string>& names, const RocksStoreOptions& options,
    const std::shared_ptr<rocksdb::Cache>& cache);

}  // namespace caseengine
