// `caseengine backup` and `caseengine restore` (app/backup.h, docs/operations.md):
//
//   caseengine backup  --data DIR --to DEST [--keep N] [--digest-out FILE]
//       a consistent backup of DIR into the backup folder DEST (incremental: files DEST
//       holds already are not copied again), taken by the engine serving DIR through its
//       control socket, or, when none runs, by this process with the folder locked. Prints
//       the backup's id and the digest of its log head (keep a copy of it apart); with
//       --digest-out, writes the digest to FILE too (for restore --digest and casereplay
//       verify --digest).
//   caseengine restore --from DEST --data NEWDIR [--backup ID] [--digest FILE]
//   caseengine restore --from DEST --list
//       restores backup ID (default: the newest) into NEWDIR and verifies its hash chain
//       against the backup's digest, or against FILE (a digest kept apart); --list shows
//       the backups in DEST.
//
// Exit status as casereplay's: 0 done; 1 a finding or a failure on the way (a restore:
// the backup is damaged or fails verification, and nothing was restored; a backup: the
// disk or the backup folder failed); 2 the command could not run (its arguments, the
// folders named, a folder locked). A backup's is the same whether the engine took it or
// the command did (BackupExitStatus).
//
// Threading: the calling thread only.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace caseengine {

struct BackupCommands {
  CLI::App* backup = nullptr;
  CLI::App* restore = nullptr;
  std::string data, to, from, digest_file, digest_out;
  uint32_t keep = 0, id = 0;
  bool list = false;

  bool parsed() const { return backup->parsed() || restore->parsed(); }
};

// Adds both subcommands to `app`; `commands` holds their flags and must outlive parsing.
void AddBackupCommands(CLI::App* app, BackupCommands* commands);

// Runs the one that was parsed; returns the exit status.
int RunBackupCommands(const BackupCommands& commands);

}  // namespace caseengine
