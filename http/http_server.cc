// HttpServer: see http_server.h. The server's life: binding, the I/O threads, accepting
// connections, and a stop. Its parts are in http_server_impl.h (which lists the files);
// they are the only files that include the HTTP library (Boost.Beast over Asio).
//
// Shutdown: Stop closes the listener and the idle connections; an exchange in flight
// is answered (with Connection: close) and then its connection is closed; what is still
// open after a grace of two seconds is closed; Serve returns when no session is left. A
// command answered during the stop is written like any other, or not at all when its
// connection was closed first (Session::Write).
#include "http/http_server.h"

#include <pthread.h>

#include <iostream>
#include <thread>

#include "http/http_server_impl.h"
#include "http/tls_context.h"

namespace caseengine {

namespace beast = http_internal::beast;
namespace net = http_internal::net;
using http_internal::kStopGrace;
using http_internal::MakePattern;
using http_internal::MarkIoThread;
using http_internal::NameThisThread;
using http_internal::tcp;

namespace {
thread_local bool io_thread = false;
}  // namespace

void http_internal::MarkIoThread() { io_thread = true; }
bool http_internal::OnIoThread() { return io_thread; }

void http_internal::NameThisThread(const char* name) {
  // Once a thread: the pools' threads are Asio's, started unnamed. The calling thread
  // of Serve keeps the process's name.
  thread_local bool named = false;
  if (named) return;
  named = true;
  pthread_setname_np(pthread_self(), name);
}

HttpServer::Impl::Impl(const ServerConfig& config, const std::vector<Route>& routes,
                       Metrics* metrics, ServerLog* log)
    : config_(config),
      routes_(routes),
      metrics_(metrics),
      log_(log),
      throttle_(config.sign_in),
      work_(net::make_work_guard(io_)),
      control_(net::make_strand(io_)),
      stop_timer_(control_),
      acceptor_(control_),  // its handlers and Stop's close on one strand
      pool_(static_cast<size_t>(ServerConfig::QueryThreads(config))),
      long_pool_(kLongThreads),
      feeds_(kFeedThreads) {
  for (const Route& r : routes_) patterns_.push_back(MakePattern(r));
}

HttpServer::Impl::~Impl() {
  pool_.join();
  long_pool_.join();
  feeds_.join();
}

Status HttpServer::Impl::Bind(int* port) {
  if (config_.tls.enabled() && tls_ == nullptr) {
    Status s = TlsContext::Load(config_.tls, &tls_);
    if (!s.ok()) return s;
  }
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

void HttpServer::Impl::Serve() {
  if (acceptor_.is_open()) Accept();
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, config_.io_threads); ++i) {
    threads.emplace_back([this] {
      NameThisThread("http-io");
      MarkIoThread();
      io_.run();
    });
  }
  MarkIoThread();
  io_.run();
  for (std::thread& t : threads) t.join();
  pool_.join();
  long_pool_.join();
  feeds_.join();
}

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
      if (ec != net::error::operation_aborted) {
        if (log_ != nullptr) {
          log_->Error("accept failed", {{"error", ec.message()}});
        } else {
          std::cerr << "caseengine: accept: " << ec.message() << "\n";
        }
      }
      return Accept();
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto session = NewSession(std::move(socket));
    {
      std::lock_guard<std::mutex> lock(sessions_mu_);
      sessions_[session.get()] = session;
    }
    session->Start();
    Accept();
  });
}

Status HttpServer::Impl::ReloadTls() {
  if (tls_ == nullptr) return Status::Ok();
  return tls_->Reload();
}

nlohmann::json HttpServer::Impl::TlsSummary() const {
  return tls_ == nullptr ? nlohmann::json(false) : tls_->Summary();
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

HttpServer::HttpServer(const ServerConfig& config, const std::vector<Route>& routes,
                       Metrics* metrics, ServerLog* log)
    : impl_(std::make_unique<Impl>(config, routes, metrics, log)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::CheckTls(const ServerConfig& config) {
  if (!config.tls.enabled()) return Status::Ok();
  std::unique_ptr<TlsContext> tls;
  return TlsContext::Load(config.tls, &tls);
}

Status HttpServer::Bind() { return impl_->Bind(&port_); }
void HttpServer::Serve() { impl_->Serve(); }
void HttpServer::Stop() { impl_->Stop(); }
Status HttpServer::ReloadTls() { return impl_->ReloadTls(); }
nlohmann::json HttpServer::TlsSummary() const { return impl_->TlsSummary(); }

}  // namespace caseengine
