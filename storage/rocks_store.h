// RocksStore: the Store on a RocksDB database in a data folder, one column family per
// Store family. Opening is careful not to damage what it finds: a missing folder, a
// folder that holds something else, a corrupt database and a folder locked by another
// process each give a clear error and leave the files as they were.
//
// A write, sync or flush that fails (a full disk, a failing one) stops every later write,
// sync and flush with the same answer (see Store::Health): RocksDB must not touch a WAL
// after an error on it (its writer asserts). Recover resumes the database (RocksDB's
// Resume: every memtable flushed to new table files, and a new WAL); on a disk still
// full it fails and the store stays stopped.
//
// Threading: thread-safe (RocksDB is).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "storage/store.h"

namespace caseengine {

// For tests: while `full` is on, every write to a file of the folder fails as it does on
// a full disk ("no space left on device"), and no file can be created.
struct DiskFullSwitch {
  std::atomic<bool> full{false};
};

struct RocksStoreOptions {
  std::string path;
  // Families to open; with create_if_missing, those absent are created. Families already
  // in the database are always opened as well.
  std::vector<std::string> families;
  // Families that mark the folder as ours: an existing database without them is someone
  // else's and is refused before anything is written to it.
  std::vector<std::string> required_families;
  // Families whose keys ascend within a group: a key is its group's prefix followed by
  // `counter_bytes` bytes that only grow (the log: no prefix and an 8-byte position; the
  // stream index: a stream id and an 8-byte version). An insert starts from where the
  // last one of its group went instead of searching the memtable from the top.
  struct AscendingFamily {
    std::string name;
    size_t counter_bytes;
  };
  std::vector<AscendingFamily> ascending_families;
  // Families written as the engine runs but read only when it opens (the read models it
  // keeps in memory). Their memtables are unsorted vectors, sorted once when flushed: an
  // insert is an append instead of a skip-list search, which for rows scattered over a
  // large memtable is a cache miss at every level. A read of such a family while it has
  // unflushed rows sorts a copy of them, so a family that is read live must not be here.
  // Any such family turns off concurrent memtable inserts for the whole database.
  std::vector<std::string> write_only_families;
  bool create_if_missing = true;
  // Opens without the folder lock and never writes: safe beside a running engine.
  bool read_only = false;
  // A read-only open of `families` alone, leaving the others closed (a quicker open, and
  // fewer files for a live engine to replace under it).
  bool open_all_families = true;
  // Compress table files. Off, a compaction writes every live byte as it is, so that a
  // test can search the files for plaintext that must be gone.
  bool compress = true;
  // The cache of table blocks shared by every family, and the memory every family's
  // memtables may hold together before the largest is flushed (MemoryBudget's shares).
  uint64_t block_cache_bytes = 256ull << 20;
  uint64_t memtable_bytes = 512ull << 20;
  // Tests only: the switch that makes the folder's disk full (see DiskFullSwitch).
  std::shared_ptr<DiskFullSwitch> disk_full;
};

Status OpenRocksStore(const RocksStoreOptions& options, std::unique_ptr<Store>* store);

}  // namespace caseengine
