// Metrics: request counts by route and status and a latency histogram per route, kept in
// atomics so recording never takes a lock, rendered in the Prometheus text format with
// the log's and the read side's figures. Counts are written as whole numbers, exactly;
// seconds with microseconds.
//
// Threading: Record from any thread; Render from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/memory_budget.h"
#include "events/event_log.h"
#include "projections/projection_runner.h"

namespace caseengine {

class Metrics {
 public:
  // Routes are numbered 0..routes-1; one more slot counts requests no route matched.
  explicit Metrics(std::vector<std::string> route_labels);

  void Record(size_t route, int status, uint64_t micros);
  size_t unrouted() const { return labels_.size() - 1; }

  std::string Render(const EventLog& log, const ProjectionRunner& runner) const;
  // The memory budget, the process's resident memory, and each cache's size, bound,
  // share of the budget, hits and misses.
  static std::string RenderMemory(const MemoryBudget& budget,
                                  const std::vector<CacheStats>& caches);
  // The process, as Prometheus's client libraries name it (process_resident_memory_bytes,
  // process_cpu_seconds_total, process_open_fds, process_max_fds,
  // process_start_time_seconds, process_virtual_memory_bytes), and
  // caseengine_build_info{version=...} 1.
  static std::string RenderProcess();
  // Each family's table files on disk, in bytes.
  static std::string RenderDisk(const std::vector<std::pair<std::string, uint64_t>>& families);

 private:
  // A count for every status from 100 to 599, each shown by its own number.
  static constexpr int kFirstStatus = 100, kStatusCount = 500;
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};
  struct PerRoute {
    std::array<std::atomic<uint64_t>, kStatusCount> by_status{};
    std::array<std::atomic<uint64_t>, kBuckets.size()> buckets{};  // not cumulative
    std::atomic<uint64_t> count{0}, micros{0};
  };
  std::vector<std::string> labels_;
  std::unique_ptr<PerRoute[]> routes_;
};

}  // namespace caseengine
