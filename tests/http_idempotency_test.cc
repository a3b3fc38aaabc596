// End-to-end tests of Idempotency-Key against a real `caseengine serve`: repeats answer the
// first answer (also refusals and no-ops) and append nothing, reuse on another route or body
// is 422, keys are the sender's own, races append once, and long keys are 400.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

TEST_CASE("http: a repeated Idempotency-Key answers the first answer and appends nothing",
          "[http]") {
  // Given a registration sent with an Idempotency-Key
  Served s;
  const HttpClient::Headers key = {{"Idempotency-Key", "register-7f3a"}};
  const Call once = {
      &s.officer, "POST", "/clients", {{"surname", "Once"}, {"date_of_birth", "1980-01-01"}}, key};
  const HttpAnswer first = Send(once);
  REQUIRE(first.status == 201);
  // When it is sent again with the same key
  const uint64_t head = s.Head();
  const HttpAnswer again = Send(once);
  // Then the answer is the first one and nothing is appended
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
  CHECK(s.Head() == head);
  CHECK(GetOk(s.officer, WithMin(head, "/cases?total=true"))["total"] == 1);

  // And the same holds for a command answered 200
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
  // Given a registration sent with an Idempotency-Key
  Served s;
  const HttpClient::Headers key = {{"Idempotency-Key", "shared-key-1"}};
  const HttpAnswer first =
      s.officer.Post("/clients", {{"surname", "Keyholder"}, {"date_of_birth", "1980-01-01"}}, key);
  REQUIRE(first.status == 201);
  const std::string kase = first.json["case_id"];
  const uint64_t head = s.Head();
  // When the key comes back with another body, route or method
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
    // Then each is 422 and nothing is written
    CheckProblem(a, 422, "/problems/idempotency-key-reused");
  }
  CHECK(s.Head() == head);
  // And the first request, repeated, still gets its own answer
  const HttpAnswer again =
      s.officer.Post("/clients", {{"surname", "Keyholder"}, {"date_of_birth", "1980-01-01"}}, key);
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
  // And the same holds for a key whose first command was refused (kept in memory)
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
  // Given a closed case
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
  // When commands refused with 409, 422, 404 and 403 are each sent twice with their key
  for (const Call& call : calls) {
    INFO(call.method << " " << call.path);
    const HttpAnswer first = Send(call);
    CHECK(first.status >= 400);
    CHECK(first.status < 500);
    const HttpAnswer again = Send(call);
    // Then the repeat answers the same refusal
    CHECK(again.status == first.status);
    CHECK(again.body == first.body);
    CHECK(again.ContentType().rfind("application/problem+json", 0) == 0);
  }
  // And nothing is written
  CHECK(s.Head() == head);
}

TEST_CASE("http: an Idempotency-Key is the sender's own", "[http]") {
  // Given a registration by the officer with an Idempotency-Key
  Served s;
  Call mine = {&s.officer,
               "POST",
               "/clients",
               {{"surname", "Mine"}, {"date_of_birth", "1980-01-01"}},
               {{"Idempotency-Key", "shared-key"}}};
  const HttpAnswer officer = Send(mine);
  REQUIRE(officer.status == 201);
  const uint64_t head = s.Head();
  // When another user sends the same request with the same key
  mine.who = &s.supervisor;  // the same request and key from another user
  const HttpAnswer supervisor = Send(mine);
  REQUIRE(supervisor.status == 201);
  // Then it is a command of its own
  CHECK(supervisor.json["client_id"] != officer.json["client_id"]);
  CHECK(s.Head() == head + kRegistrationEvents);
  CHECK(supervisor.json["position"] == s.Head());

  // And a refusal kept for one user is not another's answer
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
  // Given a command that changed nothing, sent with an Idempotency-Key
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
  // When other writes move the log on and the command is repeated
  Register(s.officer, "Meanwhile");
  const uint64_t head = s.Head();
  const HttpAnswer again = Send(no_op);
  // Then the repeat still answers as the first time and appends nothing
  CHECK(again.status == first.status);
  CHECK(again.body == first.body);
  CHECK(s.Head() == head);
}

TEST_CASE("http: racing repeats of one Idempotency-Key append once and answer alike", "[http]") {
  // Given eight callers with the same registration and key
  Served s;
  constexpr int kThreads = 8;
  std::vector<HttpAnswer> answers(kThreads);
  std::vector<std::thread> threads;
  const json body = {{"surname", "Racer"}, {"date_of_birth", "1980-01-01"}};
  // When they send it at once
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(s.server.port());
      answers[t] = client.Post("/clients", body, {{"Idempotency-Key", "race-key"}});
    });
  }
  for (auto& t : threads) t.join();
  // Then every answer is the same 201 and the client is registered once
  for (const HttpAnswer& a : answers) {
    CHECK(a.status == 201);
    CHECK(a.body == answers[0].body);
  }
  // one client, one case with its workflow's tasks, after the imported settings
  CHECK(s.Head() == kDemoSettingsEvents + kRegistrationEvents);
  CHECK(answers[0].json["position"] == s.Head());
  CHECK(GetOk(s.officer, WithMin(s.Head(), "/cases?total=true"))["total"] == 1);
}

TEST_CASE(
    "http: racing Housing Register applications on two cases of one applicant: one is "
    "accepted",
    "[http]") {
  // Given an applicant with two cases (five times over)
  Served s;
  for (int round = 0; round < 5; ++round) {
    const json r = Register(s.officer, "Race" + std::to_string(round));
    const std::string c = r["client_id"], first = r["case_id"];
    const std::string second = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
    // When Housing Register applications go to both cases at once
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
    // Then one is accepted and the other refused by one-current-per-applicant
    CHECK(((a.status == 201 && b.status == 409) || (a.status == 409 && b.status == 201)));
    const HttpAnswer& refused = a.status == 409 ? a : b;
    CHECK(refused.json.value("rule", "") == "one-current-per-applicant");
  }
}

TEST_CASE("http: an Idempotency-Key over 128 characters is 400", "[http]") {
  // Given a registration
  Served s;
  const json body = {{"surname", "Keyed"}, {"date_of_birth", "1980-01-01"}};
  const uint64_t head = s.Head();
  // When its Idempotency-Key is 129 characters
  // Then it is 400 and nothing is written
  CheckProblem(s.officer.Post("/clients", body, {{"Idempotency-Key", std::string(129, 'k')}}), 400,
               kMalformed);
  CHECK(s.Head() == head);
  // And a key of 128 characters is accepted
  const HttpAnswer ok =
      s.officer.Post("/clients", body, {{"Idempotency-Key", std::string(128, 'k')}});
  CHECK(ok.status == 201);
}

TEST_CASE("http: an Idempotency-Key that is not printable ASCII is 400", "[http]") {
  // Given a registration
  Served s;
  const json body = {{"surname", "Keyed"}, {"date_of_birth", "1980-01-01"}};
  const uint64_t head = s.Head();
  // When its Idempotency-Key holds a byte beyond ASCII, or a control character
  // Then it is 400 and nothing is written
  CheckProblem(s.officer.Post("/clients", body, {{"Idempotency-Key", "cl\xc3\xa9-1"}}), 400,
               kMalformed);
  CheckProblem(s.officer.Post("/clients", body, {{"Idempotency-Key", "key\x01"}}), 400, kMalformed);
  CHECK(s.Head() == head);
}
