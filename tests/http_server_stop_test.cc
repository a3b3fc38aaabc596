// End-to-end tests of stopping a real `caseengine serve`: the exchanges in flight are
// answered with Connection: close, idle connections and event streams are ended, and a
// client that reads none of its answers does not hold the stop up.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/http_server_support.h"
#include "tests/http_test_support.h"
#include "tests/test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using caseengine::testing::http_server::RegisterBody;

using Clock = std::chrono::steady_clock;

}  // namespace

TEST_CASE(
    "http: a stop answers the exchanges in flight with Connection close and ends idle "
    "connections and streams",
    "[http]") {
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  const int port = server.port();
  HttpClient officer = server.Client();
  const json r = Register(officer, "Stopping");
  const std::string c = r["client_id"];
  const uint64_t head = r["position"];

  EventStreamAnswer feed;
  std::thread reader(
      [&] { feed = ReadEventStream(port, "/events/stream?from=1", "demo-auditor", 1000, 30); });
  RawConnection idle(port);
  REQUIRE(idle.Send(RequestText("GET", "/healthz", "")));
  REQUIRE(idle.Read().status == 200);
  // A query waiting on the log for the next position, on a worker.
  RawConnection waiting(port);
  REQUIRE(waiting.Send(RequestText("GET", WithMin(head + 1, "/clients/" + c))));
  // A command whose headers are read and whose body is still to come.
  RawConnection sending(port);
  const std::string request = RequestText("POST", "/clients", "demo-officer", RegisterBody("Late"),
                                          {{"Expect", "100-continue"}});
  const size_t end = request.find("\r\n\r\n") + 4;
  REQUIRE(sending.Send(request.substr(0, end)));
  REQUIRE(sending.Read(5).status == 100);
  // Time for the stream and the waiting query to be under way.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  int code = -3;
  Clock::duration took{};
  std::thread stopper([&] {
    const auto start = Clock::now();
    code = server.StopWithin(20);
    took = Clock::now() - start;
  });
  // The idle connection is closed at once: that is also the sign the stop has begun.
  CHECK(idle.ClosedByServer(5));
  // The command in flight is still served, and its append wakes the waiting query; both
  // are answered with Connection: close, and their connections closed.
  REQUIRE(sending.Send(request.substr(end)));
  const HttpAnswer created = sending.Read();
  const json late = Done(created, 201);
  CHECK(created.Header("Connection") == "close");
  CHECK(sending.ClosedByServer(5));
  const HttpAnswer waited = waiting.Read();
  CHECK(waited.status == 200);
  CHECK(waited.json.value("client_id", "") == c);
  CHECK(waited.Header("Connection") == "close");
  CHECK(waiting.ClosedByServer(5));
  stopper.join();
  reader.join();
  CHECK(code == 0);
  // The event stream checks for a stop once a second.
  CHECK(took < std::chrono::seconds(5));
  CHECK(feed.status == 200);
  CHECK(feed.events.size() >= 2);

  // What was answered 201 during the stop is in the log.
  ServerProcess again(dir.Sub("data"));
  HttpClient after = again.Client();
  CHECK(GetOk(after, "/clients/" + late["client_id"].get<std::string>())["surname"] == "Late");
}

// Fails with the server as it is: an answer's write has no deadline (the session's
// stream never expires once a request is read), so a client that keeps its connection
// open and does not read holds its exchange in flight for ever, and the stop waits for it
// without end: SIGTERM never makes the server exit. The client here pipelines many
// answers and reads none; an event stream whose client stops reading, once the socket
// buffers are full, holds its worker in a blocking write the same way. Expected: a stop
// takes well under a second here (as with an idle connection), the stalled connection
// being closed.
TEST_CASE("http: a client that does not read its answers does not hold up a stop", "[http]") {
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  RawConnection stalled(server.port(), 4096);
  REQUIRE(stalled.connected());
  // Some 20 MB of answers: more than the socket buffers of both sides hold.
  std::string burst;
  for (int i = 0; i < 600; ++i) burst += RequestText("GET", "/openapi.json");
  REQUIRE(stalled.Send(burst));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(server.StopWithin(5) == 0);
}
