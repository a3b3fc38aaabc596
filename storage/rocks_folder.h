// The data folder around a RocksDB database (internal to storage/): whether it may be
// opened at all, what it holds, and who may read it. Opening is careful not to damage
// what it finds: a folder that holds something else is refused before anything is written.
//
// Invariants: nothing here writes to the database; only RestrictModes changes the folder
// (its modes).
//
// Threading: free functions; any thread, on a folder no other call changes meanwhile.
#pragma once

#include <rocksdb/options.h>

#include <string>
#include <vector>

#include "base/status.h"
#include "storage/rocks_store.h"

namespace caseengine {

// What to do with the folder: refuse it (an error), create a database in it (Ok, *exists
// false), or open the one there (Ok, *exists true).
Status CheckFolder(const RocksStoreOptions& options, bool* exists);

// True when the database holds nothing and no family but the default and ones we would
// create: a creation cut short between writing CURRENT and adding the last family.
bool InterruptedCreation(const rocksdb::DBOptions& db_options, const RocksStoreOptions& options,
                         const std::vector<std::string>& existing);

// The folder and everything in it for the owner alone (0700 folders, 0600 files).
Status RestrictModes(const std::string& path);

// The write-ahead log files of a database folder, sorted.
std::vector<std::string> LogFiles(const std::string& path);

}  // namespace caseengine
