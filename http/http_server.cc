// HttpServer: see http_server.h. The only file that includes the HTTP library.
#include "http/http_server.h"

#include <httplib.h>

#include <chrono>
#include <iostream>
#include <regex>

namespace caseengine {
namespace {

using Clock = std::chrono::steady_clock;

// "/clients/{id}/cases" -> "/clients/([^/]+)/cases"
std::string PathRegex(const std::string& path) {
  static const std::regex kPlaceholder(R"(\{[a-z_]+\})");
  return std::regex_replace(path, kPlaceholder, "([^/]+)");
}

void WriteProblem(httplib::Response& res, int status, const std::string& type,
                  const std::string& title, const std::string& detail,
                  const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json j = {{"type", type}, {"title", title}, {"status", status}, {"detail", detail}};
  for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
  res.status = status;
  res.set_content(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/problem+json");
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const ServerConfig& config, const std::vector<Route>& routes, Metrics* metrics)
      : config_(config), routes_(routes), metrics_(metrics) {
    const int threads = config.threads;
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server_.set_keep_alive_max_count(1000000);
    // An idle keep-alive connection holds its worker until this passes, also at shutdown.
    server_.set_keep_alive_timeout(5);
    server_.set_tcp_nodelay(true);
    server_.set_payload_max_length(config.max_body_bytes);
    server_.set_read_timeout(30, 0);
    server_.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;  // a route's own answer
      switch (res.status) {
        case 413:
          WriteProblem(res, 413, "/problems/too-large", "Body too large",
                       "the body is over " + std::to_string(config_.max_body_bytes) + " bytes");
          break;
        case 404:
          WriteProblem(res, 404, "/problems/not-found", "Not found",
                       "no route for " + req.method + " " + req.path);
          break;
        default:
          WriteProblem(res, res.status, "/problems/malformed", "Malformed request",
                       "the request could not be read");
      }
      metrics_->Record(metrics_->unrouted(), res.status, 0);
    });
    for (size_t i = 0; i < routes_.size(); ++i) Register(i);
  }

  void Register(size_t index) {
    const Route& route = routes_[index];
    const std::string pattern = PathRegex(route.path);
    auto handler = [this, index](const httplib::Request& req, httplib::Response& res) {
      Handle(index, req, res);
    };
    const std::string method = route.method;
    if (method == "GET") server_.Get(pattern, handler);
    if (method == "POST") server_.Post(pattern, handler);
    if (method == "PATCH") server_.Patch(pattern, handler);
    if (method == "DELETE") server_.Delete(pattern, handler);
  }

  void Handle(size_t index, const httplib::Request& req, httplib::Response& res) {
    const Clock::time_point start = Clock::now();
    const Route& route = routes_[index];
    HttpRequest request;
    request.method = req.method;
    request.path = req.path;
    for (size_t i = 1; i < req.matches.size(); ++i) request.path_params.push_back(req.matches[i]);
    for (const auto& [k, v] : req.params) request.query.emplace(k, v);  // the first wins
    request.header = [&req](const char* name) { return req.get_header_value(name); };
    request.body = req.body;
    HttpResponse response;
    try {
      Authorize(route, req, &request);
      route.handler(request, &response);
      res.status = response.status;
      for (const auto& [k, v] : response.headers) res.set_header(k, v);
      if (response.stream) {
        auto stream = response.stream;
        res.set_chunked_content_provider(
            response.content_type, [stream](size_t, httplib::DataSink& sink) {
              auto write = [&sink](const std::string& chunk) {
                return sink.is_writable() && sink.write(chunk.data(), chunk.size());
              };
              if (!stream(write)) sink.done();
              return true;
            });
      } else {
        res.set_content(response.body, response.content_type);
      }
    } catch (const Problem& p) {
      WriteProblem(res, p.status, p.type, p.title, p.what(), p.extra);
      if (p.status == 401) res.set_header("WWW-Authenticate", "Bearer");
    } catch (const nlohmann::json::exception& e) {
      WriteProblem(res, 400, "/problems/malformed", "Malformed request", e.what());
    } catch (const std::exception& e) {
      std::cerr << "caseengine: " << route.method << " " << req.path << ": " << e.what() << "\n";
      WriteProblem(res, 500, "/problems/internal", "Internal error",
                   "the request failed on the server; nothing was changed by it");
    }
    metrics_->Record(
        index, res.status,
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
  }

  void Authorize(const Route& route, const httplib::Request& req, HttpRequest* request) {
    if (route.access == Access::kPublic) return;
    const std::string auth = req.get_header_value("Authorization");
    const std::string kBearer = "Bearer ";
    const Actor* actor = nullptr;
    if (auth.compare(0, kBearer.size(), kBearer) == 0) {
      actor = config_.Authenticate(auth.substr(kBearer.size()));
    }
    if (actor == nullptr) {
      throw Problem(401, "/problems/unauthorized", "Unauthorized",
                    auth.empty() ? "send Authorization: Bearer <token>" : "unknown token");
    }
    if (route.access == Access::kAudit && !actor->Has(kAudit)) throw Problem::Forbidden(kAudit);
    request->actor = actor;
  }

  Status Bind(int* port) {
    int bound = config_.port == 0
                    ? server_.bind_to_any_port(config_.host)
                    : (server_.bind_to_port(config_.host, config_.port) ? config_.port : -1);
    if (bound <= 0) {
      return Status::Unavailable("cannot listen on " + config_.host + ":" +
                                 std::to_string(config_.port) +
                                 " (in use, or not an address of this machine)");
    }
    *port = bound;
    return Status::Ok();
  }
  void Serve() { server_.listen_after_bind(); }
  void Stop() { server_.stop(); }

 private:
  const ServerConfig& config_;
  const std::vector<Route>& routes_;
  Metrics* metrics_;
  httplib::Server server_;
};

HttpServer::HttpServer(const ServerConfig& config, const std::vector<Route>& routes,
                       Metrics* metrics)
    : impl_(std::make_unique<Impl>(config, routes, metrics)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Bind() { return impl_->Bind(&port_); }
void HttpServer::Serve() { impl_->Serve(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace caseengine
