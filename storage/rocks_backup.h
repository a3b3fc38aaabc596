// Backups of a data folder's database with RocksDB's BackupEngine: a backup folder holds
// any number of backups, each a consistent copy of the database at one moment, that share
// the table files they have in common (a backup copies only the files the one before did
// not have: incremental). Each backup carries a string of the caller's (the engine puts
// the digest of the log's head there, app/backup.h).
//
// Not a Checkpoint: that hard-links table files on the data folder's disk (no copy that
// outlives the disk), and checkpoints share nothing with each other.
//
// Consistency: a backup copies the live table files and the write-ahead log up to the
// moment it starts, without flushing first; the WAL holds every family's writes in one
// order, so a restored folder is the database as a crash at that moment would have left
// it (every family at the same point), which the engine opens as it opens after a crash.
// A flush first would not be: families are flushed one at a time.
//
// Invariants: nothing here writes to the data folder; files in the backup folder are
// checked against their recorded checksums before a restore uses them.
//
// Threading: one backup folder is written by one caller at a time (BackupEngine is not
// safe for two writers on one folder); the engine's control socket serialises backups.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/store.h"

namespace rocksdb {
class DB;
}

namespace caseengine {

// One backup in a backup folder.
struct BackupEntry {
  uint32_t id = 0;
  int64_t created_at = 0;  // Unix seconds
  uint64_t bytes = 0;      // the files it is made of, shared ones included
  uint32_t files = 0;
  std::string metadata;  // the caller's string
};

// A new backup of `db` (an open, writable database) into `backup_dir` (created when
// missing). `keep` > 0: then only the newest `keep` backups are kept, and files no
// backup needs any more are removed.
Status CreateRocksBackup(rocksdb::DB* db, const std::string& backup_dir,
                         const std::string& metadata, uint32_t keep, BackupEntry* entry);

// The same for an open store (OpenRocksStore's, writable; rocks_store.cc): a consistent
// copy of the whole store as it stands now, while writes go on. FailedPrecondition for
// another kind of store.
Status BackupStore(Store* store, const std::string& backup_dir, const std::string& metadata,
                   uint32_t keep, BackupEntry* entry);

// The backups in `backup_dir`, oldest first; `corrupt` the ids of those that cannot be read.
Status ListRocksBackups(const std::string& backup_dir, std::vector<BackupEntry>* backups,
                        std::vector<uint32_t>* corrupt);

// Backup `id` (0: the newest) checked file by file against its checksums, then copied into
// `db_dir` (which must be empty or missing). Corruption when a file was changed or lost.
Status RestoreRocksBackup(const std::string& backup_dir, uint32_t id, const std::string& db_dir,
                          BackupEntry* entry);

}  // namespace caseengine
