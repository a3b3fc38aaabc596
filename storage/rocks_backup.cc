// Backups with RocksDB's BackupEngine: see rocks_backup.h.
#include "storage/rocks_backup.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/utilities/backup_engine.h>

#include <memory>

namespace caseengine {
namespace {

rocksdb::BackupEngineOptions EngineOptions(const std::string& backup_dir) {
  rocksdb::BackupEngineOptions options(backup_dir);
  // Table files shared between backups, named by their checksum and size: a file that
  // two databases (or a restored one) both hold is not mistaken for another.
  options.share_table_files = true;
  options.share_files_with_checksum = true;
  options.sync = true;  // a backup that returned is on the backup disk
  // One copying thread: a backup taken while the engine serves should not take the disk
  // from it.
  options.max_background_operations = 1;
  return options;
}

// RocksDB's status for an operation on the backup folder `dir` (FromRocks names the data
// folder, and tells to restore from a backup, which here would be wrong).
Status FromBackup(const rocksdb::Status& s, const std::string& dir) {
  if (s.ok()) return Status::Ok();
  const std::string msg = "backup folder " + dir + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsNoSpace() || msg.find("No space left") != std::string::npos) {
    return Status::NoSpace(msg + " (free space on the backup disk; the data folder is unchanged)");
  }
  return Status::IoError(msg);
}

BackupEntry FromInfo(const rocksdb::BackupInfo& info) {
  BackupEntry e;
  e.id = info.backup_id;
  e.created_at = info.timestamp;
  e.bytes = info.size;
  e.files = info.number_files;
  e.metadata = info.app_metadata;
  return e;
}

}  // namespace

Status CreateRocksBackup(rocksdb::DB* db, const std::string& backup_dir,
                         const std::string& metadata, uint32_t keep, BackupEntry* entry) {
  rocksdb::BackupEngine* raw = nullptr;
  Status s = FromBackup(
      rocksdb::BackupEngine::Open(rocksdb::Env::Default(), EngineOptions(backup_dir), &raw),
      backup_dir);
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  rocksdb::CreateBackupOptions create;
  // No flush: the WAL is copied instead, which keeps the families consistent (see header).
  create.flush_before_backup = false;
  rocksdb::BackupID id = 0;
  s = FromBackup(engine->CreateNewBackupWithMetadata(create, db, metadata, &id), backup_dir);
  if (!s.ok()) return s;
  if (keep > 0) {
    s = FromBackup(engine->PurgeOldBackups(keep), backup_dir);
    if (!s.ok()) return s;
  }
  rocksdb::BackupInfo info;
  s = FromBackup(engine->GetBackupInfo(id, &info), backup_dir);
  if (!s.ok()) return s;
  *entry = FromInfo(info);
  return Status::Ok();
}

Status ListRocksBackups(const std::string& backup_dir, std::vector<BackupEntry>* backups,
                        std::vector<uint32_t>* corrupt) {
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  Status s = FromBackup(
      rocksdb::BackupEngineReadOnly::Open(rocksdb::Env::Default(), EngineOptions(backup_dir), &raw),
      backup_dir);
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  backups->clear();
  for (const auto& info : infos) backups->push_back(FromInfo(info));
  std::vector<rocksdb::BackupID> bad;
  engine->GetCorruptedBackups(&bad);
  corrupt->assign(bad.begin(), bad.end());
  return Status::Ok();
}

Status RestoreRocksBackup(const std::string& backup_dir, uint32_t id, const std::string& db_dir,
                          BackupEntry* entry) {
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  Status s = FromBackup(
      rocksdb::BackupEngineReadOnly::Open(rocksdb::Env::Default(), EngineOptions(backup_dir), &raw),
      backup_dir);
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  if (id == 0) {
    std::vector<rocksdb::BackupInfo> infos;
    engine->GetBackupInfo(&infos);
    if (infos.empty()) return Status::NotFound("no backup in " + backup_dir);
    id = infos.back().backup_id;
  }
  rocksdb::BackupInfo info;
  s = FromBackup(engine->GetBackupInfo(id, &info), backup_dir);
  if (!s.ok()) {
    return s.code() == Status::Code::kNotFound
               ? Status::NotFound("no backup " + std::to_string(id) + " in " + backup_dir)
               : s;
  }
  *entry = FromInfo(info);
  // Every file read whole against the checksum recorded when it was copied in, before
  // anything is restored: a changed or truncated file is refused here.
  rocksdb::IOStatus verified = engine->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (!verified.ok()) {
    return Status::Corruption("backup " + std::to_string(id) + " in " + backup_dir +
                              " is damaged: " + verified.ToString());
  }
  rocksdb::RestoreOptions restore(/*keep_log_files=*/false);
  return FromBackup(engine->RestoreDBFromBackup(restore, id, db_dir, db_dir), backup_dir);
}

}  // namespace caseengine
