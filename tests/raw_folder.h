// Looking at and editing a data folder behind the engine's back, for tests: a snapshot of
// every file's bytes (to prove a reader wrote nothing) and plain-RocksDB edits (to tamper
// with a log as an attacker with file access would). Catch2 assertions inside; test
// thread only.
#pragma once

#include <rocksdb/db.h>

#include <functional>
#include <map>
#include <string>

#include "base/sha256.h"

namespace caseengine::testing {

// Every file and folder under `dir`: relative path -> SHA-256 of its bytes ("dir" for
// folders). RocksDB's informational logs (LOG, LOG.old.*) hold diagnostics, not data, and
// are left out unless `with_info_logs`.
std::map<std::string, std::string> FolderSnapshot(const std::string& dir,
                                                  bool with_info_logs = false);

using RawFamilies = std::map<std::string, rocksdb::ColumnFamilyHandle*>;

// Opens the folder with plain RocksDB on every family, lets `fn` edit it, flushes every
// family (so the change lands in table files, not only in the WAL) and closes it.
void RawEdit(const std::string& dir, const std::function<void(rocksdb::DB*, RawFamilies&)>& fn);
// The named family of a RawEdit; fails the test when there is none.
rocksdb::ColumnFamilyHandle* RawFamily(RawFamilies& families, const std::string& name);

// A forger's step: sets a stored envelope's prev_hash to `prev` and its hash to match its
// bytes, as the log's writer would have. Returns the new hash, the next event's `prev`.
Hash256 Rechain(std::string* envelope, const Hash256& prev);

}  // namespace caseengine::testing
