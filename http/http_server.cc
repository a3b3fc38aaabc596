// HttpServer: see http_server.h. The only file that includes the HTTP library (Boost.Beast
// over Asio).
//
// A connection is a Session on a strand of the I/O context. It reads one request at a
// time (keep-alive; a pipelined request waits for the answer before it), hands it over,
// and writes the answer when it comes. An exchange (a request and its answer) runs:
//   - a command route on the I/O thread, up to the append: the route sets
//     HttpResponse::later, the command handler answers from the log's acknowledgement
//     thread, and the answer is filled in and written back on the session's strand. No
//     thread waits while the log syncs, so a few I/O threads serve any number of
//     connections, and a round of answers costs a wake-up or two, not one per connection;
//   - a route that never blocks (Route::Runs::kInline: /healthz, /metrics, and the start
//     of an event feed) at once on the I/O thread, so it never waits behind queries;
//   - any other route (a query, which may scan the log or verify the chain) on the worker
//     pool, which posts the answer back. A query that would wait for read-your-writes
//     (Route::ready) waits first on a timer on the session's strand, rechecking, without
//     a worker; then it runs on the pool, told not to wait again (HttpRequest::waited);
//   - an event feed (HttpResponse::stream) as a chain of steps: each produced on the
//     small feed pool (never a query worker), written on the strand, and followed at once
//     or, when it was empty, after a timer. An open feed holds no thread.
// Every error, wherever it is thrown, becomes application/problem+json in Guard.
//
// Shutdown: Stop closes the listener and the idle connections; an exchange in flight
// is answered (with Connection: close) and then its connection is closed; what is still
// open after a grace of two seconds is closed; Serve returns when no session is left.
#include "http/http_server.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

namespace caseengine {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// How long a connection may sit between requests, or take to send one.
constexpr std::chrono::seconds kIdleTimeout(30);
// How long an answer (or a part of a stream) may take to leave: a client that stops
// reading loses its connection instead of holding it, and a worker, for ever.
constexpr std::chrono::seconds kWriteTimeout(30);
// How long a stop waits for the exchanges in flight before it closes their connections.
constexpr std::chrono::seconds kStopGrace(2);
// How long a connection that was answered with an error may keep sending what nobody
// reads, before it is closed (see Session::Linger).
constexpr std::chrono::seconds kLingerTimeout(5);
constexpr uint32_t kHeaderLimit = 64 << 10;

void SetProblem(HttpResponse* res, const Problem& p) {
  *res = HttpResponse();
  res->Json(p.Body(), p.status);
  res->content_type = "application/problem+json";
  if (p.status == 401) res->headers.emplace_back("WWW-Authenticate", "Bearer");
  if (p.retry_after > 0) res->headers.emplace_back("Retry-After", std::to_string(p.retry_after));
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; a malformed escape stays as it is. '+' is a space in a query only.
std::string Decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
      out += static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

// Splits a path at '/' (after the leading one), undecoded.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  for (;;) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

// A route's path: its segments, each literal or a "{placeholder}" that takes any one
// non-empty segment.
struct Pattern {
  std::string method;
  std::vector<std::string> literal;  // "" for a placeholder
  std::vector<bool> placeholder;
};

Pattern MakePattern(const Route& route) {
  Pattern p;
  p.method = route.method;
  for (std::string_view s : Segments(route.path)) {
    const bool param = !s.empty() && s.front() == '{' && s.back() == '}';
    p.placeholder.push_back(param);
    p.literal.emplace_back(param ? std::string_view() : s);
  }
  return p;
}

bool Matches(const Pattern& p, const std::vector<std::string_view>& segments,
             std::vector<std::string>* params) {
  if (segments.size() != p.literal.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (p.placeholder[i] ? segments[i].empty() : segments[i] != p.literal[i]) return false;
  }
  params->clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    if (p.placeholder[i]) params->push_back(Decode(segments[i], false));
  }
  return true;
}

// "a=1&b=x+y" -> {a: 1, b: "x y"}; the first of a repeated name wins.
void ParseQuery(std::string_view query, std::map<std::string, std::string>* out) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      out->emplace(Decode(pair.substr(0, eq), true), eq == std::string_view::npos
                                                         ? std::string()
                                                         : Decode(pair.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

using RawRequest = http::request<http::string_body>;

// What makes a request's framing or target ambiguous, checked on its header before its
// body is read; empty when there is nothing. A proxy in front of the server may read such
// a request otherwise than the server does (request smuggling), so it is refused and its
// connection closed rather than interpreted:
//   - a Transfer-Encoding other than exactly "chunked" (one field, one coding), or one
//     beside a Content-Length;
//   - Content-Length fields (or a list in one) that disagree or are not plain digits;
//   - a target that is not a path from the root (origin form, RFC 9112 3.2): "cases",
//     "http://host/cases", "*".
std::string AmbiguousRequest(const http::request_parser<http::string_body>& parser) {
  const auto& req = parser.get();
  int transfer_encodings = 0;
  std::string coding;
  std::string length;  // the one Content-Length value seen
  bool lengths = false;
  for (const auto& field : req.base()) {
    std::string_view value(field.value().data(), field.value().size());
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (field.name() == http::field::transfer_encoding) {
      ++transfer_encodings;
      coding = std::string(value);
    } else if (field.name() == http::field::content_length) {
      lengths = true;
      // "5, 5" is one length said twice; "5, 6" is two.
      for (;;) {
        const size_t comma = value.find(',');
        std::string_view one = value.substr(0, comma);
        while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
        while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
        if (one.empty() || one.find_first_not_of("0123456789") != std::string_view::npos) {
          return "Content-Length must be a number of bytes";
        }
        if (!length.empty() && length != one) return "Content-Length is given twice, differently";
        length = std::string(one);
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
      }
    }
  }
  if (transfer_encodings > 0) {
    if (lengths) return "a request may not have both Transfer-Encoding and Content-Length";
    if (transfer_encodings > 1 || !beast::iequals(beast::string_view(coding), "chunked")) {
      return "the only Transfer-Encoding the server takes is \"chunked\"";
    }
  }
  const std::string_view target(req.target().data(), req.target().size());
  if (target.empty() || target.front() != '/') {
    return "the request target must be a path starting with '/'";
  }
  return std::string();
}

// An answer's status line and headers, as every answer (whole, HEAD, streamed) starts.
template <class Body>
std::shared_ptr<http::response<Body>> ResponseHeader(const HttpResponse& answer, unsigned version,
                                                     bool close) {
  auto res = std::make_shared<http::response<Body>>();
  res->version(version);
  res->result(static_cast<unsigned>(answer.status));
  res->set(http::field::content_type, answer.content_type);
  for (const auto& [k, v] : answer.headers) res->set(k, v);
  res->keep_alive(!close);
  return res;
}

}  // namespace

class HttpServer::Impl {
 public:
  class Session;
  struct Exchange;

  Impl(const ServerConfig& config, const std::vector<Route>& routes, Metrics* metrics)
      : config_(config),
        routes_(routes),
        metrics_(metrics),
        work_(net::make_work_guard(io_)),
        control_(net::make_strand(io_)),
        stop_timer_(control_),
        acceptor_(control_),  // its handlers and Stop's close on one strand
        pool_(static_cast<size_t>(std::max(1, config.threads))),
        feeds_(kFeedThreads) {
    for (const Route& r : routes_) patterns_.push_back(MakePattern(r));
  }

  ~Impl() {
    pool_.join();
    feeds_.join();
  }

  Status Bind(int* port) {
    beast::error_code ec;
    tcp::resolver resolver(io_);
    auto endpoints =
        resolver.resolve(config_.host, std::to_string(config_.port), tcp::resolver::passive, ec);
    if (!ec && endpoints.empty()) ec = net::error::host_not_found;
    if (!ec) {
      const tcp::endpoint endpoint = endpoints.begin()->endpoint();
      acceptor_.open(endpoint.protocol(), ec);
      if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
      if (!ec) acceptor_.bind(endpoint, ec);
      if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
      if (!ec) *port = acceptor_.local_endpoint(ec).port();
    }
    if (ec) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      return Status::Unavailable("cannot listen on " + config_.host + ":" +
                                 std::to_string(config_.port) +
                                 " (in use, or not an address of this machine)");
    }
    return Status::Ok();
  }

  void Serve() {
    if (acceptor_.is_open()) Accept();
    std::vector<std::thread> threads;
    for (int i = 1; i < std::max(1, config_.io_threads); ++i) {
      threads.emplace_back([this] { io_.run(); });
    }
    io_.run();
    for (std::thread& t : threads) t.join();
    pool_.join();
    feeds_.join();
  }

  void Stop();

 private:
  void Accept();
  void Handle(const std::shared_ptr<Session>& session, RawRequest raw);
  void Run(const std::shared_ptr<Exchange>& x);
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
  void Answer(const std::shared_ptr<Exchange>& x);
  // The exchange's route, status and time so far, in the metrics.
  void Record(const Exchange& x);
  void Closed(Session* s);
  // Every open session; `idle_only` closes those waiting for a request, otherwise all.
  void CloseSessions(bool idle_only);
  void ReleaseIfDone();
  // Runs `fn`; whatever it throws becomes the exchange's problem answer.
  template <typename Fn>
  void Guard(Exchange* x, Fn&& fn);
  void Authorize(const Route& route, HttpRequest* request);

  const ServerConfig& config_;
  const std::vector<Route>& routes_;
  std::vector<Pattern> patterns_;
  Metrics* metrics_;
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  net::strand<net::io_context::executor_type> control_;  // Stop, the grace timer, the release
  net::steady_timer stop_timer_;
  tcp::acceptor acceptor_;
  net::thread_pool pool_;
  // Produces the parts of event feeds (HttpResponse::stream); each call is short.
  static constexpr size_t kFeedThreads = 2;
  net::thread_pool feeds_;
  std::atomic<bool> stopping_{false};
  std::mutex sessions_mu_;
  std::map<Session*, std::weak_ptr<Session>> sessions_;  // erased by the session's destructor
};

// One connection. Its handlers run on its strand, one at a time.
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Impl* server) : stream_(std::move(socket)), server_(server) {}
  ~Session() { server_->Closed(this); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // On the strand: the answer to the request read last. `linger` after an answer to a
  // request that was not read to its end; `head` for a HEAD request: the status and
  // headers a GET gets, its Content-Length included (none for a streamed answer), and no
  // body (RFC 9110, 9.3.2).
  void Write(HttpResponse&& answer, unsigned version, bool keep_alive, bool linger = false,
             bool head = false) {
    const bool close = !keep_alive || server_->stopping_;
    if (head) {
      auto res = ResponseHeader<http::empty_body>(answer, version, close);
      if (!answer.stream) res->content_length(answer.body.size());
      return Send(std::move(res), close, linger);
    }
    auto res = ResponseHeader<http::string_body>(answer, version, close);
    res->body() = std::move(answer.body);
    res->prepare_payload();
    Send(std::move(res), close, linger);
  }

  // On the strand: shuts the connection (when it waits for a request, if `idle_only`).
  // Its pending operations end with an error, so an exchange in flight ends too.
  void Close(bool idle_only) {
    if (!idle_only || idle_) Close();
  }

  // For a streamed answer, on the strand: each write with a deadline; `done` gets
  // whether it went out (false once the connection is gone).
  using Written = std::function<void(bool)>;
  void WriteHeaderAsync(std::shared_ptr<http::response<http::empty_body>> res, Written done) {
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    stream_.expires_after(kWriteTimeout);
    http::async_write_header(
        stream_, *sr,
        [self = shared_from_this(), res, sr, done](beast::error_code ec, size_t) { done(!ec); });
  }
  void WriteChunkAsync(std::string chunk, Written done) {
    auto bytes = std::make_shared<std::string>(std::move(chunk));
    stream_.expires_after(kWriteTimeout);
    net::async_write(
        stream_, http::make_chunk(net::buffer(*bytes)),
        [self = shared_from_this(), bytes, done](beast::error_code ec, size_t) { done(!ec); });
  }
  void WriteLastChunkAsync(Written done) {
    stream_.expires_after(kWriteTimeout);
    net::async_write(
        stream_, http::make_chunk_last(),
        [self = shared_from_this(), done](beast::error_code ec, size_t) { done(!ec); });
  }
  void EndStream() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

 private:
  template <class Body>
  void Send(std::shared_ptr<http::response<Body>> res, bool close, bool linger) {
    stream_.expires_after(kWriteTimeout);
    http::async_write(
        stream_, *res,
        [self = shared_from_this(), res, close, linger](beast::error_code ec, size_t) {
          if (ec) return self->Close();
          if (linger) return self->Linger();
          if (close) return self->Close();
          self->ReadHeader();
        });
  }

  void ReadHeader() {
    if (server_->stopping_) return Close();
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(server_->config_.max_body_bytes);
    idle_ = true;
    stream_.expires_after(kIdleTimeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              self->idle_ = false;
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    const std::string ambiguous = AmbiguousRequest(*parser_);
    if (!ambiguous.empty()) {
      // Nothing of it is handled, and the connection is not trusted for a next request:
      // where this request ends is what is in doubt.
      HttpResponse answer;
      SetProblem(&answer, Problem::BadRequest(ambiguous));
      server_->metrics_->Record(server_->metrics_->unrouted(), answer.status, 0);
      return Write(std::move(answer), 11, false, true);
    }
    auto& req = parser_->get();
    // HTTP/1.0 clients cannot send the expectation (RFC 9110, 10.1.1): it is ignored.
    if (req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      return http::async_write(stream_, *cont,
                               [self = shared_from_this(), cont](beast::error_code ec, size_t) {
                                 if (ec) return self->Close();
                                 self->ReadBody();
                               });
    }
    ReadBody();
  }

  void ReadBody() {
    // A small request's body has mostly come with its header: parsed from the buffer at
    // once, the exchange goes on without a read operation of its own (a completion posted
    // through the strand and a deadline set and cancelled).
    beast::error_code ec;
    while (!parser_->is_done() && buffer_.size() > 0) {
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec || used == 0) break;
    }
    if (ec == http::error::need_more) ec = {};
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return OnRequest();
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->OnReadError(ec);
                       self->OnRequest();
                     });
  }

  // The request is whole: handled with no deadline running (the answer sets its own).
  void OnRequest() {
    stream_.expires_never();
    server_->Handle(shared_from_this(), parser_->release());
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof || !parser_->got_some()) {
      return Close();
    }
    HttpResponse answer;
    if (ec == http::error::body_limit) {
      SetProblem(&answer, Problem(413, "/problems/too-large", "Body too large",
                                  "the body is over " +
                                      std::to_string(server_->config_.max_body_bytes) + " bytes"));
    } else {
      SetProblem(&answer, Problem::BadRequest("the request could not be read: " + ec.message()));
    }
    server_->metrics_->Record(server_->metrics_->unrouted(), answer.status, 0);
    Write(std::move(answer), 11, false, true);
  }

  // After an error answer the client may still be sending a body nobody reads: closing
  // at once would reset the connection, and the client could lose the answer. So the
  // sending side is shut and what comes is read and dropped until the client closes.
  void Linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);
    Drain();
  }
  void Drain() {
    auto buf = std::make_shared<std::array<char, 16384>>();
    stream_.async_read_some(net::buffer(*buf),
                            [self = shared_from_this(), buf](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Impl* server_;
  bool idle_ = false;
};

// A request on its way to an answer; it keeps its session alive.
struct HttpServer::Impl::Exchange {
  bool head() const { return raw.method() == http::verb::head; }
  std::shared_ptr<Session> session;
  RawRequest raw;
  size_t route = 0;
  HttpRequest request;
  HttpResponse response;
  Clock::time_point start;
};

void HttpServer::Impl::Stop() {
  net::post(control_, [this] {
    if (stopping_.exchange(true)) return;
    beast::error_code ignored;
    acceptor_.close(ignored);
    CloseSessions(/*idle_only=*/true);
    // What is still open after the grace (a client that does not read its answer, or
    // sends its body slowly) is closed: a stop never waits on a client.
    stop_timer_.expires_after(kStopGrace);
    stop_timer_.async_wait([this](beast::error_code ec) {
      if (!ec) CloseSessions(/*idle_only=*/false);
    });
    ReleaseIfDone();
  });
}

void HttpServer::Impl::CloseSessions(bool idle_only) {
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    for (auto& [raw, weak] : sessions_) open.push_back(weak.lock());
  }
  for (auto& s : open) {
    if (s) net::post(s->executor(), [s, idle_only] { s->Close(idle_only); });
  }
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor_.is_open() || stopping_) return;
      // Out of descriptors and the like: keep listening rather than stop serving.
      if (ec != net::error::operation_aborted)
        std::cerr << "caseengine: accept: " << ec.message() << "\n";
      return Accept();
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto session = std::make_shared<Session>(std::move(socket), this);
    {
      std::lock_guard<std::mutex> lock(sessions_mu_);
      sessions_[session.get()] = session;
    }
    session->Start();
    Accept();
  });
}

void HttpServer::Impl::Closed(Session* s) {
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    sessions_.erase(s);
  }
  if (stopping_) net::post(control_, [this] { ReleaseIfDone(); });
}

// On the control strand: once stopping and no session is left, lets run return.
void HttpServer::Impl::ReleaseIfDone() {
  std::lock_guard<std::mutex> lock(sessions_mu_);
  if (!stopping_ || !sessions_.empty()) return;
  stop_timer_.cancel();
  work_.reset();
}

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
  if (actor == nullptr) {
    throw Problem(401, "/problems/unauthorized", "Unauthorized",
                  auth.empty() ? "send Authorization: Bearer <token>" : "unknown token");
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
    if (allow.empty()) {
      SetProblem(&answer, Problem::NotFound("no route for " + request.method + " " + request.path));
    } else {
      SetProblem(&answer, Problem(405, "/problems/method-not-allowed", "Method not allowed",
                                  request.path + " answers " + allow + ", not " + request.method,
                                  {{"allow", allow}}));
      answer.headers.emplace_back("Allow", allow);
    }
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
    net::post(pool_, [this, x] { Run(x); });
  }
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
    net::post(pool_, [this, x] { Run(x); });
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
    // The route's work finishes on another thread; the answer is filled in and written
    // on the session's strand. Should `later` throw instead, Guard answers now.
    later([this, x](HttpResponse::Fill fill) {
      net::post(x->session->executor(), [this, x, fill = std::move(fill)] {
        Guard(x.get(), [&] { fill(&x->response); });
        Answer(x);
      });
    });
    answered_later = true;
  });
  if (answered_later) return;
  if (x->response.stream && !x->head()) {
    return net::dispatch(x->session->executor(), [this, x] { Stream(x); });
  }
  if (route.access == Access::kCommand || route.runs == Route::Runs::kInline) return Answer(x);
  net::post(x->session->executor(), [this, x] { Answer(x); });
}

void HttpServer::Impl::Record(const Exchange& x) {
  metrics_->Record(
      x.route, x.response.status,
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - x.start).count());
}

// On the session's strand.
void HttpServer::Impl::Answer(const std::shared_ptr<Exchange>& x) {
  Record(*x);
  x->session->Write(std::move(x->response), x->raw.version(), x->raw.keep_alive(), false,
                    x->head());
}

// A streamed answer on its way: the exchange, and the timer between empty steps.
struct HttpServer::Impl::Feed {
  std::shared_ptr<Exchange> x;
  net::steady_timer pause;
};

// On the session's strand (the route ran inline): a chunked answer written as the
// route's stream produces it; the connection is closed after it.
void HttpServer::Impl::Stream(const std::shared_ptr<Exchange>& x) {
  auto res = ResponseHeader<http::empty_body>(x->response, x->raw.version(), /*close=*/true);
  res->chunked(true);
  Record(*x);
  auto feed = std::make_shared<Feed>(Feed{x, net::steady_timer(x->session->executor())});
  x->session->WriteHeaderAsync(res, [this, feed](bool ok) {
    if (!ok) return EndFeed(feed, false);
    Step(feed);
  });
}

// Produces the next part on the feed pool, then writes it on the session's strand.
void HttpServer::Impl::Step(const std::shared_ptr<Feed>& feed) {
  net::post(feeds_, [this, feed] {
    std::string part;
    bool more = false;
    try {
      more = !stopping_ && feed->x->response.stream(&part);
    } catch (const std::exception& e) {
      std::cerr << "caseengine: " << feed->x->request.path << ": " << e.what() << "\n";
    }
    net::post(feed->x->session->executor(), [this, feed, part = std::move(part), more]() mutable {
      auto next = [this, feed, more](bool ok) {
        if (!ok) return EndFeed(feed, false);
        if (!more) return EndFeed(feed, true);
        Step(feed);
      };
      if (!part.empty()) return feed->x->session->WriteChunkAsync(std::move(part), next);
      if (!more) return EndFeed(feed, true);
      feed->pause.expires_after(kStreamPoll);
      feed->pause.async_wait([this, feed](beast::error_code ec) {
        if (ec || stopping_) return EndFeed(feed, true);
        Step(feed);
      });
    });
  });
}

// On the session's strand: the last chunk when the connection is still `open`, then
// the connection closed.
void HttpServer::Impl::EndFeed(const std::shared_ptr<Feed>& feed, bool open) {
  Session& session = *feed->x->session;
  if (!open) return session.EndStream();
  session.WriteLastChunkAsync([feed](bool) { feed->x->session->EndStream(); });
}

HttpServer::HttpServer(const ServerConfig& config, const std::vector<Route>& routes,
                       Metrics* metrics)
    : impl_(std::make_unique<Impl>(config, routes, metrics)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Bind() { return impl_->Bind(&port_); }
void HttpServer::Serve() { impl_->Serve(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace caseengine
