// Small helpers shared by the benchmarks: a temporary data folder, latency percentiles,
// the machine description printed with every figure. Header-only; benchmarks only.
#pragma once

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace caseengine::bench {

inline double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The value below which `q` (0..1) of the samples fall; sorts `samples`.
inline double Percentile(std::vector<double>* samples, double q) {
  if (samples->empty()) return 0;
  std::sort(samples->begin(), samples->end());
  size_t i = static_cast<size_t>(q * (samples->size() - 1));
  return (*samples)[i];
}

inline std::string MachineDescription() {
  std::string cpu = "unknown cpu";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  return cpu + ", " + std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " cores";
}

// CPU seconds (user and system) used so far by this process's threads named `name`
// (pthread_setname_np), from /proc: unlike wall time, hardly moved by what else the host
// runs, so it tells whether a change made a thread's work smaller.
inline double ThreadCpuSeconds(const std::string& name) {
  double total = 0;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream comm(task.path() / "comm");
    std::string n;
    std::getline(comm, n);
    if (n != name) continue;
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // Fields after the ")" that ends the name: state is field 3, utime 14, stime 15.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    total += static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
  }
  return total;
}

// The requests one writer thread has in flight: Acquire blocks while `limit` are
// outstanding, Done (from any thread) records a latency and frees a place, WaitAll blocks
// until every request is answered. A condition variable, because semaphores spin first.
class Window {
 public:
  explicit Window(int limit) : limit_(limit) {}
  // Blocks for a free place; returns the start time to pass to Done.
  std::chrono::steady_clock::time_point Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return outstanding_ < limit_; });
    ++outstanding_;
    return std::chrono::steady_clock::now();
  }
  void Done(std::chrono::steady_clock::time_point start) {
    const double us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    std::lock_guard<std::mutex> lock(mu_);
    latencies_.push_back(us);
    --outstanding_;
    cv_.notify_one();
  }
  void WaitAll() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return outstanding_ == 0; });
  }
  // Valid after WaitAll.
  const std::vector<double>& latencies() const { return latencies_; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int limit_, outstanding_ = 0;
  std::vector<double> latencies_;
};

struct WriterRun {
  double seconds = 0;
  double p50_us = 0, p99_us = 0;  // latency from Acquire to Done
};

// Runs body(writer, window) on `writers` threads, each with a Window of `inflight`
// requests (the body acquires before each request and calls Done when it is answered),
// waits for every answer, and times the whole run.
template <class Body>
WriterRun RunWriters(int writers, int inflight, Body body) {
  std::vector<std::unique_ptr<Window>> windows;
  for (int w = 0; w < writers; ++w) windows.push_back(std::make_unique<Window>(inflight));
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      body(w, *windows[w]);
      windows[w]->WaitAll();
    });
  }
  for (auto& t : threads) t.join();
  WriterRun run;
  run.seconds = Seconds(start);
  std::vector<double> all;
  for (auto& w : windows) all.insert(all.end(), w->latencies().begin(), w->latencies().end());
  run.p50_us = Percentile(&all, 0.50);
  run.p99_us = Percentile(&all, 0.99);
  return run;
}

// A fresh folder for a benchmark's data, removed at exit unless --keep.
class ScratchDir {
 public:
  explicit ScratchDir(std::string path, bool keep) : path_(std::move(path)), keep_(keep) {
    std::filesystem::remove_all(path_);
  }
  ~ScratchDir() {
    if (!keep_) std::filesystem::remove_all(path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool keep_;
};

}  // namespace caseengine::bench
