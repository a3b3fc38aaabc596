// HttpServer: serves a route table over HTTP/1.1 with keep-alive. The one place that
// knows the HTTP library: it matches routes, authenticates bearer tokens, checks a
// route's access, turns every error (a Problem thrown by a route, malformed JSON, any
// other exception, a body over the limit, an unknown route) into
// application/problem+json, and records metrics.
//
// Threading: Serve blocks on the calling thread, which with `io_threads - 1` more reads
// requests for every connection (event-driven) and runs commands up to their append, and
// routes that never block (Route::Runs::kInline); queries run on a pool of `threads`
// workers, which nothing that waits holds: a query waiting for its min_position waits on
// a timer (Route::ready), and event feeds run as short steps on a pool of two threads of
// their own (HttpResponse::stream). An answer is written without blocking, by the thread
// that has it ready: a query's by its worker (one thread switch from request to answer);
// a command's by an I/O thread, to which the log's committer hands each round's answers
// in one post; see http_server_impl.h. Stop from any thread (or a
// signal handler's thread) makes Serve return once the requests in flight are answered,
// or after a grace of two seconds, when the connections still open are closed.
//
// Over TLS (the config's "tls": http/tls_context.h) the same, encrypted: Bind loads the
// certificate, ReloadTls (SIGHUP) reads it again for new connections while open ones
// carry on with the one they started with.
//
// Every answer carries X-Request-Id (the client's, when SaneRequestId, or a new one) and
// is a line of the request log; a 401, 403, throttled sign-in (429) or a route's
// security event is a line of the security log too (http/server_log.h). Sign-ins that
// fail are throttled per source and per user (http/sign_in_throttle.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "http/http_types.h"
#include "http/metrics.h"
#include "http/server_config.h"
#include "http/server_log.h"

namespace caseengine {

class HttpServer {
 public:
  // Routes, config, metrics and the log must outlive the server. Without a log (null)
  // nothing is logged (errors go to standard error).
  HttpServer(const ServerConfig& config, const std::vector<Route>& routes, Metrics* metrics,
             ServerLog* log = nullptr);
  ~HttpServer();

  // Whether the config's "tls" files load (as Bind would load them): for a start to stop
  // before anything is opened. Ok without "tls".
  static Status CheckTls(const ServerConfig& config);

  // Binds the listening socket (port 0: any free port, see port()); with "tls" in the
  // config, loads the certificate and key first (InvalidArgument naming the file).
  Status Bind();
  int port() const { return port_; }
  // Answers requests until Stop.
  void Serve();
  void Stop();
  // From any thread: reads the certificate and key again; new connections use them. A
  // failure keeps the certificate in use and says why. Ok and nothing done without TLS.
  Status ReloadTls();
  // The certificate in use ({"subject", "serial", "not_after", "min_version"}), or false
  // for plain HTTP. Never key material.
  nlohmann::json TlsSummary() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace caseengine
