// Test support for key sets fetched from a URL: see jwks_server.h.
#include "tests/jwks_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>

namespace caseengine::testing {

JwksServer::JwksServer(const nlohmann::json& set, const std::string& cache_control)
    : server_(std::make_unique<httplib::Server>()) {
  Serve(set, cache_control);
  server_->Get("/keys", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    ++fetches_;
    if (failing_) {
      res.status = 500;
      res.set_content("down for maintenance", "text/plain");
      return;
    }
    if (!cache_control_.empty()) res.set_header("Cache-Control", cache_control_);
    res.set_content(body_, "application/json");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  REQUIRE(port_ > 0);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

JwksServer::~JwksServer() {
  server_->stop();
  thread_.join();
}

std::string JwksServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/keys";
}

void JwksServer::Serve(const nlohmann::json& set, const std::string& cache_control) {
  std::lock_guard<std::mutex> lock(mu_);
  body_ = set.dump();
  cache_control_ = cache_control;
  failing_ = false;
}

void JwksServer::Fail() {
  std::lock_guard<std::mutex> lock(mu_);
  failing_ = true;
}

int JwksServer::fetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

std::string UnreachableUrl() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t size = sizeof addr;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) == 0);
  close(fd);  // bound and never listened on: connections are refused
  return "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/keys";
}

}  // namespace caseengine::testing
