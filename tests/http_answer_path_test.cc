// End-to-end tests of where answers are written from: a command's answer is written by
// the log's committer and a query's by its worker, off the connection's strand (see
// http/http_server_impl.h). Against a real `caseengine serve`: many connections each
// pipelining commands are all answered, in order per connection; a stop while commands
// are in flight answers each exchange once (Connection: close) or closes its connection,
// never both, never twice, and the server exits cleanly; clients that stop reading large
// answers do not hold up the answers of others.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/http_test_support.h"
#include "tests/test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

std::string Surname(size_t conn, size_t i) {
  // Letters only: surnames are names.
  std::string s = "Order";
  s += static_cast<char>('a' + conn % 26);
  s += static_cast<char>('a' + conn / 26);
  s += static_cast<char>('a' + i);
  return s;
}

std::string RegisterText(const std::string& surname) {
  return RequestText("POST", "/clients", "demo-officer",
                     json({{"surname", surname}, {"date_of_birth", "1990-01-31"}}).dump());
}

std::vector<std::unique_ptr<RawConnection>> Connect(int port, size_t n, int receive_buffer = 0) {
  std::vector<std::unique_ptr<RawConnection>> conns;
  for (size_t i = 0; i < n; ++i) {
    conns.push_back(std::make_unique<RawConnection>(port, receive_buffer));
    REQUIRE(conns.back()->connected());
  }
  return conns;
}

}  // namespace

TEST_CASE("http: commands pipelined on many connections are all answered, in order on each",
          "[http][answers]") {
  TempDir dir;
  ServerProcess server(dir.Sub("data"), {"--io-threads", "2"});
  constexpr size_t kConnections = 40, kEach = 6;
  auto conns = Connect(server.port(), kConnections);
  // Everything is sent before anything is read: every connection has its commands queued
  // behind each other, and the log's rounds hold commands of many connections.
  for (size_t c = 0; c < kConnections; ++c) {
    std::string burst;
    for (size_t i = 0; i < kEach; ++i) burst += RegisterText(Surname(c, i));
    REQUIRE(conns[c]->Send(burst));
  }
  std::vector<std::vector<std::string>> clients(kConnections);
  for (size_t c = 0; c < kConnections; ++c) {
    uint64_t last = 0;
    for (size_t i = 0; i < kEach; ++i) {
      const HttpAnswer a = conns[c]->Read(30);
      REQUIRE(a.status == 201);
      CHECK(a.Header("Connection") != "close");
      // One request at a time per connection: each answer's append comes after the last.
      const uint64_t position = a.json.value("position", uint64_t{0});
      CHECK(position > last);
      last = position;
      clients[c].push_back(a.json.value("client_id", ""));
    }
  }
  // Each answer is its own request's, in the order sent.
  HttpClient officer = server.Client();
  std::set<std::string> seen;
  for (size_t c = 0; c < kConnections; ++c) {
    for (size_t i = 0; i < kEach; ++i) {
      CHECK(seen.insert(clients[c][i]).second);
      CHECK(GetOk(officer, "/clients/" + clients[c][i])["surname"] == Surname(c, i));
    }
  }
}

TEST_CASE("http: a stop with commands in flight answers each at most once, or closes it",
          "[http][answers]") {
  TempDir dir;
  std::set<std::string> answered;  // client ids answered 201, over every round
  for (int round = 0; round < 3; ++round) {
    ServerProcess server(dir.Sub("data"), {"--io-threads", "2"});
    constexpr size_t kConnections = 48, kEach = 4;
    auto conns = Connect(server.port(), kConnections);
    for (size_t c = 0; c < kConnections; ++c) {
      std::string burst;
      for (size_t i = 0; i < kEach; ++i) burst += RegisterText(Surname(c, i));
      REQUIRE(conns[c]->Send(burst));
    }
    int code = -3;
    std::thread stopper([&] { code = server.StopWithin(20); });
    for (size_t c = 0; c < kConnections; ++c) {
      // Whole answers, then the end of the connection; nothing after an answer that says
      // close, and never more answers than requests.
      size_t got = 0;
      bool closing = false;
      for (;;) {
        const HttpAnswer a = conns[c]->Read(10);
        if (a.status == 0) break;
        INFO("connection " << c << " answer " << got << ": " << a.status << " " << a.body);
        CHECK_FALSE(closing);
        ++got;
        REQUIRE(got <= kEach);
        // Served, or refused because the log was closing under it: either way once.
        CHECK((a.status == 201 || a.status == 503));
        if (a.status == 201) CHECK(answered.insert(a.json.value("client_id", "")).second);
        closing = a.Header("Connection") == "close";
      }
    }
    stopper.join();
    CHECK(code == 0);
  }
  // What was answered 201 is in the log after the stops.
  ServerProcess again(dir.Sub("data"));
  HttpClient officer = again.Client();
  for (const std::string& id : answered) GetOk(officer, "/clients/" + id);
}

TEST_CASE("http: clients that do not read large answers do not hold up the answers of others",
          "[http][answers]") {
  TempDir dir;
  // As few query workers as stalled clients, and one I/O thread: an answer that held a
  // thread until its client read it would stop the server.
  ServerProcess server(dir.Sub("data"), {"--threads", "2", "--io-threads", "1"});
  const int port = server.port();
  auto stalled = Connect(port, 4, 4096);
  // Some 20 MB of answers each: more than the socket buffers of both sides hold.
  std::string burst;
  for (int i = 0; i < 600; ++i) burst += RequestText("GET", "/openapi.json");
  for (auto& s : stalled) REQUIRE(s->Send(burst));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  constexpr size_t kOthers = 16;
  auto others = Connect(port, kOthers);
  const auto start = Clock::now();
  for (size_t round = 0; round < 5; ++round) {
    for (size_t c = 0; c < kOthers; ++c) {
      REQUIRE(others[c]->Send(c % 2 == 0 ? RegisterText(Surname(c, round))
                                         : RequestText("GET", "/cases?limit=5")));
    }
    for (size_t c = 0; c < kOthers; ++c) {
      const HttpAnswer a = others[c]->Read(10);
      CHECK(a.status == (c % 2 == 0 ? 201 : 200));
    }
  }
  // 80 answers; a stalled thread would leave them waiting for the write timeout (30 s).
  CHECK(Clock::now() - start < std::chrono::seconds(10));
  CHECK(server.StopWithin(5) == 0);
}
