// ServerLog: the engine's log, structured JSON lines through spdlog, one object a line:
//   {"time":"2026-12-07T22:01:02.345Z","level":"info","log":"request",...}
// (levels: debug, info, warning, error).
// Three logs in one stream, told apart by "log":
//   - "request": one line per answer: request_id, method, route (the route's TEMPLATE,
//     such as "/clients/{id}": a path carries ids), status, duration_ms, user (the
//     signed-in user's id, or null), source (the peer's address), credential (the kind
//     of credential sent: "token", "api_key:<the key's name>", "oidc", "ticket"; never
//     the secret);
//   - "security": every 401 and 403, every sign-in throttled (429), and every deletion
//     (its mode: erase or soft), restore, export (CSV lists and exports) and settings
//     change, with the outcome's status;
//   - "startup": version, data folder, config summary, listening address (with the
//     certificate in use over TLS), certificate reloads (one that failed at warning
//     level), stop.
// Invariant: no token, password, passcode, query value or body ever reaches a line; the
// only request values logged are the method, the route template, an X-Request-Id that
// passed SaneRequestId, and the path's ids on security lines of deletions, restores and
// exports (ids are random, not personal data).
//
// Threading: every method may be called from any thread. Lines are handed to spdlog's
// asynchronous logger (a queue and one writer thread of its own), so a request pays for
// formatting its line and an append under a mutex, never for the write: request lines
// are gathered and handed over in batches (every 100 ms, or 64 KiB), security, start-up
// and error lines at once (bench/RESULTS.md: the request log's cost). The queue blocks
// when full rather than drop a line. A thread of its own hands over the batches and
// flushes the sink once a second (warnings and errors at once). A request line is
// therefore written up to 100 ms after the security line of the same request.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>

#include "base/status.h"
#include "http/http_types.h"
#include "http/server_config.h"

namespace spdlog {
class logger;
namespace details {
class thread_pool;
}
namespace sinks {
class sink;
}
}  // namespace spdlog

namespace caseengine {

// "deletion", "restore", "export", "settings_change" (Route::security).
const char* SecurityEventName(SecurityEvent event);

// What one request line says.
struct RequestLine {
  std::string_view request_id;
  std::string_view method;
  std::string_view route;  // the template, or "unrouted"
  int status = 0;
  uint64_t micros = 0;
  std::string_view user;  // "" when nobody signed in
  std::string_view source;
  // The kind of credential used ("token", "api_key:<its name>", "oidc", "ticket"); never
  // the credential itself. "" when none.
  std::string_view credential = {};
};

class ServerLog {
 public:
  // Opens the log where `config` says (standard output, or a file opened for appending);
  // InvalidArgument when the file cannot be opened.
  static Status Open(const LogConfig& config, std::unique_ptr<ServerLog>* out);
  // Writes what is queued, then closes.
  ~ServerLog();

  bool requests() const { return requests_; }
  void Request(const RequestLine& line);
  // A security line: the request's fields, the event ("unauthorized", "forbidden",
  // "throttled" or SecurityEventName), and `fields` (mode, target ids, ...).
  void Security(std::string_view event, const RequestLine& line,
                const nlohmann::json& fields = nlohmann::json::object());
  // A security line of no request: the event (such as "key_set_fetch_failed") and fields.
  void Security(std::string_view event, const nlohmann::json& fields);
  // A start-up (or stop) line: a message and fields.
  void Startup(std::string_view message, const nlohmann::json& fields = nlohmann::json::object());
  // A start-up line at warning level: something the operator should fix that the engine
  // carries on without (a certificate that did not reload).
  void Warning(std::string_view message, const nlohmann::json& fields = nlohmann::json::object());
  // An error of the server itself (an exception in a route, a failed accept).
  void Error(std::string_view message, const nlohmann::json& fields = nlohmann::json::object());
  // Writes what is queued now.
  void Flush();
  // Opens the log file again by its name (after logrotate moved it away: SIGHUP); lines
  // written meanwhile go to the old file or the new one, none is lost. Nothing to do on
  // standard output.
  Status Reopen();

 private:
  ServerLog() = default;
  // The logger's queue and writer thread: the logger holds it weakly. Destroyed after
  // the logger, it writes what is queued before its thread ends.
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::shared_ptr<spdlog::logger> logger_;
  // The logger's one sink with a file (a spdlog::sinks::dist_sink_mt): it holds the
  // file's sink, which Reopen replaces. Null on standard output.
  std::shared_ptr<spdlog::sinks::sink> file_sink_;
  std::string file_;
  // Request lines not yet handed over; the flusher hands them over every 100 ms.
  void SubmitPending();
  void Submit(std::string* batch);  // `batch`: whole lines, each ending in a newline
  // `{"time":...,"level":...,"log":"<log>"` (the rest of the object to follow).
  static std::string LineStart(LogLevel level, const char* log);
  // Closes the object and hands the line over now.
  void Write(std::string* line, bool flush);
  std::mutex pending_mu_;
  std::string pending_;
  LogLevel level_ = LogLevel::kInfo;
  bool requests_ = true;  // request lines at info are written
  // Flushes the sink every second, so that a file's reader sees request lines within a
  // second without a write per line (warnings and errors are flushed at once).
  std::thread flusher_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

// Whether a client's X-Request-Id is taken as it is: 1 to 64 characters of letters,
// digits and - _ . : (no space, no quote, nothing a log reader would misread).
bool SaneRequestId(std::string_view id);
// A new request id: 16 hex digits, unique within the process (a random start, counted).
std::string NewRequestId();

}  // namespace caseengine
