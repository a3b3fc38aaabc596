// RocksDB plumbing for RocksStore (internal to storage/): a diagnostic logger that a full
// disk cannot make abort, a listener that leaves recovery from background errors to the
// store, and, for tests, a file system whose disk can be made full on demand.
//
// Threading: what these return is thread-safe, as RocksDB requires.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/listener.h>

#include <memory>
#include <string>

#include "storage/rocks_store.h"

namespace caseengine {

// RocksDB's diagnostic log, the LOG file of folder `dir` (see rocks_support.cc).
std::shared_ptr<rocksdb::Logger> NewFolderLogger(const std::string& dir);
// Turns RocksDB's own recovery after a background error off (see RocksStore::Recover).
std::shared_ptr<rocksdb::EventListener> NewNoAutoRecovery();
// An Env whose file writes fail with "no space left on device" while `full` is on.
std::unique_ptr<rocksdb::Env> NewDiskFullEnv(std::shared_ptr<DiskFullSwitch> full);

}  // namespace caseengine
