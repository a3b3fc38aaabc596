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
    const Route& route = routes_[x->route];
    std::cerr << "caseengine: " << route.method << " " << x->request.path << ": " << e.what()
              << "\n";
    SetProblem(&x->response,
               Problem(500, "/problems/internal", "Internal error",
                       "the request failed on the server; nothing was changed by it"));
  }
}

void HttpServer::Impl::Authorize(const Route& route, HttpRequest* request) {
  if (route.access == Access::kPublic) return;
  const std::string auth = request->header("Authorization");
  const std::string kBearer = "Bearer ";
  const Actor* actor = nullptr;
  if (auth.compare(0, kBearer.size(), kBearer) == 0) {
    actor = config_.Authenticate(std::string_view(auth).substr(kBearer.size()));
  }
  const bool ticket = auth.empty() && route.by_ticket && request->Has("ticket");
  if (ticket) actor = route.by_ticket(*request);
  if (actor == nullptr) {
    throw Problem(401, "/problems/unauthorized", "Unauthorized",
                  ticket         ? "the ticket is unknown, spent or expired: get a new one"
                  : auth.empty() ? "send Authorization: Bearer <token>"
                                 : "unknown token");
  }
  if (route.access == Access::kAudit && !actor->Has(kAudit)) throw Problem::Forbidden(kAudit);
  request->actor = actor;
}

void HttpServer::Impl::Handle(const std::shared_ptr<Session>& session, RawRequest raw) {
  auto x = std::make_shared<Exchange>();
  x->start = Clock::now();
  x->session = session;
  x->raw = std::move(raw);
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
    metrics_->Record(metrics_->unrouted(), answer.status, 0);
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
    Authorize(route, &x->request);
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
  metrics_->Record(
      x.route, x.response.status,
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - x.start).count());
}

// On the thread that has the answer ready: the session's strand, a query worker, or an
// I/O thread draining the committer's answers. Session::Write is safe off the strand
// during an exchange.
void HttpServer::Impl::Answer(const std::shared_ptr<Exchange>& x) {
  http_internal::AddCorsHeaders(config_, std::string(x->raw[beast::http::field::origin]),
                                &x->response);
  // A HEAD is compressed as its GET would be: the same headers, Content-Length included.
  http_internal::MaybeGzip(std::string(x->raw[beast::http::field::accept_encoding]), &x->response);
  Record(*x);
  x->session->Write(std::move(x->response), x->raw.version(), x->raw.keep_alive(), false,
                    x->head());
}

}  // namespace caseengine
