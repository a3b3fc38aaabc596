// Conversions between RocksDB's types and the store's: see rocks_status.h.
#include "storage/rocks_status.h"

namespace caseengine {

Status FromRocks(const rocksdb::Status& s, const std::string& path) {
  if (s.ok()) return Status::Ok();
  // The state alone: our Status adds its own code name.
  std::string msg = s.getState() != nullptr ? s.getState() : s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) {
    return Status::Corruption("data folder " + path + " is damaged (" + msg +
                              "); nothing was changed: restore it from a backup");
  }
  if (s.IsIOError() &&
      (msg.find("lock") != std::string::npos || msg.find("LOCK") != std::string::npos)) {
    return Status::Busy("data folder " + path +
                        " is in use by another engine (its LOCK is held): stop that "
                        "process, or open the folder read-only");
  }
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsNoSpace() || msg.find("No space left") != std::string::npos) {
    return Status::NoSpace("the disk of data folder " + path + " is full (" + msg + ")");
  }
  return Status::IoError(msg);
}

bool MissingFile(const rocksdb::Status& s) {
  return s.ToString().find("No such file") != std::string::npos;
}

}  // namespace caseengine
