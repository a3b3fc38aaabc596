// Opening a data folder that another writer has open, in this process or in another, must
// be refused as busy with a clear error and leave every file as it was (compared as
// open_errors_support.h describes), while read-only opens still work and see every durable
// event; the lock goes with the process that held it.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "tests/open_errors_support.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

using testing::open_errors::Contains;
using testing::open_errors::Diff;
using testing::open_errors::InfoLogs;
using testing::open_errors::MakeLog;
using testing::open_errors::Snapshot;

using Code = Status::Code;

// A read-only open that must work and show exactly the `n` events of MakeLog, chained.
void CheckReadOnlyView(const std::string& dir, int n) {
  testing::OpenLog ro;
  Status s = testing::OpenRocksLog(dir, &ro, /*read_only=*/true);
  INFO(s.ToString());
  REQUIRE(s.ok());
  REQUIRE(ro.log->HeadPosition() == static_cast<uint64_t>(n));
  std::vector<RecordedEvent> events;
  REQUIRE(ro.log->ReadAll(1, 1000, &events).ok());
  REQUIRE(events.size() == static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    CHECK(events[i].position == static_cast<uint64_t>(i + 1));
    CHECK(events[i].stream == "stream-" + std::to_string(i % 3));
    CHECK(events[i].version == static_cast<uint64_t>(i / 3 + 1));
  }
  VerifyReport r = ro.log->VerifyChain(1, 0);
  REQUIRE(r.ok);
  REQUIRE(r.checked == static_cast<uint64_t>(n));
  // A read-only log refuses appends rather than writing.
  REQUIRE(ro.log->Append(testing::OneEvent("stream-0")).status.code() == Code::kFailedPrecondition);
}

// log_crash_child --hold: another process with the folder open for writing, idle. It is
// exec'd rather than only forked, because this process may already run RocksDB's
// background threads, and a forked copy of a threaded process may not use them.
class HoldingChild {
 public:
  explicit HoldingChild(const std::string& dir) {
    pid_ = testing::SpawnWithStdoutPipe({LOG_CRASH_CHILD_PATH, "--data", dir, "--hold"}, &fd_);
  }
  ~HoldingChild() { Stop(); }

  // Waits for the child's "ready": the folder is open and locked.
  std::string WaitOpen() {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!Contains(out, "\n") && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 1000) <= 0) continue;
      char buf[512];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
};

}  // namespace

TEST_CASE("a data folder open in this process is refused as busy, while read-only opens still work",
          "[open]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  testing::OpenLog first;
  REQUIRE(testing::OpenRocksLog(dir, &first).ok());
  for (int i = 0; i < 5; ++i) {
    REQUIRE(first.log->Append(testing::OneEvent("stream-" + std::to_string(i % 3))).status.ok());
  }
  const auto before = Snapshot(dir, InfoLogs::kExclude);

  testing::OpenLog second;
  Status s = testing::OpenRocksLog(dir, &second);
  INFO(s.ToString());
  REQUIRE(s.code() == Code::kBusy);
  REQUIRE(Contains(s.message(), dir));
  REQUIRE(Contains(s.message(), "in use"));
  {
    const std::string diff = Diff(before, Snapshot(dir, InfoLogs::kExclude));
    INFO(diff);
    REQUIRE(diff.empty());
  }

  // The first log is unharmed and goes on.
  REQUIRE(first.log->Append(testing::OneEvent("stream-2")).status.ok());
  REQUIRE(first.log->HeadPosition() == 6);
  REQUIRE(first.log->VerifyChain(1, 0).ok);

  // A reader does not need the lock, and sees every durable event.
  CheckReadOnlyView(dir, 6);
}

TEST_CASE(
    "a data folder open in another process is refused as busy, while read-only opens still work",
    "[open]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  MakeLog(dir, 7);

  HoldingChild holder(dir);
  const std::string said = holder.WaitOpen();
  INFO("the holding process said: " << said);
  REQUIRE(said == "ready\n");
  const auto before = Snapshot(dir, InfoLogs::kExclude);

  testing::OpenLog open;
  Status s = testing::OpenRocksLog(dir, &open);
  INFO(s.ToString());
  REQUIRE(s.code() == Code::kBusy);
  REQUIRE(Contains(s.message(), dir));
  REQUIRE(Contains(s.message(), "in use"));
  {
    const std::string diff = Diff(before, Snapshot(dir, InfoLogs::kExclude));
    INFO(diff);
    REQUIRE(diff.empty());
  }

  CheckReadOnlyView(dir, 7);

  // Once the holder is gone, the lock goes with it.
  holder.Stop();
  REQUIRE(testing::OpenRocksLog(dir, &open).ok());
  REQUIRE(open.log->HeadPosition() == 7);
  REQUIRE(open.log->VerifyChain(1, 0).ok);
}

}  // namespace caseengine
