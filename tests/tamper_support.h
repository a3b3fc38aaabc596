// Helpers of the tamper detection tests (tests/tamper_*_test.cc): a log of known shape
// written through the engine and closed, raw edits of its `log` and `meta` families through
// plain RocksDB (events read, put and deleted, a byte flipped), and the checks that the hash
// chain breaks at a given position, in process and through `casereplay verify`.
//
// The raw edits go through rocksdb::DB::Open on every column family (RocksDB refuses to
// open a database without naming all of them) and touch only the `log` family, whose keys
// are 8-byte big-endian positions and whose values are FlatBuffers envelopes
// (events/log_format.h).
#pragma once

#include <rocksdb/db.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "events/event_log.h"

namespace caseengine::testing::tamper {

inline constexpr uint64_t kEvents = 300;  // events in every test log
inline constexpr int kStreams = 6;

std::string StreamName(int s);

// Writes exactly `total` events over kStreams streams: single events, several events to one
// stream, and now and then one request over two streams, every expectation exact.
void WriteLog(const std::string& dir, uint64_t total = kEvents);

// Opens the data folder with plain RocksDB, lets `fn` change the `log` and `meta` families,
// flushes every family (so the change lands in table files, not only in the WAL) and closes
// the database.
void TamperLogAndMeta(const std::string& dir,
                      const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle* log,
                                               rocksdb::ColumnFamilyHandle* meta)>& fn);

// The same for edits of the `log` family alone.
void TamperLog(const std::string& dir,
               const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>& fn);

std::string RawGet(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log, uint64_t position);

void RawPut(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log, uint64_t position,
            const std::string& value);

void RawDelete(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log, uint64_t position);

// Offsets of a byte in the middle of the payload, and of one in the middle of the stored
// hash, of an envelope.
size_t PayloadByte(const std::string& envelope);

size_t HashByte(const std::string& envelope);

// Flips one byte of the event at `position`, at the offset `where` picks.
void FlipByte(const std::string& dir, uint64_t position,
              const std::function<size_t(const std::string&)>& where);

VerifyReport VerifyReadOnly(const std::string& dir, uint64_t from, uint64_t to);

int Casereplay(const std::vector<std::string>& args, std::string* output);

// `casereplay verify` must exit 1 and name the first bad position.
void RequireCasereplayBrokenAt(const std::string& dir, uint64_t position);

// A report of a chain checked from `from` that breaks at `position`.
void RequireBrokenAt(const VerifyReport& r, uint64_t position, uint64_t from = 1);

}  // namespace caseengine::testing::tamper
