// End-to-end tests of the strand command routes against a real `caseengine serve`: strands
// added to open cases and their status changed, one current Housing Register across the
// primary applicant's active cases, and a homeless application moved to another case.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/http_commands_support.h"
#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using caseengine::testing::http_commands::FindStrand;
using caseengine::testing::http_commands::NotFound;
using caseengine::testing::http_commands::RuleSaysNo;

}  // namespace

TEST_CASE("http: strands are added to open cases and their status changed", "[http]") {
  // Given an open case
  Served s;
  const json r = Register(s.officer, "Strands");
  const std::string k = r["case_id"];
  // When strands of several types are added
  // Then each is answered 201 with its id (a risk assessment loads no workflow: one event)
  const json a =
      Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "risk_assessment"}}), 201);
  const std::string risk = a.at("strand_id");
  CHECK(a["versions"]["case-" + k] == r["versions"]["case-" + k].get<int>() + 1);
  const std::string review =
      Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "review"}}), 201)["strand_id"];
  Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "review"}}), 201);
  Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "financial_assistance"}}), 201);
  // And one-current-per-case refuses a second current strand of a type that allows one
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + k + "/strands", {{"type", "financial_assistance"}});
      },
      "one-current-per-case");

  // When strands are cancelled and closed
  // Then the case shows their statuses
  Done(s.officer.Post("/cases/" + k + "/strands/" + risk + "/status", {{"status", "cancelled"}}));
  Done(s.officer.Post("/cases/" + k + "/strands/" + review + "/status", {{"status", "closed"}}));
  json got = GetOk(s.officer, "/cases/" + k);
  REQUIRE(FindStrand(got, risk) != nullptr);
  CHECK((*FindStrand(got, risk))["status"] == "cancelled");
  CHECK((*FindStrand(got, risk))["type"] == "risk_assessment");
  CHECK((*FindStrand(got, review))["status"] == "closed");
  CHECK(got["strands"].size() == 4);

  // And case-not-active refuses strands and their changes on a closed case
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
  // Given a client with two cases
  Served s;
  const json r = Register(s.officer, "Register");
  const std::string c = r["client_id"], first = r["case_id"];
  const std::string second = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
  // When a Housing Register application is added to the first
  // Then it brings its Bedroom assessment
  const json a =
      Done(s.officer.Post("/cases/" + first + "/strands", {{"type", "housing_register"}}), 201);
  const std::string hr = a.at("strand_id");
  REQUIRE(a.contains("created"));
  REQUIRE(a["created"].size() == 1);
  CHECK(a["created"][0]["type"] == "bedroom_assessment");
  const json got = GetOk(s.officer, "/cases/" + first);
  CHECK(got["strands"].size() == 2);
  // And one-current-per-applicant refuses one on the second case
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + second + "/strands", {{"type", "housing_register"}});
      },
      "one-current-per-applicant");
  CHECK(GetOk(s.officer, "/cases/" + second)["strands"].empty());
  // And once the first is closed, the other case may have one; the first cannot open again
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
  // Given a closed case with a Housing Register application and another case of the client with one
  Served s;
  const json r = Register(s.officer, "Reopen");
  const std::string c = r["client_id"], first = r["case_id"];
  Done(s.officer.Post("/cases/" + first + "/strands", {{"type", "housing_register"}}), 201);
  Done(s.officer.Post("/cases/" + first + "/close", {{"reason", "moved away"}}));
  const std::string second = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
  Done(s.officer.Post("/cases/" + second + "/strands", {{"type", "housing_register"}}), 201);
  // When the closed case is reopened
  // Then one-current-per-applicant refuses it and the case stays closed
  RuleSaysNo(
      s,
      [&] {
        return s.officer.Post("/cases/" + first + "/reopen", {{"reason", "back"}});
      },
      "one-current-per-applicant");
  CHECK(GetOk(s.officer, "/cases/" + first)["status"] == "closed");
}

TEST_CASE("http: a homeless application moves to another open case with warnings", "[http]") {
  // Given a client with two cases, a homeless application on the first with a note and an action
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

  // When the supervisor moves the application to the other case
  const json a = Done(s.supervisor.Post("/cases/" + from + "/strands/" + strand + "/move",
                                        {{"target_case_id", to}}));
  // Then it is a new strand there, with three warnings and both cases written
  const std::string moved = a.at("new_strand_id");
  CHECK(moved != strand);
  REQUIRE(a["warnings"].is_array());
  // the closed action, the homeless application workflow's seven closed tasks and the note
  // left behind
  REQUIRE(a["warnings"].size() == 3);
  CHECK(a["warnings"][1].get<std::string>().rfind("7 open task(s)", 0) == 0);
  CHECK(a["versions"].contains("case-" + from));
  CHECK(a["versions"].contains("case-" + to));

  // And the old strand is closed as moved and names the new one, whose action is closed
  const json source = GetOk(s.officer, "/cases/" + from);
  REQUIRE(FindStrand(source, strand) != nullptr);
  CHECK((*FindStrand(source, strand))["status"] == "closed_moved");
  CHECK((*FindStrand(source, strand))["moved_to"]["case_id"] == to);
  CHECK((*FindStrand(source, strand))["moved_to"]["strand_id"] == moved);
  REQUIRE(source["actions"].size() == 1);
  CHECK(source["actions"][0]["action_id"] == action);
  CHECK(source["actions"][0]["status"] == "closed");
  int strand_tasks = 0;
  for (const auto& t : source["tasks"]) {
    if (t.value("strand_id", "") != strand) continue;
    ++strand_tasks;
    CHECK(t["status"] == "closed");
  }
  CHECK(strand_tasks == 7);
  // And the new strand is open and names where it came from
  const json target = GetOk(s.officer, "/cases/" + to);
  REQUIRE(FindStrand(target, moved) != nullptr);
  CHECK((*FindStrand(target, moved))["type"] == "homeless_application");
  CHECK((*FindStrand(target, moved))["status"] == "open");
  CHECK((*FindStrand(target, moved))["moved_from"]["case_id"] == from);

  // And the rules of a move refuse moving it again, reopening it, moving a type that does not move,
  // moving to a case that is not active, and an unknown target
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
