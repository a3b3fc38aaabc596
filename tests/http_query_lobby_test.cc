// End-to-end tests of GET /lobby (waiting referrals, filtered by status) and
// GET /lobby/{id}/matches (the matching client ranked first with a confidence), against a
// real `caseengine serve`.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/http_queries_support.h"
#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using caseengine::testing::http_queries::Column;
using caseengine::testing::http_queries::ColumnSet;
using caseengine::testing::http_queries::Read;
using caseengine::testing::http_queries::RowWhere;

}  // namespace

TEST_CASE("http: GET /lobby lists the waiting referrals and filters by status", "[http]") {
  // Given referrals waiting, claimed and made a client
  Served s;
  auto refer = [&](const std::string& source, const std::string& surname) {
    return Done(s.officer.Post("/lobby", {{"source", source}, {"surname", surname}}),
                201)["lobby_id"]
        .get<std::string>();
  };
  const std::string waiting = refer("self", "Waiting");
  const std::string claimed = refer("duty_to_refer", "Claimed");
  const std::string created = refer("provider", "Created");
  Done(s.officer.Post("/lobby/" + claimed + "/claim"));
  Done(s.officer.Post("/lobby/" + created + "/claim"));
  Done(s.officer.Post("/lobby/" + created + "/create-client"), 201);

  // When the Lobby is read
  // Then it lists the waiting and claimed ones, oldest first, with their details
  const json page = Read(s, s.officer, "/lobby");
  CHECK(Column(page, "lobby_id") == std::vector<std::string>{waiting, claimed});  // oldest first
  CHECK(page["total"] == 2);
  const json* row = RowWhere(page, "lobby_id", claimed);
  REQUIRE(row != nullptr);
  CHECK((*row)["status"] == "claimed");
  CHECK((*row)["claimed_by"] == "officer");
  CHECK((*row)["surname"] == "Claimed");
  CHECK((*row)["source"] == "duty_to_refer");
  // And it filters by status, source and who claimed; an unknown status is 422
  CHECK(ColumnSet(Read(s, s.officer, "/lobby?status=all"), "lobby_id") ==
        std::set<std::string>{waiting, claimed, created});
  CHECK(Column(Read(s, s.officer, "/lobby?status=created"), "lobby_id") ==
        std::vector<std::string>{created});
  CHECK(Column(Read(s, s.officer, "/lobby?status=received"), "lobby_id") ==
        std::vector<std::string>{waiting});
  CHECK(Column(Read(s, s.officer, "/lobby?source=duty_to_refer"), "lobby_id") ==
        std::vector<std::string>{claimed});
  CHECK(Column(Read(s, s.officer, "/lobby?claimed_by=officer"), "lobby_id") ==
        std::vector<std::string>{claimed});
  CheckProblem(s.officer.Get("/lobby?status=lost"), 422, kValidation);
}

TEST_CASE(
    "http: GET /lobby/{id}/matches ranks the matching client first with a confidence and "
    "per-field contributions",
    "[http]") {
  // Given three clients and a referral that matches one of them with other formatting
  Served s;
  const std::string jon = Register(s.officer, "Smith",
                                   {{"forenames", "Jonathan"},
                                    {"date_of_birth", "1975-03-14"},
                                    {"nino", "AB123456C"},
                                    {"postcode", "LS1 4AP"}})["client_id"];
  Register(s.officer, "Smyth",
           {{"forenames", "Jane"}, {"date_of_birth", "1990-01-01"}, {"postcode", "LS1 4AP"}});
  Register(s.officer, "Jones", {{"forenames", "Peter"}, {"date_of_birth", "1975-03-14"}});
  const std::string l = Done(s.officer.Post("/lobby", {{"source", "self"},
                                                       {"surname", "SMITH"},
                                                       {"forenames", "Jonathon"},
                                                       {"date_of_birth", "1975-03-14"},
                                                       {"nino", "ab123456c"},
                                                       {"postcode", "ls14ap"}}),
                             201)["lobby_id"];
  // When the referral's matches are read
  HttpAnswer a = s.officer.Get(WithMin(s, "/lobby/" + l + "/matches"));
  INFO(a.body);
  // Then the matching client is first, confidences fall between 0 and 1, and each names its fields'
  // contributions
  REQUIRE(a.status == 200);
  CHECK(!a.Header("X-Projection-Lag").empty());
  const json& matches = a.json.at("matches");
  REQUIRE(!matches.empty());
  CHECK(matches[0]["client_id"] == jon);
  double last = 2;
  for (const auto& m : matches) {
    const double confidence = m.at("confidence");
    CHECK(confidence >= 0);
    CHECK(confidence <= 1);
    CHECK(confidence <= last);
    last = confidence;
    REQUIRE(m.at("fields").is_array());
  }
  if (matches.size() > 1) {
    CHECK(matches[0]["confidence"].get<double>() > matches[1]["confidence"].get<double>());
  }
  bool nino_agrees = false;
  for (const auto& f : matches[0]["fields"]) {
    CHECK(f.contains("field"));
    CHECK(f.contains("comparison"));
    CHECK(f["weight"].is_number());
    if (f["field"] == "nino") {
      nino_agrees = f["comparison"] == "agree" && f["weight"].get<double>() > 0;
    }
  }
  CHECK(nino_agrees);
  CHECK(matches[0]["client"]["surname"] == "Smith");
  // And an unknown referral is 404
  CheckProblem(s.officer.Get("/lobby/" + kUnknown + "/matches"), 404, kNotFound);
}
