// End-to-end tests of read-your-writes against a real `caseengine serve`: min_position sees
// the command at that position, a position beyond the log is 503 after a wait, and every
// read model answer carries X-Projection-Lag.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

TEST_CASE("http: a query with min_position sees the command at that position", "[http]") {
  // Given a served data folder
  Served s;
  for (int i = 0; i < 10; ++i) {
    // When a client is registered (and later a note added)
    const json r = Register(s.officer, "Fresh" + std::to_string(i));
    const uint64_t p = r["position"];
    const std::string c = r["client_id"];
    // Then queries with min_position at the command's position see it
    HttpAnswer a =
        s.officer.Get("/cases?total=true&client_id=" + c + "&min_position=" + std::to_string(p));
    REQUIRE(a.status == 200);
    CHECK(a.json["total"] == 1);
    CHECK(std::stoull(a.Header("X-Applied-Position")) >= p);
    const json found = GetOk(
        s.officer, "/clients?q=Fresh" + std::to_string(i) + "&min_position=" + std::to_string(p));
    CHECK(!found["rows"].empty());
    const json note = Done(
        s.officer.Post("/cases/" + r["case_id"].get<std::string>() + "/notes", {{"text", "n"}}),
        201);
    const json journal = GetOk(
        s.officer, "/cases/" + r["case_id"].get<std::string>() +
                       "/journal?min_position=" + std::to_string(note["position"].get<uint64_t>()));
    CHECK(journal["entries"][0]["type"] == "NoteAdded");
  }
}

TEST_CASE("http: min_position beyond the log is 503 after a wait", "[http]") {
  // Given a log with one registration
  Served s;
  Register(s.officer, "Waiting");
  const uint64_t far = s.Head() + 1000000;
  // When a query asks for a position far beyond the head
  HttpAnswer a = s.officer.Get("/cases?min_position=" + std::to_string(far));
  // Then it is 503 after a wait, and a min_position that is no number is 422
  CheckProblem(a, 503, "/problems/not-yet-applied");
  CheckProblem(s.officer.Get("/cases?min_position=soon"), 422, "/problems/validation");
}

TEST_CASE("http: every read model answer carries X-Projection-Lag", "[http]") {
  // Given a client, its case and a Lobby record
  Served s;
  const json r = Register(s.officer, "Lagging");
  const std::string k = r["case_id"];
  const std::string l =
      Done(s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Lagging"}}), 201)["lobby_id"];
  const std::vector<std::pair<HttpClient*, std::string>> reads = {
      {&s.officer, "/cases"},
      {&s.officer, "/clients?q=Lagging"},
      {&s.officer, "/case-officers"},
      {&s.officer, "/case-officers?group_by=officer"},
      {&s.officer, "/case-people"},
      {&s.officer, "/cases/" + k + "/journal"},
      {&s.officer, "/cases/" + k + "/history"},
      {&s.officer, "/lobby"},
      {&s.officer, "/lobby/" + l + "/matches"},
      {&s.auditor, "/audit"},
  };
  // When each read model is queried
  // Then every answer carries X-Projection-Lag as a number
  for (const auto& [who, path] : reads) {
    INFO(path);
    HttpAnswer a = who->Get(WithMin(s.Head(), path));
    REQUIRE(a.status == 200);
    const std::string lag = a.Header("X-Projection-Lag");
    REQUIRE(!lag.empty());
    CHECK(lag.find_first_not_of("0123456789") == std::string::npos);
    // CSV answers carry it too.
    if (path == "/cases") {
      CHECK(!who->Get(path, {{"Accept", "text/csv"}}).Header("X-Projection-Lag").empty());
    }
  }
}
