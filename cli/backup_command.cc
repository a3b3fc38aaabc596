// `caseengine backup` and `restore`: see backup_command.h.
#include "cli/backup_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/backup.h"
#include "app/control_socket.h"
#include "base/time_format.h"
#include "events/log_store.h"

namespace caseengine {
namespace {

namespace fs = std::filesystem;

int Fail(const Status& s, int code = 2) {
  std::cerr << "caseengine: " << s.ToString() << "\n";
  return code;
}

// Prints the backup and writes its digest to `digest_out` (when given); the exit status.
int Report(const BackupReport& report, bool online, const std::string& digest_out) {
  std::cout << "backup " << report.id << " of the log up to position " << report.digest.position
            << " in " << report.to << (online ? " (taken by the running engine)" : "")
            << "\ndigest: " << DigestToJson(report.digest).dump() << "\n";
  if (digest_out.empty()) return 0;
  std::ofstream out(digest_out, std::ios::trunc);
  out << DigestToJson(report.digest).dump(2) << "\n";
  out.close();
  if (!out) {
    std::cerr << "caseengine: the backup was taken, but its digest could not be written to "
              << digest_out << "\n";
    return 1;
  }
  return 0;
}

// With the folder locked, by this process: no engine serves it.
Status OfflineBackup(const std::string& dir, const std::string& to, uint32_t keep,
                     BackupReport* report) {
  if (!fs::exists(fs::path(dir) / "CURRENT")) {
    return Status::NotFound("data folder " + dir + " holds no data to back up");
  }
  RocksStoreOptions options = LogStoreOptions(dir, /*read_only=*/false);
  options.create_if_missing = false;
  std::unique_ptr<Store> store;
  Status s = OpenRocksStore(options, &store);
  if (s.code() == Status::Code::kBusy) {
    return Status::Busy("data folder " + dir +
                        " is locked by an engine whose control socket does not answer; back "
                        "it up through that engine, or stop it");
  }
  if (!s.ok()) return s;
  std::unique_ptr<EventLog> log;
  s = EventLog::Open(store.get(), EventLogOptions(), &log);
  if (!s.ok()) return s;
  s = TakeBackup(store.get(), *log, to, keep, report);
  log.reset();  // before the store it is on
  return s;
}

int Backup(const BackupCommands& c) {
  const std::string to = fs::absolute(c.to).lexically_normal().string();
  BackupReport report;
  nlohmann::json answer;
  Status s = CallControl(c.data, {{"op", "backup"}, {"to", to}, {"keep", c.keep}}, &answer);
  if (s.ok()) {
    if (!answer.value("ok", false)) {
      std::cerr << "caseengine: the engine serving " << c.data
                << " could not take the backup: " << answer.value("error", answer.dump()) << "\n";
      return answer.value("exit", 1);
    }
    s = BackupReportFromJson(answer, &report);
    if (!s.ok()) return Fail(s, 1);
    return Report(report, /*online=*/true, c.digest_out);
  }
  if (s.code() != Status::Code::kUnavailable) return Fail(s);
  s = OfflineBackup(c.data, to, c.keep, &report);
  if (!s.ok()) {
    NoteBackupEvent("backup", {{"ok", false}, {"error", s.ToString()}});
    return Fail(s, BackupExitStatus(s));
  }
  NoteBackupEvent("backup", BackupReportToJson(report));
  return Report(report, /*online=*/false, c.digest_out);
}

int List(const std::string& from) {
  std::vector<BackupEntry> backups;
  std::vector<uint32_t> corrupt;
  Status s = ListRocksBackups(from, &backups, &corrupt);
  if (!s.ok()) return Fail(s);
  for (const BackupEntry& b : backups) {
    LogDigest digest;
    std::cout << "backup " << b.id << "  " << FormatMicrosUtc(b.created_at * 1000000) << "  "
              << b.files << " files, " << b.bytes << " bytes";
    if (DigestOfBackup(b.metadata, &digest).ok()) {
      std::cout << "  position " << digest.position;
    }
    std::cout << "\n";
  }
  for (uint32_t id : corrupt) std::cout << "backup " << id << "  damaged\n";
  return corrupt.empty() ? 0 : 1;
}

int Restore(const BackupCommands& c) {
  if (c.list) return List(c.from);
  if (c.data.empty()) return Fail(Status::InvalidArgument("--data NEWDIR is required"));
  RestoreRequest request;
  request.from = c.from;
  request.id = c.id;
  request.data = c.data;
  if (!c.digest_file.empty()) {
    std::ifstream in(c.digest_file);
    std::stringstream text;
    text << in.rdbuf();
    LogDigest digest;
    Status s = in ? ParseDigest(text.str(), &digest)
                  : Status::NotFound("cannot read the digest file " + c.digest_file);
    if (!s.ok()) return Fail(s);
    request.digest = digest;
  }
  RestoreReport report;
  Status s = RestoreBackup(request, &report);
  nlohmann::json details = {{"from", c.from}, {"backup_id", report.backup.id}, {"data", c.data}};
  if (!s.ok()) {
    details["ok"] = false;
    details["error"] = s.ToString();
    NoteBackupEvent("restore", details);
    return Fail(s, s.code() == Status::Code::kCorruption ? 1 : 2);
  }
  details["ok"] = report.verified;
  details["verify"] = report.audit.ToJson();
  NoteBackupEvent("restore", details);
  if (!report.verified) {
    std::cerr << "caseengine: backup " << report.backup.id
              << " failed verification, nothing was restored: "
              << (report.audit.chain.ok ? report.audit.digest_reason : report.audit.chain.reason)
              << "\n";
    return 1;
  }
  std::cout << "restored backup " << report.backup.id << " into " << c.data << ": "
            << report.audit.chain.checked << " events, chain verified, position "
            << report.digest.position << " carries the digest's hash\n"
            << "it opens with the key-encryption key of the folder it was taken from (the "
               "key is never in a backup)\n";
  return 0;
}

}  // namespace

void AddBackupCommands(CLI::App* app, BackupCommands* c) {
  c->backup = app->add_subcommand("backup", "back up a data folder, online (incremental)");
  c->backup->add_option("--data", c->data, "data folder")->required();
  c->backup->add_option("--to", c->to, "backup folder (created when missing)")->required();
  c->backup->add_option("--keep", c->keep, "keep only the newest N backups (default: all)");
  c->backup->add_option("--digest-out", c->digest_out,
                        "write the backup's digest to this file too (keep it apart)");

  c->restore = app->add_subcommand("restore", "restore a backup into a new data folder");
  c->restore->add_option("--from", c->from, "backup folder")->required();
  c->restore->add_option("--data", c->data, "the new data folder (must not exist, or be empty)");
  c->restore->add_option("--backup", c->id, "the backup's id (default: the newest)");
  c->restore->add_option("--digest", c->digest_file,
                         "verify against this digest file (default: the backup's own)");
  c->restore->add_flag("--list", c->list, "list the backups and exit");
}

int RunBackupCommands(const BackupCommands& c) {
  return c.backup->parsed() ? Backup(c) : Restore(c);
}

}  // namespace caseengine
