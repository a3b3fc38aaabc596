// MemoryBudget: how much memory the engine may hold, and its division among the parts that
// grow with the data (`caseengine serve --memory-budget`, the config's "memory_budget").
//
//   RocksDB's block cache          30%   blocks of table files read (shared by every family)
//   RocksDB's memtables            15%   rows written and not yet flushed (every family)
//   the decision cache             25%   folded aggregates, by an estimate per entry
//   the key cache                   5%   unwrapped data keys, by an estimate per entry
//   kept answers                    2%   answers of commands that wrote nothing
//   the read models kept in memory 23%   reported against this share, not yet held to it
//
// The caches bounded by entries take their bound from their share and an estimate of an
// entry's size (kDecisionEntryBytes, kKeyEntryBytes, kKeptAnswerBytes), measured on the
// demo caseload. What a cache does not hold is read from the store again when needed.
//
// A plain value; thread-safe to copy and read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace caseengine {

struct MemoryBudget {
  // Estimates of one entry's memory, with the map's own overhead.
  static constexpr size_t kDecisionEntryBytes = 4096;  // a case with its journal and people
  static constexpr size_t kKeyEntryBytes = 192;        // subject, 32-byte key, map node
  static constexpr size_t kKeptAnswerBytes = 1024;     // an answer and its request digest
  static constexpr size_t kMinimum = 64ull << 20;

  uint64_t total = 0;

  // A quarter of the machine's physical memory, at least 1 GiB.
  static MemoryBudget Default();
  // "512M", "2G", "1.5G", "1073741824" (bytes); K, M, G, T are powers of 1024. At least
  // kMinimum. InvalidArgument names what is wrong.
  static Status Parse(const std::string& text, MemoryBudget* out);

  uint64_t block_cache_bytes() const { return total * 30 / 100; }
  uint64_t memtable_bytes() const { return total * 15 / 100; }
  uint64_t decision_cache_bytes() const { return total * 25 / 100; }
  uint64_t key_cache_bytes() const { return total * 5 / 100; }
  uint64_t kept_answers_bytes() const { return total * 2 / 100; }
  uint64_t read_model_bytes() const { return total * 23 / 100; }

  size_t decision_cache_entries() const {
    return Entries(decision_cache_bytes(), kDecisionEntryBytes);
  }
  size_t key_cache_entries() const { return Entries(key_cache_bytes(), kKeyEntryBytes); }
  size_t kept_answers_entries() const { return Entries(kept_answers_bytes(), kKeptAnswerBytes); }

 private:
  static size_t Entries(uint64_t bytes, size_t per_entry) {
    return static_cast<size_t>(bytes / per_entry) + 16;
  }
};

// What a cache holds and how it served, for /metrics.
struct CacheStats {
  const char* name = "";
  uint64_t entries = 0;       // what it holds now (for the block cache: bytes)
  uint64_t capacity = 0;      // its bound, in the same unit
  uint64_t budget_bytes = 0;  // its share of the memory budget
  uint64_t hits = 0, misses = 0;
};

}  // namespace caseengine
