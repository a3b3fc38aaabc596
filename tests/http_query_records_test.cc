// End-to-end tests of GET /clients/{id} and GET /cases/{id} (the record with its ETag) and
// of the client search of GET /clients (names whatever the case and accents, identifiers in
// any formatting), against a real `caseengine serve`.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/http_queries_support.h"
#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using caseengine::testing::http_queries::Caseload;
using caseengine::testing::http_queries::ColumnSet;
using caseengine::testing::http_queries::Invalid;
using caseengine::testing::http_queries::MakeCaseload;
using caseengine::testing::http_queries::Read;
using caseengine::testing::http_queries::UrlEncode;

}  // namespace

TEST_CASE("http: GET /clients/{id} answers the client record with its ETag", "[http]") {
  // Given a client with a group, a navigator and an active portal status
  Served s;
  const json r = Register(s.officer, "Record", {{"email", "record@example.org"}});
  const std::string c = r["client_id"], k = r["case_id"];
  Done(s.officer.Post("/clients/" + c + "/groups", {{"group", "families"}}));
  Done(s.officer.Post("/clients/" + c + "/navigators", {{"user_id", "supervisor"}}));
  Done(s.officer.Post("/clients/" + c + "/portal/status", {{"status", "active"}}));
  // When its record is read
  HttpAnswer a = s.officer.Get("/clients/" + c);
  // Then it is JSON with the ETag of its version and every field
  REQUIRE(a.status == 200);
  CHECK(a.ContentType().rfind("application/json", 0) == 0);
  CHECK(a.Header("ETag") == "\"4\"");
  CHECK(a.json["client_id"] == c);
  CHECK(a.json["surname"] == "Record");
  CHECK(a.json["status"] == "active");
  CHECK(a.json["cases"] == json::array({k}));
  CHECK(a.json["groups"] == json::array({"families"}));
  CHECK(a.json["navigators"] == json::array({"supervisor"}));
  CHECK(a.json["portal_status"] == "active");
  CHECK(a.json["version"] == 4);
  // And an unknown client is 404
  CheckProblem(s.officer.Get("/clients/" + kUnknown), 404, kNotFound);
}

TEST_CASE("http: GET /cases/{id} answers the case with people officers team strands and actions",
          "[http]") {
  // Given a caseload whose first case has two people, two strands and an action
  Served s;
  const Caseload w = MakeCaseload(s);
  Done(s.officer.Post("/cases/" + w.a1 + "/actions", {{"title", "Visit"}}), 201);
  // When the case is read
  HttpAnswer a = s.officer.Get("/cases/" + w.a1);
  // Then it has its ETag, status, team, people, strands, actions and officers
  REQUIRE(a.status == 200);
  CHECK(a.Header("ETag") == "\"" + std::to_string(a.json["version"].get<uint64_t>()) + "\"");
  CHECK(a.json["status"] == "open");
  CHECK(a.json["team_id"] == "housing-options");
  REQUIRE(a.json["people"].size() == 2);
  CHECK(a.json["people"][1]["client_id"] == w.bravo);
  CHECK(a.json["people"][1].contains("date_joined"));
  CHECK(a.json["people"][1].contains("date_left"));
  REQUIRE(a.json["strands"].size() == 2);
  for (const auto& st : a.json["strands"]) CHECK(st["status"] == "open");
  REQUIRE(a.json["actions"].size() == 1);
  CHECK(a.json["actions"][0]["status"] == "open");
  CHECK(a.json["officers"] == json::array({{{"user_id", "officer"}, {"role", "primary"}}}));
  // And an unknown case is 404
  CheckProblem(s.officer.Get("/cases/" + kUnknown), 404, kNotFound);
}

TEST_CASE("http: GET /clients finds a client by name whatever the case and accents", "[http]") {
  // Given a client named José Müller and another
  Served s;
  const std::string jose = Register(
      s.officer, "Müller", {{"forenames", "José"}, {"date_of_birth", "1970-04-05"}})["client_id"];
  Register(s.officer, "Okonkwo", {{"forenames", "Chidi"}});
  // When the clients are searched by name in any case, with or without accents, or in part
  // Then José Müller is the first found
  for (const std::string q :
       {"Müller", "muller", "MULLER", "José Müller", "jose muller", "MÜLLER JOSÉ", "Mull"}) {
    INFO("q=" << q);
    const json page = Read(s, s.officer, "/clients?q=" + UrlEncode(q));
    REQUIRE(page["rows"].is_array());
    REQUIRE(!page["rows"].empty());
    CHECK(page["rows"][0]["client_id"] == jose);
    CHECK(page["rows"][0]["surname"] == "Müller");
  }
  // And a name no client has finds none
  const json none = Read(s, s.officer, "/clients?q=Zbigniew");
  CHECK(none["rows"].empty());
}

TEST_CASE(
    "http: GET /clients finds a client by NI number postcode and date of birth in any formatting",
    "[http]") {
  // Given a client with an NI number, a postcode and a date of birth, and another
  Served s;
  const std::string c = Register(s.officer, "Identified",
                                 {{"nino", "AB123456C"},
                                  {"postcode", "SW1A 1AA"},
                                  {"date_of_birth", "1966-06-16"}})["client_id"];
  const std::string other =
      Register(s.officer, "Other", {{"nino", "CE654321A"}, {"postcode", "LS1 4AP"}})["client_id"];
  // When the clients are searched by each in any formatting
  // Then that client is found first, with a score, and the other not
  for (const std::string& query :
       std::vector<std::string>{"nino=" + UrlEncode("ab 12 34 56 c"), "nino=AB123456C",
                                "nino=" + UrlEncode(" AB 123456 C"), "postcode=sw1a1aa",
                                "postcode=" + UrlEncode("Sw1A 1aA"), "date_of_birth=1966-06-16"}) {
    INFO(query);
    const json page = Read(s, s.officer, "/clients?" + query);
    REQUIRE(page["rows"].size() >= 1);
    CHECK(page["rows"][0]["client_id"] == c);
    CHECK(ColumnSet(page, "client_id").count(other) == 0);
    CHECK(page["rows"][0].contains("score"));
  }
  // And criteria together rank the client matching most first; bad searches are 422
  const json both = Read(s, s.officer, "/clients?q=Identified&postcode=LS14AP");
  REQUIRE(both["rows"].size() == 2);
  Invalid(s.officer, {"/clients", "/clients?nino=12345", "/clients?q=x&limit=0"});
}
