// What routes see of HTTP, without the HTTP library: a request, a response, a route, and
// the error a route throws to answer with application/problem+json. The library itself
// is confined to the server's files (http_server_impl.h).
//
// Threading: a request and its response belong to one exchange, handled by one thread at
// a time (see HttpResponse::later for an answer finished on another).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "aggregates/config.h"

namespace caseengine {

struct Route;

struct HttpRequest {
  const Route* route = nullptr;  // the route it matched
  std::string method;
  std::string path;
  std::vector<std::string> path_params;  // the {placeholders} of the route, in order
  std::map<std::string, std::string> query;
  std::function<std::string(const char*)> header;  // "" when absent
  std::string body;
  const Actor* actor = nullptr;  // null on public routes
  // The server has already waited for the route to be ready (Route::ready), as long as a
  // read-your-writes wait may take: the route answers at once, without waiting again.
  bool waited = false;

  // A query parameter, or `fallback` when absent.
  std::string Param(const std::string& name, const std::string& fallback = "") const {
    auto it = query.find(name);
    return it == query.end() ? fallback : it->second;
  }
  bool Has(const std::string& name) const { return query.count(name) > 0; }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Server-sent events, produced without blocking: called again and again, each call adds
  // what there is to send to *out (nothing when nothing is new) and returns false once
  // the stream is over. The server sends what it adds, then calls again: at once after a
  // part that was not empty, after a short pause (kStreamPoll) otherwise. It runs on a
  // small pool of the server's own, never on a query worker, one call at a time; the
  // function (and what it holds) is destroyed once the stream has ended.
  std::function<bool(std::string* out)> stream;
  // An answer given later, without holding a thread while it is prepared (a command
  // waits for its log sync): the route sets `later` and returns; the server then calls
  // it with `finish`, which the route's work calls once, from any thread, with what fills
  // in the response (and may throw a Problem, as a route does). `finish` never blocks: it
  // hands the answer to an I/O thread (or writes it at once when called on one).
  using Fill = std::function<void(HttpResponse*)>;
  std::function<void(std::function<void(Fill)> finish)> later;

  void Json(const nlohmann::json& j, int code = 200) {
    status = code;
    content_type = "application/json";
    body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
};

// Thrown by a route to answer with a problem: {type, title, status, detail, ...extra}.
struct Problem : std::runtime_error {
  Problem(int status, std::string type, std::string title, std::string detail,
          nlohmann::json extra = nlohmann::json::object())
      : std::runtime_error(detail),
        status(status),
        type(std::move(type)),
        title(std::move(title)),
        extra(std::move(extra)) {}
  int status;
  std::string type, title;
  nlohmann::json extra;
  int retry_after = 0;  // seconds, sent as Retry-After when not 0

  // The answer's body: {type, title, status, detail, ...extra}.
  nlohmann::json Body() const {
    nlohmann::json j = {{"type", type}, {"title", title}, {"status", status}, {"detail", what()}};
    for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
    return j;
  }

  static Problem BadRequest(const std::string& detail) {
    return Problem(400, "/problems/malformed", "Malformed request", detail);
  }
  static Problem Invalid(const std::string& field, const std::string& message) {
    return Problem(422, "/problems/validation", "Invalid fields", field + ": " + message,
                   {{"errors", {{{"field", field}, {"message", message}}}}});
  }
  static Problem NotFound(const std::string& detail) {
    return Problem(404, "/problems/not-found", "Not found", detail);
  }
  static Problem Forbidden(const std::string& permission) {
    return Problem(403, "/problems/forbidden", "Forbidden",
                   "this needs the permission " + permission, {{"permission", permission}});
  }
  static Problem Unavailable(const std::string& detail) {
    Problem p(503, "/problems/unavailable", "Unavailable", detail);
    p.retry_after = 5;
    return p;
  }
  // The disk of the data folder is full: nothing can be written until space is freed.
  static Problem StorageFull(const std::string& detail) {
    Problem p(507, "/problems/storage-full", "Storage full", detail);
    p.retry_after = 5;
    return p;
  }
};

// How long a query may wait for the read models (or the log) to reach its min_position.
inline constexpr std::chrono::seconds kReadYourWritesWait(5);
// The pause between two calls of a stream that had nothing new (HttpResponse::stream).
inline constexpr std::chrono::milliseconds kStreamPoll(50);

// Who may call a route.
enum class Access {
  kPublic,   // anyone (/healthz)
  kRead,     // any known user
  kAudit,    // the audit permission (or administer)
  kCommand,  // casework; the command itself checks named permissions
};

// What a route does that the security log records (http/server_log.h), besides every
// 401 and 403.
enum class SecurityEvent { kNone, kDeletion, kRestore, kExport, kSettings };

struct Route {
  const char* method;     // GET, POST, PATCH, DELETE
  const char* path;       // "/clients/{id}"
  const char* operation;  // operationId: the command's name for commands
  const char* summary;
  Access access;
  int status;                      // on success: 200, or 201 for what creates
  std::vector<const char*> query;  // query parameters it reads
  std::vector<const char*> body;   // body fields it reads (required ones end in '*')
  std::function<void(const HttpRequest&, HttpResponse*)> handler;
  // Where the handler runs: on a query worker; (kInline, for a route that never blocks
  // and is cheap, such as /healthz) at once on the I/O thread, so that it never waits
  // behind queries; or (kLong, for a route whose work grows with the log, such as
  // /audit/verify) on a small pool of its own, so that it never holds a query worker and
  // the query pool can be sized for the cores. Commands always run on the I/O thread up
  // to their append.
  enum class Runs { kWorker, kInline, kLong };
  Runs runs = Runs::kWorker;
  // A query that may have to wait (for read-your-writes, min_position): whether it can
  // run now without waiting. Until it can, the request waits on a timer, without a
  // worker, at most kReadYourWritesWait; then the handler runs with HttpRequest::waited.
  // Called on the I/O thread: it must be cheap, and must not block or throw.
  std::function<bool(const HttpRequest&)> ready = nullptr;
  // Whether each answer of the route is a security log line too (set by the route
  // table, routes.cc, from the route's kind).
  SecurityEvent security = SecurityEvent::kNone;
  // A route a browser's EventSource opens, which cannot send an Authorization header:
  // without one, the user this returns for the request (a ticket in its query; null when
  // it has none that is valid). Called on the I/O thread, once per request.
  std::function<const Actor*(const HttpRequest&)> by_ticket = nullptr;
  // Whether provider users (referral partners) may call it at all: POST /lobby, their
  // Lobby records and cases, and tasks; each such route limits what they see (set by the
  // route table, routes.cc). Every other route answers them 403.
  bool providers = false;
};

}  // namespace caseengine
