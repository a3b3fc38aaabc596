// Conversions between RocksDB's types and the store's (internal to storage/): slices and
// views of the same bytes, and RocksDB's statuses as the engine's, with messages that say
// what is wrong with the data folder and what to do about it.
//
// Invariants: a conversion never copies key or value bytes.
//
// Threading: pure functions; any thread.
#pragma once

#include <rocksdb/slice.h>
#include <rocksdb/status.h>

#include <string>
#include <string_view>

#include "base/status.h"

namespace caseengine {

inline rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
inline std::string_view ToView(const rocksdb::Slice& s) {
  return std::string_view(s.data(), s.size());
}

// RocksDB's status as ours; `path` is the data folder, named in the messages.
Status FromRocks(const rocksdb::Status& s, const std::string& path);

// True when RocksDB failed on a file that is gone (a read-only open racing the engine).
bool MissingFile(const rocksdb::Status& s);

}  // namespace caseengine
