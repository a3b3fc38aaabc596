// End-to-end tests of the bad inputs of every command route against a real
// `caseengine serve`: 400 for malformed JSON or a body that is not an object, 422 naming the
// missing or invalid field, and 404 for unknown ids, each leaving the log head where it was.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/http_commands_support.h"
#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using caseengine::testing::http_commands::NamesField;

}  // namespace

TEST_CASE(
    "http: every command route answers 400 to malformed JSON and to a body that is not an object",
    "[http]") {
  // Given a client, its case and a Lobby record
  Served s;
  const json r = Register(s.officer, "Malformed");
  const std::string c = r["client_id"], k = r["case_id"];
  const std::string lobby = Done(
      s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Lobbyist"}}), 201)["lobby_id"];
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"POST", "/clients"},
      {"PATCH", "/clients/" + c},
      {"POST", "/clients/" + c + "/status"},
      {"POST", "/clients/" + c + "/client-type"},
      {"POST", "/clients/" + c + "/case-number"},
      {"POST", "/clients/" + c + "/groups"},
      {"POST", "/clients/" + c + "/navigators"},
      {"POST", "/clients/" + c + "/portal/status"},
      {"POST", "/clients/" + c + "/portal/invitations"},
      {"POST", "/clients/" + c + "/restore"},
      {"POST", "/clients/" + c + "/cases"},
      {"POST", "/cases/" + k + "/officers"},
      {"POST", "/cases/" + k + "/team"},
      {"POST", "/cases/" + k + "/people"},
      {"POST", "/cases/" + k + "/people/" + c + "/leave"},
      {"POST", "/cases/" + k + "/primary-applicant"},
      {"POST", "/cases/" + k + "/close"},
      {"POST", "/cases/" + k + "/reopen"},
      {"POST", "/cases/" + k + "/strands"},
      {"POST", "/cases/" + k + "/strands/" + kUnknown + "/status"},
      {"POST", "/cases/" + k + "/strands/" + kUnknown + "/move"},
      {"POST", "/cases/" + k + "/notes"},
      {"POST", "/cases/" + k + "/actions"},
      {"POST", "/cases/" + k + "/actions/" + kUnknown + "/complete"},
      {"POST", "/lobby"},
      {"POST", "/lobby/" + lobby + "/claim"},
      {"POST", "/lobby/" + lobby + "/assign"},
      {"POST", "/lobby/" + lobby + "/create-client"},
  };
  // When every command route is sent malformed JSON or a body that is not an object
  const uint64_t before = s.Head();
  for (HttpClient* who : {&s.officer, &s.admin}) {
    for (const auto& [method, path] : routes) {
      for (const std::string body :
           {"{\"surname\": ", "{surname: 1}", "[1, 2]", "\"text\"", "42", "null", "{\"a\":1}}"}) {
        INFO(method << " " << path << " with " << body);
        HttpAnswer a = method == "PATCH" ? who->PatchRaw(path, body) : who->PostRaw(path, body);
        // Then each is 400
        CheckProblem(a, 400, kMalformed);
      }
    }
  }
  // And nothing is written
  CHECK(s.Head() == before);
}

TEST_CASE("http: every command route answers 422 naming the missing or invalid field", "[http]") {
  // Given a client, its case, a claimed Lobby record and a strand
  Served s;
  const json r = Register(s.officer, "Fields");
  const std::string c = r["client_id"], k = r["case_id"];
  const std::string lobby = Done(
      s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Lobbyist"}}), 201)["lobby_id"];
  Done(s.officer.Post("/lobby/" + lobby + "/claim"));
  const std::string strand =
      Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "review"}}), 201)["strand_id"];
  HttpClient* o = &s.officer;
  HttpClient* sv = &s.supervisor;
  // The call, and every field its problem must name.
  const std::vector<std::pair<Call, std::vector<std::string>>> table = {
      {{o, "POST", "/clients"}, {"surname", "date_of_birth"}},
      {{o, "PATCH", "/clients/" + c}, {"personal"}},
      {{o, "PATCH", "/clients/" + c, {{"postcode", "nowhere"}}}, {"postcode"}},
      {{o, "PATCH", "/clients/" + c, {{"nino", "123"}}}, {"nino"}},
      {{o, "POST", "/clients/" + c + "/status"}, {"status"}},
      {{o, "POST", "/clients/" + c + "/status", {{"status", "asleep"}}}, {"status"}},
      {{o, "POST", "/clients/" + c + "/status", {{"status", 1}}}, {"status"}},
      {{o, "POST", "/clients/" + c + "/client-type"}, {"client_type"}},
      {{o, "POST", "/clients/" + c + "/client-type", {{"client_type", "alien"}}}, {"client_type"}},
      {{sv, "POST", "/clients/" + c + "/case-number"}, {"case_number"}},
      {{sv, "POST", "/clients/" + c + "/case-number", {{"case_number", std::string(51, '9')}}},
       {"case_number"}},
      {{o, "POST", "/clients/" + c + "/groups"}, {"group"}},
      {{o, "POST", "/clients/" + c + "/groups", {{"group", "   "}}}, {"group"}},
      {{o, "POST", "/clients/" + c + "/navigators"}, {"user_id"}},
      {{o, "POST", "/clients/" + c + "/navigators", {{"user_id", "nobody"}}}, {"user_id"}},
      {{o, "POST", "/clients/" + c + "/portal/status"}, {"status"}},
      {{o, "POST", "/clients/" + c + "/portal/status", {{"status", "open"}}}, {"status"}},
      {{sv, "DELETE", "/clients/" + c + "?mode=shred"}, {"mode"}},
      {{o, "POST", "/cases/" + k + "/officers"}, {"user_id", "role"}},
      {{o, "POST", "/cases/" + k + "/officers", {{"user_id", "officer"}, {"role", "boss"}}},
       {"role"}},
      {{o, "POST", "/cases/" + k + "/officers", {{"user_id", "nobody"}, {"role", "secondary"}}},
       {"user_id"}},
      {{o, "DELETE", "/cases/" + k + "/officers/officer"}, {"role"}},
      {{o, "DELETE", "/cases/" + k + "/officers/officer?role=boss"}, {"role"}},
      {{o, "POST", "/cases/" + k + "/team"}, {"team_id"}},
      {{o, "POST", "/cases/" + k + "/team", {{"team_id", "no-such-team"}}}, {"team_id"}},
      {{o, "POST", "/cases/" + k + "/people"}, {"client_id", "relationship"}},
      {{o,
        "POST",
        "/cases/" + k + "/people",
        {{"client_id", c}, {"relationship", "partner"}, {"joint_applicant", "yes"}}},
       {"joint_applicant"}},
      {{o,
        "POST",
        "/cases/" + k + "/people",
        {{"client_id", c}, {"relationship", "partner"}, {"date_joined", "2024-13-01"}}},
       {"date_joined"}},
      {{o, "POST", "/cases/" + k + "/people", {{"client_id", c}, {"relationship", "self"}}},
       {"relationship"}},
      {{o, "POST", "/cases/" + k + "/people/" + c + "/leave"}, {"date_left"}},
      {{o, "POST", "/cases/" + k + "/people/" + c + "/leave", {{"date_left", "yesterday"}}},
       {"date_left"}},
      {{o, "POST", "/cases/" + k + "/primary-applicant"}, {"client_id"}},
      {{o, "POST", "/cases/" + k + "/close"}, {"reason"}},
      {{o, "POST", "/cases/" + k + "/close", {{"reason", std::string(501, 'r')}}}, {"reason"}},
      {{o, "POST", "/cases/" + k + "/reopen"}, {"reason"}},
      {{o, "POST", "/cases/" + k + "/strands"}, {"type"}},
      {{o, "POST", "/cases/" + k + "/strands", {{"type", "holiday_application"}}}, {"type"}},
      {{o, "POST", "/cases/" + k + "/strands/" + strand + "/status"}, {"status"}},
      {{o, "POST", "/cases/" + k + "/strands/" + strand + "/status", {{"status", "closed_moved"}}},
       {"status"}},
      {{sv, "POST", "/cases/" + k + "/strands/" + strand + "/move"}, {"target_case_id"}},
      {{sv, "POST", "/cases/" + k + "/strands/" + strand + "/move", {{"target_case_id", k}}},
       {"target_case_id"}},
      {{o, "POST", "/cases/" + k + "/notes"}, {"text"}},
      {{o, "POST", "/cases/" + k + "/notes", {{"text", std::string(20001, 't')}}}, {"text"}},
      {{o, "POST", "/cases/" + k + "/actions"}, {"title"}},
      {{o, "POST", "/cases/" + k + "/actions", {{"title", "Call"}, {"due", "2030-02-30"}}},
       {"due"}},
      {{o, "POST", "/lobby"}, {"source", "surname"}},
      {{o, "POST", "/lobby", {{"source", "carrier_pigeon"}, {"surname", "X"}}}, {"source"}},
      {{o, "POST", "/lobby", {{"source", "self"}, {"surname", "X"}, {"date_of_birth", "1980"}}},
       {"date_of_birth"}},
      {{o, "POST", "/lobby/" + lobby + "/assign"}, {"client_id"}},
      // Ids in the path are checked too.
      {{o, "POST", "/clients/bad.id/status", {{"status", "active"}}}, {"client_id"}},
      {{o, "POST", "/cases/bad.id/close", {{"reason", "r"}}}, {"case_id"}},
      {{o, "POST", "/lobby/bad.id/claim"}, {"lobby_id"}},
      {{o, "POST", "/cases/" + k + "/actions/bad.id/complete"}, {"action_id"}},
  };
  // When every command route is sent a body with a missing or invalid field
  const uint64_t before = s.Head();
  for (const auto& [call, fields] : table) {
    INFO(call.method << " " << call.path << " " << call.body.dump());
    HttpAnswer a = Send(call);
    // Then each is 422 naming every missing or invalid field
    CheckProblem(a, 422, kValidation);
    for (const auto& field : fields) {
      INFO("field " << field << ": " << a.body);
      CHECK(NamesField(a, field));
    }
  }
  // And nothing is written
  CHECK(s.Head() == before);
}

TEST_CASE("http: every command on an unknown id answers 404", "[http]") {
  // Given a client and its case
  Served s;
  const json r = Register(s.officer, "Known");
  const std::string c = r["client_id"], k = r["case_id"];
  const std::string u = kUnknown;
  HttpClient* o = &s.officer;
  HttpClient* sv = &s.supervisor;
  HttpClient* ad = &s.admin;
  const std::vector<Call> table = {
      {o, "PATCH", "/clients/" + u, {{"surname", "X"}}},
      {o, "POST", "/clients/" + u + "/status", {{"status", "inactive"}}},
      {o, "POST", "/clients/" + u + "/client-type", {{"client_type", "case_management"}}},
      {sv, "POST", "/clients/" + u + "/case-number", {{"case_number", "N-1"}}},
      {o, "POST", "/clients/" + u + "/groups", {{"group", "g"}}},
      {o, "DELETE", "/clients/" + u + "/groups/g"},
      {o, "POST", "/clients/" + u + "/navigators", {{"user_id", "officer"}}},
      {o, "DELETE", "/clients/" + u + "/navigators/officer"},
      {o, "POST", "/clients/" + u + "/portal/status", {{"status", "active"}}},
      {sv, "POST", "/clients/" + u + "/portal/invitations"},
      {sv, "DELETE", "/clients/" + u},
      {ad, "DELETE", "/clients/" + u + "?mode=erase"},
      {ad, "POST", "/clients/" + u + "/restore"},
      {o, "POST", "/clients/" + u + "/cases"},
      {o, "POST", "/cases/" + u + "/officers", {{"user_id", "officer"}, {"role", "secondary"}}},
      {o, "DELETE", "/cases/" + u + "/officers/officer?role=primary"},
      {o, "POST", "/cases/" + u + "/team", {{"team_id", "allocations"}}},
      {o, "POST", "/cases/" + u + "/people", {{"client_id", c}, {"relationship", "partner"}}},
      {o, "POST", "/cases/" + u + "/people/" + c + "/leave", {{"date_left", "2024-01-01"}}},
      {o, "POST", "/cases/" + u + "/primary-applicant", {{"client_id", c}}},
      {o, "POST", "/cases/" + u + "/close", {{"reason", "done"}}},
      {o, "POST", "/cases/" + u + "/reopen", {{"reason", "again"}}},
      {sv, "DELETE", "/cases/" + u},
      {o, "POST", "/cases/" + u + "/strands", {{"type", "review"}}},
      {o, "POST", "/cases/" + u + "/strands/" + u + "/status", {{"status", "closed"}}},
      {sv, "POST", "/cases/" + u + "/strands/" + u + "/move", {{"target_case_id", k}}},
      {o, "POST", "/cases/" + u + "/notes", {{"text", "hello"}}},
      {o, "POST", "/cases/" + u + "/actions", {{"title", "Call"}}},
      {o, "POST", "/cases/" + u + "/actions/" + u + "/complete"},
      {o, "POST", "/lobby/" + u + "/claim"},
      {o, "POST", "/lobby/" + u + "/assign", {{"client_id", c}}},
      {o, "POST", "/lobby/" + u + "/create-client"},
      {o, "DELETE", "/lobby/" + u},
      // Unknown things named on a known case or client.
      {o, "POST", "/cases/" + k + "/strands/" + u + "/status", {{"status", "closed"}}},
      {sv, "POST", "/cases/" + k + "/strands/" + u + "/move", {{"target_case_id", u}}},
      {o, "POST", "/cases/" + k + "/actions/" + u + "/complete"},
      {o, "POST", "/cases/" + k + "/notes", {{"text", "hello"}, {"strand_id", u}}},
      {o, "POST", "/cases/" + k + "/actions", {{"title", "Call"}, {"strand_id", u}}},
      {o, "POST", "/cases/" + k + "/people", {{"client_id", u}, {"relationship", "partner"}}},
      {o, "POST", "/cases/" + k + "/people/" + u + "/leave", {{"date_left", "2024-01-01"}}},
      {o, "POST", "/cases/" + k + "/primary-applicant", {{"client_id", u}}},
      {o, "DELETE", "/cases/" + k + "/officers/supervisor?role=primary"},
      {o, "DELETE", "/clients/" + c + "/groups/never-joined"},
      {o, "DELETE", "/clients/" + c + "/navigators/supervisor"},
  };
  // When every command names an id that is not known
  const uint64_t before = s.Head();
  for (const Call& call : table) {
    INFO(call.method << " " << call.path << " " << call.body.dump());
    // Then each is 404
    CheckProblem(Send(call), 404, kNotFound);
  }
  // And nothing is written
  CHECK(s.Head() == before);
}
