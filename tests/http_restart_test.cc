// End-to-end tests of the life of a data folder under a real `caseengine serve`: a restart
// keeps every event and read model, SIGTERM keeps every answered command and stops with an
// open event stream or idle connection, `caseengine rebuild` gives the same answers, and read
// models killed with SIGKILL under load equal a rebuild.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/http_test_support.h"
#include "tests/test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

// What a caseworker and an auditor see of a data folder: every list, and each case's
// record, journal and history, read once the read models have applied the whole log.
std::map<std::string, json> Snapshot(int port, const std::vector<std::string>& cases,
                                     const std::vector<std::string>& clients) {
  HttpClient admin(port, "demo-admin");
  const uint64_t head = LogHead(port);
  std::vector<std::string> paths = {
      "/cases?limit=1000",
      "/cases?limit=1000&sort=surname,-opened_on&columns=case_id,surname,status,open_strands",
      "/cases?status=closed",
      "/case-officers?limit=1000",
      "/case-officers?group_by=officer",
      "/case-people?limit=1000",
      "/lobby?status=all&limit=1000",
      "/lobby",
      "/audit?limit=1000",
      "/audit?actor=supervisor",
      "/events?from=1&limit=1000",
      "/clients?q=Alpha",
      "/clients?q=Bravo",
      "/clients?date_of_birth=1980-01-01&limit=100",
  };
  for (const auto& k : cases) {
    paths.push_back("/cases/" + k);
    paths.push_back("/cases/" + k + "/journal?limit=1000");
    paths.push_back("/cases/" + k + "/history?limit=1000");
  }
  for (const auto& c : clients) paths.push_back("/clients/" + c);
  std::map<std::string, json> out;
  for (const auto& path : paths) {
    HttpAnswer a = admin.Get(WithMin(head, path));
    out[path] = {{"status", a.status}, {"body", a.json}};
  }
  // The same list as CSV.
  HttpAnswer csv =
      admin.Get(WithMin(head, "/cases?limit=1000&sort=case_id"), {{"Accept", "text/csv"}});
  out["csv"] = {{"status", csv.status}, {"body", csv.body}};
  return out;
}

void CheckSame(const std::map<std::string, json>& before,
               const std::map<std::string, json>& after) {
  REQUIRE(before.size() == after.size());
  for (const auto& [path, answer] : before) {
    INFO(path << "\nbefore: " << answer.dump() << "\nafter:  " << after.at(path).dump());
    CHECK(after.at(path) == answer);
  }
}

// A varied history: every kind of list row, a move, notes and actions, Lobby records of
// every fate, a soft deletion undone, a soft deletion kept and an erasure. The cases and
// clients it made, for Snapshot.
struct History {
  std::vector<std::string> cases, clients;
};

// The demo users' clients on a server's port.
struct Users {
  explicit Users(int port)
      : officer(port, "demo-officer"),
        supervisor(port, "demo-supervisor"),
        admin(port, "demo-admin") {}
  HttpClient officer, supervisor, admin;
};

History MakeHistory(Users& s) {
  History h;
  auto reg = [&](HttpClient& who, const std::string& surname, const json& extra = json::object()) {
    json r = Register(who, surname, extra);
    h.clients.push_back(r["client_id"].get<std::string>());
    h.cases.push_back(r["case_id"].get<std::string>());
    return std::make_pair(r["client_id"].get<std::string>(), r["case_id"].get<std::string>());
  };
  const auto [alpha, a1] = reg(s.officer, "Alpha", {{"forenames", "Ann"}, {"postcode", "LS1 4AP"}});
  const auto [bravo, b1] = reg(s.officer, "Bravo", {{"nino", "AB123456C"}});
  const auto [charlie, c1] = reg(s.supervisor, "Charlie", {{"client_type", "case_management"}});
  const auto [gone, g1] = reg(s.officer, "Gone", {{"email", "gone@example.org"}});
  const auto [hidden, h1] = reg(s.officer, "Hidden");
  const auto [back, r1] = reg(s.officer, "Back");

  const std::string a2 = Done(s.officer.Post("/clients/" + alpha + "/cases"), 201)["case_id"];
  h.cases.push_back(a2);
  Done(s.officer.Post("/cases/" + a1 + "/strands", {{"type", "housing_register"}}), 201);
  const std::string ha =
      Done(s.officer.Post("/cases/" + a1 + "/strands", {{"type", "homeless_application"}}),
           201)["strand_id"];
  Done(s.officer.Post("/cases/" + a1 + "/notes", {{"text", "A note"}, {"strand_id", ha}}), 201);
  const std::string act =
      Done(s.officer.Post("/cases/" + a1 + "/actions", {{"title", "Call"}, {"due", "2030-01-01"}}),
           201)["action_id"];
  Done(s.officer.Post("/cases/" + a1 + "/actions/" + act + "/complete"));
  Done(s.supervisor.Post("/cases/" + a1 + "/strands/" + ha + "/move", {{"target_case_id", a2}}));
  Done(s.officer.Post(
      "/cases/" + a1 + "/people",
      {{"client_id", bravo}, {"relationship", "partner"}, {"joint_applicant", true}}));
  Done(s.officer.Post("/cases/" + a1 + "/people/" + bravo + "/leave",
                      {{"date_left", "2999-12-31"}}));
  Done(s.officer.Post("/cases/" + b1 + "/officers",
                      {{"user_id", "supervisor"}, {"role", "secondary"}}));
  Done(s.officer.Post("/cases/" + b1 + "/team", {{"team_id", "allocations"}}));
  Done(s.officer.Post("/cases/" + c1 + "/close", {{"reason", "housed"}}));
  Done(s.officer.Post("/clients/" + bravo + "/status", {{"status", "inactive"}}));
  Done(s.officer.Patch("/clients/" + alpha, {{"forenames", "Anne"}}));

  auto refer = [&](const std::string& surname) {
    return Done(s.officer.Post("/lobby", {{"source", "self"}, {"surname", surname}}),
                201)["lobby_id"]
        .get<std::string>();
  };
  refer("Waiting");
  const std::string claimed = refer("Claimed");
  Done(s.officer.Post("/lobby/" + claimed + "/claim"));
  const std::string created = refer("Created");
  Done(s.officer.Post("/lobby/" + created + "/claim"));
  const json made = Done(s.officer.Post("/lobby/" + created + "/create-client"), 201);
  h.clients.push_back(made["client_id"].get<std::string>());
  h.cases.push_back(made["case_id"].get<std::string>());
  const std::string assigned = refer("Alpha");
  Done(s.supervisor.Post("/lobby/" + assigned + "/claim"));
  h.cases.push_back(
      Done(s.supervisor.Post("/lobby/" + assigned + "/assign", {{"client_id", alpha}}))["case_id"]
          .get<std::string>());
  const std::string removed = refer("Removed");
  Done(s.officer.Post("/lobby/" + removed + "/claim"));
  Done(s.officer.Delete("/lobby/" + removed));

  Done(s.supervisor.Delete("/clients/" + hidden));
  Done(s.supervisor.Delete("/clients/" + back));
  Done(s.admin.Post("/clients/" + back + "/restore"));
  Done(s.officer.Post("/cases/" + g1 + "/notes", {{"text", "Gone's secret"}}), 201);
  Done(s.admin.Delete("/clients/" + gone + "?mode=erase"));
  return h;
}

}  // namespace

TEST_CASE("http: a restart keeps every event and read model", "[http]") {
  // Given a served history of casework and a registration sent with an Idempotency-Key
  TempDir dir;
  auto server = std::make_unique<ServerProcess>(dir.Sub("data"));
  Users users(server->port());
  const History h = MakeHistory(users);
  const HttpClient::Headers key = {{"Idempotency-Key", "before-the-restart"}};
  const HttpAnswer keyed =
      users.officer.Post("/clients", {{"surname", "Keyed"}, {"date_of_birth", "1980-01-01"}}, key);
  REQUIRE(keyed.status == 201);
  const uint64_t head = LogHead(server->port());
  const auto before = Snapshot(server->port(), h.cases, h.clients);
  // When the server stops and starts again
  CHECK(server->StopWithin(60) == 0);

  server = std::make_unique<ServerProcess>(dir.Sub("data"));
  // Then the log head and every read model answer are the same
  CHECK(LogHead(server->port()) == head);
  CheckSame(before, Snapshot(server->port(), h.cases, h.clients));
  // And an accepted command's answer outlives the restart: a repeat appends nothing
  HttpClient officer(server->port());
  const HttpAnswer repeat =
      officer.Post("/clients", {{"surname", "Keyed"}, {"date_of_birth", "1980-01-01"}}, key);
  CHECK(repeat.status == 201);
  CHECK(repeat.body == keyed.body);
  CHECK(LogHead(server->port()) == head);
  // And the log goes on from there
  Users again(server->port());
  const json r = Register(again.officer, "AfterRestart");
  CHECK(r["position"].get<uint64_t>() > head);
  CHECK(server->StopWithin(60) == 0);
}

TEST_CASE("http: SIGTERM while commands are in flight keeps every command that was answered 2xx",
          "[http]") {
  // Given a served case and four writers registering clients and adding notes
  TempDir dir;
  auto server = std::make_unique<ServerProcess>(dir.Sub("data"));
  const int port = server->port();
  HttpClient seeder(port);
  const std::string seed = Register(seeder, "Seed")["case_id"];
  constexpr int kThreads = 4;
  struct Worker {
    std::vector<std::string> clients;  // registered: answered 201
    std::vector<std::string> notes;    // on the seed case: answered 201
    std::vector<std::string> problems;
  };
  std::vector<Worker> workers(kThreads);
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(port);
      Worker& w = workers[t];
      for (int i = 0; i < 100000; ++i) {
        const bool note = i % 2 == 1;
        const HttpAnswer a =
            note ? client.Post("/cases/" + seed + "/notes", {{"text", "note " + std::to_string(i)}})
                 : client.Post("/clients",
                               {{"surname", "Inflight"}, {"date_of_birth", "1980-01-01"}});
        if (a.status == 0) break;  // the server is gone
        if (a.status == 201) {
          (note ? w.notes : w.clients)
              .push_back(a.json[note ? "note_id" : "client_id"].get<std::string>());
          ++answered;
        } else if (a.status != 503) {
          w.problems.push_back(std::to_string(a.status) + " " + a.body);
        }
      }
    });
  }
  // When the server gets SIGTERM after at least 40 answers
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (answered < 40 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const int code = server->StopWithin(60);
  for (auto& t : threads) t.join();
  CHECK(code == 0);

  // Then it stops cleanly, and after a restart every command answered 2xx is there
  server = std::make_unique<ServerProcess>(dir.Sub("data"));
  HttpClient officer(server->port());
  size_t clients = 0, notes = 0;
  for (const Worker& w : workers) {
    for (const auto& p : w.problems) FAIL_CHECK("unexpected answer: " << p);
    for (const auto& c : w.clients) {
      INFO("client " << c);
      CHECK(officer.Get("/clients/" + c).status == 200);
    }
    clients += w.clients.size();
    notes += w.notes.size();
  }
  CHECK(clients + notes >= 40);
  // And every answered note is on the case (more may be, answered too late to be counted)
  const json kase = GetOk(officer, "/cases/" + seed);
  CHECK(kase["notes"].get<size_t>() >= notes);
  const json cases = GetOk(officer, WithMin(LogHead(server->port()), "/cases?limit=1&total=true"));
  CHECK(cases["total"].get<size_t>() >= clients + 1);
}

TEST_CASE("http: caseengine rebuild gives the same read model answers", "[http]") {
  // Given a served history of casework and its read model answers
  TempDir dir;
  auto server = std::make_unique<ServerProcess>(dir.Sub("data"));
  Users users(server->port());
  const History h = MakeHistory(users);
  const auto before = Snapshot(server->port(), h.cases, h.clients);

  // When caseengine rebuild runs beside the running server
  // Then it is refused: the folder is locked
  std::string output;
  CHECK(RunCommand({CASEENGINE_PATH, "rebuild", "--data", dir.Sub("data")}, &output) != 0);
  CHECK(server->StopWithin(60) == 0);
  // When it runs on the stopped folder
  const int code = RunCommand({CASEENGINE_PATH, "rebuild", "--data", dir.Sub("data")}, &output);
  INFO(output);
  REQUIRE(code == 0);

  // Then the restarted server answers the same
  server = std::make_unique<ServerProcess>(dir.Sub("data"));
  CheckSame(before, Snapshot(server->port(), h.cases, h.clients));
  // And so it does after a rebuild of one read model alone
  CHECK(server->StopWithin(60) == 0);
  REQUIRE(RunCommand(
              {CASEENGINE_PATH, "rebuild", "--data", dir.Sub("data"), "--projection", "case_list"},
              &output) == 0);
  server = std::make_unique<ServerProcess>(dir.Sub("data"));
  CheckSame(before, Snapshot(server->port(), h.cases, h.clients));
}

TEST_CASE("http: a server with an open event stream stops on SIGTERM", "[http]") {
  // Given a server with an auditor reading its event stream
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  HttpClient officer = server.Client();
  const json r = Register(officer, "Streamed");
  EventStreamAnswer feed;
  std::thread reader([&] {
    feed = ReadEventStream(server.port(), "/events/stream?from=1", "demo-auditor", 1000, 60);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // When it gets SIGTERM
  // Then it stops, and the stream ends with the events it had
  CHECK(server.StopWithin(30) == 0);
  reader.join();
  CHECK(feed.status == 200);
  // (every event of the log: the imported settings and the registration with its tasks)
  CHECK(feed.events.size() == r["position"].get<uint64_t>());
  CHECK(feed.events.size() == kDemoSettingsEvents + kRegistrationEvents);
}

TEST_CASE("http: an idle keep-alive connection does not hold up a stop on SIGTERM", "[http]") {
  // Given a server with an idle keep-alive connection
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  RawConnection idle(server.port());
  REQUIRE(idle.Send(RequestText("GET", "/healthz", "")));
  REQUIRE(idle.Read().status == 200);
  // When it gets SIGTERM
  // Then it stops without waiting for the keep-alive timeout:
  // Nothing is in flight on an idle connection: the stop need not wait for the keep-alive
  // timeout (30 s). The bound here is generous, a stop takes well under a second.
  CHECK(server.StopWithin(10) == 0);
}

namespace caseengine::testing {

TEST_CASE("http: read models killed with SIGKILL under load equal a rebuild after restart",
          "[http]") {
  // Given a served history of casework
  TempDir dir;
  const std::string data = dir.Sub("data");
  auto server = std::make_unique<ServerProcess>(data);
  Users users(server->port());
  const History h = MakeHistory(users);
  for (int round = 0; round < 3; ++round) {
    // When writers keep commands in flight and the server dies in the middle of them (three times)
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    const int port = server->port();
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        HttpClient officer(port);
        for (int i = 0; !stop.load(); ++i) {
          const std::string name = "Killed" + std::to_string(round) + "x" + std::to_string(w);
          const HttpAnswer r =
              officer.Post("/clients", {{"surname", name}, {"date_of_birth", "1980-01-01"}});
          if (r.status == 0) return;  // the server is gone
          if (r.status == 201 && i % 2 == 0) {
            officer.Post("/cases/" + r.json["case_id"].get<std::string>() + "/notes",
                         {{"text", "Seen at the office"}});
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(400 + 150 * round));
    server->Kill();
    stop = true;
    for (auto& t : writers) t.join();

    // Then the read models catch up from their checkpoints, and equal a rebuild from 0
    server = std::make_unique<ServerProcess>(data);
    const auto after = Snapshot(server->port(), h.cases, h.clients);
    REQUIRE(server->StopWithin(60) == 0);
    std::string output;
    REQUIRE(RunCommand({CASEENGINE_PATH, "rebuild", "--data", data}, &output) == 0);
    server = std::make_unique<ServerProcess>(data);
    CheckSame(after, Snapshot(server->port(), h.cases, h.clients));
  }
  // And the log verifies at the end
  std::string output;
  REQUIRE(server->StopWithin(60) == 0);
  CHECK(RunCommand({CASEREPLAY_PATH, "verify", "--data", data}, &output) == 0);
}

}  // namespace caseengine::testing
