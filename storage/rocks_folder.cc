// The data folder around a RocksDB database: see rocks_folder.h.
#include "storage/rocks_folder.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <regex>
#include <system_error>

namespace caseengine {
namespace {

namespace fs = std::filesystem;

// Files RocksDB writes while it creates a database, before CURRENT exists.
bool IsCreationArtifact(const std::string& name) {
  static const std::regex kArtifact(
      R"(LOCK|LOG|LOG\.old\.[0-9]+|IDENTITY|MANIFEST-[0-9]+|OPTIONS-[0-9]+(\.dbtmp)?|[0-9]+\.(dbtmp|log))");
  return std::regex_match(name, kArtifact);
}

}  // namespace

Status CheckFolder(const RocksStoreOptions& options, bool* exists) {
  std::error_code ec;
  const fs::path dir(options.path);
  const bool creating = options.create_if_missing && !options.read_only;
  *exists = false;
  if (!fs::exists(dir, ec)) {
    if (ec) return Status::IoError("cannot inspect " + options.path + ": " + ec.message());
    if (creating) return Status::Ok();
    return Status::NotFound("data folder " + options.path + " does not exist");
  }
  if (!fs::is_directory(dir, ec)) {
    return Status::InvalidArgument(options.path + " is not a folder");
  }
  if (fs::exists(dir / "CURRENT", ec)) {
    *exists = true;
    return Status::Ok();
  }
  bool only_artifacts = true, empty = true;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    empty = false;
    if (!entry.is_regular_file() || !IsCreationArtifact(entry.path().filename().string())) {
      only_artifacts = false;
    }
  }
  if (ec) return Status::IoError("cannot list " + options.path + ": " + ec.message());
  if (only_artifacts && creating) return Status::Ok();  // empty, or a creation cut short
  if (empty || only_artifacts) {
    return Status::NotFound("data folder " + options.path + " holds no data yet");
  }
  return Status::InvalidArgument(options.path +
                                 " holds files but no caseengine data (no RocksDB CURRENT file); " +
                                 "refusing to touch it");
}

// RocksDB adds the families of a new database one at a time, so a crash can leave some.
bool InterruptedCreation(const rocksdb::DBOptions& db_options, const RocksStoreOptions& options,
                         const std::vector<std::string>& existing) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : existing) {
    const auto& ours = options.families;
    if (name != rocksdb::kDefaultColumnFamilyName &&
        std::find(ours.begin(), ours.end(), name) == ours.end()) {
      return false;
    }
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(rocksdb::Options(db_options, rocksdb::ColumnFamilyOptions()),
                                    options.path, descriptors, &handles, &db)
           .ok()) {
    return false;
  }
  bool empty = true;
  for (auto* h : handles) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), h));
    it->SeekToFirst();
    if (it->Valid() || !it->status().ok()) empty = false;
    it.reset();
    db->DestroyColumnFamilyHandle(h);
  }
  delete db;
  return empty;
}

// They hold personal data. Files made later are governed by the process's umask, which
// the engine's executables set to 077. A folder created by an older build (0755, 0644)
// is narrowed here at its next writable open.
Status RestrictModes(const std::string& path) {
  std::error_code ec;
  // A file RocksDB deletes meanwhile (an obsolete table file, purged in the background
  // of an open) needs no narrowing: gone between the listing and the change is no error.
  auto gone = [&] {
    if (ec != std::errc::no_such_file_or_directory) return false;
    ec.clear();
    return true;
  };
  auto narrow = [&](const fs::path& p, bool folder) {
    const fs::perms others = fs::perms::group_all | fs::perms::others_all;
    const fs::perms now = fs::status(p, ec).permissions();
    if (ec) {
      gone();
      return;
    }
    if ((now & others) != fs::perms::none) fs::permissions(p, others, fs::perm_options::remove, ec);
    if (folder && !ec) fs::permissions(p, fs::perms::owner_all, fs::perm_options::add, ec);
    if (ec) gone();
  };
  narrow(path, true);
  if (ec) return Status::IoError("cannot restrict the modes of " + path + ": " + ec.message());
  for (auto it = fs::recursive_directory_iterator(path, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink(ec)) continue;
    narrow(it->path(), it->is_directory(ec));
    if (ec)
      return Status::IoError("cannot restrict the mode of " + it->path().string() + ": " +
                             ec.message());
  }
  if (ec) return Status::IoError("cannot list " + path + ": " + ec.message());
  return Status::Ok();
}

std::vector<std::string> LogFiles(const std::string& path) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0) files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace caseengine
