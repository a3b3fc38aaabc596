// ServerLog: see server_log.h. The line's time and level are spdlog's pattern, formatted
// on the logger's own thread; the rest of the object is made here, by hand for request
// lines (the hot path: a few appends, no JSON library).
#include "http/server_log.h"

#include <pthread.h>
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <random>

namespace caseengine {
namespace {

// Lines queued for the writer thread; a full queue blocks the caller (no line is lost).
constexpr size_t kQueueLines = 16384;

spdlog::level::level_enum SpdLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

// `s` as the inside of a JSON string.
void AppendEscaped(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(ch);
    } else if (c < 0x20 || c == 0x7f) {
      *out += "\\u00";
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(ch);
    }
  }
}

void AppendField(std::string* out, const char* name, std::string_view value) {
  out->push_back(',');
  out->push_back('"');
  *out += name;
  *out += "\":\"";
  AppendEscaped(out, value);
  out->push_back('"');
}

// The request's fields, after "log".
void AppendRequest(std::string* out, const RequestLine& line) {
  AppendField(out, "request_id", line.request_id);
  AppendField(out, "method", line.method);
  AppendField(out, "route", line.route);
  *out += ",\"status\":";
  *out += std::to_string(line.status);
  char ms[32];
  std::snprintf(ms, sizeof ms, ",\"duration_ms\":%.3f", line.micros / 1000.0);
  *out += ms;
  if (line.user.empty()) {
    *out += ",\"user\":null";
  } else {
    AppendField(out, "user", line.user);
  }
  if (!line.source.empty()) AppendField(out, "source", line.source);
}

// `fields` (an object) appended as more members of the line.
void AppendFields(std::string* out, const nlohmann::json& fields) {
  if (!fields.is_object() || fields.empty()) return;
  const std::string text = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out->push_back(',');
  out->append(text, 1, text.size() - 2);
}

}  // namespace

const char* SecurityEventName(SecurityEvent event) {
  switch (event) {
    case SecurityEvent::kNone:
      return "none";
    case SecurityEvent::kDeletion:
      return "deletion";
    case SecurityEvent::kRestore:
      return "restore";
    case SecurityEvent::kExport:
      return "export";
    case SecurityEvent::kSettings:
      return "settings_change";
  }
  return "none";
}

Status ServerLog::Open(const LogConfig& config, std::unique_ptr<ServerLog>* out) {
  spdlog::sink_ptr sink;
  try {
    if (config.file.empty()) {
      sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(config.file, /*truncate=*/false);
    }
  } catch (const spdlog::spdlog_ex& e) {
    return Status::InvalidArgument("the log file " + config.file +
                                   " cannot be opened: " + e.what());
  }
  std::unique_ptr<ServerLog> log(new ServerLog());
  // Named, so that top -H and the benchmarks' per-thread CPU show what the log costs.
  log->pool_ = std::make_shared<spdlog::details::thread_pool>(
      kQueueLines, 1, [] { pthread_setname_np(pthread_self(), "log-writer"); });
  log->logger_ = std::make_shared<spdlog::async_logger>("caseengine", std::move(sink), log->pool_,
                                                        spdlog::async_overflow_policy::block);
  log->logger_->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})",
                            spdlog::pattern_time_type::utc);
  log->logger_->set_level(SpdLevel(config.level));
  // Errors and security lines are written at once; the rest when the queue drains.
  log->logger_->flush_on(spdlog::level::warn);
  log->requests_ = config.requests;
  ServerLog* self = log.get();
  log->flusher_ = std::thread([self] {
    pthread_setname_np(pthread_self(), "log-flush");
    std::unique_lock<std::mutex> lock(self->mu_);
    while (!self->stop_cv_.wait_for(lock, std::chrono::seconds(1),
                                    [self] { return self->stopping_; })) {
      self->logger_->flush();
    }
  });
  *out = std::move(log);
  return Status::Ok();
}

ServerLog::~ServerLog() {
  if (flusher_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    flusher_.join();
  }
  if (logger_) logger_->flush();
}

void ServerLog::Flush() { logger_->flush(); }

void ServerLog::Request(const RequestLine& line) {
  const auto level = line.status >= 500 ? spdlog::level::err : spdlog::level::info;
  if (!requests_ || !logger_->should_log(level)) return;
  std::string text;
  text.reserve(256);
  text += "\"log\":\"request\"";
  AppendRequest(&text, line);
  logger_->log(level, spdlog::string_view_t(text.data(), text.size()));
}

void ServerLog::Security(std::string_view event, const RequestLine& line,
                         const nlohmann::json& fields) {
  if (!logger_->should_log(spdlog::level::warn)) return;
  std::string text = "\"log\":\"security\"";
  AppendField(&text, "event", event);
  AppendRequest(&text, line);
  AppendFields(&text, fields);
  logger_->log(spdlog::level::warn, spdlog::string_view_t(text.data(), text.size()));
}

void ServerLog::Startup(std::string_view message, const nlohmann::json& fields) {
  if (!logger_->should_log(spdlog::level::info)) return;
  std::string text = "\"log\":\"startup\"";
  AppendField(&text, "message", message);
  AppendFields(&text, fields);
  logger_->log(spdlog::level::info, spdlog::string_view_t(text.data(), text.size()));
  logger_->flush();
}

void ServerLog::Error(std::string_view message, const nlohmann::json& fields) {
  if (!logger_->should_log(spdlog::level::err)) return;
  std::string text = "\"log\":\"server\"";
  AppendField(&text, "message", message);
  AppendFields(&text, fields);
  logger_->log(spdlog::level::err, spdlog::string_view_t(text.data(), text.size()));
}

bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::string NewRequestId() {
  // A random start per process, so that the ids of two runs do not repeat; counted from
  // there, so that making one is an atomic increment.
  static std::atomic<uint64_t> next{std::random_device()() * 0x100000000ull +
                                    std::random_device()()};
  const uint64_t n = next.fetch_add(1, std::memory_order_relaxed);
  static const char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i) id[15 - i] = kHex[(n >> (i * 4)) & 15];
  return id;
}

}  // namespace caseengine
