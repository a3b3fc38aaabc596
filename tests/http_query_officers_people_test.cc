// End-to-end tests of GET /case-officers (with filters and group_by=officer workloads) and
// GET /case-people, against a real `caseengine serve`.
#include <algorithm>
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

using caseengine::testing::http_queries::Caseload;
using caseengine::testing::http_queries::Column;
using caseengine::testing::http_queries::ColumnSet;
using caseengine::testing::http_queries::Ids;
using caseengine::testing::http_queries::MakeCaseload;
using caseengine::testing::http_queries::Read;
using caseengine::testing::http_queries::RowWhere;
using caseengine::testing::http_queries::Today;

}  // namespace

TEST_CASE("http: GET /case-officers lists assignments with filters", "[http]") {
  // Given a caseload of five officer assignments
  Served s;
  const Caseload w = MakeCaseload(s);
  // When the assignments are listed, whole and by officer, case, role and case status
  // Then each filter answers exactly its rows
  const json all = Read(s, s.officer, "/case-officers");
  CHECK(all["total"] == 5);
  const json sup = Read(s, s.officer, "/case-officers?officer=supervisor");
  CHECK(ColumnSet(sup, "case_id") == std::set<std::string>{w.c1, w.d1});
  for (const auto& row : sup["rows"]) CHECK(row["user_id"] == "supervisor");
  const json c1 = Read(s, s.officer, "/case-officers?case_id=" + w.c1);
  REQUIRE(c1["rows"].size() == 2);
  for (const auto& row : c1["rows"]) {
    CHECK(row["team_id"] == "allocations");
    CHECK(row["case_status"] == "open");
    CHECK(row["client_id"] == w.charlie);
  }
  const json secondary = Read(s, s.officer, "/case-officers?role=secondary");
  REQUIRE(secondary["rows"].size() == 1);
  CHECK(secondary["rows"][0]["case_id"] == w.c1);
  CHECK(secondary["rows"][0]["user_id"] == "supervisor");
  const json closed = Read(s, s.officer, "/case-officers?case_status=closed");
  CHECK(ColumnSet(closed, "case_id") == std::set<std::string>{w.b1});
  // And paging gives every assignment once
  std::vector<std::string> seen;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    const json page =
        Read(s, s.officer,
             "/case-officers?limit=2&sort=-case_id" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& id : Column(page, "assignment_id")) seen.push_back(id);
    cursor = page["next_cursor"].is_string() ? page["next_cursor"].get<std::string>() : "";
    if (cursor.empty()) break;
  }
  CHECK(seen.size() == 5);
  CHECK(Ids(seen) == ColumnSet(all, "assignment_id"));
}

TEST_CASE("http: GET /case-officers group_by=officer counts each officer's workload", "[http]") {
  // Given a caseload
  Served s;
  MakeCaseload(s);
  // When the assignments are grouped by officer
  // Then each officer's row counts their cases, open cases, assignments and roles
  const json page = Read(s, s.officer, "/case-officers?group_by=officer");
  REQUIRE(page["rows"].size() == 2);
  const json* officer = RowWhere(page, "officer", "officer");
  const json* supervisor = RowWhere(page, "officer", "supervisor");
  REQUIRE(officer != nullptr);
  REQUIRE(supervisor != nullptr);
  CHECK((*officer)["cases"] == 3);
  CHECK((*officer)["open_cases"] == 2);
  CHECK((*officer)["assignments"] == 3);
  CHECK((*officer)["primary"] == 3);
  CHECK((*officer)["secondary"] == 0);
  CHECK((*supervisor)["cases"] == 2);
  CHECK((*supervisor)["open_cases"] == 2);
  CHECK((*supervisor)["primary"] == 1);
  CHECK((*supervisor)["secondary"] == 1);
  // And a filter narrows the counts; an unknown grouping is 422
  const json primary = Read(s, s.officer, "/case-officers?group_by=officer&role=primary");
  CHECK((*RowWhere(primary, "officer", "supervisor"))["cases"] == 1);
  CheckProblem(s.officer.Get("/case-officers?group_by=team_size"), 422, kValidation);
}

TEST_CASE("http: GET /case-people lists each person on a case with filters", "[http]") {
  // Given a caseload whose first case has a partner who is on another case too
  Served s;
  const Caseload w = MakeCaseload(s);
  // When the people of a case and the cases of a person are listed
  // Then each row names the person's relationship and joint application
  const json a1 = Read(s, s.officer, "/case-people?case_id=" + w.a1);
  REQUIRE(a1["rows"].size() == 2);
  const json* bravo = RowWhere(a1, "client_id", w.bravo);
  REQUIRE(bravo != nullptr);
  CHECK((*bravo)["surname"] == "Bravo");
  CHECK((*bravo)["relationship"] == "partner");
  CHECK(((*bravo)["joint_applicant"] == true || (*bravo)["joint_applicant"] == 1));
  CHECK((*RowWhere(a1, "client_id", w.alpha))["relationship"] == "self");
  const json of_bravo = Read(s, s.officer, "/case-people?client_id=" + w.bravo);
  CHECK(ColumnSet(of_bravo, "case_id") == std::set<std::string>{w.a1, w.b1});

  // When the partner leaves the case
  // Then current=true and current=false tell the people still there from those who left
  Done(
      s.officer.Post("/cases/" + w.a1 + "/people/" + w.bravo + "/leave", {{"date_left", Today()}}));
  const json current = Read(s, s.officer, "/case-people?case_id=" + w.a1 + "&current=true");
  CHECK(Column(current, "client_id") == std::vector<std::string>{w.alpha});
  const json left = Read(s, s.officer, "/case-people?case_id=" + w.a1 + "&current=false");
  REQUIRE(left["rows"].size() == 1);
  CHECK(left["rows"][0]["client_id"] == w.bravo);
  CHECK(left["rows"][0]["date_left"] == Today());
  CHECK(Read(s, s.officer, "/case-people")["total"] == 5);
  // And as CSV, as every list: a header line of the columns, then a line per row
  const json page = Read(s, s.officer, "/case-people?case_id=" + w.a1);
  const HttpAnswer csv =
      s.officer.Get(WithMin(s, "/case-people?case_id=" + w.a1), {{"Accept", "text/csv"}});
  REQUIRE(csv.status == 200);
  CHECK(csv.ContentType().rfind("text/csv", 0) == 0);
  std::string header;
  for (const auto& c : page["columns"])
    header += (header.empty() ? "" : ",") + c.get<std::string>();
  CHECK(csv.body.substr(0, csv.body.find("\r\n")) == header);
  CHECK(std::count(csv.body.begin(), csv.body.end(), '\n') == 3);
  CheckProblem(s.officer.Get("/case-people?current=perhaps"), 422, kValidation);
}
