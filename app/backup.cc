// Backups and restores: see backup.h.
#include "app/backup.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "audit/replay_folder.h"

namespace caseengine {
namespace fs = std::filesystem;

std::string BackupMetadata(const LogDigest& digest) {
  nlohmann::json j;
  j["format"] = kBackupFormat;
  j["digest"] = DigestToJson(digest);
  return j.dump();
}

Status DigestOfBackup(const std::string& metadata, LogDigest* digest) {
  nlohmann::json j = nlohmann::json::parse(metadata, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("format", "") != kBackupFormat || !j.contains("digest")) {
    return Status::InvalidArgument(
        "the backup carries no caseengine digest (it was not made by caseengine backup)");
  }
  return ParseDigest(j["digest"].dump(), digest);
}

Status TakeBackup(Store* store, const EventLog& log, const std::string& to, uint32_t keep,
                  BackupReport* report) {
  if (!fs::path(to).is_absolute()) {
    return Status::InvalidArgument("the backup folder must be an absolute path: " + to);
  }
  // Inside the data folder, a backup would be part of the next one, and of every copy.
  auto canonical = [](const std::string& path) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(path, ec).lexically_normal();
    return p.has_filename() ? p : p.parent_path();  // "/a/data/" is "/a/data"
  };
  const fs::path data = canonical(store->path()), dest = canonical(to);
  if (!store->path().empty() &&
      std::mismatch(data.begin(), data.end(), dest.begin(), dest.end()).first == data.end()) {
    return Status::InvalidArgument("the backup folder " + to + " is inside the data folder " +
                                   store->path() + ": keep backups on another disk");
  }
  // The head before the copy starts: every event durable now is in the WAL the backup
  // copies, so the backup holds at least this far (events written meanwhile may follow).
  *report = BackupReport();
  report->to = to;
  Status s = DigestAt(log, log.HeadPosition(), &report->digest);
  if (!s.ok()) return s;
  BackupEntry entry;
  s = BackupStore(store, to, BackupMetadata(report->digest), keep, &entry);
  report->id = entry.id;
  return s;
}

nlohmann::json BackupReportToJson(const BackupReport& report) {
  return {{"backup_id", report.id}, {"to", report.to}, {"digest", DigestToJson(report.digest)}};
}

Status BackupReportFromJson(const nlohmann::json& j, BackupReport* report) {
  if (!j.is_object() || !j.contains("backup_id") || !j["backup_id"].is_number_unsigned() ||
      !j.contains("digest")) {
    return Status::InvalidArgument("not a backup report: " + j.dump());
  }
  report->id = j["backup_id"].get<uint32_t>();
  report->to = j.value("to", "");
  return ParseDigest(j["digest"].dump(), &report->digest);
}

Status RestoreBackup(const RestoreRequest& request, RestoreReport* report) {
  *report = RestoreReport();
  std::error_code ec;
  // "new/" and "new" are one folder; the temporary name goes beside it, not in it.
  fs::path target = fs::path(request.data).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();
  if (fs::exists(target, ec) && !fs::is_empty(target, ec)) {
    return Status::InvalidArgument("the data folder " + request.data +
                                   " is not empty: restore into a new folder");
  }
  // Restored and checked under another name, so that a folder by the name asked for is
  // always one that verified.
  const std::string partial = target.string() + ".restoring";
  if (fs::exists(partial, ec)) {
    return Status::InvalidArgument(partial + " exists (a restore cut short?): remove it first");
  }
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  Status s = RestoreRocksBackup(request.from, request.id, partial, &report->backup);
  auto discard = [&] { fs::remove_all(partial, ec); };
  if (!s.ok()) {
    discard();
    return s;
  }
  LogDigest own;
  s = DigestOfBackup(report->backup.metadata, &own);
  if (!s.ok() && !request.digest) {
    discard();
    return s;
  }
  report->digest = request.digest ? *request.digest : own;
  {
    // The log's families alone, without keys: the chain needs no personal field opened,
    // and so no key-encryption key.
    std::unique_ptr<ReplayFolder> folder;
    s = ReplayFolder::Open(partial, /*kek=*/nullptr, &folder, /*open_keys=*/false);
    if (!s.ok()) {
      discard();
      return Status::Corruption("backup " + std::to_string(report->backup.id) +
                                " restored into a folder that cannot be opened: " + s.ToString());
    }
    report->audit = Audit(folder->log(), 1, 0, report->digest);
  }
  report->verified = report->audit.ok();
  if (!report->verified) {
    discard();
    return Status::Ok();
  }
  if (fs::exists(target, ec)) fs::remove(target, ec);  // empty, checked above
  fs::rename(partial, target, ec);
  if (ec) {
    return Status::IoError("cannot rename " + partial + " to " + request.data + ": " +
                           ec.message());
  }
  return Status::Ok();
}

int BackupExitStatus(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk:
      return 0;
    case Status::Code::kInvalidArgument:
    case Status::Code::kNotFound:
    case Status::Code::kFailedPrecondition:
    case Status::Code::kBusy:
      return 2;
    default:
      return 1;
  }
}

void NoteBackupEvent(const std::string& what, const nlohmann::json& details) {
  // Security log: backups and restores are security events. Until the engine has a
  // security log, the line goes to standard output.
  nlohmann::json line = details;
  line["event"] = what;
  std::cout << "caseengine: " << what << " " << line.dump() << "\n" << std::flush;
}

}  // namespace caseengine
