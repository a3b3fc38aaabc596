// End-to-end tests of ETag and If-Match against a real `caseengine serve`: the ETag is the
// version, a stale If-Match is 412, and the comparison is strong.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

TEST_CASE("http: the ETag of a client is its version and a stale If-Match is 412", "[http]") {
  // Given a client at version 1 and its case at the version its registration answered
  // (CaseOpened and the new-case workflow's tasks)
  Served s;
  const json r = Register(s.officer, "Versioned");
  const std::string c = r["client_id"], k = r["case_id"];
  const int case_version = r["versions"]["case-" + k].get<int>();
  CHECK(case_version == 1 + static_cast<int>(kNewCaseTasks));
  auto tag = [](int version) { return "\"" + std::to_string(version) + "\""; };
  // Then each answers its version as ETag
  CHECK(s.officer.Get("/clients/" + c).Header("ETag") == "\"1\"");
  CHECK(s.officer.Get("/cases/" + k).Header("ETag") == tag(case_version));

  // When a command on the client names a stale version in If-Match
  // Then it is 412 and writes nothing
  const uint64_t head = s.Head();
  for (const std::string stale : {"\"0\"", "\"2\"", "\"17\""}) {
    INFO("If-Match " << stale);
    HttpAnswer a =
        s.officer.Post("/clients/" + c + "/status", {{"status", "closed"}}, {{"If-Match", stale}});
    CheckProblem(a, 412, "/problems/version-mismatch");
  }
  CHECK(s.Head() == head);
  CHECK(GetOk(s.officer, "/clients/" + c)["status"] == "active");

  // When it names the current version
  // Then it goes through and the ETag moves on
  const json ok = Done(
      s.officer.Post("/clients/" + c + "/status", {{"status", "closed"}}, {{"If-Match", "\"1\""}}));
  CHECK(ok["versions"]["client-" + c] == 2);
  HttpAnswer now = s.officer.Get("/clients/" + c);
  CHECK(now.Header("ETag") == "\"2\"");
  CHECK(now.json["status"] == "closed");
  // And the ETag as read goes back as If-Match
  Done(s.officer.Post("/clients/" + c + "/groups", {{"group", "g"}},
                      {{"If-Match", now.Header("ETag")}}));
  // And the version read before is stale now, also for a command that would change nothing
  CheckProblem(
      s.officer.Post("/clients/" + c + "/status", {{"status", "closed"}}, {{"If-Match", "\"2\""}}),
      412, "/problems/version-mismatch");
  CheckProblem(s.officer.Patch("/clients/" + c, {{"surname", "Other"}}, {{"If-Match", "\"1\""}}),
               412, "/problems/version-mismatch");

  // And the same holds for cases,
  const uint64_t head2 = s.Head();
  for (const int stale : {1, case_version + 1}) {
    CheckProblem(
        s.officer.Post("/cases/" + k + "/close", {{"reason", "x"}}, {{"If-Match", tag(stale)}}),
        412, "/problems/version-mismatch");
  }
  CHECK(s.Head() == head2);
  const json closed = Done(s.officer.Post("/cases/" + k + "/close", {{"reason", "x"}},
                                          {{"If-Match", tag(case_version)}}));
  // Closing also closed the workflow's open tasks, in the same append
  const int closed_version = closed["versions"]["case-" + k].get<int>();
  CHECK(closed_version == case_version + 1 + static_cast<int>(kNewCaseTasks));
  CHECK(s.officer.Get("/cases/" + k).Header("ETag") == tag(closed_version));

  // for Lobby records and for deletions,
  const std::string l = Done(
      s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Versioned"}}), 201)["lobby_id"];
  CHECK(s.officer.Get("/lobby/" + l).Header("ETag") == "\"1\"");
  CheckProblem(s.officer.Post("/lobby/" + l + "/claim", json::object(), {{"If-Match", "\"0\""}}),
               412, "/problems/version-mismatch");
  Done(s.officer.Post("/lobby/" + l + "/claim", json::object(), {{"If-Match", "\"1\""}}));
  const uint64_t head3 = s.Head();
  CheckProblem(s.supervisor.Delete("/clients/" + c, {{"If-Match", "\"1\""}}), 412,
               "/problems/version-mismatch");
  CHECK(s.Head() == head3);
  CHECK(s.officer.Get("/clients/" + c).status == 200);
  Done(s.supervisor.Delete("/clients/" + c, {{"If-Match", "\"3\""}}));
  CHECK(s.officer.Get("/clients/" + c).status == 404);

  // and an If-Match that is no version is malformed (400).
  CheckProblem(s.officer.Post("/clients/" + c + "/status", {{"status", "active"}},
                              {{"If-Match", "yesterday"}}),
               400, kMalformed);
}

TEST_CASE("http: If-Match compares strongly: a weak tag never matches, * matches any version",
          "[http]") {
  // Given a client at version 1
  Served s;
  const json r = Register(s.officer, "Strongly");
  const std::string c = r["client_id"];
  const uint64_t head = s.Head();
  // When If-Match is a weak tag, even of the current version
  // Then the command is refused with 412 and nothing is written
  // RFC 9110, 13.1.1: If-Match uses the strong comparison, which a weak tag never passes,
  // even when its version is the current one.
  for (const std::string weak : {"W/\"1\"", "W/\"2\""}) {
    INFO(weak);
    CheckProblem(
        s.officer.Post("/clients/" + c + "/status", {{"status", "closed"}}, {{"If-Match", weak}}),
        412, "/problems/version-mismatch");
  }
  CHECK(s.Head() == head);
  // When If-Match is * (any current version)
  // Then the command goes ahead
  Done(s.officer.Post("/clients/" + c + "/status", {{"status", "closed"}}, {{"If-Match", "*"}}));
  CHECK(GetOk(s.officer, "/clients/" + c)["status"] == "closed");
  // And a list of versions is not one version: malformed (400)
  CheckProblem(s.officer.Post("/clients/" + c + "/status", {{"status", "active"}},
                              {{"If-Match", "\"2\", \"3\""}}),
               400, kMalformed);
}
