// HttpServer's exchanges (see http_server_impl.h): a request routed, authorized and run
// where its kind of route runs, and its answer written from wherever it is ready:
//   - a command route runs on the I/O thread up to its append; the route sets
//     HttpResponse::later, and the log's committer, once the append is durable, queues
//     the answer for an I/O thread, which fills in and writes every answer queued (one
//     post for a round of answers, not one per answer); no thread waits while the log
//     syncs (see http_server_impl.h for why not on the committer itself);
//   - a route that never blocks (Route::Runs::kInline: /healthz, /metrics, the start of an
//     event feed) at once on the I/O thread, so it never waits behind queries;
//   - any other route (a query, which may scan the log or verify the chain) on the worker
//     pool, and the worker writes the answer: one switch, and no answer queues behind
//     other work on the I/O threads. A query that would wait for read-your-writes
//     (Route::ready) waits first on a timer on the session's strand, rechecking, without
//     a worker; then it runs on the pool, told not to wait again (HttpRequest::waited);
//   - an event feed (HttpResponse::stream) as a chain of steps (http_feed.cc).
// Every error, wherever it is thrown, becomes application/problem+json in Guard.
#include <iostream>

#include "http/http_server_impl.h"

namespace caseengine {

namespace beast = http_internal::beast;
namespace net = http_internal::net;
using http_internal::Clock;
using http_internal::Decode;
using http_internal::Matches;
using http_internal::NameThisThread;
using http_internal::ParseQuery;
using http_internal::Pattern;
using http_internal::Segments;
using http_internal::SetProblem;

template <typename Fn>
void HttpServer::Impl::Guard(Exchange* x, Fn&& fn) {
  try {
    fn();
  } catch (const Problem& p) {
    SetProblem(&x->response, p);
  } catch (const nlohmann::json::exception& e) {
    SetProblem(&x->response, Problem::BadRequest(e.what()));
  } catch (const std::exception& e) {
    // The route's template, never the path: a path carries ids.
    const Route& route = routes_[x->route];
    if (log_ != nullptr) {
      log_->Error("a route failed", {{"request_id", x->request_id},
                                     {"method", route.method},
                                     {"route", route.path},
                                     {"error", e.what()}});
    } else {
      std::cerr << "caseengine: " << route.method << " " << route.path << ": " << e.what() << "\n";
    }
    SetProblem(&x->response,
               Problem(500, "/problems/internal", "Internal error",
                       "the request failed on the server; nothing was changed by it"));
  }
}

void HttpServer::Impl::Authorize(const Route& route, Exchange* x) {
  if (route.access == Access::kPublic) return;
  HttpRequest* request = &x->request;
  const std::string auth = request->header("Authorization");
  const std::string kBearer = "Bearer ";
  const Actor* actor = nullptr;
  std::string_view token;
  if (auth.compare(0, kBearer.size(), kBearer) == 0) {
    token = std::string_view(auth).substr(kBearer.size());
  }
  // A request without credentials is no sign-in: it is neither counted nor refused as one.
  const bool attempt = !auth.empty();
  const std::string& source = x->session->source();
  std::string claimed;
  std::string refused = "unknown token";  // why a token was not taken: no secret in it
  if (attempt) {
    const auto now = Clock::now();
    claimed = SignInThrottle::ClaimedUser(token);
    if (const int wait = throttle_.RetryAfter(source, claimed, now); wait > 0) {
      x->throttled = true;
      Problem p(429, "/problems/too-many-sign-in-failures", "Too many failed sign-ins",
                "too many failed sign-ins from this address or for this user: try again in " +
                    std::to_string(wait) + " s");
      p.retry_after = wait;
      throw p;
    }
    actor = config_.Authenticate(token, &refused, &x->credential);
    if (actor == nullptr) {
      x->refused = refused;
      throttle_.Failed(source, claimed, now);
    } else {
      throttle_.Succeeded(claimed);
    }
  }
  const bool ticket = auth.empty() && route.by_ticket && request->Has("ticket");
  if (ticket) {
    actor = route.by_ticket(*request);
    x->credential = "ticket";
  }
  if (actor == nullptr) {
    throw Problem(401, "/problems/unauthorized", "Unauthorized",
                  ticket         ? "the ticket is unknown, spent or expired: get a new one"
                  : auth.empty() ? "send Authorization: Bearer <token>"
                                 : refused);
  }
  request->actor = actor;
  if (route.access == Access::kAudit && !actor->Has(kAudit)) throw Problem::Forbidden(kAudit);
  if (actor->Provider() && !route.providers) {
    throw Problem(403, "/problems/forbidden", "Forbidden", "provider users may not use this route",
                  {{"role", "provider"}});
  }
}

void HttpServer::Impl::Handle(const std::shared_ptr<Session>& session, RawRequest raw) {
  auto x = std::make_shared<Exchange>();
  x->start = Clock::now();
  x->session = session;
  x->raw = std::move(raw);
  {
    const auto given = x->raw["X-Request-Id"];
    const std::string_view id(given.data(), given.size());
    x->request_id = SaneRequestId(id) ? std::string(id) : NewRequestId();
  }
  const std::string_view target(x->raw.target().data(), x->raw.target().size());
  const size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  HttpRequest& request = x->request;
  request.method = std::string(x->raw.method_string());
  // HEAD is answered by the GET route, without the body.
  const std::string method = x->head() ? "GET" : request.method;
  request.path = Decode(path, false);
  if (question != std::string_view::npos) ParseQuery(target.substr(question + 1), &request.query);
  const std::vector<std::string_view> segments = Segments(path);
  size_t index = routes_.size();
  for (size_t i = 0; i < patterns_.size() && index == routes_.size(); ++i) {
    if (patterns_[i].method == method && Matches(patterns_[i], segments, &request.path_params))
      index = i;
  }
  if (index == routes_.size()) {
    // A path that exists with other methods is 405 with the methods it has (Allow).
    std::string allow;
    std::vector<std::string> ignored;
    for (const Pattern& p : patterns_) {
      if (!Matches(p, segments, &ignored) || allow.find(p.method) != std::string::npos) continue;
      allow += (allow.empty() ? "" : ", ") + p.method + (p.method == "GET" ? ", HEAD" : "");
    }
    HttpResponse answer;
    const std::string origin(x->raw[beast::http::field::origin]);
    if (allow.empty()) {
      SetProblem(&answer, Problem::NotFound("no route for " + request.method + " " + request.path));
    } else if (request.method == "OPTIONS" && http_internal::AllowedOrigin(config_, origin) &&
               x->raw.count(beast::http::field::access_control_request_method) > 0) {
      // A browser's preflight from an allowed origin (CORS); the CORS headers are added
      // below, as to every answer.
      http_internal::Preflight(config_, origin, allow, &answer);
    } else {
      SetProblem(&answer, Problem(405, "/problems/method-not-allowed", "Method not allowed",
                                  request.path + " answers " + allow + ", not " + request.method,
                                  {{"allow", allow}}));
      answer.headers.emplace_back("Allow", allow);
    }
    if (answer.status != 204) http_internal::AddCorsHeaders(config_, origin, &answer);
    RecordUnrouted(&answer, x->request_id, request.method, session->source());
    return session->Write(std::move(answer), x->raw.version(), x->raw.keep_alive(), false,
                          x->head());
  }
  x->route = index;
  request.route = &routes_[index];
  const RawRequest* headers = &x->raw;
  request.header = [headers](const char* name) { return std::string((*headers)[name]); };
  request.body = std::move(x->raw.body());
  const Route& route = routes_[index];
  if (route.access == Access::kCommand || route.runs == Route::Runs::kInline) {
    Run(x);
  } else if (route.ready && !Ready(*x)) {
    RunWhenReady(x, Clock::now() + kReadYourWritesWait, std::chrono::milliseconds(1));
  } else {
    RunOnWorker(x);
  }
}

void HttpServer::Impl::RunOnWorker(const std::shared_ptr<Exchange>& x) {
  const bool long_route = routes_[x->route].runs == Route::Runs::kLong;
  net::post(long_route ? long_pool_ : pool_, [this, x, long_route] {
    NameThisThread(long_route ? "http-long" : "http-query");
    Run(x);
  });
}

bool HttpServer::Impl::Ready(const Exchange& x) {
  try {
    return routes_[x.route].ready(x.request);
  } catch (...) {
    return true;  // the route answers for itself
  }
}

// On the session's strand.
void HttpServer::Impl::RunWhenReady(const std::shared_ptr<Exchange>& x, Clock::time_point deadline,
                                    std::chrono::milliseconds pause) {
  auto timer = std::make_shared<net::steady_timer>(x->session->executor());
  timer->expires_after(pause);
  timer->async_wait([this, x, timer, deadline, pause](beast::error_code ec) {
    // Run as soon as it is ready, or at the deadline (the route then answers that the
    // position is not yet reached). A stop lets it wait on: a command still in flight may
    // bring its position (and the stop's grace closes what is left).
    if (!ec && Clock::now() < deadline && !Ready(*x)) {
      return RunWhenReady(x, deadline, std::min(pause * 2, std::chrono::milliseconds(20)));
    }
    x->request.waited = true;
    RunOnWorker(x);
  });
}

void HttpServer::Impl::Run(const std::shared_ptr<Exchange>& x) {
  const Route& route = routes_[x->route];
  bool answered_later = false;
  Guard(x.get(), [&] {
    Authorize(route, x.get());
    route.handler(x->request, &x->response);
    if (!x->response.later) return;
    auto later = std::move(x->response.later);
    x->response.later = nullptr;
    // The route's work finishes on another thread (a command: the log's committer, once
    // its append is durable), which queues the answer for an I/O thread: the queue takes
    // a round's answers with one post. An answer ready at once (a command refused before
    // its append) is written here. Should `later` throw instead, Guard answers now.
    later([this, x](HttpResponse::Fill fill) {
      if (!answer_on_committer_ && !http_internal::OnIoThread()) {
        if (ready_.Push({x, std::move(fill)})) net::post(io_, [this] { DrainReady(); });
        return;
      }
      Guard(x.get(), [&] { fill(&x->response); });
      Answer(x);
    });
    answered_later = true;
  });
  if (answered_later) return;
  if (x->response.stream && !x->head()) {
    return net::dispatch(x->session->executor(), [this, x] { Stream(x); });
  }
  // On the I/O thread (a route that runs inline, a command answered at once) or on the
  // query worker that ran the route: either writes the answer itself.
  Answer(x);
}

void HttpServer::Impl::DrainReady() {
  for (auto ready = ready_.TakeAll(); !ready.empty(); ready = ready_.TakeAll()) {
    for (ReadyAnswer& r : ready) {
      Guard(r.x.get(), [&] { r.fill(&r.x->response); });
      Answer(r.x);
    }
  }
}

void HttpServer::Impl::Record(const Exchange& x) {
  const uint64_t micros =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - x.start).count();
  metrics_->Record(x.route, x.response.status, micros);
  if (log_ == nullptr) return;
  const Route& route = routes_[x.route];
  const int status = x.response.status;
  const RequestLine line{
      x.request_id,
      x.request.method,
      route.path,
      status,
      micros,
      x.request.actor == nullptr ? std::string_view() : std::string_view(x.request.actor->user_id),
      x.session->source(),
      x.credential};
  log_->Request(line);
  if (status == 401) {
    // Why, when a credential was refused: the reason (a kid, an algorithm's name, that a
    // key expired), never the credential.
    nlohmann::json fields = nlohmann::json::object();
    if (!x.refused.empty()) fields["reason"] = x.refused.substr(0, 200);
    return log_->Security("unauthorized", line, fields);
  }
  if (status == 403) return log_->Security("forbidden", line);
  if (x.throttled) return log_->Security("throttled", line);
  SecurityEvent event = route.security;
  // Rows as CSV leave the engine for a spreadsheet: an export.
  if (event == SecurityEvent::kNone && x.response.content_type.rfind("text/csv", 0) == 0) {
    event = SecurityEvent::kExport;
  }
  if (event == SecurityEvent::kNone) return;
  // The ids the path names (random, not personal data), by the route's placeholders.
  nlohmann::json fields = nlohmann::json::object();
  nlohmann::json target = nlohmann::json::object();
  const std::string path = route.path;
  size_t i = 0;
  for (size_t open = path.find('{'); open != std::string::npos && i < x.request.path_params.size();
       open = path.find('{', open + 1)) {
    const size_t close = path.find('}', open);
    target[path.substr(open + 1, close - open - 1)] = x.request.path_params[i++];
  }
  if (!target.empty()) fields["target"] = target;
  if (event == SecurityEvent::kDeletion) {
    const std::string mode = x.request.Param("mode");
    fields["mode"] = mode == "soft" || mode == "erase"
                         ? mode
                         : std::string(DeleteModeName(config_.domain.delete_mode));
  }
  log_->Security(SecurityEventName(event), line, fields);
}

void HttpServer::Impl::RecordUnrouted(HttpResponse* answer, std::string_view request_id,
                                      std::string_view method, std::string_view source) {
  answer->headers.emplace_back("X-Request-Id", std::string(request_id));
  metrics_->Record(metrics_->unrouted(), answer->status, 0);
  if (log_ != nullptr)
    log_->Request({request_id, method, "unrouted", answer->status, 0, "", source});
}

// On the thread that has the answer ready: the session's strand, a query worker, or an
// I/O thread draining the committer's answers. Session::Write is safe off the strand
// during an exchange.
void HttpServer::Impl::Answer(const std::shared_ptr<Exchange>& x) {
  x->response.headers.emplace_back("X-Request-Id", x->request_id);
  http_internal::AddCorsHeaders(config_, std::string(x->raw[beast::http::field::origin]),
                                &x->response);
  // A HEAD is compressed as its GET would be: the same headers, Content-Length included.
  http_internal::MaybeGzip(std::string(x->raw[beast::http::field::accept_encoding]), &x->response);
  Record(*x);
  x->session->Write(std::move(x->response), x->raw.version(), x->raw.keep_alive(), false,
                    x->head());
}

}  // namespace caseengine
