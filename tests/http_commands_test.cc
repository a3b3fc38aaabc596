// End-to-end tests of every command route of docs/http_api.md against a real
// `caseengine serve` over a fresh data folder: the happy path (201 with the new ids on create, 200
// otherwise, `position` and `versions` on every answer, the change visible on GET /clients/{id} or
// GET /cases/{id}) and the bad inputs (400 malformed, 422 invalid fields naming them, 404
// unknown ids, 409 with the rule's name), each refusal leaving the log head where it was.
// Tests that check a rule are named after it.
#include <catch2/catch.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/http_test_support.h"
#include "tests/test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

bool NamesField(const HttpAnswer& a, const std::string& field) {
  if (!a.json.is_object() || !a.json.contains("errors") || !a.json["errors"].is_array()) {
    return false;
  }
  for (const auto& e : a.json["errors"]) {
    if (e.value("field", "") == field && e.contains("message")) return true;
  }
  return false;
}

// A command that must be refused: its problem, and nothing written (the log head stays).
HttpAnswer Refused(const Served& s, const std::function<HttpAnswer()>& send, int status,
                   const std::string& type) {
  const uint64_t before = s.Head();
  HttpAnswer a = send();
  CheckProblem(a, status, type);
  CHECK(s.Head() == before);
  return a;
}
void RuleSaysNo(const Served& s, const std::function<HttpAnswer()>& send, const std::string& rule) {
  HttpAnswer a = Refused(s, send, 409, kRuleViolated);
  CHECK(a.json.value("rule", "") == rule);
}
void InvalidField(const Served& s, const std::function<HttpAnswer()>& send,
                  const std::string& field) {
  HttpAnswer a = Refused(s, send, 422, kValidation);
  INFO(a.body);
  CHECK(NamesField(a, field));
}
void NotFound(const Served& s, const std::function<HttpAnswer()>& send) {
  Refused(s, send, 404, kNotFound);
}

bool HasOfficer(const json& kase, const std::string& user_id, const std::string& role) {
  for (const auto& o : kase["officers"]) {
    if (o.value("user_id", "") == user_id && o.value("role", "") == role) return true;
  }
  return false;
}

const json* FindStrand(const json& kase, const std::string& strand_id) {
  for (const auto& st : kase["strands"]) {
    if (st.value("strand_id", "") == strand_id) return &st;
  }
  return nullptr;
}

}  // namespace

TEST_CASE(
    "http: registering a client answers 201 with its ids and opens a case with the caller as "
    "primary officer",
    "[http]") {
  Served s;
  const json r = Done(s.officer.Post("/clients", {{"surname", " Okafor "},
                                                  {"forenames", "Ada"},
                                                  {"date_of_birth", "1984-07-12"},
                                                  {"nino", "ab 12 34 56 c"},
                                                  {"email", "ada@example.org"},
                                                  {"phone", "07700 900123"},
                                                  {"postcode", "sw1a1aa"},
                                                  {"client_type", "potential_client"}}),
                      201);
  const std::string client = r.at("client_id"), kase = r.at("case_id");
  CHECK(!client.empty());
  CHECK(!kase.empty());
  CHECK(client != kase);
  CHECK(r["versions"]["client-" + client] == 1);
  CHECK(r["versions"]["case-" + kase] == 1);
  CHECK(r["position"].get<uint64_t>() == s.Head());

  const json c = GetOk(s.officer, "/clients/" + client);
  CHECK(c["client_id"] == client);
  CHECK(c["surname"] == "Okafor");
  CHECK(c["forenames"] == "Ada");
  CHECK(c["date_of_birth"] == "1984-07-12");
  CHECK(c["nino"] == "AB123456C");
  CHECK(c["postcode"] == "SW1A 1AA");
  CHECK(c["email"] == "ada@example.org");
  CHECK(c["client_type"] == "potential_client");
  CHECK(c["status"] == "active");
  CHECK(c["portal_status"] == "pending");
  CHECK(c["cases"] == json::array({kase}));

  const json k = GetOk(s.officer, "/cases/" + kase);
  CHECK(k["case_id"] == kase);
  CHECK(k["client_id"] == client);
  CHECK(k["primary_applicant"] == client);
  CHECK(k["status"] == "open");
  CHECK(k["team_id"] == "housing-options");
  CHECK(k["officers"] == json::array({{{"user_id", "officer"}, {"role", "primary"}}}));
  REQUIRE(k["people"].size() == 1);
  CHECK(k["people"][0]["client_id"] == client);
  CHECK(k["people"][0]["relationship"] == "self");

  // Another user registering is the primary officer of its own client's case.
  const json other = Register(s.supervisor, "Other");
  const json k2 = GetOk(s.officer, "/cases/" + other["case_id"].get<std::string>());
  CHECK(k2["officers"] == json::array({{{"user_id", "supervisor"}, {"role", "primary"}}}));
}

TEST_CASE("http: registering a client needs a surname and a real date of birth", "[http]") {
  Served s;
  const uint64_t before = s.Head();
  {
    HttpAnswer a = s.officer.Post("/clients", json::object());
    CheckProblem(a, 422, kValidation);
    CHECK(NamesField(a, "surname"));
    CHECK(NamesField(a, "date_of_birth"));
  }
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/clients", {{"date_of_birth", "1980-01-01"}});
      },
      "surname");
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/clients", {{"surname", 5}, {"date_of_birth", "1980-01-01"}});
      },
      "surname");
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/clients", {{"surname", "X"}, {"date_of_birth", "1980-02-30"}});
      },
      "date_of_birth");
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/clients", {{"surname", "X"}, {"date_of_birth", "2999-01-01"}});
      },
      "date_of_birth");
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/clients", {{"surname", "X"}, {"date_of_birth", "01/02/1980"}});
      },
      "date_of_birth");
  const json base = {{"surname", "X"}, {"date_of_birth", "1980-01-01"}};
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, std::string>>{{"nino", "QQ123456Z"},
                                                        {"postcode", "not a postcode"},
                                                        {"email", "no-at-sign"},
                                                        {"phone", "call me"},
                                                        {"client_type", "alien"},
                                                        {"surname", std::string(101, 'x')}}) {
    json body = base;
    body[field] = value;
    InvalidField(
        s, [&] { return s.officer.Post("/clients", body); }, field);
  }
  CHECK(s.Head() == before);
}

TEST_CASE(
    "http: every command route answers 400 to malformed JSON and to a body that is not an object",
    "[http]") {
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
  const uint64_t before = s.Head();
  for (HttpClient* who : {&s.officer, &s.admin}) {
    for (const auto& [method, path] : routes) {
      for (const std::string body :
           {"{\"surname\": ", "{surname: 1}", "[1, 2]", "\"text\"", "42", "null", "{\"a\":1}}"}) {
        INFO(method << " " << path << " with " << body);
        HttpAnswer a = method == "PATCH" ? who->PatchRaw(path, body) : who->PostRaw(path, body);
        CheckProblem(a, 400, kMalformed);
      }
    }
  }
  CHECK(s.Head() == before);
}

TEST_CASE("http: every command route answers 422 naming the missing or invalid field", "[http]") {
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
  const uint64_t before = s.Head();
  for (const auto& [call, fields] : table) {
    INFO(call.method << " " << call.path << " " << call.body.dump());
    HttpAnswer a = Send(call);
    CheckProblem(a, 422, kValidation);
    for (const auto& field : fields) {
      INFO("field " << field << ": " << a.body);
      CHECK(NamesField(a, field));
    }
  }
  CHECK(s.Head() == before);
}

TEST_CASE("http: every command on an unknown id answers 404", "[http]") {
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
  const uint64_t before = s.Head();
  for (const Call& call : table) {
    INFO(call.method << " " << call.path << " " << call.body.dump());
    CheckProblem(Send(call), 404, kNotFound);
  }
  CHECK(s.Head() == before);
}

TEST_CASE("http: correcting a client's details changes only what was given", "[http]") {
  Served s;
  const json r = Register(s.officer, "Smyth", {{"forenames", "Jon"}, {"postcode", "LS1 4AP"}});
  const std::string c = r["client_id"];
  const json a =
      Done(s.officer.Patch("/clients/" + c, {{"surname", "Smith"}, {"email", "jon@example.org"}}));
  CHECK(a["versions"]["client-" + c] == 2);
  const json got = GetOk(s.officer, "/clients/" + c);
  CHECK(got["surname"] == "Smith");
  CHECK(got["forenames"] == "Jon");
  CHECK(got["postcode"] == "LS1 4AP");
  CHECK(got["email"] == "jon@example.org");
  CHECK(got["version"] == 2);

  // Giving what is already there changes nothing and writes nothing.
  const uint64_t before = s.Head();
  const json same = Done(s.officer.Patch("/clients/" + c, {{"surname", "Smith"}}));
  CHECK(same.value("unchanged", false));
  CHECK(s.Head() == before);

  InvalidField(
      s, [&] { return s.officer.Patch("/clients/" + c, json::object()); }, "personal");
  InvalidField(
      s,
      [&] {
        return s.officer.Patch("/clients/" + c, {{"date_of_birth", "2999-01-01"}});
      },
      "date_of_birth");
  NotFound(s, [&] { return s.officer.Patch("/clients/" + kUnknown, {{"surname", "X"}}); });
}

TEST_CASE("http: a client's record status can be set to inactive closed or active", "[http]") {
  Served s;
  const std::string c = Register(s.officer, "Status")["client_id"];
  for (const std::string status : {"inactive", "closed", "active"}) {
    const json a = Done(s.officer.Post("/clients/" + c + "/status", {{"status", status}}));
    CHECK(a.contains("versions"));
    CHECK(GetOk(s.officer, "/clients/" + c)["status"] == status);
  }
  const uint64_t before = s.Head();
  CHECK(Done(s.officer.Post("/clients/" + c + "/status", {{"status", "active"}}))
            .value("unchanged", false));
  CHECK(s.Head() == before);
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/clients/" + c + "/status", {{"status", "gone"}});
      },
      "status");
}

TEST_CASE("http: client types must be established by the agency before they can be set", "[http]") {
  Served s;
  const std::string c = Register(s.officer, "Typed")["client_id"];
  Done(s.officer.Post("/clients/" + c + "/client-type", {{"client_type", "case_management"}}));
  CHECK(GetOk(s.officer, "/clients/" + c)["client_type"] == "case_management");
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/clients/" + c + "/client-type", {{"client_type", "vip"}});
      },
      "client_type");
  CHECK(GetOk(s.officer, "/clients/" + c)["client_type"] == "case_management");
}

TEST_CASE("http: changing a client's case number records it on the client", "[http]") {
  Served s;
  const std::string c = Register(s.officer, "Numbered")["client_id"];
  const json a =
      Done(s.supervisor.Post("/clients/" + c + "/case-number", {{"case_number", "HO-2024-17"}}));
  CHECK(a["versions"]["client-" + c] == 2);
  CHECK(GetOk(s.officer, "/clients/" + c)["case_number"] == "HO-2024-17");
  // The officer lacks change_case_numbers (more in http_api_test.cc).
  const HttpAnswer refused = Refused(
      s,
      [&] {
        return s.officer.Post("/clients/" + c + "/case-number", {{"case_number", "X"}});
      },
      403, "/problems/forbidden");
  CHECK(refused.json.value("permission", "") == "change_case_numbers");
}

TEST_CASE("http: adding a client to groups lists them under the client's groups", "[http]") {
  Served s;
  const std::string c = Register(s.officer, "Grouped")["client_id"];
  Done(s.officer.Post("/clients/" + c + "/groups", {{"group", "families"}}));
  Done(s.officer.Post("/clients/" + c + "/groups", {{"group", "veterans"}}));
  CHECK(GetOk(s.officer, "/clients/" + c)["groups"] == json::array({"families", "veterans"}));
  const uint64_t before = s.Head();
  CHECK(Done(s.officer.Post("/clients/" + c + "/groups", {{"group", "families"}}))
            .value("unchanged", false));
  CHECK(s.Head() == before);
  Done(s.officer.Delete("/clients/" + c + "/groups/families"));
  CHECK(GetOk(s.officer, "/clients/" + c)["groups"] == json::array({"veterans"}));
  NotFound(s, [&] { return s.officer.Delete("/clients/" + c + "/groups/families"); });
}

TEST_CASE("http: assigning a navigator to a client record lists them as its navigator", "[http]") {
  Served s;
  const std::string c = Register(s.officer, "Navigated")["client_id"];
  Done(s.officer.Post("/clients/" + c + "/navigators", {{"user_id", "supervisor"}}));
  CHECK(GetOk(s.officer, "/clients/" + c)["navigators"] == json::array({"supervisor"}));
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/clients/" + c + "/navigators", {{"user_id", "ghost"}});
      },
      "user_id");
  Done(s.officer.Delete("/clients/" + c + "/navigators/supervisor"));
  CHECK(GetOk(s.officer, "/clients/" + c)["navigators"].empty());
  NotFound(s, [&] { return s.officer.Delete("/clients/" + c + "/navigators/supervisor"); });
}

TEST_CASE("http: a client's portal status can be pending active or banned", "[http]") {
  Served s;
  const std::string c = Register(s.officer, "Portal")["client_id"];
  for (const std::string status : {"active", "banned", "pending"}) {
    Done(s.officer.Post("/clients/" + c + "/portal/status", {{"status", status}}));
    CHECK(GetOk(s.officer, "/clients/" + c)["portal_status"] == status);
  }
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/clients/" + c + "/portal/status", {{"status", "open"}});
      },
      "status");
}

TEST_CASE("http: a portal invitation needs the client's email", "[http]") {
  Served s;
  const std::string no_email = Register(s.officer, "Offline")["client_id"];
  RuleSaysNo(
      s, [&] { return s.supervisor.Post("/clients/" + no_email + "/portal/invitations"); },
      "invitation-needs-email");

  const std::string c =
      Register(s.officer, "Online", {{"email", "online@example.org"}})["client_id"];
  const json first = Done(s.supervisor.Post("/clients/" + c + "/portal/invitations"));
  CHECK(first["resend"] == false);
  CHECK(GetOk(s.officer, "/clients/" + c)["invitations_sent"] == 1);
  const json again = Done(s.supervisor.Post("/clients/" + c + "/portal/invitations"));
  CHECK(again["resend"] == true);
  CHECK(GetOk(s.officer, "/clients/" + c)["invitations_sent"] == 2);
}

TEST_CASE("http: a client banned from the portal cannot be invited to it", "[http]") {
  Served s;
  const std::string c =
      Register(s.officer, "Banned", {{"email", "banned@example.org"}})["client_id"];
  Done(s.officer.Post("/clients/" + c + "/portal/status", {{"status", "banned"}}));
  RuleSaysNo(
      s, [&] { return s.supervisor.Post("/clients/" + c + "/portal/invitations"); },
      "portal-banned");
}

TEST_CASE("http: opening another case on a client answers 201 with the case id", "[http]") {
  Served s;
  const json r = Register(s.officer, "Twice");
  const std::string c = r["client_id"], first = r["case_id"];
  const json a = Done(s.supervisor.Post("/clients/" + c + "/cases"), 201);
  const std::string second = a.at("case_id");
  CHECK(second != first);
  CHECK(a["versions"]["client-" + c] == 2);
  CHECK(a["versions"]["case-" + second] == 1);
  CHECK(GetOk(s.officer, "/clients/" + c)["cases"] == json::array({first, second}));
  const json k = GetOk(s.officer, "/cases/" + second);
  CHECK(k["status"] == "open");
  CHECK(k["officers"] == json::array({{{"user_id", "supervisor"}, {"role", "primary"}}}));
}

TEST_CASE("http: officers are assigned to and unassigned from roles on a case", "[http]") {
  Served s;
  const std::string k = Register(s.officer, "Officered")["case_id"];
  const json a = Done(s.officer.Post("/cases/" + k + "/officers",
                                     {{"user_id", "supervisor"}, {"role", "secondary"}}));
  CHECK(a["versions"]["case-" + k] == 2);
  Done(s.officer.Post("/cases/" + k + "/officers", {{"user_id", "admin"}, {"role", "supervisor"}}));
  json got = GetOk(s.officer, "/cases/" + k);
  CHECK(got["officers"].size() == 3);
  CHECK(HasOfficer(got, "supervisor", "secondary"));
  const uint64_t before = s.Head();
  CHECK(Done(s.officer.Post("/cases/" + k + "/officers",
                            {{"user_id", "supervisor"}, {"role", "secondary"}}))
            .value("unchanged", false));
  CHECK(s.Head() == before);
  Done(s.officer.Delete("/cases/" + k + "/officers/supervisor?role=secondary"));
  got = GetOk(s.officer, "/cases/" + k);
  CHECK(got["officers"].size() == 2);
  CHECK(!HasOfficer(got, "supervisor", "secondary"));
  NotFound(s,
           [&] { return s.officer.Delete("/cases/" + k + "/officers/supervisor?role=secondary"); });
}

TEST_CASE("http: a case's responsible team must be one that allows case assignment", "[http]") {
  Served s;
  const std::string k = Register(s.officer, "Teamed")["case_id"];
  Done(s.officer.Post("/cases/" + k + "/team", {{"team_id", "allocations"}}));
  CHECK(GetOk(s.officer, "/cases/" + k)["team_id"] == "allocations");
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/team", {{"team_id", "admin-team"}});
      },
      "team-does-not-take-cases");
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/team", {{"team_id", "nobody"}});
      },
      "team_id");
  CHECK(GetOk(s.officer, "/cases/" + k)["team_id"] == "allocations");
}

TEST_CASE("http: people are never removed from a case: they get a date left and stay", "[http]") {
  Served s;
  const json r = Register(s.officer, "Household");
  const std::string head = r["client_id"], k = r["case_id"];
  const std::string partner = Register(s.officer, "Partner")["client_id"];
  const json a = Done(s.officer.Post("/cases/" + k + "/people", {{"client_id", partner},
                                                                 {"relationship", "partner"},
                                                                 {"joint_applicant", true},
                                                                 {"date_joined", "2024-01-01"}}));
  CHECK(a["versions"]["case-" + k] == 2);
  json got = GetOk(s.officer, "/cases/" + k);
  REQUIRE(got["people"].size() == 2);
  CHECK(got["people"][1]["client_id"] == partner);
  CHECK(got["people"][1]["relationship"] == "partner");
  CHECK(got["people"][1]["joint_applicant"] == true);
  CHECK(got["people"][1]["date_joined"] == "2024-01-01");
  CHECK(got["people"][1]["date_left"].is_null());

  // The rule person-already-on-case.
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/people",
                              {{"client_id", partner}, {"relationship", "partner"}});
      },
      "person-already-on-case");
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/people/" + partner + "/leave",
                              {{"date_left", "2023-12-31"}});
      },
      "date_left");
  Done(s.officer.Post("/cases/" + k + "/people/" + partner + "/leave",
                      {{"date_left", "2024-06-30"}}));
  got = GetOk(s.officer, "/cases/" + k);
  REQUIRE(got["people"].size() == 2);
  CHECK(got["people"][1]["date_left"] == "2024-06-30");
  NotFound(s, [&] {
    return s.officer.Post("/cases/" + k + "/people/" + partner + "/leave",
                          {{"date_left", "2024-07-01"}});
  });
  // A second stay may not begin before the first ended; after it, it is a new entry.
  InvalidField(
      s,
      [&] {
        return s.officer.Post(
            "/cases/" + k + "/people",
            {{"client_id", partner}, {"relationship", "partner"}, {"date_joined", "2024-06-01"}});
      },
      "date_joined");
  Done(s.officer.Post(
      "/cases/" + k + "/people",
      {{"client_id", partner}, {"relationship", "partner"}, {"date_joined", "2024-08-01"}}));
  CHECK(GetOk(s.officer, "/cases/" + k)["people"].size() == 3);
}

TEST_CASE("http: the primary applicant cannot leave the case until another is switched in",
          "[http]") {
  Served s;
  const json r = Register(s.officer, "Primary");
  const std::string head = r["client_id"], k = r["case_id"];
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/people/" + head + "/leave",
                              {{"date_left", "2999-01-01"}});
      },
      "primary-applicant-stays");
}

TEST_CASE("http: only a current member of the case can become its primary applicant", "[http]") {
  Served s;
  const json r = Register(s.officer, "Switch");
  const std::string head = r["client_id"], k = r["case_id"];
  const std::string other = Register(s.officer, "Member")["client_id"];
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/primary-applicant", {{"client_id", other}});
      },
      "primary-applicant-on-case");
  Done(
      s.officer.Post("/cases/" + k + "/people", {{"client_id", other}, {"relationship", "child"}}));
  const json a = Done(s.officer.Post("/cases/" + k + "/primary-applicant", {{"client_id", other}}));
  CHECK(a["versions"]["case-" + k] == 3);
  const json got = GetOk(s.officer, "/cases/" + k);
  CHECK(got["primary_applicant"] == other);
  CHECK(got["client_id"] == head);
  // The old primary applicant is now an ordinary member who may leave.
  Done(s.officer.Post("/cases/" + k + "/people/" + head + "/leave", {{"date_left", "2999-01-01"}}));
}

TEST_CASE("http: a case is closed and reopened with a reason", "[http]") {
  Served s;
  const std::string k = Register(s.officer, "Closing")["case_id"];
  const json a = Done(s.officer.Post("/cases/" + k + "/close", {{"reason", "housed"}}));
  CHECK(a["versions"]["case-" + k] == 2);
  json got = GetOk(s.officer, "/cases/" + k);
  CHECK(got["status"] == "closed");
  CHECK(got["close_reason"] == "housed");
  // The rule case-already-closed.
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/close", {{"reason", "again"}});
      },
      "case-already-closed");
  Done(s.officer.Post("/cases/" + k + "/reopen", {{"reason", "back"}}));
  CHECK(GetOk(s.officer, "/cases/" + k)["status"] == "open");
  // The rule case-already-open.
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/reopen", {{"reason", "again"}});
      },
      "case-already-open");
}

TEST_CASE("http: a client's last case cannot be deleted", "[http]") {
  Served s;
  const json r = Register(s.officer, "LastCase");
  const std::string c = r["client_id"], first = r["case_id"];
  RuleSaysNo(
      s, [&] { return s.supervisor.Delete("/cases/" + first); }, "last-case-stays");
  const std::string second = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
  const json a = Done(s.supervisor.Delete("/cases/" + second));
  CHECK(a["versions"].contains("case-" + second));
  CHECK(a["versions"].contains("client-" + c));
  CHECK(GetOk(s.officer, "/clients/" + c)["cases"] == json::array({first}));
  CheckProblem(s.officer.Get("/cases/" + second), 404, kNotFound);
  NotFound(s, [&] { return s.officer.Post("/cases/" + second + "/close", {{"reason", "x"}}); });
  RuleSaysNo(
      s, [&] { return s.supervisor.Delete("/cases/" + first); }, "last-case-stays");
}

TEST_CASE("http: strands are added to open cases and their status changed", "[http]") {
  Served s;
  const std::string k = Register(s.officer, "Strands")["case_id"];
  const json a =
      Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "risk_assessment"}}), 201);
  const std::string risk = a.at("strand_id");
  CHECK(a["versions"]["case-" + k] == 2);
  const std::string review =
      Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "review"}}), 201)["strand_id"];
  Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "review"}}), 201);
  Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "financial_assistance"}}), 201);
  // The rule one-current-per-case.
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/strands", {{"type", "financial_assistance"}});
      },
      "one-current-per-case");

  Done(s.officer.Post("/cases/" + k + "/strands/" + risk + "/status", {{"status", "cancelled"}}));
  Done(s.officer.Post("/cases/" + k + "/strands/" + review + "/status", {{"status", "closed"}}));
  json got = GetOk(s.officer, "/cases/" + k);
  REQUIRE(FindStrand(got, risk) != nullptr);
  CHECK((*FindStrand(got, risk))["status"] == "cancelled");
  CHECK((*FindStrand(got, risk))["type"] == "risk_assessment");
  CHECK((*FindStrand(got, review))["status"] == "closed");
  CHECK(got["strands"].size() == 4);

  // The rule case-not-active: no strand goes on a closed case.
  Done(s.officer.Post("/cases/" + k + "/close", {{"reason", "done"}}));
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/strands", {{"type", "review"}});
      },
      "case-not-active");
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/strands/" + review + "/status",
                              {{"status", "open"}});
      },
      "case-not-active");
}

TEST_CASE(
    "http: a second current Housing Register across the primary applicant's active cases is "
    "refused",
    "[http]") {
  Served s;
  const json r = Register(s.officer, "Register");
  const std::string c = r["client_id"], first = r["case_id"];
  const std::string second = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
  const json a =
      Done(s.officer.Post("/cases/" + first + "/strands", {{"type", "housing_register"}}), 201);
  const std::string hr = a.at("strand_id");
  // A Housing Register application brings its Bedroom assessment.
  REQUIRE(a.contains("created"));
  REQUIRE(a["created"].size() == 1);
  CHECK(a["created"][0]["type"] == "bedroom_assessment");
  const json got = GetOk(s.officer, "/cases/" + first);
  CHECK(got["strands"].size() == 2);
  // The rule one-current-per-applicant.
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + second + "/strands", {{"type", "housing_register"}});
      },
      "one-current-per-applicant");
  CHECK(GetOk(s.officer, "/cases/" + second)["strands"].empty());
  // Once the first is closed, the other case may have one; the first cannot open again.
  Done(s.officer.Post("/cases/" + first + "/strands/" + hr + "/status", {{"status", "closed"}}));
  Done(s.officer.Post("/cases/" + second + "/strands", {{"type", "housing_register"}}), 201);
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + first + "/strands/" + hr + "/status",
                              {{"status", "open"}});
      },
      "one-current-per-applicant");
}

TEST_CASE(
    "http: reopening a case cannot give its primary applicant a second current Housing Register",
    "[http]") {
  Served s;
  const json r = Register(s.officer, "Reopen");
  const std::string c = r["client_id"], first = r["case_id"];
  Done(s.officer.Post("/cases/" + first + "/strands", {{"type", "housing_register"}}), 201);
  Done(s.officer.Post("/cases/" + first + "/close", {{"reason", "moved away"}}));
  const std::string second = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
  Done(s.officer.Post("/cases/" + second + "/strands", {{"type", "housing_register"}}), 201);
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + first + "/reopen", {{"reason", "back"}});
      },
      "one-current-per-applicant");
  CHECK(GetOk(s.officer, "/cases/" + first)["status"] == "closed");
}

TEST_CASE("http: a homeless application moves to another open case with warnings", "[http]") {
  Served s;
  const json r = Register(s.officer, "Mover");
  const std::string c = r["client_id"], from = r["case_id"];
  const std::string to = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
  const std::string strand =
      Done(s.officer.Post("/cases/" + from + "/strands", {{"type", "homeless_application"}}),
           201)["strand_id"];
  Done(s.officer.Post("/cases/" + from + "/notes",
                      {{"text", "On the strand"}, {"strand_id", strand}}),
       201);
  const std::string action =
      Done(s.officer.Post("/cases/" + from + "/actions",
                          {{"title", "Chase landlord"}, {"strand_id", strand}}),
           201)["action_id"];

  const json a = Done(s.supervisor.Post("/cases/" + from + "/strands/" + strand + "/move",
                                        {{"target_case_id", to}}));
  const std::string moved = a.at("new_strand_id");
  CHECK(moved != strand);
  REQUIRE(a["warnings"].is_array());
  CHECK(a["warnings"].size() == 2);  // the closed action and the note left behind
  CHECK(a["versions"].contains("case-" + from));
  CHECK(a["versions"].contains("case-" + to));

  const json source = GetOk(s.officer, "/cases/" + from);
  REQUIRE(FindStrand(source, strand) != nullptr);
  CHECK((*FindStrand(source, strand))["status"] == "closed_moved");
  CHECK((*FindStrand(source, strand))["moved_to"]["case_id"] == to);
  CHECK((*FindStrand(source, strand))["moved_to"]["strand_id"] == moved);
  REQUIRE(source["actions"].size() == 1);
  CHECK(source["actions"][0]["action_id"] == action);
  CHECK(source["actions"][0]["status"] == "closed");
  const json target = GetOk(s.officer, "/cases/" + to);
  REQUIRE(FindStrand(target, moved) != nullptr);
  CHECK((*FindStrand(target, moved))["type"] == "homeless_application");
  CHECK((*FindStrand(target, moved))["status"] == "open");
  CHECK((*FindStrand(target, moved))["moved_from"]["case_id"] == from);

  // The rules of a move.
  RuleSaysNo(
      s,
      [&] {
        return s.supervisor.Post("/cases/" + from + "/strands/" + strand + "/move",
                                 {{"target_case_id", to}});
      },
      "only-current-strands-move");
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + from + "/strands/" + strand + "/status",
                              {{"status", "open"}});
      },
      "moved-strand-is-final");
  const std::string hr =
      Done(s.officer.Post("/cases/" + from + "/strands", {{"type", "housing_register"}}),
           201)["strand_id"];
  RuleSaysNo(
      s,
      [&] {
        return s.supervisor.Post("/cases/" + from + "/strands/" + hr + "/move",
                                 {{"target_case_id", to}});
      },
      "strand-type-does-not-move");
  Done(s.officer.Post("/cases/" + from + "/close", {{"reason", "done"}}));
  RuleSaysNo(
      s,
      [&] {
        return s.supervisor.Post("/cases/" + to + "/strands/" + moved + "/move",
                                 {{"target_case_id", from}});
      },
      "target-case-not-active");
  NotFound(s, [&] {
    return s.supervisor.Post("/cases/" + to + "/strands/" + moved + "/move",
                             {{"target_case_id", kUnknown}});
  });
}

TEST_CASE("http: notes and actions are added to a case and its strands", "[http]") {
  Served s;
  const std::string k = Register(s.officer, "Notes")["case_id"];
  const std::string strand =
      Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "review"}}), 201)["strand_id"];
  const json note =
      Done(s.officer.Post("/cases/" + k + "/notes", {{"text", "Called the client"}}), 201);
  CHECK(!note.at("note_id").get<std::string>().empty());
  Done(s.officer.Post("/cases/" + k + "/notes",
                      {{"text", "About the review"}, {"strand_id", strand}}),
       201);
  const json action = Done(
      s.officer.Post("/cases/" + k + "/actions", {{"title", "Send forms"}, {"due", "2030-01-31"}}),
      201);
  const std::string action_id = action.at("action_id");
  Done(s.officer.Post("/cases/" + k + "/actions", {{"title", "Review"}, {"strand_id", strand}}),
       201);

  json got = GetOk(s.officer, "/cases/" + k);
  CHECK(got["notes"] == 2);
  CHECK((*FindStrand(got, strand))["notes"] == 1);
  REQUIRE(got["actions"].size() == 2);
  CHECK(got["actions"][0]["action_id"] == action_id);
  CHECK(got["actions"][0]["title"] == "Send forms");
  CHECK(got["actions"][0]["due"] == "2030-01-31");
  CHECK(got["actions"][0]["status"] == "open");
  CHECK(got["actions"][1]["strand_id"] == strand);

  Done(s.officer.Post("/cases/" + k + "/actions/" + action_id + "/complete"));
  got = GetOk(s.officer, "/cases/" + k);
  CHECK(got["actions"][0]["status"] == "completed");
  // The rule action-not-open.
  RuleSaysNo(
      s, [&] { return s.officer.Post("/cases/" + k + "/actions/" + action_id + "/complete"); },
      "action-not-open");
}

TEST_CASE("http: a referral lands in the Lobby and becomes a client once claimed", "[http]") {
  Served s;
  const json a = Done(s.officer.Post("/lobby", {{"source", "duty_to_refer"},
                                                {"surname", "Referred"},
                                                {"forenames", "Rita"},
                                                {"date_of_birth", "1991-02-03"},
                                                {"postcode", "m1 1ae"},
                                                {"referrer", "Probation"}}),
                      201);
  const std::string l = a.at("lobby_id");
  CHECK(a["versions"]["lobby-" + l] == 1);
  json got = GetOk(s.officer, "/lobby/" + l);
  CHECK(got["status"] == "received");
  CHECK(got["surname"] == "Referred");
  CHECK(got["source"] == "duty_to_refer");
  CHECK(got["referrer"] == "Probation");

  // The rule lobby-not-claimed.
  RuleSaysNo(
      s, [&] { return s.officer.Post("/lobby/" + l + "/create-client"); }, "lobby-not-claimed");
  Done(s.officer.Post("/lobby/" + l + "/claim"));
  got = GetOk(s.officer, "/lobby/" + l);
  CHECK(got["status"] == "claimed");
  CHECK(got["claimed_by"] == "officer");
  const uint64_t before = s.Head();
  CHECK(Done(s.officer.Post("/lobby/" + l + "/claim")).value("unchanged", false));
  CHECK(s.Head() == before);
  // The rule lobby-claimed-by-another.
  RuleSaysNo(
      s, [&] { return s.supervisor.Post("/lobby/" + l + "/claim"); }, "lobby-claimed-by-another");
  RuleSaysNo(
      s, [&] { return s.supervisor.Post("/lobby/" + l + "/create-client"); },
      "lobby-claimed-by-another");

  const json created = Done(s.officer.Post("/lobby/" + l + "/create-client"), 201);
  const std::string c = created.at("client_id"), k = created.at("case_id");
  const json client = GetOk(s.officer, "/clients/" + c);
  CHECK(client["surname"] == "Referred");
  CHECK(client["forenames"] == "Rita");
  CHECK(client["postcode"] == "M1 1AE");
  CHECK(client["cases"] == json::array({k}));
  CHECK(GetOk(s.officer, "/cases/" + k)["status"] == "open");
  got = GetOk(s.officer, "/lobby/" + l);
  CHECK(got["status"] == "created");
  CHECK(got["client_id"] == c);
}

TEST_CASE("http: a lobby record acted on twice is refused as already decided", "[http]") {
  Served s;
  const std::string c = Register(s.officer, "Target")["client_id"];
  const std::string l =
      Done(s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Twice"}}), 201)["lobby_id"];
  Done(s.officer.Post("/lobby/" + l + "/claim"));
  Done(s.officer.Post("/lobby/" + l + "/assign", {{"client_id", c}}));
  // The rule lobby-already-decided.
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/lobby/" + l + "/assign", {{"client_id", c}});
      },
      "lobby-already-decided");
  RuleSaysNo(
      s, [&] { return s.officer.Post("/lobby/" + l + "/create-client"); }, "lobby-already-decided");
  RuleSaysNo(
      s, [&] { return s.officer.Post("/lobby/" + l + "/claim"); }, "lobby-already-decided");
  RuleSaysNo(
      s, [&] { return s.officer.Delete("/lobby/" + l); }, "lobby-already-decided");
}

TEST_CASE(
    "http: assigning a lobby record to a client with an open case closes the new case at once",
    "[http]") {
  Served s;
  const json open = Register(s.officer, "HasOpenCase");
  const std::string l1 =
      Done(s.officer.Post("/lobby", {{"source", "third_party"}, {"surname", "HasOpenCase"}}),
           201)["lobby_id"];
  Done(s.officer.Post("/lobby/" + l1 + "/claim"));
  NotFound(s, [&] {
    return s.officer.Post("/lobby/" + l1 + "/assign", {{"client_id", kUnknown}});
  });
  const json a =
      Done(s.officer.Post("/lobby/" + l1 + "/assign", {{"client_id", open["client_id"]}}));
  const std::string k = a.at("case_id");
  CHECK(a["case_closed_automatically"] == true);
  CHECK(k != open["case_id"]);
  CHECK(GetOk(s.officer, "/cases/" + k)["status"] == "closed");
  CHECK(GetOk(s.officer, "/clients/" + open["client_id"].get<std::string>())["cases"].size() == 2);
  CHECK(GetOk(s.officer, "/lobby/" + l1)["status"] == "assigned");

  // A client with no open case gets an open one.
  const json closed = Register(s.officer, "NoOpenCase");
  Done(s.officer.Post("/cases/" + closed["case_id"].get<std::string>() + "/close",
                      {{"reason", "x"}}));
  const std::string l2 =
      Done(s.officer.Post("/lobby", {{"source", "provider"}, {"surname", "NoOpenCase"}}),
           201)["lobby_id"];
  Done(s.officer.Post("/lobby/" + l2 + "/claim"));
  const json b =
      Done(s.officer.Post("/lobby/" + l2 + "/assign", {{"client_id", closed["client_id"]}}));
  CHECK(b["case_closed_automatically"] == false);
  CHECK(GetOk(s.officer, "/cases/" + b["case_id"].get<std::string>())["status"] == "open");
}

TEST_CASE("http: removing a lobby record needs it claimed and then it is gone", "[http]") {
  Served s;
  const std::string l =
      Done(s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Removed"}}), 201)["lobby_id"];
  RuleSaysNo(
      s, [&] { return s.officer.Delete("/lobby/" + l); }, "lobby-not-claimed");
  Done(s.officer.Post("/lobby/" + l + "/claim"));
  const json a = Done(s.officer.Delete("/lobby/" + l));
  CHECK(a["versions"]["lobby-" + l] == 3);
  CheckProblem(s.officer.Get("/lobby/" + l), 404, kNotFound);
  NotFound(s, [&] { return s.officer.Delete("/lobby/" + l); });
  NotFound(s, [&] { return s.officer.Post("/lobby/" + l + "/claim"); });
}

TEST_CASE(
    "http: a soft-deleted client and its cases are hidden until an administrator restores them",
    "[http]") {
  Served s;
  const json r = Register(s.officer, "SoftDeleted");
  const std::string c = r["client_id"], first = r["case_id"];
  const std::string second = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];

  const json a = Done(s.supervisor.Delete("/clients/" + c));
  CHECK(a["mode"] == "soft");
  CHECK(a["cases_deleted"] == 2);
  CHECK(a["versions"].contains("client-" + c));
  CHECK(a["versions"].contains("case-" + first));
  CHECK(a["versions"].contains("case-" + second));
  CheckProblem(s.officer.Get("/clients/" + c), 404, kNotFound);
  CheckProblem(s.officer.Get("/cases/" + first), 404, kNotFound);
  CHECK(GetOk(s.admin, "/clients/" + c)["deleted"] == true);
  NotFound(s, [&] { return s.officer.Post("/clients/" + c + "/status", {{"status", "closed"}}); });
  NotFound(s, [&] { return s.officer.Post("/cases/" + first + "/notes", {{"text", "x"}}); });
  NotFound(s, [&] { return s.supervisor.Delete("/clients/" + c); });

  const json restored = Done(s.admin.Post("/clients/" + c + "/restore"));
  CHECK(restored["cases_restored"] == 2);
  const json got = GetOk(s.officer, "/clients/" + c);
  CHECK(got["deleted"] == false);
  CHECK(got["cases"] == json::array({first, second}));
  CHECK(GetOk(s.officer, "/cases/" + second)["status"] == "open");
  // The rule client-not-deleted.
  RuleSaysNo(
      s, [&] { return s.admin.Post("/clients/" + c + "/restore"); }, "client-not-deleted");
}

TEST_CASE("http: erasure cannot be undone", "[http]") {
  Served s;
  const json r = Register(s.officer, "Erased", {{"nino", "AB123456C"}});
  const std::string c = r["client_id"];
  const json a = Done(s.admin.Delete("/clients/" + c + "?mode=erase"));
  CHECK(a["mode"] == "erase");
  CHECK(a["cases_deleted"] == 1);
  CheckProblem(s.officer.Get("/clients/" + c), 404, kNotFound);
  // The rule erasure-is-final.
  RuleSaysNo(
      s, [&] { return s.admin.Post("/clients/" + c + "/restore"); }, "erasure-is-final");
  NotFound(s, [&] { return s.admin.Delete("/clients/" + c + "?mode=erase"); });
}

TEST_CASE("http: a soft-deleted client can still be erased by an administrator", "[http]") {
  Served s;
  const std::string c = Register(s.officer, "SoftThenErased")["client_id"];
  Done(s.supervisor.Delete("/clients/" + c + "?mode=soft"));
  Done(s.admin.Delete("/clients/" + c + "?mode=erase"));
  const json got = GetOk(s.admin, "/clients/" + c);
  CHECK(got["erased"] == true);
  CHECK(!got.contains("surname"));
}
