// RocksDB plumbing: see rocks_support.h.
#include "storage/rocks_support.h"

#include <fcntl.h>
#include <pthread.h>
#include <rocksdb/file_system.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <vector>

namespace caseengine {
namespace {

namespace fs = std::filesystem;

// RocksDB's diagnostic log, the folder's LOG file, written with plain appends whose
// failures are ignored. RocksDB's own logger writes it through a file writer that, after
// one failed write, asserts at the next (Debian's build keeps assertions on): on a full
// disk the warning RocksDB logged about the failed write aborted the process. The file
// is opened at the first line after the folder exists (RocksDB creates it); a LOG left by
// an earlier open is kept as LOG.old.<microseconds>, the newest kOldInfoLogs of them.
class FolderLogger : public rocksdb::Logger {
 public:
  explicit FolderLogger(std::string dir) : dir_(std::move(dir)) {}
  ~FolderLogger() override {
    if (fd_ >= 0) ::close(fd_);
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[2048];
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const long micros = static_cast<long>(
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
        1000000);
    std::tm tm{};
    localtime_r(&seconds, &tm);
    int n = std::snprintf(line, sizeof line, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %lx ",
                          tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                          tm.tm_sec, micros, static_cast<unsigned long>(::pthread_self()));
    if (n < 0) return;
    const int body = std::vsnprintf(line + n, sizeof line - n - 1, format, ap);
    if (body < 0) return;
    n = std::min<int>(n + body, sizeof line - 2);
    if (line[n - 1] != '\n') line[n++] = '\n';
    std::lock_guard<std::mutex> lock(mu_);
    if (fd_ < 0 && !OpenFile()) return;
    // One write per line (O_APPEND); a failed one (a full disk) loses the line, nothing more.
    [[maybe_unused]] const ssize_t written = ::write(fd_, line, n);
  }

 private:
  static constexpr size_t kOldInfoLogs = 4;

  // Under mu_.
  bool OpenFile() {
    std::error_code ec;
    if (!fs::is_directory(dir_, ec)) return false;
    const fs::path log = fs::path(dir_) / "LOG";
    if (fs::file_size(log, ec) > 0 && !ec) {
      const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      fs::rename(log, fs::path(dir_) / ("LOG.old." + std::to_string(micros)), ec);
      std::vector<std::string> old;
      for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("LOG.old.", 0) == 0) old.push_back(name);
      }
      std::sort(old.begin(), old.end());
      for (size_t i = 0; i + kOldInfoLogs < old.size(); ++i)
        fs::remove(fs::path(dir_) / old[i], ec);
    }
    fd_ = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    return fd_ >= 0;
  }

  const std::string dir_;
  std::mutex mu_;
  int fd_ = -1;
};

// Leaves recovery after a background error to the store (RocksStore::Recover). RocksDB's
// own, for a full disk, waits until its SstFileManager sees a whole write buffer free
// (64 MB here): a small disk would never recover, and a manual resume is refused while
// it waits.
class NoAutoRecovery : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

// A file system whose writes fail as on a full disk while the switch is on (tests).
class DiskFullFileSystem : public rocksdb::FileSystemWrapper {
 public:
  DiskFullFileSystem(std::shared_ptr<rocksdb::FileSystem> target,
                     std::shared_ptr<DiskFullSwitch> full)
      : FileSystemWrapper(std::move(target)), full_(std::move(full)) {}
  const char* Name() const override { return "caseengine.DiskFull"; }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    if (full_->full.load()) return NoSpace();
    rocksdb::IOStatus s = target()->NewWritableFile(f, options, r, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(*r), full_);
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    if (full_->full.load()) return NoSpace();
    rocksdb::IOStatus s = target()->ReopenWritableFile(f, options, r, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(*r), full_);
    return s;
  }

 private:
  static rocksdb::IOStatus NoSpace() {
    return rocksdb::IOStatus::NoSpace("injected", "No space left on device");
  }
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, std::shared_ptr<DiskFullSwitch> full)
        : FSWritableFileOwnerWrapper(std::move(f)), full_(std::move(full)) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (full_->full.load()) return NoSpace();
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (full_->full.load()) return NoSpace();
      return target()->Append(data, options, info, dbg);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                       const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override {
      if (full_->full.load()) return NoSpace();
      return target()->PositionedAppend(data, offset, options, dbg);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                       const rocksdb::IOOptions& options,
                                       const rocksdb::DataVerificationInfo& info,
                                       rocksdb::IODebugContext* dbg) override {
      if (full_->full.load()) return NoSpace();
      return target()->PositionedAppend(data, offset, options, info, dbg);
    }

   private:
    std::shared_ptr<DiskFullSwitch> full_;
  };
  std::shared_ptr<DiskFullSwitch> full_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewFolderLogger(const std::string& dir) {
  return std::make_shared<FolderLogger>(dir);
}

std::shared_ptr<rocksdb::EventListener> NewNoAutoRecovery() {
  return std::make_shared<NoAutoRecovery>();
}

std::unique_ptr<rocksdb::Env> NewDiskFullEnv(std::shared_ptr<DiskFullSwitch> full) {
  return rocksdb::NewCompositeEnv(
      std::make_shared<DiskFullFileSystem>(rocksdb::FileSystem::Default(), std::move(full)));
}

}  // namespace caseengine
