// Shared helpers for tests: temporary data folders, opening a RocksDB-backed log, making
// simple append requests, and running the project's executables.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "storage/memory_store.h"
#include "storage/rocks_store.h"

namespace caseengine::testing {

// A fresh folder under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A store and the log on it; the log is closed before the store.
struct OpenLog {
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  void Close() {
    log.reset();
    store.reset();
  }
  ~OpenLog() { Close(); }
};

// Opens (creating when missing) a RocksDB data folder with the log's families.
Status OpenRocksLog(const std::string& dir, OpenLog* out, bool read_only = false);
// A MemoryStore with the log's families, and a log on it.
std::unique_ptr<MemoryStore> NewMemoryLogStore();

// One event of `type` on `stream` with the given expectation.
AppendRequest OneEvent(const std::string& stream, ExpectedVersion expected = ExpectedVersion::Any(),
                       const std::string& type = "SomethingHappened",
                       const std::string& payload = "{}");

// Starts argv[0] with arguments, its stdout on a pipe whose read end goes to *read_fd.
// Everything is prepared before fork, and the child only execs: safe in a process that
// already runs threads (RocksDB's). Returns the child's pid.
pid_t SpawnWithStdoutPipe(const std::vector<std::string>& argv, int* read_fd);

// Whether any file under `dir` holds `needle` anywhere in its bytes (an erased person's
// text must be in none).
bool FolderHolds(const std::string& dir, const std::string& needle);

// Runs argv[0] with arguments, capturing stdout+stderr; returns the exit status
// (or -1 when it did not exit normally).
int RunCommand(const std::vector<std::string>& argv, std::string* output);

}  // namespace caseengine::testing
