// Tests of where the HTTP server runs a route (Route::Runs), in process with routes of
// the test's own: a route whose work grows with the log (kLong) runs on a pool of its
// own, so while it works the query workers answer, even when there is a single one; and
// the number of query workers follows the cores unless the config gives it.
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/http_server.h"
#include "http/server_config.h"
#include "tests/http_test_support.h"

namespace caseengine::testing {
namespace {

using namespace std::chrono_literals;

// A gate a route waits at until the test opens it (or 10 s pass).
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int waiting = 0;
  void Wait() {
    std::unique_lock<std::mutex> lock(mu);
    ++waiting;
    cv.notify_all();
    cv.wait_for(lock, 10s, [&] { return open; });
  }
  bool AwaitWaiters(int n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, 10s, [&] { return waiting >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
};

Route GetRoute(const char* path, const char* operation, Route::Runs runs,
               std::function<void(const HttpRequest&, HttpResponse*)> handler) {
  Route r{"GET", path, operation, operation, Access::kPublic, 200, {}, {}, std::move(handler)};
  r.runs = runs;
  return r;
}

// A server on a free port, serving on a thread of its own until destroyed.
struct RunningServer {
  RunningServer(const ServerConfig& config, std::vector<Route> r)
      : routes(std::move(r)), metrics(Labels(routes)), server(config, routes, &metrics) {
    REQUIRE(server.Bind().ok());
    thread = std::thread([this] { server.Serve(); });
  }
  ~RunningServer() {
    server.Stop();
    thread.join();
  }
  static std::vector<std::string> Labels(const std::vector<Route>& routes) {
    std::vector<std::string> labels;
    for (const Route& r : routes) labels.push_back(r.operation);
    labels.push_back("unrouted");
    return labels;
  }
  std::vector<Route> routes;
  Metrics metrics;
  HttpServer server;
  std::thread thread;
};

}  // namespace

TEST_CASE("http: a route that reads the whole log does not hold the query workers", "[http]") {
  // Given a server with one query worker, and a long route held at a gate
  Gate gate;
  ServerConfig config;
  config.port = 0;
  config.threads = 1;
  auto answer = [](HttpResponse* res) { res->Json({{"ok", true}}); };
  RunningServer s(config, {GetRoute("/long", "Long", Route::Runs::kLong,
                                    [&](const HttpRequest&, HttpResponse* res) {
                                      gate.Wait();
                                      answer(res);
                                    }),
                           GetRoute("/query", "Query", Route::Runs::kWorker,
                                    [&](const HttpRequest&, HttpResponse* res) { answer(res); })});
  std::thread long_call([&] {
    HttpClient client(s.server.port(), "");
    CHECK(client.Get("/long").status == 200);
  });
  REQUIRE(gate.AwaitWaiters(1));

  // When queries are asked while the long route works
  // Then each is answered by the one worker, the long route still waiting
  HttpClient client(s.server.port(), "");
  for (int i = 0; i < 5; ++i) CHECK(client.Get("/query").status == 200);
  {
    std::lock_guard<std::mutex> lock(gate.mu);
    CHECK_FALSE(gate.open);
  }
  gate.Open();
  long_call.join();
}

TEST_CASE("http: the query workers are twice the cores and at least 4 unless configured",
          "[http]") {
  ServerConfig config;
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  CHECK(ServerConfig::QueryThreads(config) == std::max(4, 2 * cores));
  config.threads = 3;
  CHECK(ServerConfig::QueryThreads(config) == 3);
}

}  // namespace caseengine::testing
