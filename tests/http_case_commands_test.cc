// End-to-end tests of the case command routes against a real `caseengine serve`: officers
// by role, the responsible team, people and their dates, the primary applicant, closing and
// reopening, deleting a client's last case, and notes and actions.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/http_commands_support.h"
#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using caseengine::testing::http_commands::FindStrand;
using caseengine::testing::http_commands::InvalidField;
using caseengine::testing::http_commands::NotFound;
using caseengine::testing::http_commands::RuleSaysNo;

bool HasOfficer(const json& kase, const std::string& user_id, const std::string& role) {
  for (const auto& o : kase["officers"]) {
    if (o.value("user_id", "") == user_id && o.value("role", "") == role) return true;
  }
  return false;
}

// The case's version in a registration's answer: its CaseOpened and the tasks of the
// new-case workflow, all in one append.
int CaseVersion(const json& registered) {
  return registered["versions"]["case-" + registered["case_id"].get<std::string>()].get<int>();
}

}  // namespace

TEST_CASE("http: officers are assigned to and unassigned from roles on a case", "[http]") {
  // Given a case with the officer as primary officer
  Served s;
  const json r = Register(s.officer, "Officered");
  const std::string k = r["case_id"];
  // When the supervisor and the administrator are assigned roles on it
  const json a = Done(s.officer.Post("/cases/" + k + "/officers",
                                     {{"user_id", "supervisor"}, {"role", "secondary"}}));
  CHECK(a["versions"]["case-" + k] == CaseVersion(r) + 1);
  Done(s.officer.Post("/cases/" + k + "/officers", {{"user_id", "admin"}, {"role", "supervisor"}}));
  // Then the case lists three officers
  json got = GetOk(s.officer, "/cases/" + k);
  CHECK(got["officers"].size() == 3);
  CHECK(HasOfficer(got, "supervisor", "secondary"));
  // And assigning a role again changes nothing
  const uint64_t before = s.Head();
  CHECK(Done(s.officer.Post("/cases/" + k + "/officers",
                            {{"user_id", "supervisor"}, {"role", "secondary"}}))
            .value("unchanged", false));
  CHECK(s.Head() == before);
  // And unassigning takes the role off; unassigning again is 404
  Done(s.officer.Delete("/cases/" + k + "/officers/supervisor?role=secondary"));
  got = GetOk(s.officer, "/cases/" + k);
  CHECK(got["officers"].size() == 2);
  CHECK(!HasOfficer(got, "supervisor", "secondary"));
  NotFound(s,
           [&] { return s.officer.Delete("/cases/" + k + "/officers/supervisor?role=secondary"); });
}

TEST_CASE("http: a case's responsible team must be one that allows case assignment", "[http]") {
  // Given a case
  Served s;
  const std::string k = Register(s.officer, "Teamed")["case_id"];
  // When its team is set to one that takes cases
  // Then the case has it
  Done(s.officer.Post("/cases/" + k + "/team", {{"team_id", "allocations"}}));
  CHECK(GetOk(s.officer, "/cases/" + k)["team_id"] == "allocations");
  // And a team that takes no cases is refused by team-does-not-take-cases, an unknown one is 422,
  // and the team stays
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
  // Given a case and another registered client
  Served s;
  const json r = Register(s.officer, "Household");
  const std::string head = r["client_id"], k = r["case_id"];
  const std::string partner = Register(s.officer, "Partner")["client_id"];
  // When the client joins the case as joint applicant
  // Then the case lists them with their date joined and no date left
  const json a = Done(s.officer.Post("/cases/" + k + "/people", {{"client_id", partner},
                                                                 {"relationship", "partner"},
                                                                 {"joint_applicant", true},
                                                                 {"date_joined", "2024-01-01"}}));
  CHECK(a["versions"]["case-" + k] == CaseVersion(r) + 1);
  json got = GetOk(s.officer, "/cases/" + k);
  REQUIRE(got["people"].size() == 2);
  CHECK(got["people"][1]["client_id"] == partner);
  CHECK(got["people"][1]["relationship"] == "partner");
  CHECK(got["people"][1]["joint_applicant"] == true);
  CHECK(got["people"][1]["date_joined"] == "2024-01-01");
  CHECK(got["people"][1]["date_left"].is_null());

  // And person-already-on-case refuses adding them again
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/people",
                              {{"client_id", partner}, {"relationship", "partner"}});
      },
      "person-already-on-case");
  // And a date left before the date joined is 422
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/people/" + partner + "/leave",
                              {{"date_left", "2023-12-31"}});
      },
      "date_left");
  // When they leave
  // Then they stay on the case with a date left, and cannot leave again
  Done(s.officer.Post("/cases/" + k + "/people/" + partner + "/leave",
                      {{"date_left", "2024-06-30"}}));
  got = GetOk(s.officer, "/cases/" + k);
  REQUIRE(got["people"].size() == 2);
  CHECK(got["people"][1]["date_left"] == "2024-06-30");
  NotFound(s, [&] {
    return s.officer.Post("/cases/" + k + "/people/" + partner + "/leave",
                          {{"date_left", "2024-07-01"}});
  });
  // And a second stay may not begin before the first ended; after it, it is a new entry
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
  // Given a case
  Served s;
  const json r = Register(s.officer, "Primary");
  const std::string head = r["client_id"], k = r["case_id"];
  // When its primary applicant leaves
  // Then primary-applicant-stays refuses it
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/people/" + head + "/leave",
                              {{"date_left", "2999-01-01"}});
      },
      "primary-applicant-stays");
}

TEST_CASE("http: only a current member of the case can become its primary applicant", "[http]") {
  // Given a case and a client who is not on it
  Served s;
  const json r = Register(s.officer, "Switch");
  const std::string head = r["client_id"], k = r["case_id"];
  const std::string other = Register(s.officer, "Member")["client_id"];
  // When the client is made primary applicant
  // Then primary-applicant-on-case refuses it
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/primary-applicant", {{"client_id", other}});
      },
      "primary-applicant-on-case");
  // When the client joins the case and is made primary applicant
  Done(
      s.officer.Post("/cases/" + k + "/people", {{"client_id", other}, {"relationship", "child"}}));
  // Then it goes through and the case's client stays the first one
  const json a = Done(s.officer.Post("/cases/" + k + "/primary-applicant", {{"client_id", other}}));
  CHECK(a["versions"]["case-" + k] == CaseVersion(r) + 2);
  const json got = GetOk(s.officer, "/cases/" + k);
  CHECK(got["primary_applicant"] == other);
  CHECK(got["client_id"] == head);
  // And the old primary applicant is now an ordinary member who may leave
  Done(s.officer.Post("/cases/" + k + "/people/" + head + "/leave", {{"date_left", "2999-01-01"}}));
}

TEST_CASE("http: a case is closed and reopened with a reason", "[http]") {
  // Given an open case
  Served s;
  const json r = Register(s.officer, "Closing");
  const std::string k = r["case_id"];
  // When it is closed with a reason
  // Then it is closed with that reason, and the new-case workflow's three open tasks are
  // closed with it in the same append
  const json a = Done(s.officer.Post("/cases/" + k + "/close", {{"reason", "housed"}}));
  CHECK(a["tasks_closed"] == 3);
  CHECK(a["versions"]["case-" + k] == CaseVersion(r) + 1 + 3);
  json got = GetOk(s.officer, "/cases/" + k);
  CHECK(got["status"] == "closed");
  CHECK(got["close_reason"] == "housed");
  // And case-already-closed refuses closing it again
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/close", {{"reason", "again"}});
      },
      "case-already-closed");
  // When it is reopened
  // Then it is open
  Done(s.officer.Post("/cases/" + k + "/reopen", {{"reason", "back"}}));
  CHECK(GetOk(s.officer, "/cases/" + k)["status"] == "open");
  // And case-already-open refuses reopening it again
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/reopen", {{"reason", "again"}});
      },
      "case-already-open");
}

TEST_CASE("http: a client's last case cannot be deleted", "[http]") {
  // Given a client with one case
  Served s;
  const json r = Register(s.officer, "LastCase");
  const std::string c = r["client_id"], first = r["case_id"];
  // When the supervisor deletes it
  // Then last-case-stays refuses it
  RuleSaysNo(
      s, [&] { return s.supervisor.Delete("/cases/" + first); }, "last-case-stays");
  // When the client has a second case and it is deleted
  const std::string second = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
  // Then the deletion writes to the case and the client, which keeps the first case alone
  const json a = Done(s.supervisor.Delete("/cases/" + second));
  CHECK(a["versions"].contains("case-" + second));
  CHECK(a["versions"].contains("client-" + c));
  CHECK(GetOk(s.officer, "/clients/" + c)["cases"] == json::array({first}));
  CheckProblem(s.officer.Get("/cases/" + second), 404, kNotFound);
  // And the deleted case is 404 to commands, and the last case still stays
  NotFound(s, [&] { return s.officer.Post("/cases/" + second + "/close", {{"reason", "x"}}); });
  RuleSaysNo(
      s, [&] { return s.supervisor.Delete("/cases/" + first); }, "last-case-stays");
}

TEST_CASE("http: notes and actions are added to a case and its strands", "[http]") {
  // Given a case with a strand
  Served s;
  const std::string k = Register(s.officer, "Notes")["case_id"];
  const std::string strand =
      Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "review"}}), 201)["strand_id"];
  // When notes and actions are added to the case and to its strand
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

  // Then the case counts them and lists the actions, open
  json got = GetOk(s.officer, "/cases/" + k);
  CHECK(got["notes"] == 2);
  CHECK((*FindStrand(got, strand))["notes"] == 1);
  REQUIRE(got["actions"].size() == 2);
  CHECK(got["actions"][0]["action_id"] == action_id);
  CHECK(got["actions"][0]["title"] == "Send forms");
  CHECK(got["actions"][0]["due"] == "2030-01-31");
  CHECK(got["actions"][0]["status"] == "open");
  CHECK(got["actions"][1]["strand_id"] == strand);

  // When an action is completed
  // Then it is completed
  Done(s.officer.Post("/cases/" + k + "/actions/" + action_id + "/complete"));
  got = GetOk(s.officer, "/cases/" + k);
  CHECK(got["actions"][0]["status"] == "completed");
  // And action-not-open refuses completing it again
  RuleSaysNo(
      s, [&] { return s.officer.Post("/cases/" + k + "/actions/" + action_id + "/complete"); },
      "action-not-open");
}
