// End-to-end tests of what every route shares, against a real `caseengine serve`:
// authentication (401) and permissions (403), Idempotency-Key (repeats, refusals, races,
// per user), ETag and If-Match, read-your-writes (min_position, 503) and the projection
// lag header, the body limit (413), unknown routes; and the life of the data folder: a
// restart, a stop on SIGTERM with commands in flight, an open event stream or an idle
// connection, and `caseengine rebuild`, each keeping every answer the same.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/http_test_support.h"
#include "tests/test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

// Every command route of docs/http_api.md with a well-formed body, on the ids
// given.
std::vector<Call> EveryCommand(HttpClient* who, const std::string& c, const std::string& k,
                               const std::string& other_client, const std::string& other_case,
                               const std::string& strand, const std::string& action,
                               const std::string& lobby) {
  return {
      {who, "POST", "/clients", {{"surname", "New"}, {"date_of_birth", "1990-01-01"}}},
      {who, "PATCH", "/clients/" + c, {{"surname", "Changed"}}},
      {who, "POST", "/clients/" + c + "/status", {{"status", "inactive"}}},
      {who, "POST", "/clients/" + c + "/client-type", {{"client_type", "case_management"}}},
      {who, "POST", "/clients/" + c + "/case-number", {{"case_number", "N-1"}}},
      {who, "POST", "/clients/" + c + "/groups", {{"group", "g"}}},
      {who, "DELETE", "/clients/" + c + "/groups/existing"},
      {who, "POST", "/clients/" + c + "/navigators", {{"user_id", "supervisor"}}},
      {who, "DELETE", "/clients/" + c + "/navigators/officer"},
      {who, "POST", "/clients/" + c + "/portal/status", {{"status", "active"}}},
      {who, "POST", "/clients/" + c + "/portal/invitations"},
      {who, "DELETE", "/clients/" + c},
      {who, "POST", "/clients/" + c + "/restore"},
      {who, "POST", "/clients/" + c + "/cases"},
      {who, "POST", "/cases/" + k + "/officers", {{"user_id", "supervisor"}, {"role", "other"}}},
      {who, "DELETE", "/cases/" + k + "/officers/officer?role=primary"},
      {who, "POST", "/cases/" + k + "/team", {{"team_id", "allocations"}}},
      {who,
       "POST",
       "/cases/" + k + "/people",
       {{"client_id", other_client}, {"relationship", "child"}}},
      {who, "POST", "/cases/" + k + "/people/" + c + "/leave", {{"date_left", "2999-01-01"}}},
      {who, "POST", "/cases/" + k + "/primary-applicant", {{"client_id", c}}},
      {who, "POST", "/cases/" + k + "/close", {{"reason", "done"}}},
      {who, "POST", "/cases/" + k + "/reopen", {{"reason", "again"}}},
      {who, "DELETE", "/cases/" + other_case},
      {who, "POST", "/cases/" + k + "/strands", {{"type", "review"}}},
      {who, "POST", "/cases/" + k + "/strands/" + strand + "/status", {{"status", "closed"}}},
      {who,
       "POST",
       "/cases/" + k + "/strands/" + strand + "/move",
       {{"target_case_id", other_case}}},
      {who, "POST", "/cases/" + k + "/notes", {{"text", "hello"}}},
      {who, "POST", "/cases/" + k + "/actions", {{"title", "Call"}}},
      {who, "POST", "/cases/" + k + "/actions/" + action + "/complete"},
      {who, "POST", "/lobby", {{"source", "self"}, {"surname", "Referred"}}},
      {who, "POST", "/lobby/" + lobby + "/claim"},
      {who, "POST", "/lobby/" + lobby + "/assign", {{"client_id", c}}},
      {who, "POST", "/lobby/" + lobby + "/create-client"},
      {who, "DELETE", "/lobby/" + lobby},
  };
}

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

TEST_CASE("http: a request without a token or with an unknown one is 401 with WWW-Authenticate",
          "[http]") {
  Served s;
  const std::string c = Register(s.officer, "Authentic")["client_id"];
  const uint64_t before = s.Head();
  HttpClient anonymous = s.server.Client("");
  HttpClient stranger = s.server.Client("not-a-token");
  HttpClient basic = s.server.Client("");
  const HttpClient::Headers basic_auth = {{"Authorization", "Basic b2ZmaWNlcjpwYXNz"}};
  for (HttpClient* who : {&anonymous, &stranger, &basic}) {
    const HttpClient::Headers h = who == &basic ? basic_auth : HttpClient::Headers{};
    const std::vector<Call> calls = {
        {who, "POST", "/clients", {{"surname", "Sneaky"}, {"date_of_birth", "1980-01-01"}}, h},
        {who, "POST", "/clients/" + c + "/status", {{"status", "closed"}}, h},
        {who, "DELETE", "/clients/" + c, {}, h},
        {who, "GET", "/clients/" + c, {}, h},
        {who, "GET", "/cases", {}, h},
        {who, "GET", "/audit", {}, h},
        {who, "GET", "/events?from=1", {}, h},
        {who, "GET", "/openapi.json", {}, h},
        {who, "GET", "/metrics", {}, h},
    };
    for (const Call& call : calls) {
      INFO(call.method << " " << call.path);
      HttpAnswer a = Send(call);
      CheckProblem(a, 401, "/problems/unauthorized");
      CHECK(a.Header("WWW-Authenticate").rfind("Bearer", 0) == 0);
    }
  }
  CHECK(s.Head() == before);
  CHECK(GetOk(s.officer, "/clients/" + c)["status"] == "active");
  const EventStreamAnswer feed =
      ReadEventStream(s.server.port(), "/events/stream?from=1", "", 1, 3);
  CHECK(feed.status == 401);
}

TEST_CASE("http: the officer is forbidden the commands that need a named permission", "[http]") {
  Served s;
  const json r = Register(s.officer, "Guarded", {{"email", "guarded@example.org"}});
  const std::string c = r["client_id"], k = r["case_id"];
  const std::string k2 = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
  const std::string strand =
      Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "homeless_application"}}),
           201)["strand_id"];
  const std::vector<std::pair<Call, std::string>> table = {
      {{&s.officer, "DELETE", "/clients/" + c}, "delete_clients"},
      {{&s.officer, "DELETE", "/clients/" + c + "?mode=erase"}, "delete_clients"},
      {{&s.officer, "DELETE", "/cases/" + k2}, "delete_cases"},
      {{&s.officer,
        "POST",
        "/cases/" + k + "/strands/" + strand + "/move",
        {{"target_case_id", k2}}},
       "move_strands"},
      {{&s.officer, "POST", "/clients/" + c + "/case-number", {{"case_number", "HO-1"}}},
       "change_case_numbers"},
      {{&s.officer, "POST", "/clients/" + c + "/portal/invitations"}, "send_portal_invitations"},
      {{&s.officer, "POST", "/clients/" + c + "/restore"}, "administer"},
      {{&s.supervisor, "POST", "/clients/" + c + "/restore"}, "administer"},
      {{&s.supervisor, "DELETE", "/clients/" + c + "?mode=erase"}, "administer"},
  };
  const uint64_t before = s.Head();
  for (const auto& [call, permission] : table) {
    INFO(call.method << " " << call.path);
    HttpAnswer a = Send(call);
    CheckProblem(a, 403, kForbidden);
    CHECK(a.json.value("permission", "") == permission);
    CHECK(s.Head() == before);
  }
  // Nothing changed.
  const json client = GetOk(s.officer, "/clients/" + c);
  CHECK(client["cases"] == json::array({k, k2}));
  CHECK(client["case_number"] == "");
  CHECK(client["invitations_sent"] == 0);
  CHECK(GetOk(s.officer, "/cases/" + k)["strands"][0]["status"] == "open");
  // The supervisor holds those permissions.
  Done(s.supervisor.Post("/clients/" + c + "/case-number", {{"case_number", "HO-1"}}));
  Done(s.supervisor.Post("/clients/" + c + "/portal/invitations"));
  Done(s.supervisor.Post("/cases/" + k + "/strands/" + strand + "/move", {{"target_case_id", k2}}));
  Done(s.supervisor.Delete("/cases/" + k2));
  Done(s.supervisor.Delete("/clients/" + c));
}

TEST_CASE("http: the auditor can send no command", "[http]") {
  Served s;
  const json r = Register(s.officer, "Audited", {{"email", "audited@example.org"}});
  const std::string c = r["client_id"], k = r["case_id"];
  const std::string other = Register(s.officer, "Other")["client_id"];
  const std::string k2 = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
  Done(s.officer.Post("/clients/" + c + "/groups", {{"group", "existing"}}));
  Done(s.officer.Post("/clients/" + c + "/navigators", {{"user_id", "officer"}}));
  const std::string strand =
      Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "homeless_application"}}),
           201)["strand_id"];
  const std::string action =
      Done(s.officer.Post("/cases/" + k + "/actions", {{"title", "Call"}}), 201)["action_id"];
  const std::string lobby =
      Done(s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Lobby"}}), 201)["lobby_id"];
  const uint64_t before = s.Head();
  for (const Call& call : EveryCommand(&s.auditor, c, k, other, k2, strand, action, lobby)) {
    INFO(call.method << " " << call.path);
    HttpAnswer a = Send(call);
    CheckProblem(a, 403, kForbidden);
    CHECK(a.json.value("permission", "") == "casework");
  }
  CHECK(s.Head() == before);
  // The auditor reads like anyone.
  CHECK(s.auditor.Get("/cases").status == 200);
  CHECK(s.auditor.Get("/clients/" + c).status == 200);
}

TEST_CASE("http: only auditors and administrators read the audit trail the raw streams and the log",
          "[http]") {
  Served s;
  const std::string c = Register(s.officer, "Watched")["client_id"];
  const std::vector<std::string> paths = {"/audit", "/audit?actor=officer", "/events?from=1",
                                          "/streams/client-" + c + "/events"};
  for (const auto& path : paths) {
    INFO(path);
    CHECK(s.auditor.Get(path).status == 200);
    CHECK(s.admin.Get(path).status == 200);
    for (HttpClient* who : {&s.officer, &s.supervisor}) {
      HttpAnswer a = who->Get(path);
      CheckProblem(a, 403, kForbidden);
      CHECK(a.json.value("permission", "") == "audit");
    }
  }
  CHECK(ReadEventStream(s.server.port(), "/events/stream?from=1", "demo-officer", 1, 3).status ==
        403);
  CHECK(ReadEventStream(s.server.port(), "/events/stream?from=1", "demo-auditor", 1, 5).status ==
        200);
}

TEST_CASE("http: a repeated Idempotency-Key answers the first answer and appends nothing",
          "[http]") {
  Served s;
  const HttpClient::Headers key = {{"Idempotency-Key", "register-7f3a"}};
  const Call once = {
      &s.officer, "POST", "/clients", {{"surname", "Once"}, {"date_of_birth", "1980-01-01"}}, key};
  const HttpAnswer first = Send(once);
  REQUIRE(first.status == 201);
  const uint64_t head = s.Head();
  const HttpAnswer again = Send(once);
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
  CHECK(s.Head() == head);
  CHECK(GetOk(s.officer, WithMin(head, "/cases?total=true"))["total"] == 1);

  // A 200 command, the same.
  const std::string c = first.json["client_id"];
  const Call close = {&s.officer,
                      "POST",
                      "/clients/" + c + "/status",
                      {{"status", "closed"}},
                      {{"Idempotency-Key", "status-1"}}};
  const HttpAnswer changed = Send(close);
  REQUIRE(changed.status == 200);
  const uint64_t head2 = s.Head();
  CHECK(head2 == head + 1);
  const HttpAnswer repeat = Send(close);
  CHECK(repeat.status == 200);
  CHECK(repeat.body == changed.body);
  CHECK(s.Head() == head2);
  CHECK(GetOk(s.officer, "/clients/" + c)["version"] == 2);
}

TEST_CASE(
    "http: an Idempotency-Key reused on another route or with another body is 422 and writes "
    "nothing",
    "[http]") {
  Served s;
  const HttpClient::Headers key = {{"Idempotency-Key", "shared-key-1"}};
  const HttpAnswer first =
      s.officer.Post("/clients", {{"surname", "Keyholder"}, {"date_of_birth", "1980-01-01"}}, key);
  REQUIRE(first.status == 201);
  const std::string kase = first.json["case_id"];
  const uint64_t head = s.Head();
  // Another body on the same route, another route, another method: each refused, and the
  // new command is not dropped silently either: nothing is written and the caller knows.
  const std::vector<Call> others = {
      {&s.officer,
       "POST",
       "/clients",
       {{"surname", "Other"}, {"date_of_birth", "1990-01-01"}},
       key},
      {&s.officer,
       "POST",
       "/cases/" + kase + "/notes",
       {{"text", "A note that must not vanish"}},
       key},
      {&s.officer, "POST", "/cases/" + kase + "/close", {{"reason", "done"}}, key},
  };
  for (const Call& call : others) {
    INFO(call.method << " " << call.path);
    const HttpAnswer a = Send(call);
    CheckProblem(a, 422, "/problems/idempotency-key-reused");
  }
  CHECK(s.Head() == head);
  // The first request, repeated, still gets its own answer.
  const HttpAnswer again =
      s.officer.Post("/clients", {{"surname", "Keyholder"}, {"date_of_birth", "1980-01-01"}}, key);
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
  // The same holds for a key whose first command was refused (kept in memory).
  const HttpClient::Headers refused = {{"Idempotency-Key", "refused-first"}};
  CheckProblem(s.officer.Post("/cases/" + kUnknown + "/close", {{"reason", "x"}}, refused), 404,
               kNotFound);
  CheckProblem(s.officer.Post("/cases/" + kase + "/close", {{"reason", "x"}}, refused), 422,
               "/problems/idempotency-key-reused");
  CheckProblem(s.officer.Post("/cases/" + kUnknown + "/close", {{"reason", "x"}}, refused), 404,
               kNotFound);
  CHECK(s.Head() == head);
  CHECK(GetOk(s.officer, "/cases/" + kase)["status"] == "open");
}

TEST_CASE("http: a repeated Idempotency-Key of a refused command answers the same refusal",
          "[http]") {
  Served s;
  const std::string k = Register(s.officer, "Refused")["case_id"];
  Done(s.officer.Post("/cases/" + k + "/close", {{"reason", "done"}}));
  const uint64_t head = s.Head();
  const std::vector<Call> calls = {
      {&s.officer,
       "POST",
       "/cases/" + k + "/close",
       {{"reason", "again"}},
       {{"Idempotency-Key", "close-twice"}}},                                            // 409
      {&s.officer, "POST", "/clients", json::object(), {{"Idempotency-Key", "empty"}}},  // 422
      {&s.officer,
       "POST",
       "/cases/" + kUnknown + "/close",
       {{"reason", "x"}},
       {{"Idempotency-Key", "unknown"}}},                                             // 404
      {&s.officer, "DELETE", "/cases/" + k, {}, {{"Idempotency-Key", "forbidden"}}},  // 403
  };
  for (const Call& call : calls) {
    INFO(call.method << " " << call.path);
    const HttpAnswer first = Send(call);
    CHECK(first.status >= 400);
    CHECK(first.status < 500);
    const HttpAnswer again = Send(call);
    CHECK(again.status == first.status);
    CHECK(again.body == first.body);
    CHECK(again.ContentType().rfind("application/problem+json", 0) == 0);
  }
  CHECK(s.Head() == head);
}

TEST_CASE("http: an Idempotency-Key is the sender's own", "[http]") {
  Served s;
  Call mine = {&s.officer,
               "POST",
               "/clients",
               {{"surname", "Mine"}, {"date_of_birth", "1980-01-01"}},
               {{"Idempotency-Key", "shared-key"}}};
  const HttpAnswer officer = Send(mine);
  REQUIRE(officer.status == 201);
  const uint64_t head = s.Head();
  mine.who = &s.supervisor;  // the same request and key from another user
  const HttpAnswer supervisor = Send(mine);
  REQUIRE(supervisor.status == 201);
  CHECK(supervisor.json["client_id"] != officer.json["client_id"]);
  CHECK(s.Head() == head + 2);

  // A refusal kept for one user is not another's answer.
  const json r = Register(s.officer, "TwoCases");
  const std::string second = Done(
      s.officer.Post("/clients/" + r["client_id"].get<std::string>() + "/cases"), 201)["case_id"];
  const HttpClient::Headers del = {{"Idempotency-Key", "delete-it"}};
  CheckProblem(s.officer.Delete("/cases/" + second, del), 403, kForbidden);
  Done(s.supervisor.Delete("/cases/" + second, del));
  CHECK(s.officer.Get("/cases/" + second).status == 404);
}

TEST_CASE("http: a repeated Idempotency-Key of a command that changed nothing answers the same",
          "[http]") {
  Served s;
  const std::string c = Register(s.officer, "Unchanged")["client_id"];
  const Call no_op = {&s.officer,
                      "POST",
                      "/clients/" + c + "/status",
                      {{"status", "active"}},
                      {{"Idempotency-Key", "no-op"}}};
  const HttpAnswer first = Send(no_op);
  REQUIRE(first.status == 200);
  CHECK(first.json.value("unchanged", false));
  // Other writes move the log on; the repeat still answers as the first time.
  Register(s.officer, "Meanwhile");
  const uint64_t head = s.Head();
  const HttpAnswer again = Send(no_op);
  CHECK(again.status == first.status);
  CHECK(again.body == first.body);
  CHECK(s.Head() == head);
}

TEST_CASE("http: racing repeats of one Idempotency-Key append once and answer alike", "[http]") {
  Served s;
  constexpr int kThreads = 8;
  std::vector<HttpAnswer> answers(kThreads);
  std::vector<std::thread> threads;
  const json body = {{"surname", "Racer"}, {"date_of_birth", "1980-01-01"}};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(s.server.port());
      answers[t] = client.Post("/clients", body, {{"Idempotency-Key", "race-key"}});
    });
  }
  for (auto& t : threads) t.join();
  for (const HttpAnswer& a : answers) {
    CHECK(a.status == 201);
    CHECK(a.body == answers[0].body);
  }
  CHECK(s.Head() == 2);  // one client, one case
  CHECK(GetOk(s.officer, WithMin(2, "/cases?total=true"))["total"] == 1);
}

TEST_CASE(
    "http: racing Housing Register applications on two cases of one applicant: one is "
    "accepted",
    "[http]") {
  Served s;
  for (int round = 0; round < 5; ++round) {
    const json r = Register(s.officer, "Race" + std::to_string(round));
    const std::string c = r["client_id"], first = r["case_id"];
    const std::string second = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
    HttpAnswer a, b;
    std::thread t1([&] {
      HttpClient client(s.server.port());
      a = client.Post("/cases/" + first + "/strands", {{"type", "housing_register"}});
    });
    std::thread t2([&] {
      HttpClient client(s.server.port(), "demo-supervisor");
      b = client.Post("/cases/" + second + "/strands", {{"type", "housing_register"}});
    });
    t1.join();
    t2.join();
    INFO(a.status << " " << a.body << "\n" << b.status << " " << b.body);
    CHECK(((a.status == 201 && b.status == 409) || (a.status == 409 && b.status == 201)));
    const HttpAnswer& refused = a.status == 409 ? a : b;
    CHECK(refused.json.value("rule", "") == "one-current-per-applicant");
  }
}

TEST_CASE("http: an Idempotency-Key over 128 characters is 400", "[http]") {
  Served s;
  const json body = {{"surname", "Keyed"}, {"date_of_birth", "1980-01-01"}};
  const uint64_t head = s.Head();
  CheckProblem(s.officer.Post("/clients", body, {{"Idempotency-Key", std::string(129, 'k')}}), 400,
               kMalformed);
  CHECK(s.Head() == head);
  const HttpAnswer ok =
      s.officer.Post("/clients", body, {{"Idempotency-Key", std::string(128, 'k')}});
  CHECK(ok.status == 201);
}

TEST_CASE("http: the ETag of a client is its version and a stale If-Match is 412", "[http]") {
  Served s;
  const json r = Register(s.officer, "Versioned");
  const std::string c = r["client_id"], k = r["case_id"];
  CHECK(s.officer.Get("/clients/" + c).Header("ETag") == "\"1\"");
  CHECK(s.officer.Get("/cases/" + k).Header("ETag") == "\"1\"");

  const uint64_t head = s.Head();
  for (const std::string stale : {"\"0\"", "\"2\"", "\"17\""}) {
    INFO("If-Match " << stale);
    HttpAnswer a =
        s.officer.Post("/clients/" + c + "/status", {{"status", "closed"}}, {{"If-Match", stale}});
    CheckProblem(a, 412, "/problems/version-mismatch");
  }
  CHECK(s.Head() == head);
  CHECK(GetOk(s.officer, "/clients/" + c)["status"] == "active");

  const json ok = Done(
      s.officer.Post("/clients/" + c + "/status", {{"status", "closed"}}, {{"If-Match", "\"1\""}}));
  CHECK(ok["versions"]["client-" + c] == 2);
  HttpAnswer now = s.officer.Get("/clients/" + c);
  CHECK(now.Header("ETag") == "\"2\"");
  CHECK(now.json["status"] == "closed");
  // The ETag as read goes back as If-Match.
  Done(s.officer.Post("/clients/" + c + "/groups", {{"group", "g"}},
                      {{"If-Match", now.Header("ETag")}}));
  // Stale now, also for a command that would change nothing.
  CheckProblem(
      s.officer.Post("/clients/" + c + "/status", {{"status", "closed"}}, {{"If-Match", "\"2\""}}),
      412, "/problems/version-mismatch");
  CheckProblem(s.officer.Patch("/clients/" + c, {{"surname", "Other"}}, {{"If-Match", "\"1\""}}),
               412, "/problems/version-mismatch");

  // Cases too.
  const uint64_t head2 = s.Head();
  CheckProblem(s.officer.Post("/cases/" + k + "/close", {{"reason", "x"}}, {{"If-Match", "\"5\""}}),
               412, "/problems/version-mismatch");
  CHECK(s.Head() == head2);
  Done(s.officer.Post("/cases/" + k + "/close", {{"reason", "x"}}, {{"If-Match", "\"1\""}}));
  CHECK(s.officer.Get("/cases/" + k).Header("ETag") == "\"2\"");

  // Lobby records and deletions too.
  const std::string l = Done(
      s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Versioned"}}), 201)["lobby_id"];
  CHECK(s.officer.Get("/lobby/" + l).Header("ETag") == "\"1\"");
  CheckProblem(s.officer.Post("/lobby/" + l + "/claim", json::object(), {{"If-Match", "\"0\""}}),
               412, "/problems/version-mismatch");
  Done(s.officer.Post("/lobby/" + l + "/claim", json::object(), {{"If-Match", "\"1\""}}));
  const uint64_t head3 = s.Head();
  CheckProblem(s.supervisor.Delete("/clients/" + c, {{"If-Match", "\"1\""}}), 412,
               "/problems/version-mismatch");
  CHECK(s.Head() == head3);
  CHECK(s.officer.Get("/clients/" + c).status == 200);
  Done(s.supervisor.Delete("/clients/" + c, {{"If-Match", "\"3\""}}));
  CHECK(s.officer.Get("/clients/" + c).status == 404);

  // An If-Match that is no version is malformed.
  CheckProblem(s.officer.Post("/clients/" + c + "/status", {{"status", "active"}},
                              {{"If-Match", "yesterday"}}),
               400, kMalformed);
}

TEST_CASE("http: If-Match compares strongly: a weak tag never matches, * matches any version",
          "[http]") {
  Served s;
  const json r = Register(s.officer, "Strongly");
  const std::string c = r["client_id"];
  const uint64_t head = s.Head();
  // RFC 9110, 13.1.1: If-Match uses the strong comparison, which a weak tag never passes,
  // even when its version is the current one.
  for (const std::string weak : {"W/\"1\"", "W/\"2\""}) {
    INFO(weak);
    CheckProblem(
        s.officer.Post("/clients/" + c + "/status", {{"status", "closed"}}, {{"If-Match", weak}}),
        412, "/problems/version-mismatch");
  }
  CHECK(s.Head() == head);
  // * is any current version: the command goes ahead.
  Done(s.officer.Post("/clients/" + c + "/status", {{"status", "closed"}}, {{"If-Match", "*"}}));
  CHECK(GetOk(s.officer, "/clients/" + c)["status"] == "closed");
  // A list of versions is not one version.
  CheckProblem(s.officer.Post("/clients/" + c + "/status", {{"status", "active"}},
                              {{"If-Match", "\"2\", \"3\""}}),
               400, kMalformed);
}

TEST_CASE("http: a query with min_position sees the command at that position", "[http]") {
  Served s;
  for (int i = 0; i < 10; ++i) {
    const json r = Register(s.officer, "Fresh" + std::to_string(i));
    const uint64_t p = r["position"];
    const std::string c = r["client_id"];
    HttpAnswer a =
        s.officer.Get("/cases?total=true&client_id=" + c + "&min_position=" + std::to_string(p));
    REQUIRE(a.status == 200);
    CHECK(a.json["total"] == 1);
    CHECK(std::stoull(a.Header("X-Applied-Position")) >= p);
    const json found = GetOk(
        s.officer, "/clients?q=Fresh" + std::to_string(i) + "&min_position=" + std::to_string(p));
    CHECK(!found["rows"].empty());
    const json note = Done(
        s.officer.Post("/cases/" + r["case_id"].get<std::string>() + "/notes", {{"text", "n"}}),
        201);
    const json journal = GetOk(
        s.officer, "/cases/" + r["case_id"].get<std::string>() +
                       "/journal?min_position=" + std::to_string(note["position"].get<uint64_t>()));
    CHECK(journal["entries"][0]["type"] == "NoteAdded");
  }
}

TEST_CASE("http: min_position beyond the log is 503 after a wait", "[http]") {
  Served s;
  Register(s.officer, "Waiting");
  const uint64_t far = s.Head() + 1000000;
  HttpAnswer a = s.officer.Get("/cases?min_position=" + std::to_string(far));
  CheckProblem(a, 503, "/problems/not-yet-applied");
  CheckProblem(s.officer.Get("/cases?min_position=soon"), 422, "/problems/validation");
}

TEST_CASE("http: every read model answer carries X-Projection-Lag", "[http]") {
  Served s;
  const json r = Register(s.officer, "Lagging");
  const std::string k = r["case_id"];
  const std::string l =
      Done(s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Lagging"}}), 201)["lobby_id"];
  const std::vector<std::pair<HttpClient*, std::string>> reads = {
      {&s.officer, "/cases"},
      {&s.officer, "/clients?q=Lagging"},
      {&s.officer, "/case-officers"},
      {&s.officer, "/case-officers?group_by=officer"},
      {&s.officer, "/case-people"},
      {&s.officer, "/cases/" + k + "/journal"},
      {&s.officer, "/cases/" + k + "/history"},
      {&s.officer, "/lobby"},
      {&s.officer, "/lobby/" + l + "/matches"},
      {&s.auditor, "/audit"},
  };
  for (const auto& [who, path] : reads) {
    INFO(path);
    HttpAnswer a = who->Get(WithMin(s.Head(), path));
    REQUIRE(a.status == 200);
    const std::string lag = a.Header("X-Projection-Lag");
    REQUIRE(!lag.empty());
    CHECK(lag.find_first_not_of("0123456789") == std::string::npos);
    // CSV answers carry it too.
    if (path == "/cases") {
      CHECK(!who->Get(path, {{"Accept", "text/csv"}}).Header("X-Projection-Lag").empty());
    }
  }
}

TEST_CASE("http: a body over the limit is 413 problem+json and writes nothing", "[http]") {
  Served s;
  const uint64_t head = s.Head();
  const std::string padding(1 << 20, 'x');
  const std::string big =
      "{\"surname\":\"Big\",\"date_of_birth\":\"1980-01-01\",\"padding\":\"" + padding + "\"}";
  CheckProblem(s.officer.PostRaw("/clients", big), 413, "/problems/too-large");
  CHECK(s.Head() == head);
  // Just under the limit is read whole, and then refused for its unknown field.
  const std::string fits = "{\"surname\":\"Big\",\"date_of_birth\":\"1980-01-01\",\"padding\":\"" +
                           std::string((1 << 20) - 100, 'x') + "\"}";
  const HttpAnswer read = s.officer.PostRaw("/clients", fits);
  CheckProblem(read, 422, kValidation);
  CHECK(read.json["errors"][0]["field"] == "padding");
  CHECK(s.Head() == head);
}

TEST_CASE("http: an unknown route is a 404 problem", "[http]") {
  Served s;
  CheckProblem(s.officer.Get("/nowhere"), 404, "/problems/not-found");
  CheckProblem(s.officer.Get("/clients/c-1/nowhere"), 404, "/problems/not-found");
}

TEST_CASE("http: a known path with a method it does not answer is 405 naming the methods it does",
          "[http]") {
  Served s;
  const uint64_t head = LogHead(s.server.port());
  const HttpAnswer post = s.officer.Post("/cases");
  CheckProblem(post, 405, "/problems/method-not-allowed");
  CHECK(post.Header("Allow") == "GET, HEAD");
  // A path with a placeholder: PATCH and DELETE on a client, not PUT.
  const HttpAnswer put = s.officer.PutRaw("/clients/c-1", "{}");
  CheckProblem(put, 405, "/problems/method-not-allowed");
  const std::string allow = put.Header("Allow");
  CHECK(allow.find("GET") != std::string::npos);
  CHECK(allow.find("PATCH") != std::string::npos);
  CHECK(allow.find("DELETE") != std::string::npos);
  CHECK(LogHead(s.server.port()) == head);  // nothing written
}

TEST_CASE("http: HEAD answers what GET would with the headers and no body", "[http]") {
  Served s;
  const uint64_t p = Register(s.officer, "Headcount")["position"];
  // Both answers from read models that have applied the registration.
  const std::string after = "&min_position=" + std::to_string(p);
  for (const std::string& path :
       {"/cases?limit=5" + after, "/clients?q=Headcount" + after, std::string("/healthz")}) {
    INFO(path);
    const HttpAnswer get = s.officer.Get(path);
    const HttpAnswer head = s.officer.Head(path);
    REQUIRE(get.status == 200);
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(head.ContentType() == get.ContentType());
    CHECK(head.Header("Content-Length") == std::to_string(get.body.size()));
  }
  // Its errors are the GET's, without their body.
  const HttpAnswer missing = s.officer.Head("/clients/no-such-client");
  CHECK(missing.status == 404);
  CHECK(missing.body.empty());
  CHECK(missing.ContentType() == "application/problem+json");
  s.officer.set_token("");
  CHECK(s.officer.Head("/cases").status == 401);
  // A path without GET: 405, and HEAD is not offered.
  s.officer.set_token("demo-officer");
  const HttpAnswer post_only = s.officer.Head("/clients/c-1/status");
  CHECK(post_only.status == 405);
  CHECK(post_only.Header("Allow").find("HEAD") == std::string::npos);
}

TEST_CASE("http: a HEAD answer leaves the keep-alive connection ready for the next request",
          "[http]") {
  Served s;
  RawConnection c(s.server.port());
  REQUIRE(c.connected());
  // Pipelined: were a body sent after the HEAD's headers, it would be read as the start of
  // the second answer.
  REQUIRE(c.Send(RequestText("HEAD", "/cases?limit=1") + RequestText("GET", "/healthz")));
  const HttpAnswer head = c.Read(10, /*head=*/true);
  CHECK(head.status == 200);
  CHECK_FALSE(head.Header("Content-Length").empty());
  const HttpAnswer get = c.Read();
  CHECK(get.status == 200);
  CHECK(get.json.is_object());
}

TEST_CASE("http: a restart keeps every event and read model", "[http]") {
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
  CHECK(server->StopWithin(60) == 0);

  server = std::make_unique<ServerProcess>(dir.Sub("data"));
  CHECK(LogHead(server->port()) == head);
  CheckSame(before, Snapshot(server->port(), h.cases, h.clients));
  // An accepted command's answer outlives the restart: a repeat appends nothing.
  HttpClient officer(server->port());
  const HttpAnswer repeat =
      officer.Post("/clients", {{"surname", "Keyed"}, {"date_of_birth", "1980-01-01"}}, key);
  CHECK(repeat.status == 201);
  CHECK(repeat.body == keyed.body);
  CHECK(LogHead(server->port()) == head);
  // And it goes on from there.
  Users again(server->port());
  const json r = Register(again.officer, "AfterRestart");
  CHECK(r["position"].get<uint64_t>() > head);
  CHECK(server->StopWithin(60) == 0);
}

TEST_CASE("http: SIGTERM while commands are in flight keeps every command that was answered 2xx",
          "[http]") {
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
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (answered < 40 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const int code = server->StopWithin(60);
  for (auto& t : threads) t.join();
  CHECK(code == 0);

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
  // Every answered note is on the case (more may be, answered too late to be counted).
  const json kase = GetOk(officer, "/cases/" + seed);
  CHECK(kase["notes"].get<size_t>() >= notes);
  const json cases = GetOk(officer, WithMin(LogHead(server->port()), "/cases?limit=1&total=true"));
  CHECK(cases["total"].get<size_t>() >= clients + 1);
}

TEST_CASE("http: caseengine rebuild gives the same read model answers", "[http]") {
  TempDir dir;
  auto server = std::make_unique<ServerProcess>(dir.Sub("data"));
  Users users(server->port());
  const History h = MakeHistory(users);
  const auto before = Snapshot(server->port(), h.cases, h.clients);

  // Not beside a running server: the folder is locked.
  std::string output;
  CHECK(RunCommand({CASEENGINE_PATH, "rebuild", "--data", dir.Sub("data")}, &output) != 0);
  CHECK(server->StopWithin(60) == 0);
  const int code = RunCommand({CASEENGINE_PATH, "rebuild", "--data", dir.Sub("data")}, &output);
  INFO(output);
  REQUIRE(code == 0);

  server = std::make_unique<ServerProcess>(dir.Sub("data"));
  CheckSame(before, Snapshot(server->port(), h.cases, h.clients));
  // One read model alone, too.
  CHECK(server->StopWithin(60) == 0);
  REQUIRE(RunCommand(
              {CASEENGINE_PATH, "rebuild", "--data", dir.Sub("data"), "--projection", "case_list"},
              &output) == 0);
  server = std::make_unique<ServerProcess>(dir.Sub("data"));
  CheckSame(before, Snapshot(server->port(), h.cases, h.clients));
}

TEST_CASE("http: a server with an open event stream stops on SIGTERM", "[http]") {
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  HttpClient officer = server.Client();
  Register(officer, "Streamed");
  EventStreamAnswer feed;
  std::thread reader([&] {
    feed = ReadEventStream(server.port(), "/events/stream?from=1", "demo-auditor", 1000, 60);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(server.StopWithin(30) == 0);
  reader.join();
  CHECK(feed.status == 200);
  CHECK(feed.events.size() == 2);
}

TEST_CASE("http: an idle keep-alive connection does not hold up a stop on SIGTERM", "[http]") {
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  RawConnection idle(server.port());
  REQUIRE(idle.Send(RequestText("GET", "/healthz", "")));
  REQUIRE(idle.Read().status == 200);
  // Nothing is in flight on an idle connection: the stop need not wait for the keep-alive
  // timeout (30 s). The bound here is generous, a stop takes well under a second.
  CHECK(server.StopWithin(10) == 0);
}

namespace caseengine::testing {

TEST_CASE("http: read models killed with SIGKILL under load equal a rebuild after restart",
          "[http]") {
  TempDir dir;
  const std::string data = dir.Sub("data");
  auto server = std::make_unique<ServerProcess>(data);
  Users users(server->port());
  const History h = MakeHistory(users);
  for (int round = 0; round < 3; ++round) {
    // Writers keep commands in flight; the server dies in the middle of them.
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

    // The read models catch up from their checkpoints, and equal a rebuild from 0.
    server = std::make_unique<ServerProcess>(data);
    const auto after = Snapshot(server->port(), h.cases, h.clients);
    REQUIRE(server->StopWithin(60) == 0);
    std::string output;
    REQUIRE(RunCommand({CASEENGINE_PATH, "rebuild", "--data", data}, &output) == 0);
    server = std::make_unique<ServerProcess>(data);
    CheckSame(after, Snapshot(server->port(), h.cases, h.clients));
  }
  std::string output;
  REQUIRE(server->StopWithin(60) == 0);
  CHECK(RunCommand({CASEREPLAY_PATH, "verify", "--data", data}, &output) == 0);
}

}  // namespace caseengine::testing
