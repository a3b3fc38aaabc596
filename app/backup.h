// Backups of a data folder and their restore (docs/operations.md, "Backup and restore").
//
// A backup (storage/rocks_backup.h) is taken through the process that has the folder
// open: the running engine, asked over its control socket (app/control_socket.h), or
// `caseengine backup` itself when no engine runs. Each carries, in its metadata, the
// digest (audit/digest.h) of the log's durable head as it was when the backup started:
// every event acknowledged before then is at or before that position, and the backup
// holds it (it copies what the WAL holds when it starts, which covers the durable head).
//
// A restore copies a backup into a new folder, beside it under a temporary name, checks
// the hash chain from the first event to the restored head and that the event at the
// digest's position carries the digest's hash; only then is the folder given its name.
// A restore that fails verification leaves no folder behind.
//
// The key-encryption key is never in a backup: the folder holds data keys wrapped with
// it, and it lives outside the folder. A restored folder opens with the KEK of the folder
// it was taken from (at the time: after a rotate-kek, the new one).
//
// Threading: one backup folder is written by one caller at a time; restores only read it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "audit/digest.h"
#include "base/status.h"
#include "events/event_log.h"
#include "storage/rocks_backup.h"
#include "storage/store.h"

namespace caseengine {

inline constexpr const char* kBackupFormat = "caseengine-backup/1";

struct BackupReport {
  uint32_t id = 0;
  LogDigest digest;  // the log's durable head when the backup started
  std::string to;    // the backup folder
};

// A backup of `store` (with `log` on it) into the backup folder `to`, an absolute path
// outside the data folder; `keep` > 0 keeps only the newest `keep` backups there.
Status TakeBackup(Store* store, const EventLog& log, const std::string& to, uint32_t keep,
                  BackupReport* report);

nlohmann::json BackupReportToJson(const BackupReport& report);
Status BackupReportFromJson(const nlohmann::json& j, BackupReport* report);

// A backup's metadata (see header): what it was taken from.
std::string BackupMetadata(const LogDigest& digest);
// The digest in a backup's metadata; InvalidArgument when it holds none.
Status DigestOfBackup(const std::string& metadata, LogDigest* digest);

struct RestoreRequest {
  std::string from;  // the backup folder
  uint32_t id = 0;   // 0: the newest backup
  std::string data;  // the new data folder: must not exist, or be empty
  // A digest kept apart from the backup (an auditor's copy); without it, the backup's own.
  std::optional<LogDigest> digest;
};

struct RestoreReport {
  BackupEntry backup;
  LogDigest digest;   // the one verified against
  AuditReport audit;  // the chain and the digest, as checked
  bool verified = false;
};

// Restores and verifies (see header). Ok with report->verified when the folder is in
// place; Ok without it when the backup was restored but failed verification (the report
// says why; no folder is left); an error when the restore could not run or the backup's
// files are damaged (Corruption).
Status RestoreBackup(const RestoreRequest& request, RestoreReport* report);

// The exit status of `caseengine backup` for a backup that ended with `s`, the same
// whether the engine or the command took it: 0 taken; 2 it could not be asked for (a
// backup folder that is not allowed, no such data folder, a folder locked); 1 it failed
// on the way (the disk, the backup folder's files).
int BackupExitStatus(const Status& s);

// The one place backups and restores are reported, for the security log: where the
// security log is kept, it hooks in here. `what` is "backup" or "restore".
void NoteBackupEvent(const std::string& what, const nlohmann::json& details);

}  // namespace caseengine
