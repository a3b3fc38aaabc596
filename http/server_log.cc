// ServerLog: see server_log.h. The line's time and level are spdlog's pattern, formatted
// on the logger's own thread; the rest of the object is made here, by hand for request
// lines (the hot path: a few appends, no JSON library).
#include "http/server_log.h"

#include <pthread.h>
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <random>

namespace caseengine {
namespace {

// Messages queued for the writer thread; a full queue blocks the caller (no line is lost).
constexpr size_t kQueueLines = 16384;
// Request lines are handed to the writer in batches, every kBatchEvery or once this many
// bytes are pending: one wake-up of the writer a batch rather than one a line, which on
// two cores cost 6 µs and a context switch per request (bench/RESULTS.md, 2026-12-07).
constexpr size_t kBatchBytes = 64 << 10;
constexpr std::chrono::milliseconds kBatchEvery(100);

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
  if (!line.credential.empty()) AppendField(out, "credential", line.credential);
}

// `fields` (an object) appended as more members of the line.
void AppendFields(std::string* out, const nlohmann::json& fields) {
  if (!fields.is_object() || fields.empty()) return;
  const std::string text = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out->push_back(',');
  out->append(text, 1, text.size() - 2);
}

// The current time as RFC 3339 UTC with milliseconds, "2026-12-07T22:01:02.345Z" (the
// seconds' text made once a second per thread).
void AppendNow(std::string* out) {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  thread_local time_t cached_second = -1;
  thread_local char cached[24];
  if (now.tv_sec != cached_second) {
    tm parts;
    gmtime_r(&now.tv_sec, &parts);
    std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &parts);
    cached_second = now.tv_sec;
  }
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03dZ", static_cast<int>(now.tv_nsec / 1000000));
  *out += cached;
  *out += ms;
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
  std::unique_ptr<ServerLog> log(new ServerLog());
  try {
    if (config.file.empty()) {
      sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    } else {
      auto file = std::make_shared<spdlog::sinks::dist_sink_mt>();
      file->add_sink(
          std::make_shared<spdlog::sinks::basic_file_sink_mt>(config.file, /*truncate=*/false));
      file->set_pattern("%v");
      log->file_sink_ = file;
      log->file_ = config.file;
      sink = file;
    }
  } catch (const spdlog::spdlog_ex& e) {
    return Status::InvalidArgument("the log file " + config.file +
                                   " cannot be opened: " + e.what());
  }
  // Named, so that top -H and the benchmarks' per-thread CPU show what the log costs.
  log->pool_ = std::make_shared<spdlog::details::thread_pool>(
      kQueueLines, 1, [] { pthread_setname_np(pthread_self(), "jsonlog"); });
  // Lines are made whole here (time and level included): the pattern adds nothing but
  // the newline. (A pattern is the sink's, so one sink cannot have two.)
  log->logger_ = std::make_shared<spdlog::async_logger>("caseengine", std::move(sink), log->pool_,
                                                        spdlog::async_overflow_policy::block);
  log->logger_->set_pattern("%v");
  log->logger_->set_level(spdlog::level::trace);  // each line's level is checked here
  log->level_ = config.level;
  log->requests_ = config.requests && config.level <= LogLevel::kInfo;
  ServerLog* self = log.get();
  log->flusher_ = std::thread([self] {
    pthread_setname_np(pthread_self(), "jsonlog-flush");
    std::unique_lock<std::mutex> lock(self->mu_);
    int ticks = 0;
    while (!self->stop_cv_.wait_for(lock, kBatchEvery, [self] { return self->stopping_; })) {
      self->SubmitPending();
      if (++ticks % 10 == 0) self->logger_->flush();
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
  if (logger_) {
    SubmitPending();
    logger_->flush();
  }
}

void ServerLog::Flush() {
  SubmitPending();
  logger_->flush();
}

Status ServerLog::Reopen() {
  if (file_sink_ == nullptr) return Status::Ok();
  Flush();  // what was written so far goes to the file it was meant for
  try {
    auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file_, /*truncate=*/false);
    file->set_pattern("%v");
    // The logger's thread writes through the distributing sink under its lock: a line
    // goes wholly to the old file or wholly to the new one.
    std::static_pointer_cast<spdlog::sinks::dist_sink_mt>(file_sink_)->set_sinks({file});
  } catch (const spdlog::spdlog_ex& e) {
    return Status::IoError("the log file " + file_ + " cannot be opened again: " + e.what());
  }
  return Status::Ok();
}

void ServerLog::SubmitPending() {
  std::string batch;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    batch.swap(pending_);
  }
  Submit(&batch);
}

void ServerLog::Submit(std::string* batch) {
  if (batch->empty()) return;
  batch->pop_back();  // the pattern ends the message with its own newline
  logger_->info(spdlog::string_view_t(batch->data(), batch->size()));
}

std::string ServerLog::LineStart(LogLevel level, const char* log) {
  std::string text;
  text.reserve(320);
  text += "{\"time\":\"";
  AppendNow(&text);
  text += "\",\"level\":\"";
  text += level == LogLevel::kWarn ? "warning" : LogLevelName(level);
  text += "\",\"log\":\"";
  text += log;
  text += '"';
  return text;
}

void ServerLog::Write(std::string* line, bool flush) {
  *line += '}';
  logger_->info(spdlog::string_view_t(line->data(), line->size()));
  if (flush) logger_->flush();
}

void ServerLog::Request(const RequestLine& line) {
  // 5xx at error: the one request line an "error" level keeps.
  const bool error = line.status >= 500;
  if (!(requests_ || (error && level_ <= LogLevel::kError))) return;
  std::string text = LineStart(error ? LogLevel::kError : LogLevel::kInfo, "request");
  AppendRequest(&text, line);
  text += "}\n";
  std::string full;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    pending_ += text;
    if (pending_.size() >= kBatchBytes) full.swap(pending_);
  }
  Submit(&full);
}

void ServerLog::Security(std::string_view event, const RequestLine& line,
                         const nlohmann::json& fields) {
  if (level_ > LogLevel::kWarn) return;
  std::string text = LineStart(LogLevel::kWarn, "security");
  AppendField(&text, "event", event);
  AppendRequest(&text, line);
  AppendFields(&text, fields);
  Write(&text, /*flush=*/true);
}

void ServerLog::Security(std::string_view event, const nlohmann::json& fields) {
  if (level_ > LogLevel::kWarn) return;
  std::string text = LineStart(LogLevel::kWarn, "security");
  AppendField(&text, "event", event);
  AppendFields(&text, fields);
  Write(&text, /*flush=*/true);
}

void ServerLog::Startup(std::string_view message, const nlohmann::json& fields) {
  if (level_ > LogLevel::kInfo) return;
  std::string text = LineStart(LogLevel::kInfo, "startup");
  AppendField(&text, "message", message);
  AppendFields(&text, fields);
  Write(&text, /*flush=*/true);
}

void ServerLog::Warning(std::string_view message, const nlohmann::json& fields) {
  if (level_ > LogLevel::kWarn) return;
  std::string text = LineStart(LogLevel::kWarn, "startup");
  AppendField(&text, "message", message);
  AppendFields(&text, fields);
  Write(&text, /*flush=*/true);
}

void ServerLog::Error(std::string_view message, const nlohmann::json& fields) {
  if (level_ > LogLevel::kError) return;
  std::string text = LineStart(LogLevel::kError, "server");
  AppendField(&text, "message", message);
  AppendFields(&text, fields);
  Write(&text, /*flush=*/true);
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
