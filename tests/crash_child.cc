// log_crash_child: a writer for crash_safety_test to kill. It opens the RocksDB log in a
// data folder and appends from several threads as fast as it can, forever, printing one
// line for every event of every acknowledged append, so that the parent, after SIGKILL at
// any moment, knows which events the log promised to keep.
//
//   log_crash_child --data DIR [--threads N] [--hold]
//
// stdout, one complete line per write(2) (or several complete lines in one write):
//   ready                              the log is open (nothing is printed before)
//   ack <position> <stream> <version>  one per event of an acknowledged, non-duplicate append
//   error <text>                       something that must never happen; the child exits 3
//
// With --hold it opens the log, prints `ready` and sleeps holding the folder's lock
// (open_errors_test uses it as "another process has this folder open").
//
// Each thread owns four streams, crash-t<thread>-s<k>, reads their heads at start (so runs
// continue the streams of earlier, killed runs) and keeps up to 16 appends in flight,
// each expecting the exact version the stream will have when the appends before it have
// landed. It mixes single-event appends, appends of a few events, appends to two streams
// at once, appends with a command id, re-sends of a command id (which must come back as a
// duplicate with the original's positions) and a few blocking Append calls. Anything
// unexpected (a refused append, a conflict, versions other than predicted) is an error:
// nothing else writes these streams, and nothing injects faults.
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "events/event_log.h"
#include "tests/test_support.h"

namespace caseengine {
namespace {

constexpr int kStreamsPerThread = 4;
constexpr int kWindow = 16;  // appends in flight per thread

std::mutex out_mu;

// Writes whole lines to stdout with write(2), never through stdio buffers, so a SIGKILL
// can at worst cut the last line (the parent drops an unterminated line).
void WriteOut(const std::string& text) {
  std::lock_guard<std::mutex> lock(out_mu);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      _exit(4);  // the parent went away
    }
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void Fatal(const std::string& what) {
  std::string line = "error " + what;
  for (char& c : line) {
    if (c == '\n') c = ' ';
  }
  WriteOut(line + "\n");
  _exit(3);
}

// The result of an append with a command id, for its re-sends to compare against. A
// re-send can be answered on another thread than the original (from the store, once the
// original is durable), so it is guarded.
struct Original {
  std::mutex mu;
  std::optional<AppendResult> result;
};

// What an in-flight append expects back.
struct Expect {
  std::vector<std::string> streams;
  std::vector<uint64_t> events;    // events per stream
  std::vector<uint64_t> versions;  // predicted new version per stream
  bool resend = false;             // a re-send of `original`'s command id
  // Filled in by the original's callback; a re-send compares against it.
  std::shared_ptr<Original> original;
};

void CheckOutcome(const Expect& e, const AppendOutcome& o) {
  if (!o.status.ok()) Fatal("append refused: " + o.status.ToString());
  const AppendResult& r = o.result;
  if (e.resend) {
    if (!r.duplicate) Fatal("a re-sent command id was appended again");
    // When the original has been answered, they must agree.
    std::lock_guard<std::mutex> lock(e.original->mu);
    if (e.original->result) {
      const AppendResult& first = *e.original->result;
      if (r.first_position != first.first_position || r.last_position != first.last_position ||
          r.versions != first.versions) {
        Fatal("duplicate answered with positions " + std::to_string(r.first_position) + ".." +
              std::to_string(r.last_position) + ", original had " +
              std::to_string(first.first_position) + ".." + std::to_string(first.last_position));
      }
    }
    return;
  }
  if (r.duplicate) Fatal("a fresh command id was reported as a duplicate");
  if (r.versions.size() != e.streams.size()) Fatal("wrong number of stream versions");
  uint64_t total = 0;
  for (uint64_t n : e.events) total += n;
  if (r.first_position == 0 || r.last_position + 1 - r.first_position != total) {
    Fatal("positions " + std::to_string(r.first_position) + ".." + std::to_string(r.last_position) +
          " for " + std::to_string(total) + " events");
  }
  std::string lines;
  uint64_t position = r.first_position;
  for (size_t i = 0; i < e.streams.size(); ++i) {
    if (r.versions[i].stream != e.streams[i] || r.versions[i].version != e.versions[i]) {
      Fatal("stream " + e.streams[i] + " is at version " + std::to_string(r.versions[i].version) +
            ", predicted " + std::to_string(e.versions[i]));
    }
    for (uint64_t j = 0; j < e.events[i]; ++j) {
      const uint64_t version = e.versions[i] - e.events[i] + 1 + j;
      lines += "ack " + std::to_string(position++) + " " + e.streams[i] + " " +
               std::to_string(version) + "\n";
    }
  }
  if (e.original) {
    std::lock_guard<std::mutex> lock(e.original->mu);
    e.original->result = r;
  }
  WriteOut(lines);
}

void RunThread(EventLog* log, int thread, uint64_t nonce) {
  std::mt19937_64 rng(nonce * 1000003 + thread);
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };

  std::vector<std::string> streams;
  std::vector<uint64_t> version;  // after every append submitted so far has landed
  for (int k = 0; k < kStreamsPerThread; ++k) {
    streams.push_back("crash-t" + std::to_string(thread) + "-s" + std::to_string(k));
    StreamHead head;
    Status s = log->Head(streams.back(), &head);
    if (!s.ok()) Fatal("reading the head of " + streams.back() + ": " + s.ToString());
    version.push_back(head.version);
  }

  std::counting_semaphore<kWindow> window(kWindow);
  std::optional<AppendRequest> last_with_id;
  std::shared_ptr<Original> last_original;
  const std::string payload_bytes(512, 'x');
  for (uint64_t seq = 0;; ++seq) {
    AppendRequest r;
    Expect e;
    if (last_with_id && chance(4)) {
      r = *last_with_id;  // same command id, stale expectations: must be a duplicate
      e.resend = true;
      e.original = last_original;
    } else {
      r.actor = "crash-child";
      r.tenant = "crash";
      const int first = static_cast<int>(rng() % kStreamsPerThread);
      std::vector<int> picked{first};
      if (chance(25))
        picked.push_back((first + 1 + static_cast<int>(rng() % 3)) % kStreamsPerThread);
      for (int k : picked) {
        const uint64_t n = chance(15) ? 2 + rng() % 2 : 1;
        StreamWrite w{streams[k], ExpectedVersion::Exact(version[k]), {}};
        for (uint64_t j = 0; j < n; ++j) {
          w.events.push_back({"CrashTestEvent",
                              "{\"seq\":" + std::to_string(seq) + ",\"pad\":\"" +
                                  payload_bytes.substr(0, rng() % payload_bytes.size()) + "\"}"});
        }
        version[k] += n;
        e.streams.push_back(streams[k]);
        e.events.push_back(n);
        e.versions.push_back(version[k]);
        r.writes.push_back(std::move(w));
      }
      if (chance(30)) {
        r.command_id = "crash-" + std::to_string(nonce) + "-t" + std::to_string(thread) + "-" +
                       std::to_string(seq);
        e.original = std::make_shared<Original>();
        last_with_id = r;
        last_original = e.original;
      }
    }

    window.acquire();
    if (chance(3)) {
      // A blocking append among the asynchronous ones: it queues behind them.
      AppendOutcome o = log->Append(std::move(r));
      window.release();
      CheckOutcome(e, o);
    } else {
      log->AppendAsync(std::move(r), [e = std::move(e), &window](AppendOutcome o) {
        CheckOutcome(e, o);
        window.release();
      });
    }
  }
}

int Main(int argc, char** argv) {
  std::string dir;
  int threads = 8;
  bool hold = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--data" && i + 1 < argc) {
      dir = argv[++i];
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (arg == "--hold") {
      hold = true;
    } else {
      Fatal("usage: log_crash_child --data DIR [--threads N] [--hold]");
    }
  }
  if (dir.empty() || threads < 1) Fatal("usage: log_crash_child --data DIR [--threads N] [--hold]");

  // Never closed: the process only ends by a signal (or by Fatal).
  auto* open = new testing::OpenLog();
  Status s = testing::OpenRocksLog(dir, open);
  if (!s.ok()) Fatal("open: " + s.ToString());
  WriteOut("ready\n");
  if (hold) {
    for (;;) pause();
  }

  std::random_device rd;
  const uint64_t nonce =
      (static_cast<uint64_t>(rd()) << 32 | rd()) ^ static_cast<uint64_t>(getpid());
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back(RunThread, open->log.get(), t, nonce);
  }
  for (auto& w : workers) w.join();  // never returns
  return 0;
}

}  // namespace
}  // namespace caseengine

int main(int argc, char** argv) {
  umask(077);  // as the engine's own executables: data folders for their user alone
  return caseengine::Main(argc, argv);
}
