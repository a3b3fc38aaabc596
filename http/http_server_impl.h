// HttpServer's insides, shared by the files that implement it (internal to http/; the
// only header that includes the HTTP library, Boost.Beast over Asio):
//   http_server.cc    the server's life: bind, serve, accept, stop and its grace;
//   http_session.cc   a connection, over TCP or TLS: reading requests, writing
//                     answers, closing;
//   tls_context.cc    the TLS settings and certificate new connections take (SIGHUP
//                     reloads it);
//   http_exchange.cc  an exchange: routing, authorizing, running the route on the thread
//                     its kind asks for, and writing its answer from where it is ready;
//   http_feed.cc      a streamed answer (event feeds), step by step;
//   http_routing.cc   what needs no server: paths, patterns, query strings, the
//                     request-smuggling checks, problem answers;
//   http_negotiation.cc  answers as the client can take them: CORS, gzip.
//
// Threads and switches. An I/O thread reads and parses a request and routes it. A command
// runs on it up to its append, is decided on the log's writer, and made durable by the
// log's committer, which hands the answers of each round it completes to one I/O thread
// in one post (ready_); that thread fills and writes them all: I/O -> log writer ->
// committer -> I/O, one wake-up per round at most for the last hop, none per answer.
// Filling and writing the answers on the committer itself (one switch fewer) was
// measured too: the committer then spent more time answering a round than syncing it,
// and the next sync waited for that (bench/RESULTS.md, 2026-12-07); it is kept behind
// CASEENGINE_ANSWER_ON_COMMITTER=1 in the environment, for such comparisons. A query
// runs on a pool worker, which writes its answer itself (one switch), so an answer never
// waits in the I/O threads' queue behind other work, and a slow query holds only its own
// worker. Writing off the session's strand (by a worker, by the I/O thread that drains
// ready_, which is not the session's strand) is safe because an exchange has nothing else
// pending on its connection (no read, no timer: OnRequest stops the deadline) and the one
// thing that may run meanwhile on the strand, a Close from Stop or its grace, is excluded
// by the session's mutex; the write only starts there (a non-blocking send of what the
// socket takes), and what is left, and the completion, run on the strand.
#pragma once

// First: Boost.Asio's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// Then the rest.
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/batching_queue.h"
#include "http/http_server.h"
#include "http/server_config.h"
#include "http/sign_in_throttle.h"

namespace caseengine {

class TlsContext;

namespace http_internal {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using RawRequest = http::request<http::string_body>;

// How long a connection may sit between requests, or take to send one.
inline constexpr std::chrono::seconds kIdleTimeout(30);
// How long an answer (or a part of a stream) may take to leave: a client that stops
// reading loses its connection instead of holding it for ever.
inline constexpr std::chrono::seconds kWriteTimeout(30);
// How long a stop waits for the exchanges in flight before it closes their connections.
inline constexpr std::chrono::seconds kStopGrace(2);
// How long a connection that was answered with an error may keep sending what nobody
// reads, before it is closed (see Session::Linger).
inline constexpr std::chrono::seconds kLingerTimeout(5);
inline constexpr uint32_t kHeaderLimit = 64 << 10;

// Names the calling thread, once (shown in top -H, perf and /proc/PID/task): I/O threads
// "http-io" (but the one that called Serve), query workers "http-query", feed steps
// "http-feed". In http_server.cc.
void NameThisThread(const char* name);
// Marks the calling thread as one of the I/O threads; whether it is one.
void MarkIoThread();
bool OnIoThread();

// http_routing.cc.
void SetProblem(HttpResponse* res, const Problem& p);
// Percent-decoding; a malformed escape stays as it is. '+' is a space in a query only.
std::string Decode(std::string_view s, bool plus_is_space);
// Splits a path at '/' (after the leading one), undecoded.
std::vector<std::string_view> Segments(std::string_view path);
// A route's path: its segments, each literal or a "{placeholder}" that takes any one
// non-empty segment.
struct Pattern {
  std::string method;
  std::vector<std::string> literal;  // "" for a placeholder
  std::vector<bool> placeholder;
};
Pattern MakePattern(const Route& route);
bool Matches(const Pattern& p, const std::vector<std::string_view>& segments,
             std::vector<std::string>* params);
// "a=1&b=x+y" -> {a: 1, b: "x y"}; the first of a repeated name wins.
void ParseQuery(std::string_view query, std::map<std::string, std::string>* out);
// What makes a request's framing or target ambiguous; empty when there is nothing.
std::string AmbiguousRequest(const http::request_parser<http::string_body>& parser);

// http_negotiation.cc.
// Answers of this many bytes or more are gzipped for a client that accepts it.
inline constexpr size_t kGzipMin = 1024;
// What a page of an allowed origin may send (preflight) and read of an answer (CORS).
inline constexpr const char* kCorsAllowedHeaders =
    "Authorization, Content-Type, Idempotency-Key, If-Match, Last-Event-ID, X-Correlation-Id, "
    "X-Request-Id";
inline constexpr const char* kCorsExposedHeaders =
    "ETag, Retry-After, WWW-Authenticate, Content-Disposition, X-Total-Count, X-Next-Cursor, "
    "X-Projection-Lag, X-Applied-Position, X-Request-Id";
// Adds `field` to the answer's Vary header (one header, listing each field once).
void AddVary(HttpResponse* res, std::string_view field);
// Whether `origin` (a request's Origin header) is one the config allows.
bool AllowedOrigin(const ServerConfig& config, std::string_view origin);
// With origins configured: Vary: Origin, and for an allowed one the CORS headers of an
// answer. Nothing for a server without origins.
void AddCorsHeaders(const ServerConfig& config, std::string_view origin, HttpResponse* res);
// The 204 answer to an allowed origin's preflight of a path that answers `allow`.
void Preflight(const ServerConfig& config, std::string_view origin, const std::string& allow,
               HttpResponse* res);
// Gzips an answer of kGzipMin bytes or more when `accept_encoding` takes gzip; such an
// answer says Vary: Accept-Encoding either way.
void MaybeGzip(std::string_view accept_encoding, HttpResponse* res);

// An answer's status line and headers, as every answer (whole, HEAD, streamed) starts.
template <class Body>
std::shared_ptr<http::response<Body>> ResponseHeader(const HttpResponse& answer, unsigned version,
                                                     bool close) {
  auto res = std::make_shared<http::response<Body>>();
  res->version(version);
  res->result(static_cast<unsigned>(answer.status));
  if (!answer.content_type.empty()) res->set(http::field::content_type, answer.content_type);
  for (const auto& [k, v] : answer.headers) res->set(k, v);
  res->keep_alive(!close);
  return res;
}

}  // namespace http_internal

class HttpServer::Impl {
 public:
  class Session;
  struct Exchange;
  template <class Stream>
  class StreamSession;

  Impl(const ServerConfig& config, const std::vector<Route>& routes, Metrics* metrics,
       ServerLog* log);
  ~Impl();

  // Bind loads the certificate when the config has "tls".
  Status Bind(int* port);
  void Serve();
  void Stop();
  Status ReloadTls();
  nlohmann::json TlsSummary() const;

 private:
  using Clock = http_internal::Clock;
  using RawRequest = http_internal::RawRequest;

  void Accept();
  // A session over TCP, or over TLS with the current certificate; in http_session.cc.
  std::shared_ptr<Session> NewSession(http_internal::tcp::socket socket);
  void Handle(const std::shared_ptr<Session>& session, RawRequest raw);
  void Run(const std::shared_ptr<Exchange>& x);
  // Run on the pool the route runs on (Route::Runs).
  void RunOnWorker(const std::shared_ptr<Exchange>& x);
  // Runs a query on the pool, once its route is ready or `deadline` has passed (see
  // Route::ready); waits on a timer of the session's strand meanwhile.
  void RunWhenReady(const std::shared_ptr<Exchange>& x, Clock::time_point deadline,
                    std::chrono::milliseconds pause);
  bool Ready(const Exchange& x);
  // A streamed answer: its header, then Step after Step until the stream ends.
  void Stream(const std::shared_ptr<Exchange>& x);
  struct Feed;
  void Step(const std::shared_ptr<Feed>& feed);
  void EndFeed(const std::shared_ptr<Feed>& feed, bool open);
  // Writes the exchange's answer, from whichever thread has it ready (see the header).
  void Answer(const std::shared_ptr<Exchange>& x);
  // The exchange's route, status and time so far, in the metrics and the logs.
  void Record(const Exchange& x);
  // An answer given without a route (unknown path, unreadable request): its metrics and
  // log line, and its X-Request-Id.
  void RecordUnrouted(HttpResponse* answer, std::string_view request_id, std::string_view method,
                      std::string_view source);
  void Closed(Session* s);
  // Every open session; `idle_only` closes those waiting for a request, otherwise all.
  void CloseSessions(bool idle_only);
  void ReleaseIfDone();
  // On an I/O thread: fills and writes every answer in ready_.
  void DrainReady();
  struct ReadyAnswer {
    std::shared_ptr<Exchange> x;
    HttpResponse::Fill fill;
  };
  BatchingQueue<ReadyAnswer> ready_;
  // The answers the log's committer completed, for an I/O thread to fill and write.
  const bool answer_on_committer_ = getenv("CASEENGINE_ANSWER_ON_COMMITTER") != nullptr;
  // Runs `fn`; whatever it throws becomes the exchange's problem answer.
  template <typename Fn>
  void Guard(Exchange* x, Fn&& fn);
  // The bearer token's user, or a problem: 401, or 429 while the source or the user the
  // token names is locked out (SignInThrottle); 403 for an audit route without kAudit.
  void Authorize(const Route& route, Exchange* x);

  const ServerConfig& config_;
  const std::vector<Route>& routes_;
  std::vector<http_internal::Pattern> patterns_;
  Metrics* metrics_;
  ServerLog* log_;  // null: no log
  SignInThrottle throttle_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  // Stop, the grace timer, the release.
  boost::asio::strand<boost::asio::io_context::executor_type> control_;
  boost::asio::steady_timer stop_timer_;
  http_internal::tcp::acceptor acceptor_;
  std::unique_ptr<TlsContext> tls_;  // null: plain HTTP
  boost::asio::thread_pool pool_;
  // Runs the routes whose work grows with the log (Route::Runs::kLong).
  static constexpr size_t kLongThreads = 2;
  boost::asio::thread_pool long_pool_;
  // Produces the parts of event feeds (HttpResponse::stream); each call is short.
  static constexpr size_t kFeedThreads = 2;
  boost::asio::thread_pool feeds_;
  std::atomic<bool> stopping_{false};
  std::mutex sessions_mu_;
  std::map<Session*, std::weak_ptr<Session>> sessions_;  // erased by the session's destructor
};

// One connection, over plain TCP or TLS (StreamSession<Stream>, in http_session.cc: one
// implementation for both streams). Its handlers run on its strand, one at a time; Write
// may also be called off the strand while its exchange is in flight (see the header).
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl* server, std::string source) : server_(server), source_(std::move(source)) {}
  virtual ~Session() { server_->Closed(this); }

  // Reads the first request (after the TLS handshake, over TLS).
  virtual void Start() = 0;

  // The answer to the request read last, from any thread while no other operation is
  // pending on the connection: on the strand, or off it during an exchange. Nothing is
  // written once the connection is closed. `linger` after an answer to a request that
  // was not read to its end; `head` for a HEAD request: the status and headers a GET
  // gets, its Content-Length included (none for a streamed answer), and no body (RFC
  // 9110, 9.3.2).
  virtual void Write(HttpResponse&& answer, unsigned version, bool keep_alive, bool linger = false,
                     bool head = false) = 0;

  // On the strand: shuts the connection (when it waits for a request, if `idle_only`).
  // Its pending operations end with an error, so an exchange in flight ends too.
  virtual void Close(bool idle_only) = 0;

  // For a streamed answer, on the strand: each write with a deadline; `done` gets
  // whether it went out (false once the connection is gone).
  using Written = std::function<void(bool)>;
  virtual void WriteHeaderAsync(
      std::shared_ptr<http_internal::http::response<http_internal::http::empty_body>> res,
      Written done) = 0;
  virtual void WriteChunkAsync(std::string chunk, Written done) = 0;
  virtual void WriteLastChunkAsync(Written done) = 0;
  virtual void EndStream() = 0;

  virtual boost::asio::any_io_executor executor() = 0;
  // The peer's address ("" when unknown): what sign-ins are throttled by, and logged.
  const std::string& source() const { return source_; }

 protected:
  Impl* const server_;

 private:
  const std::string source_;
};

// A request on its way to an answer; it keeps its session alive.
struct HttpServer::Impl::Exchange {
  bool head() const { return raw.method() == http_internal::http::verb::head; }
  std::shared_ptr<Session> session;
  RawRequest raw;
  size_t route = 0;
  HttpRequest request;
  HttpResponse response;
  Clock::time_point start;
  std::string request_id;  // the client's X-Request-Id when sane, or a new one
  bool throttled = false;  // refused by the sign-in throttle (a security line)
  // The kind of credential the request carried (ServerConfig::Authenticate: "token",
  // "api_key:<name>", "oidc"; "ticket"), and why it was refused: for the logs, no secret.
  std::string credential;
  std::string refused;
};

}  // namespace caseengine
