// End-to-end tests of the Lobby command routes against a real `caseengine serve`: a
// referral claimed into a client, decisions taken once, assignment to a client with an open
// case, and removal.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/http_commands_support.h"
#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using caseengine::testing::http_commands::NotFound;
using caseengine::testing::http_commands::RuleSaysNo;

}  // namespace

TEST_CASE("http: a referral lands in the Lobby and becomes a client once claimed", "[http]") {
  // Given a served data folder
  // When a referral is sent to the Lobby
  Served s;
  const json a = Done(s.officer.Post("/lobby", {{"source", "duty_to_refer"},
                                                {"surname", "Referred"},
                                                {"forenames", "Rita"},
                                                {"date_of_birth", "1991-02-03"},
                                                {"postcode", "m1 1ae"},
                                                {"referrer", "Probation"}}),
                      201);
  // Then it is a received Lobby record with its details
  const std::string l = a.at("lobby_id");
  CHECK(a["versions"]["lobby-" + l] == 1);
  json got = GetOk(s.officer, "/lobby/" + l);
  CHECK(got["status"] == "received");
  CHECK(got["surname"] == "Referred");
  CHECK(got["source"] == "duty_to_refer");
  CHECK(got["referrer"] == "Probation");

  // And lobby-not-claimed refuses making a client of it before it is claimed
  RuleSaysNo(
      s, [&] { return s.officer.Post("/lobby/" + l + "/create-client"); }, "lobby-not-claimed");
  // When the officer claims it
  // Then it is claimed by the officer, and claiming it again changes nothing
  Done(s.officer.Post("/lobby/" + l + "/claim"));
  got = GetOk(s.officer, "/lobby/" + l);
  CHECK(got["status"] == "claimed");
  CHECK(got["claimed_by"] == "officer");
  const uint64_t before = s.Head();
  CHECK(Done(s.officer.Post("/lobby/" + l + "/claim")).value("unchanged", false));
  CHECK(s.Head() == before);
  // And lobby-claimed-by-another refuses another user's claim and client
  RuleSaysNo(
      s, [&] { return s.supervisor.Post("/lobby/" + l + "/claim"); }, "lobby-claimed-by-another");
  RuleSaysNo(
      s, [&] { return s.supervisor.Post("/lobby/" + l + "/create-client"); },
      "lobby-claimed-by-another");

  // When the officer makes a client of it
  // Then the client has its details and an open case, and the record names the client
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
  // Given a claimed Lobby record assigned to a client
  Served s;
  const std::string c = Register(s.officer, "Target")["client_id"];
  const std::string l =
      Done(s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Twice"}}), 201)["lobby_id"];
  Done(s.officer.Post("/lobby/" + l + "/claim"));
  Done(s.officer.Post("/lobby/" + l + "/assign", {{"client_id", c}}));
  // When it is assigned, made a client, claimed or removed again
  // Then lobby-already-decided refuses each
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
  // Given a client with an open case and a claimed Lobby record
  Served s;
  const json open = Register(s.officer, "HasOpenCase");
  const std::string l1 =
      Done(s.officer.Post("/lobby", {{"source", "third_party"}, {"surname", "HasOpenCase"}}),
           201)["lobby_id"];
  Done(s.officer.Post("/lobby/" + l1 + "/claim"));
  // When the record is assigned to an unknown client
  // Then it is 404
  NotFound(s, [&] {
    return s.officer.Post("/lobby/" + l1 + "/assign", {{"client_id", kUnknown}});
  });
  // When it is assigned to the client
  // Then the client gets a new case closed at once, and the record is assigned
  const json a =
      Done(s.officer.Post("/lobby/" + l1 + "/assign", {{"client_id", open["client_id"]}}));
  const std::string k = a.at("case_id");
  CHECK(a["case_closed_automatically"] == true);
  CHECK(k != open["case_id"]);
  CHECK(GetOk(s.officer, "/cases/" + k)["status"] == "closed");
  CHECK(GetOk(s.officer, "/clients/" + open["client_id"].get<std::string>())["cases"].size() == 2);
  CHECK(GetOk(s.officer, "/lobby/" + l1)["status"] == "assigned");

  // And a client with no open case gets an open one
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
  // Given a Lobby record
  Served s;
  const std::string l =
      Done(s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Removed"}}), 201)["lobby_id"];
  // When it is removed before it is claimed
  // Then lobby-not-claimed refuses it
  RuleSaysNo(
      s, [&] { return s.officer.Delete("/lobby/" + l); }, "lobby-not-claimed");
  // When it is claimed and removed
  // Then it is gone: 404 to reads and commands
  Done(s.officer.Post("/lobby/" + l + "/claim"));
  const json a = Done(s.officer.Delete("/lobby/" + l));
  CHECK(a["versions"]["lobby-" + l] == 3);
  CheckProblem(s.officer.Get("/lobby/" + l), 404, kNotFound);
  NotFound(s, [&] { return s.officer.Delete("/lobby/" + l); });
  NotFound(s, [&] { return s.officer.Post("/lobby/" + l + "/claim"); });
}
