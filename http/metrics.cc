// Metrics: see metrics.h.
#include "http/metrics.h"

#include <caseengine_version.h>
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace caseengine {
namespace {

// Microseconds as seconds, exactly: 12345678 -> "12.345678".
std::string Seconds(uint64_t micros) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%06llu", static_cast<unsigned long long>(micros / 1000000),
                static_cast<unsigned long long>(micros % 1000000));
  return buf;
}

std::string Average(uint64_t total, uint64_t count) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", count == 0 ? 0.0 : static_cast<double>(total) / count);
  return buf;
}

}  // namespace

Metrics::Metrics(std::vector<std::string> route_labels) : labels_(std::move(route_labels)) {
  labels_.push_back("unrouted");
  routes_ = std::make_unique<PerRoute[]>(labels_.size());
}

void Metrics::Record(size_t route, int status, uint64_t micros) {
  if (route >= labels_.size()) route = unrouted();
  PerRoute& r = routes_[route];
  // A status outside HTTP's range is the server's error, as the client saw it.
  if (status < kFirstStatus || status >= kFirstStatus + kStatusCount) status = 500;
  r.by_status[status - kFirstStatus].fetch_add(1, std::memory_order_relaxed);
  const double seconds = micros / 1e6;
  for (size_t b = 0; b < kBuckets.size(); ++b) {
    if (seconds <= kBuckets[b]) {
      r.buckets[b].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  r.count.fetch_add(1, std::memory_order_relaxed);
  r.micros.fetch_add(micros, std::memory_order_relaxed);
}

std::string Metrics::Render(const EventLog& log, const ProjectionRunner& runner) const {
  std::ostringstream out;
  out << "# HELP caseengine_http_requests_total HTTP requests by route and status.\n"
         "# TYPE caseengine_http_requests_total counter\n";
  for (size_t i = 0; i < labels_.size(); ++i) {
    for (int s = 0; s < kStatusCount; ++s) {
      const uint64_t n = routes_[i].by_status[s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out << "caseengine_http_requests_total{route=\"" << labels_[i] << "\",status=\""
          << kFirstStatus + s << "\"} " << n << "\n";
    }
  }
  out << "# HELP caseengine_http_request_duration_seconds Time to answer, by route.\n"
         "# TYPE caseengine_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i < labels_.size(); ++i) {
    const PerRoute& r = routes_[i];
    const uint64_t count = r.count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    const std::string label = "route=\"" + labels_[i] + "\"";
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += r.buckets[b].load(std::memory_order_relaxed);
      out << "caseengine_http_request_duration_seconds_bucket{" << label << ",le=\"" << kBuckets[b]
          << "\"} " << cumulative << "\n";
    }
    out << "caseengine_http_request_duration_seconds_bucket{" << label << ",le=\"+Inf\"} " << count
        << "\n";
    out << "caseengine_http_request_duration_seconds_sum{" << label << "} "
        << Seconds(r.micros.load(std::memory_order_relaxed)) << "\n";
    out << "caseengine_http_request_duration_seconds_count{" << label << "} " << count << "\n";
  }
  const LogStats ls = log.Stats();
  const uint64_t head = log.HeadPosition(), applied = runner.Applied();
  const ProjectionStats ps = runner.Stats();
  // Values as text: whole numbers as they are, seconds by Seconds, an average with %g.
  auto gauge = [&](const char* name, const char* help, const char* type, const std::string& value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
        << name << " " << value << "\n";
  };
  auto n = [](uint64_t v) { return std::to_string(v); };
  gauge("caseengine_log_head_position", "Last durable log position.", "gauge", n(head));
  gauge("caseengine_log_appends_total", "Append requests written.", "counter", n(ls.appends));
  gauge("caseengine_log_events_total", "Events written.", "counter", n(ls.events));
  gauge("caseengine_log_batches_total", "Writer rounds (write batches).", "counter", n(ls.rounds));
  gauge("caseengine_log_batch_events_average", "Events per write batch, on average.", "gauge",
        Average(ls.events, ls.rounds));
  gauge("caseengine_log_syncs_total", "WAL syncs.", "counter", n(ls.syncs));
  gauge("caseengine_log_sync_seconds_total", "Time spent syncing the WAL.", "counter",
        Seconds(ls.sync_micros));
  gauge("caseengine_log_answer_seconds_total",
        "Time the log's committer spent answering appends (commands' answers written), which "
        "the next write and sync wait for.",
        "counter", Seconds(ls.answer_micros));
  gauge("caseengine_log_failed_batches_total", "Batches that could not be written.", "counter",
        n(ls.failed_rounds));
  gauge("caseengine_projection_applied_position", "Position every read model has applied.", "gauge",
        n(applied));
  gauge("caseengine_projection_written_position",
        "Position up to which every read model's rows are in the store (read models kept in "
        "memory write theirs every 100 ms or so).",
        "gauge", n(runner.Written()));
  gauge("caseengine_projection_lag_events", "Events written but not yet in the read models.",
        "gauge", n(head > applied ? head - applied : 0));
  gauge("caseengine_projection_events_total", "Events applied to read models.", "counter",
        n(ps.events));
  gauge("caseengine_projection_live_events_total",
        "Events applied as the command service handed them over at commit, without reading the "
        "log.",
        "counter", n(ps.live_events));
  gauge("caseengine_projection_log_events_total",
        "Events read back from the log (catching up after a start, a gap or a lag).", "counter",
        n(ps.log_events));
  gauge("caseengine_projection_offers_dropped_total",
        "Events handed over at commit that the runner had no room for (read from the log "
        "instead).",
        "counter", n(ps.offers_dropped));
  gauge("caseengine_projection_batches_total", "Read model batches written.", "counter",
        n(ps.batches));
  gauge("caseengine_projection_rows_total", "Read model rows written (checkpoints included).",
        "counter", n(ps.rows));
  gauge("caseengine_projection_seconds_total",
        "Time spent on read models: decoding, applying and writing.", "counter",
        Seconds(ps.apply_micros));
  gauge("caseengine_projection_write_seconds_total",
        "Of which writing read model batches (summed over the runner's threads).", "counter",
        Seconds(ps.write_micros));
  gauge("caseengine_projection_decode_seconds_total",
        "Of the time on read models, decoding events (wall clock).", "counter",
        Seconds(ps.decode_micros));
  gauge("caseengine_projection_deferred_write_seconds_total",
        "Time spent writing rows held back: read models kept in memory, and a rebuild's held rows "
        "(wall clock).",
        "counter", Seconds(ps.deferred_write_micros));
  gauge("caseengine_projection_undecodable_total", "Events no read model could decode.", "counter",
        n(ps.undecodable));
  return out.str();
}

std::string Metrics::RenderMemory(const MemoryBudget& budget,
                                  const std::vector<CacheStats>& caches) {
  std::ostringstream out;
  uint64_t size_pages = 0, resident_pages = 0;
  {
    std::ifstream statm("/proc/self/statm");
    statm >> size_pages >> resident_pages;
  }
  out << "# HELP caseengine_memory_budget_bytes The memory budget (--memory-budget).\n"
      << "# TYPE caseengine_memory_budget_bytes gauge\ncaseengine_memory_budget_bytes "
      << budget.total << "\n"
      << "# HELP caseengine_resident_bytes The process's resident memory.\n"
      << "# TYPE caseengine_resident_bytes gauge\ncaseengine_resident_bytes "
      << resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) << "\n";
  auto family = [&](const char* name, const char* help, const char* type, auto value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
    for (const CacheStats& c : caches) {
      out << name << "{cache=\"" << c.name << "\"} " << value(c) << "\n";
    }
  };
  family("caseengine_cache_entries", "What a cache holds: entries (the block cache: bytes).",
         "gauge", [](const CacheStats& c) { return c.entries; });
  family("caseengine_cache_capacity", "A cache's bound, in the unit of its entries.", "gauge",
         [](const CacheStats& c) { return c.capacity; });
  family("caseengine_cache_budget_bytes", "A cache's share of the memory budget.", "gauge",
         [](const CacheStats& c) { return c.budget_bytes; });
  family("caseengine_cache_hits_total", "Lookups a cache answered.", "counter",
         [](const CacheStats& c) { return c.hits; });
  family("caseengine_cache_misses_total", "Lookups a cache sent to the store.", "counter",
         [](const CacheStats& c) { return c.misses; });
  return out.str();
}

std::string Metrics::RenderDisk(const std::vector<std::pair<std::string, uint64_t>>& families) {
  std::ostringstream out;
  out << "# HELP caseengine_store_family_bytes The table files of a family of the data folder, "
         "in bytes on disk (what is still in memory not counted).\n"
      << "# TYPE caseengine_store_family_bytes gauge\n";
  for (const auto& [family, bytes] : families) {
    out << "caseengine_store_family_bytes{family=\"" << family << "\"} " << bytes << "\n";
  }
  return out.str();
}

std::string Metrics::RenderProcess() {
  std::ostringstream out;
  auto gauge = [&](const char* name, const char* help, const char* type, const std::string& value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
        << name << " " << value << "\n";
  };
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  uint64_t size_pages = 0, resident_pages = 0;
  {
    std::ifstream statm("/proc/self/statm");
    statm >> size_pages >> resident_pages;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const uint64_t cpu_micros =
      static_cast<uint64_t>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000 +
      static_cast<uint64_t>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  uint64_t fds = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(dir)) {
      if (e->d_name[0] != '.') ++fds;
    }
    closedir(dir);
    if (fds > 0) --fds;  // the directory's own descriptor, open while it is read
  }
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  // The start: the machine's boot time (btime, /proc/stat) and the process's start in
  // clock ticks after it (field 22 of /proc/self/stat).
  double start = 0;
  {
    std::ifstream stat("/proc/stat");
    std::string key;
    uint64_t boot = 0;
    while (stat >> key) {
      if (key == "btime") {
        stat >> boot;
        break;
      }
      stat.ignore(1 << 20, '\n');
    }
    std::ifstream self("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(self)), std::istreambuf_iterator<char>());
    // After the command's name, which may hold spaces, in parentheses: field 3 onwards.
    std::istringstream rest(text.substr(std::min(text.size(), text.rfind(')') + 2)));
    std::string field;
    uint64_t ticks = 0;
    for (int i = 3; i <= 22 && rest >> field; ++i) {
      if (i == 22) ticks = std::stoull(field);
    }
    start = boot + static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  char start_text[32];
  std::snprintf(start_text, sizeof start_text, "%.2f", start);
  gauge("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge",
        std::to_string(resident_pages * page));
  gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge",
        std::to_string(size_pages * page));
  gauge("process_cpu_seconds_total", "User and system CPU time spent, in seconds.", "counter",
        Seconds(cpu_micros));
  gauge("process_open_fds", "Open file descriptors.", "gauge", std::to_string(fds));
  gauge("process_max_fds", "The most file descriptors the process may open.", "gauge",
        std::to_string(files.rlim_cur));
  gauge("process_start_time_seconds", "Start of the process, in seconds since the Unix epoch.",
        "gauge", start_text);
  out << "# HELP caseengine_build_info The engine's version (always 1).\n"
      << "# TYPE caseengine_build_info gauge\n"
      << "caseengine_build_info{version=\"" << kVersion << "\"} 1\n";
  return out.str();
}

}  // namespace caseengine
