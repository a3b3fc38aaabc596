// End-to-end tests of authentication and permissions against a real `caseengine serve`:
// 401 with WWW-Authenticate without a known token, 403 for commands that need a named
// permission, the auditor's read-only role, and who reads the audit trail and the log.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/http_test_support.h"

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

}  // namespace

TEST_CASE("http: a request without a token or with an unknown one is 401 with WWW-Authenticate",
          "[http]") {
  // Given a registered client, and callers without a token, with an unknown one and with Basic
  Served s;
  const std::string c = Register(s.officer, "Authentic")["client_id"];
  const uint64_t before = s.Head();
  HttpClient anonymous = s.server.Client("");
  HttpClient stranger = s.server.Client("not-a-token");
  HttpClient basic = s.server.Client("");
  const HttpClient::Headers basic_auth = {{"Authorization", "Basic b2ZmaWNlcjpwYXNz"}};
  // When each calls commands and queries
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
        {who, "POST", "/events/stream/tickets", {}, h},
        {who, "GET", "/metrics", {}, h},
    };
    for (const Call& call : calls) {
      INFO(call.method << " " << call.path);
      HttpAnswer a = Send(call);
      // Then every answer is 401 with a Bearer challenge
      CheckProblem(a, 401, "/problems/unauthorized");
      CHECK(a.Header("WWW-Authenticate").rfind("Bearer", 0) == 0);
    }
  }
  // And nothing was written, and the event stream refuses them too
  CHECK(s.Head() == before);
  CHECK(GetOk(s.officer, "/clients/" + c)["status"] == "active");
  const EventStreamAnswer feed =
      ReadEventStream(s.server.port(), "/events/stream?from=1", "", 1, 3);
  CHECK(feed.status == 401);
}

TEST_CASE("http: the officer is forbidden the commands that need a named permission", "[http]") {
  // Given a client with two cases and a strand
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
  // When the officer (or the supervisor, for what needs administer) sends the commands that need a
  // named permission
  const uint64_t before = s.Head();
  for (const auto& [call, permission] : table) {
    INFO(call.method << " " << call.path);
    HttpAnswer a = Send(call);
    // Then each is 403 naming the permission, and nothing is written
    CheckProblem(a, 403, kForbidden);
    CHECK(a.json.value("permission", "") == permission);
    CHECK(s.Head() == before);
  }
  // And nothing changed
  const json client = GetOk(s.officer, "/clients/" + c);
  CHECK(client["cases"] == json::array({k, k2}));
  CHECK(client["case_number"] == "");
  CHECK(client["invitations_sent"] == 0);
  CHECK(GetOk(s.officer, "/cases/" + k)["strands"][0]["status"] == "open");
  // And the supervisor, who holds those permissions, may send them
  Done(s.supervisor.Post("/clients/" + c + "/case-number", {{"case_number", "HO-1"}}));
  Done(s.supervisor.Post("/clients/" + c + "/portal/invitations"));
  Done(s.supervisor.Post("/cases/" + k + "/strands/" + strand + "/move", {{"target_case_id", k2}}));
  Done(s.supervisor.Delete("/cases/" + k2));
  Done(s.supervisor.Delete("/clients/" + c));
}

TEST_CASE("http: the auditor can send no command", "[http]") {
  // Given clients, cases, a group, a navigator, a strand, an action and a Lobby record
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
  // When the auditor sends every command
  for (const Call& call : EveryCommand(&s.auditor, c, k, other, k2, strand, action, lobby)) {
    INFO(call.method << " " << call.path);
    HttpAnswer a = Send(call);
    // Then each is 403 naming casework, and nothing is written
    CheckProblem(a, 403, kForbidden);
    CHECK(a.json.value("permission", "") == "casework");
  }
  CHECK(s.Head() == before);
  // And the auditor reads like anyone
  CHECK(s.auditor.Get("/cases").status == 200);
  CHECK(s.auditor.Get("/clients/" + c).status == 200);
}

TEST_CASE("http: only auditors and administrators read the audit trail the raw streams and the log",
          "[http]") {
  // Given a registered client
  Served s;
  const std::string c = Register(s.officer, "Watched")["client_id"];
  const std::vector<std::string> paths = {"/audit", "/audit?actor=officer", "/events?from=1",
                                          "/streams/client-" + c + "/events"};
  // When each user reads the audit trail, the raw streams and the log
  // Then auditors and administrators may, officers and supervisors are 403 naming audit
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
  // And the same holds for the event stream and its tickets
  CHECK(ReadEventStream(s.server.port(), "/events/stream?from=1", "demo-officer", 1, 3).status ==
        403);
  CHECK(s.auditor.Post("/events/stream/tickets").status == 201);
  CHECK(s.admin.Post("/events/stream/tickets").status == 201);
  for (HttpClient* who : {&s.officer, &s.supervisor}) {
    HttpAnswer a = who->Post("/events/stream/tickets");
    CheckProblem(a, 403, kForbidden);
    CHECK(a.json.value("permission", "") == "audit");
  }
  CHECK(ReadEventStream(s.server.port(), "/events/stream?from=1", "demo-auditor", 1, 5).status ==
        200);
}
