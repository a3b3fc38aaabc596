// Test support for key sets fetched from a URL (auth/jwks_cache.h): the tests' identity
// provider publishes its keys over HTTP, from a cpp-httplib server on 127.0.0.1 (a free
// port) in a thread of its own. The test changes what it serves (a rotation), makes it fail
// (HTTP 500), and counts the fetches. Test-only.
//
// Threading: every method from any thread (a mutex around what is served and counted).
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace caseengine::testing {

class JwksServer {
 public:
  // Serves `set` at /keys, with `cache_control` as its Cache-Control ("": none).
  explicit JwksServer(const nlohmann::json& set, const std::string& cache_control = "");
  ~JwksServer();
  JwksServer(const JwksServer&) = delete;
  JwksServer& operator=(const JwksServer&) = delete;

  // "http://127.0.0.1:PORT/keys".
  std::string url() const;
  // What GET /keys answers from now on.
  void Serve(const nlohmann::json& set, const std::string& cache_control = "");
  // GET /keys answers 500 from now on (until Serve).
  void Fail();
  // GETs of /keys answered so far.
  int fetches() const;

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::string body_;  // guarded by mu_
  std::string cache_control_;
  bool failing_ = false;
  int fetches_ = 0;
};

// A URL on 127.0.0.1 where nothing listens (a port bound, then let go).
std::string UnreachableUrl();

}  // namespace caseengine::testing
