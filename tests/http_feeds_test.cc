// Event feeds and read-your-writes waits hold no query worker: open feeds past the number
// of workers, and queries waiting for a position far ahead, leave /healthz and other
// queries answering; one user's open feeds are capped (429 past the cap).
//
// A read with a bound (RawConnection::Read's seconds) is how a test tells "answered" from
// "stuck behind a held worker": the bounds are generous, far above the milliseconds an
// answer takes, and well below the waits (feeds: for ever; min_position: 5 s a query,
// queued behind one another on one worker) that held the workers before.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "tests/http_test_support.h"

namespace caseengine::testing {
namespace {

// An open feed: the request sent, its answer's first bytes not read.
std::unique_ptr<RawConnection> OpenFeed(int port, const std::string& token) {
  auto c = std::make_unique<RawConnection>(port);
  REQUIRE(c->connected());
  REQUIRE(c->Send(RequestText("GET", "/events/stream?from=1", token)));
  return c;
}

HttpAnswer GetWithin(int port, const std::string& path, int seconds,
                     const std::string& token = "demo-officer") {
  RawConnection c(port);
  if (!c.Send(RequestText("GET", path, token))) return HttpAnswer();
  return c.Read(seconds);
}

TEST_CASE("http: open event feeds hold no query worker", "[http][feeds]") {
  TempDir dir;
  ServerProcess server(dir.Sub("data"), {"--threads", "2", "--max-feeds-per-user", "16"});
  HttpClient officer = server.Client();
  Register(officer, "Fed");
  // Three feeds a worker, each open for as long as the test runs.
  std::vector<std::unique_ptr<RawConnection>> feeds;
  for (int i = 0; i < 6; ++i) feeds.push_back(OpenFeed(server.port(), "demo-auditor"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  CHECK(GetWithin(server.port(), "/healthz", 3, "").status == 200);
  CHECK(GetWithin(server.port(), "/cases?limit=5", 3).status == 200);
  CHECK(GetWithin(server.port(), "/metrics", 3).status == 200);
  // The feeds still stream: a new event reaches a feed opened after them.
  Register(officer, "Later");
  const EventStreamAnswer live =
      ReadEventStream(server.port(), "/events/stream?from=1", "demo-admin", 4, 10);
  CHECK(live.status == 200);
  CHECK(live.events.size() == 4);
}

TEST_CASE("http: queries waiting for a position far ahead do not stall /healthz or other queries",
          "[http][feeds]") {
  TempDir dir;
  ServerProcess server(dir.Sub("data"), {"--threads", "1"});
  HttpClient officer = server.Client();
  const nlohmann::json r = Register(officer, "Waiting");
  const std::string client = r["client_id"];
  // Each waits 5 s for a position the log will not reach; on one worker they would hold
  // it 20 s in turn.
  std::vector<std::unique_ptr<RawConnection>> waiting;
  const std::vector<std::string> far = {
      "/cases?limit=5&min_position=1000000", "/clients?min_position=1000000",
      "/clients/" + client + "?min_position=1000000", "/cases?min_position=1000000"};
  for (const std::string& path : far) {
    auto c = std::make_unique<RawConnection>(server.port());
    REQUIRE(c->Send(RequestText("GET", path)));
    waiting.push_back(std::move(c));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(GetWithin(server.port(), "/healthz", 3, "").status == 200);
  CHECK(GetWithin(server.port(), "/cases?limit=5", 3).status == 200);
  CHECK(GetWithin(server.port(), "/clients/" + client, 3).status == 200);
  // A wait for a position that comes ends as it comes.
  const uint64_t next = r["position"].get<uint64_t>() + 1;
  RawConnection soon(server.port());
  REQUIRE(soon.Send(RequestText("GET", WithMin(next, "/cases?limit=5"))));
  Register(officer, "Arriving");
  CHECK(soon.Read(4).status == 200);
  // The ones far ahead answer that the position is not yet reached.
  for (auto& c : waiting) {
    const HttpAnswer a = c->Read(30);
    CheckProblem(a, 503, "/problems/not-yet-applied");
  }
}

TEST_CASE("http: a user's open event feeds are capped and past the cap answer 429",
          "[http][feeds]") {
  TempDir dir;
  ServerProcess server(dir.Sub("data"), {"--max-feeds-per-user", "2"});
  HttpClient officer = server.Client();
  Register(officer, "Capped");
  auto first = OpenFeed(server.port(), "demo-auditor");
  auto second = OpenFeed(server.port(), "demo-auditor");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  HttpAnswer over = GetWithin(server.port(), "/events/stream?from=1", 5, "demo-auditor");
  CheckProblem(over, 429, "/problems/too-many-feeds");
  CHECK(over.Header("Retry-After") == "5");
  CHECK(over.json["max_feeds_per_user"] == 2);
  // Another user is not held to this one's feeds.
  const EventStreamAnswer other =
      ReadEventStream(server.port(), "/events/stream?from=1", "demo-admin", 1, 10);
  CHECK(other.status == 200);

  // A feed closed gives its slot back (once the server sees the connection gone, at its
  // next write at the latest).
  first.reset();
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    const EventStreamAnswer again =
        ReadEventStream(server.port(), "/events/stream?from=1", "demo-auditor", 1, 5);
    status = again.status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  CHECK(status == 200);
}

}  // namespace
}  // namespace caseengine::testing
