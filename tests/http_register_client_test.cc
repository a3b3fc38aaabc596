// End-to-end tests of POST /clients against a real `caseengine serve`: 201 with the new
// ids and a case opened with the caller as primary officer, and the surname and real date of
// birth it needs.
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

using caseengine::testing::http_commands::InvalidField;
using caseengine::testing::http_commands::NamesField;

}  // namespace

TEST_CASE(
    "http: registering a client answers 201 with its ids and opens a case with the caller as "
    "primary officer",
    "[http]") {
  // Given a served data folder
  // When the officer registers a client with every detail
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
  // Then the answer is 201 with the new ids, the versions and the position
  const std::string client = r.at("client_id"), kase = r.at("case_id");
  CHECK(!client.empty());
  CHECK(!kase.empty());
  CHECK(client != kase);
  CHECK(r["versions"]["client-" + client] == 1);
  // (the case's stream: CaseOpened and the new-case workflow's three TaskCreated)
  CHECK(r["versions"]["case-" + kase] == 1 + kNewCaseTasks);
  CHECK(r["position"].get<uint64_t>() == s.Head());
  CHECK(s.Head() == kDemoSettingsEvents + kRegistrationEvents);

  // And the client holds the details in their normal forms
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

  // And its case is open with the officer as primary officer and the client as self
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
  // And the new-case workflow's tasks, open, the officer's and the client's
  REQUIRE(k["tasks"].size() == kNewCaseTasks);
  CHECK(k["tasks"][0]["task_type"] == "first_contact");
  CHECK(k["tasks"][1]["task_type"] == "provide_id");
  CHECK(k["tasks"][2]["task_type"] == "income_expenditure");
  for (const auto& t : k["tasks"]) {
    CHECK(t["status"] == "open");
    CHECK(t["workflow"] == "new_case");
    CHECK(t["assignee"] == (t["client_task"] == true ? "client" : "officer"));
  }

  // And another user registering is the primary officer of its own client's case
  const json other = Register(s.supervisor, "Other");
  const json k2 = GetOk(s.officer, "/cases/" + other["case_id"].get<std::string>());
  CHECK(k2["officers"] == json::array({{{"user_id", "supervisor"}, {"role", "primary"}}}));
}

TEST_CASE("http: registering a client needs a surname and a real date of birth", "[http]") {
  // Given a served data folder
  Served s;
  const uint64_t before = s.Head();
  {
    // When a registration lacks the surname and date of birth
    // Then it is 422 naming both
    HttpAnswer a = s.officer.Post("/clients", json::object());
    CheckProblem(a, 422, kValidation);
    CHECK(NamesField(a, "surname"));
    CHECK(NamesField(a, "date_of_birth"));
  }
  // And a missing or ill-typed surname, an impossible, future or foreign-format date of birth, and
  // each malformed detail is 422 naming its field
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
  // And nothing is written
  CHECK(s.Head() == before);
}
