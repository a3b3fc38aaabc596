// End-to-end tests of the client record command routes against a real `caseengine serve`:
// details, record status, client type, case number, groups, navigator, portal status and
// invitations, and opening another case.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/http_commands_support.h"
#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using caseengine::testing::http_commands::InvalidField;
using caseengine::testing::http_commands::NotFound;
using caseengine::testing::http_commands::Refused;
using caseengine::testing::http_commands::RuleSaysNo;

}  // namespace

TEST_CASE("http: correcting a client's details changes only what was given", "[http]") {
  // Given a client with a surname, forenames and a postcode
  Served s;
  const json r = Register(s.officer, "Smyth", {{"forenames", "Jon"}, {"postcode", "LS1 4AP"}});
  const std::string c = r["client_id"];
  // When the surname and email are corrected
  const json a =
      Done(s.officer.Patch("/clients/" + c, {{"surname", "Smith"}, {"email", "jon@example.org"}}));
  // Then only those change, and the version moves on
  CHECK(a["versions"]["client-" + c] == 2);
  const json got = GetOk(s.officer, "/clients/" + c);
  CHECK(got["surname"] == "Smith");
  CHECK(got["forenames"] == "Jon");
  CHECK(got["postcode"] == "LS1 4AP");
  CHECK(got["email"] == "jon@example.org");
  CHECK(got["version"] == 2);

  // And giving what is already there changes nothing and writes nothing
  const uint64_t before = s.Head();
  const json same = Done(s.officer.Patch("/clients/" + c, {{"surname", "Smith"}}));
  CHECK(same.value("unchanged", false));
  CHECK(s.Head() == before);

  // And an empty correction or a future date of birth is 422, an unknown client 404
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
  // Given a client
  Served s;
  const std::string c = Register(s.officer, "Status")["client_id"];
  // When its record status is set to inactive, closed and active
  // Then each is answered with versions and shown on the client
  for (const std::string status : {"inactive", "closed", "active"}) {
    const json a = Done(s.officer.Post("/clients/" + c + "/status", {{"status", status}}));
    CHECK(a.contains("versions"));
    CHECK(GetOk(s.officer, "/clients/" + c)["status"] == status);
  }
  // And the status it already has changes nothing, and an unknown one is 422
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
  // Given a client
  Served s;
  const std::string c = Register(s.officer, "Typed")["client_id"];
  // When a configured client type is set
  // Then the client has it
  Done(s.officer.Post("/clients/" + c + "/client-type", {{"client_type", "case_management"}}));
  CHECK(GetOk(s.officer, "/clients/" + c)["client_type"] == "case_management");
  // And a type the agency did not establish is 422 and changes nothing
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/clients/" + c + "/client-type", {{"client_type", "vip"}});
      },
      "client_type");
  CHECK(GetOk(s.officer, "/clients/" + c)["client_type"] == "case_management");
}

TEST_CASE("http: changing a client's case number records it on the client", "[http]") {
  // Given a client
  Served s;
  const std::string c = Register(s.officer, "Numbered")["client_id"];
  // When the supervisor sets its case number
  // Then the client records it
  const json a =
      Done(s.supervisor.Post("/clients/" + c + "/case-number", {{"case_number", "HO-2024-17"}}));
  CHECK(a["versions"]["client-" + c] == 2);
  CHECK(GetOk(s.officer, "/clients/" + c)["case_number"] == "HO-2024-17");
  // And the officer, who lacks change_case_numbers, is 403 (more in http_auth_test.cc)
  const HttpAnswer refused = Refused(
      s,
      [&] {
        return s.officer.Post("/clients/" + c + "/case-number", {{"case_number", "X"}});
      },
      403, "/problems/forbidden");
  CHECK(refused.json.value("permission", "") == "change_case_numbers");
}

TEST_CASE("http: adding a client to groups lists them under the client's groups", "[http]") {
  // Given a client
  Served s;
  const std::string c = Register(s.officer, "Grouped")["client_id"];
  // When it is added to two groups
  // Then both are listed under its groups
  Done(s.officer.Post("/clients/" + c + "/groups", {{"group", "families"}}));
  Done(s.officer.Post("/clients/" + c + "/groups", {{"group", "veterans"}}));
  CHECK(GetOk(s.officer, "/clients/" + c)["groups"] == json::array({"families", "veterans"}));
  // And adding it again changes nothing
  const uint64_t before = s.Head();
  CHECK(Done(s.officer.Post("/clients/" + c + "/groups", {{"group", "families"}}))
            .value("unchanged", false));
  CHECK(s.Head() == before);
  // And removing a group takes it off; removing it again is 404
  Done(s.officer.Delete("/clients/" + c + "/groups/families"));
  CHECK(GetOk(s.officer, "/clients/" + c)["groups"] == json::array({"veterans"}));
  NotFound(s, [&] { return s.officer.Delete("/clients/" + c + "/groups/families"); });
}

TEST_CASE("http: assigning a navigator to a client record lists them as its navigator", "[http]") {
  // Given a client
  Served s;
  const std::string c = Register(s.officer, "Navigated")["client_id"];
  // When the supervisor is assigned as navigator
  // Then the client lists them
  Done(s.officer.Post("/clients/" + c + "/navigators", {{"user_id", "supervisor"}}));
  CHECK(GetOk(s.officer, "/clients/" + c)["navigators"] == json::array({"supervisor"}));
  // And an unknown user is 422
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/clients/" + c + "/navigators", {{"user_id", "ghost"}});
      },
      "user_id");
  // And unassigning takes them off; unassigning again is 404
  Done(s.officer.Delete("/clients/" + c + "/navigators/supervisor"));
  CHECK(GetOk(s.officer, "/clients/" + c)["navigators"].empty());
  NotFound(s, [&] { return s.officer.Delete("/clients/" + c + "/navigators/supervisor"); });
}

TEST_CASE("http: a client's portal status can be pending active or banned", "[http]") {
  // Given a client
  Served s;
  const std::string c = Register(s.officer, "Portal")["client_id"];
  // When its portal status is set to active, banned and pending
  // Then the client shows each
  for (const std::string status : {"active", "banned", "pending"}) {
    Done(s.officer.Post("/clients/" + c + "/portal/status", {{"status", status}}));
    CHECK(GetOk(s.officer, "/clients/" + c)["portal_status"] == status);
  }
  // And another status is 422
  InvalidField(
      s,
      [&] {
        return s.officer.Post("/clients/" + c + "/portal/status", {{"status", "open"}});
      },
      "status");
}

TEST_CASE("http: a portal invitation needs the client's email", "[http]") {
  // Given a client without an email
  Served s;
  const std::string no_email = Register(s.officer, "Offline")["client_id"];
  // When the supervisor invites it to the portal
  // Then invitation-needs-email refuses it
  RuleSaysNo(
      s, [&] { return s.supervisor.Post("/clients/" + no_email + "/portal/invitations"); },
      "invitation-needs-email");

  // And a client with an email is invited, and invited again as a resend
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
  // Given a client banned from the portal
  Served s;
  const std::string c =
      Register(s.officer, "Banned", {{"email", "banned@example.org"}})["client_id"];
  Done(s.officer.Post("/clients/" + c + "/portal/status", {{"status", "banned"}}));
  // When the supervisor invites it
  // Then portal-banned refuses it
  RuleSaysNo(
      s, [&] { return s.supervisor.Post("/clients/" + c + "/portal/invitations"); },
      "portal-banned");
}

TEST_CASE("http: opening another case on a client answers 201 with the case id", "[http]") {
  // Given a client with its first case
  Served s;
  const json r = Register(s.officer, "Twice");
  const std::string c = r["client_id"], first = r["case_id"];
  // When the supervisor opens another case on it
  const json a = Done(s.supervisor.Post("/clients/" + c + "/cases"), 201);
  // Then the answer is 201 with a new case, open, with the supervisor as primary officer
  const std::string second = a.at("case_id");
  CHECK(second != first);
  CHECK(a["versions"]["client-" + c] == r["versions"]["client-" + c].get<int>() + 1);
  // The new case's stream: CaseOpened and the new-case workflow's three TaskCreated
  CHECK(a["versions"]["case-" + second] == 1 + 3);
  CHECK(GetOk(s.officer, "/clients/" + c)["cases"] == json::array({first, second}));
  const json k = GetOk(s.officer, "/cases/" + second);
  CHECK(k["status"] == "open");
  CHECK(k["officers"] == json::array({{{"user_id", "supervisor"}, {"role", "primary"}}}));
  CHECK(k["tasks"].size() == 3);
}
