// End-to-end tests of soft deletion, restore and erasure of a client through the command
// routes against a real `caseengine serve`.
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

TEST_CASE(
    "http: a soft-deleted client and its cases are hidden until an administrator restores them",
    "[http]") {
  // Given a client with two cases
  Served s;
  const json r = Register(s.officer, "SoftDeleted");
  const std::string c = r["client_id"], first = r["case_id"];
  const std::string second = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];

  // When the supervisor deletes the client
  const json a = Done(s.supervisor.Delete("/clients/" + c));
  // Then the client and its cases are soft-deleted: 404 to the officer, shown as deleted to the
  // administrator, and 404 to commands
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

  // When the administrator restores the client
  // Then the client and both cases are back
  const json restored = Done(s.admin.Post("/clients/" + c + "/restore"));
  CHECK(restored["cases_restored"] == 2);
  const json got = GetOk(s.officer, "/clients/" + c);
  CHECK(got["deleted"] == false);
  CHECK(got["cases"] == json::array({first, second}));
  CHECK(GetOk(s.officer, "/cases/" + second)["status"] == "open");
  // And client-not-deleted refuses restoring it again
  RuleSaysNo(
      s, [&] { return s.admin.Post("/clients/" + c + "/restore"); }, "client-not-deleted");
}

TEST_CASE("http: erasure cannot be undone", "[http]") {
  // Given a client
  Served s;
  const json r = Register(s.officer, "Erased", {{"nino", "AB123456C"}});
  const std::string c = r["client_id"];
  // When the administrator erases it
  // Then it and its case are gone
  const json a = Done(s.admin.Delete("/clients/" + c + "?mode=erase"));
  CHECK(a["mode"] == "erase");
  CHECK(a["cases_deleted"] == 1);
  CheckProblem(s.officer.Get("/clients/" + c), 404, kNotFound);
  // And erasure-is-final refuses a restore, and erasing again is 404
  RuleSaysNo(
      s, [&] { return s.admin.Post("/clients/" + c + "/restore"); }, "erasure-is-final");
  NotFound(s, [&] { return s.admin.Delete("/clients/" + c + "?mode=erase"); });
}

TEST_CASE("http: a soft-deleted client can still be erased by an administrator", "[http]") {
  // Given a soft-deleted client
  Served s;
  const std::string c = Register(s.officer, "SoftThenErased")["client_id"];
  Done(s.supervisor.Delete("/clients/" + c + "?mode=soft"));
  // When the administrator erases it
  // Then it is erased, its personal fields gone
  Done(s.admin.Delete("/clients/" + c + "?mode=erase"));
  const json got = GetOk(s.admin, "/clients/" + c);
  CHECK(got["erased"] == true);
  CHECK(!got.contains("surname"));
}
