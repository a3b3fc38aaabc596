// End-to-end tests of the HTTP transport under load, against a real `caseengine serve`:
// many more keep-alive connections than query workers (with one I/O thread and with two),
// with commands and queries mixed and pipelined; and the io_threads key of the config file.
// They talk over RawConnection: the bytes on the wire are what is tested, and HttpClient's
// library rewrites some of them.
#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http/server_config.h"
#include "tests/http_server_support.h"
#include "tests/http_test_support.h"
#include "tests/test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using caseengine::testing::http_server::KeepsAlive;
using caseengine::testing::http_server::RegisterBody;

// A server whose query workers are far fewer than the connections of a test.
struct FewWorkers {
  explicit FewWorkers(const std::string& io_threads)
      : server(dir.Sub("data"), {"--threads", "2", "--io-threads", io_threads}) {}
  TempDir dir;
  ServerProcess server;
};

// What each connection of a busy test made and was answered.
struct Outcome {
  std::string client_id, case_id;
  std::vector<std::string> problems;  // answers that were not what they should be
};

// Registers a client on each connection of `conns` (all requests sent before any answer
// is read, so they are in flight together), then reads the client back on each.
void RegisterOnEach(const std::vector<std::unique_ptr<RawConnection>>& conns, size_t begin,
                    size_t end, const std::string& surname, std::vector<Outcome>* out) {
  for (size_t i = begin; i < end; ++i) {
    if (!conns[i]->Send(RequestText("POST", "/clients", "demo-officer", RegisterBody(surname)))) {
      (*out)[i].problems.push_back("send failed");
    }
  }
  for (size_t i = begin; i < end; ++i) {
    const HttpAnswer a = conns[i]->Read(30);
    if (a.status != 201 || !a.json.is_object() || !KeepsAlive(a)) {
      (*out)[i].problems.push_back("register: " + std::to_string(a.status) + " " + a.body);
      continue;
    }
    (*out)[i].client_id = a.json.value("client_id", "");
    (*out)[i].case_id = a.json.value("case_id", "");
  }
  for (size_t i = begin; i < end; ++i) {
    conns[i]->Send(RequestText("GET", "/clients/" + (*out)[i].client_id));
  }
  for (size_t i = begin; i < end; ++i) {
    const HttpAnswer a = conns[i]->Read(30);
    if (a.status != 200 || !a.json.is_object() ||
        a.json.value("client_id", "") != (*out)[i].client_id) {
      (*out)[i].problems.push_back("read back: " + std::to_string(a.status) + " " + a.body);
    }
  }
}

// Runs fn(begin, end) on `threads` threads, each over its share of `n` connections.
void OnThreads(size_t threads, size_t n, const std::function<void(size_t, size_t)>& fn) {
  std::vector<std::thread> pool;
  const size_t per = n / threads;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back([&, t] { fn(t * per, (t + 1) * per); });
  for (auto& t : pool) t.join();
}

std::vector<std::unique_ptr<RawConnection>> Connect(int port, size_t n) {
  std::vector<std::unique_ptr<RawConnection>> conns;
  for (size_t i = 0; i < n; ++i) {
    conns.push_back(std::make_unique<RawConnection>(port));
    REQUIRE(conns.back()->connected());
  }
  return conns;
}

// Each outcome has no problem and its own client; there are `n` of them.
void CheckAllServed(const std::vector<Outcome>& outcomes, size_t n) {
  std::set<std::string> clients;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    INFO("connection " << i);
    for (const auto& p : outcomes[i].problems) FAIL_CHECK(p);
    clients.insert(outcomes[i].client_id);
  }
  clients.erase("");
  CHECK(clients.size() == n);
}

// `n` keep-alive connections, open together, each registering a client (RegisterOnEach)
// from one of four threads, which then runs `more` over its share of the connections; all
// served (CheckAllServed). The connections stay open with the crowd.
struct Crowd {
  std::vector<std::unique_ptr<RawConnection>> conns;
  std::vector<Outcome> outcomes;
};
Crowd RegisterCrowd(int port, size_t n, const std::string& surname,
                    const std::function<void(Crowd&, size_t, size_t)>& more = nullptr) {
  Crowd crowd{Connect(port, n), std::vector<Outcome>(n)};
  OnThreads(4, n, [&](size_t begin, size_t end) {
    RegisterOnEach(crowd.conns, begin, end, surname, &crowd.outcomes);
    if (more) more(crowd, begin, end);
  });
  CheckAllServed(crowd.outcomes, n);
  return crowd;
}

}  // namespace

TEST_CASE("http: a hundred keep-alive connections are served by one I/O thread and two workers",
          "[http]") {
  FewWorkers s("1");
  const int port = s.server.port();
  const uint64_t before = LogHead(port);
  constexpr size_t kConnections = 100;
  // All open at once, and kept open until the end: a server that gave each open
  // connection a thread of a fixed pool (as cpp-httplib did) would serve two of them.
  const Crowd crowd = RegisterCrowd(port, kConnections, "Crowded");
  const auto& conns = crowd.conns;

  // Each registration is the client, its first case and the new-case workflow's tasks, and
  // nothing else was written.
  const uint64_t head = LogHead(port);
  CHECK(head == before + kRegistrationEvents * kConnections);
  HttpClient officer(port);
  CHECK(GetOk(officer, WithMin(head, "/cases?limit=1&total=true"))["total"] == kConnections);
  // Every connection is still open and usable.
  for (size_t i = 0; i < kConnections; ++i) {
    INFO("connection " << i);
    REQUIRE(conns[i]->Send(RequestText("GET", "/healthz", "")));
  }
  for (size_t i = 0; i < kConnections; ++i) {
    INFO("connection " << i);
    CHECK(conns[i]->Read().status == 200);
  }
}

TEST_CASE("http: two I/O threads serve many connections with commands and queries mixed",
          "[http]") {
  FewWorkers s("2");
  const int port = s.server.port();
  const uint64_t before = LogHead(port);
  constexpr size_t kConnections = 20;
  const Crowd crowd =
      RegisterCrowd(port, kConnections, "Mixed", [](Crowd& c, size_t begin, size_t end) {
        auto& conns = c.conns;
        auto& outcomes = c.outcomes;
        // A command and a query pipelined on each connection, then a list.
        for (size_t round = 0; round < 3; ++round) {
          for (size_t i = begin; i < end; ++i) {
            const std::string k = outcomes[i].case_id;
            conns[i]->Send(RequestText("POST", "/cases/" + k + "/notes", "demo-officer",
                                       json({{"text", "round " + std::to_string(round)}}).dump()) +
                           RequestText("GET", "/cases/" + k) +
                           RequestText("GET", "/cases?limit=5&client_id=" + outcomes[i].client_id));
          }
          for (size_t i = begin; i < end; ++i) {
            const HttpAnswer note = conns[i]->Read(30);
            const HttpAnswer kase = conns[i]->Read(30);
            const HttpAnswer list = conns[i]->Read(30);
            if (note.status != 201 || kase.status != 200 || list.status != 200) {
              outcomes[i].problems.push_back("round " + std::to_string(round) + ": " +
                                             std::to_string(note.status) + " " + note.body + " / " +
                                             std::to_string(kase.status) + " " + kase.body + " / " +
                                             std::to_string(list.status) + " " + list.body);
            }
          }
        }
      });
  // A client and a case (with its workflow's tasks) each, and three notes.
  CHECK(LogHead(port) == before + (kRegistrationEvents + 3) * kConnections);
  HttpClient officer(port);
  for (const Outcome& o : crowd.outcomes) {
    INFO(o.case_id);
    CHECK(GetOk(officer, "/cases/" + o.case_id)["notes"] == 3);
  }
}

TEST_CASE("http: the config file sets io_threads and refuses a value out of range", "[http]") {
  using caseengine::ServerConfig;
  using caseengine::Status;
  TempDir dir;
  const std::string path = dir.Sub("config.json");
  auto load = [&](const json& io_threads, ServerConfig* out) {
    const json user = {{"id", "officer"},
                       {"permissions", json::array({"casework"})},
                       {"token_sha256", caseengine::TokenHash("secret")}};
    json file = {{"users", json::array({user})}};
    if (!io_threads.is_null()) file["io_threads"] = io_threads;
    std::ofstream(path) << file.dump();
    return ServerConfig::Load(path, out);
  };
  ServerConfig config;
  REQUIRE(load(nullptr, &config).ok());
  CHECK(config.io_threads == 1);
  REQUIRE(load(2, &config).ok());
  CHECK(config.io_threads == 2);
  REQUIRE(load(64, &config).ok());
  CHECK(config.io_threads == 64);
  for (const int bad : {0, -1, 65}) {
    INFO("io_threads " << bad);
    ServerConfig untouched;
    const Status s = load(bad, &untouched);
    CHECK(s.code() == Status::Code::kInvalidArgument);
    CHECK(s.message().find("io_threads") != std::string::npos);
    CHECK(untouched.io_threads == 1);
  }
  // A value that is no number is refused too, naming the key.
  const Status two = load("two", &config);
  CHECK(two.code() == Status::Code::kInvalidArgument);
  CHECK(two.message().find("io_threads") != std::string::npos);
}
