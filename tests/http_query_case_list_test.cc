// End-to-end tests of GET /cases, the case list, against a real `caseengine serve`: each
// filter, sorting on several fields kept up to date, paging with a cursor that neither
// repeats nor skips rows across writes, chosen columns, and CSV.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/http_queries_support.h"
#include "tests/http_test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using caseengine::testing::http_queries::Caseload;
using caseengine::testing::http_queries::Column;
using caseengine::testing::http_queries::ColumnSet;
using caseengine::testing::http_queries::Day;
using caseengine::testing::http_queries::Ids;
using caseengine::testing::http_queries::Invalid;
using caseengine::testing::http_queries::MakeCaseload;
using caseengine::testing::http_queries::Read;
using caseengine::testing::http_queries::Today;

}  // namespace

TEST_CASE("http: GET /cases filters by each filter", "[http]") {
  // Given a caseload of four cases differing in status, officers, team, strands, client and dates
  Served s;
  const Caseload w = MakeCaseload(s);
  const std::string today = Today(), yesterday = Day(-1), tomorrow = Day(1);
  const std::vector<std::pair<std::string, std::set<std::string>>> expected = {
      {"", {w.a1, w.b1, w.c1, w.d1}},
      {"status=closed", {w.b1}},
      {"status=open", {w.a1, w.c1, w.d1}},
      {"officer=supervisor", {w.c1, w.d1}},
      {"officer=supervisor&role=secondary", {w.c1}},
      {"role=primary", {w.a1, w.b1, w.c1, w.d1}},
      {"team=allocations", {w.c1}},
      {"team=housing-options", {w.a1, w.b1, w.d1}},
      {"strand_type=housing_register", {w.a1}},
      {"strand_type=bedroom_assessment&strand_status=open", {w.a1}},
      {"strand_status=closed", {}},
      {"client_id=" + w.alpha, {w.a1}},
      {"client_status=inactive", {w.c1}},
      {"client_type=case_management", {w.d1}},
      {"opened_from=" + today + "&opened_to=" + today, {w.a1, w.b1, w.c1, w.d1}},
      {"opened_from=" + tomorrow, {}},
      {"opened_to=" + yesterday, {}},
      {"closed_from=" + today, {w.b1}},
      {"closed_to=" + yesterday, {}},
      {"last_activity_from=" + today, {w.a1, w.b1, w.c1, w.d1}},
      {"last_activity_to=" + yesterday, {}},
      {"status=open&team=housing-options&officer=officer", {w.a1}},
  };
  // When the case list is read with each filter
  // Then it answers exactly the cases that pass, counted, on one page
  for (const auto& [query, ids] : expected) {
    INFO("GET /cases?" << query);
    const json page = Read(s, s.officer, "/cases?total=true&" + query);
    CHECK(ColumnSet(page, "case_id") == ids);
    CHECK(page["total"] == ids.size());
    CHECK(page["next_cursor"].is_null());
    CHECK(page["columns"].is_array());
  }
  // And without total=true the case list does not count (the field is there, null)
  const json uncounted = Read(s, s.officer, "/cases");
  CHECK(uncounted.contains("rows"));
  CHECK(uncounted.contains("columns"));
  CHECK(uncounted.contains("total"));
  CHECK(uncounted.contains("next_cursor"));
  CheckProblem(s.officer.Get("/cases?total=perhaps"), 422, kValidation);
  // And a row names the client's surname, type and primary officer
  const json one = Read(s, s.officer, "/cases?client_id=" + w.delta);
  REQUIRE(one["rows"].size() == 1);
  CHECK(one["rows"][0]["surname"] == "Delta");
  CHECK(one["rows"][0]["client_type"] == "case_management");
  CHECK(one["rows"][0]["primary_officer"] == "supervisor");
}

TEST_CASE("http: GET /cases sorts on several fields", "[http]") {
  // Given a caseload of four cases
  // When the case list is sorted on one or several fields, up or down
  // Then the rows come in that order, and unknown fields are 422
  Served s;
  const Caseload w = MakeCaseload(s);
  CHECK(Column(Read(s, s.officer, "/cases?sort=surname"), "surname") ==
        std::vector<std::string>{"Alpha", "Bravo", "Charlie", "Delta"});
  CHECK(Column(Read(s, s.officer, "/cases?sort=-surname"), "surname") ==
        std::vector<std::string>{"Delta", "Charlie", "Bravo", "Alpha"});
  CHECK(Column(Read(s, s.officer, "/cases?sort=status,-surname"), "surname") ==
        std::vector<std::string>{"Bravo", "Delta", "Charlie", "Alpha"});
  CHECK(Column(Read(s, s.officer, "/cases?sort=-team_id,surname"), "surname") ==
        std::vector<std::string>{"Alpha", "Bravo", "Delta", "Charlie"});
  Invalid(s.officer, {"/cases?sort=shoe_size", "/cases?sort=surname,-nothing"});
}

TEST_CASE("http: GET /cases pages with limit and cursor without repeats", "[http]") {
  // Given seven cases
  Served s;
  std::set<std::string> all;
  for (int i = 0; i < 7; ++i) {
    all.insert(Register(s.officer, "Pager" + std::string(1, static_cast<char>('G' - i)))["case_id"]
                   .get<std::string>());
  }
  // When the case list is read three rows a page with each sort
  // Then three pages give every case once, counted, in order
  for (const std::string sort : {"", "&sort=surname", "&sort=-surname,case_id"}) {
    INFO("sort " << sort);
    std::vector<std::string> seen;
    std::vector<std::string> surnames;
    std::string cursor;
    int pages = 0;
    do {
      const json page =
          Read(s, s.officer,
               "/cases?total=true&limit=3" + sort + (cursor.empty() ? "" : "&cursor=" + cursor));
      CHECK(page["total"] == 7);
      CHECK(page["rows"].size() <= 3);
      for (const auto& id : Column(page, "case_id")) seen.push_back(id);
      for (const auto& n : Column(page, "surname")) surnames.push_back(n);
      cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
      ++pages;
    } while (!cursor.empty() && pages < 10);
    CHECK(pages == 3);
    CHECK(seen.size() == 7);
    CHECK(Ids(seen) == all);
    if (sort == "&sort=surname") CHECK(std::is_sorted(surnames.begin(), surnames.end()));
  }
  // And a cursor belongs to its sort; garbage is no cursor; limits are 1..1000
  const json first = Read(s, s.officer, "/cases?limit=3&sort=surname");
  const std::string cursor = first["next_cursor"];
  Invalid(s.officer, {"/cases?limit=3&sort=-surname&cursor=" + cursor, "/cases?cursor=not-a-cursor",
                      "/cases?limit=0", "/cases?limit=1001", "/cases?limit=ten"});
}

TEST_CASE("http: GET /cases keeps its sort orders up to date as rows change", "[http]") {
  // Given a caseload read once in each sort order
  Served s;
  const Caseload w = MakeCaseload(s);
  auto surnames = [&](const std::string& sort) {
    return Column(Read(s, s.officer, "/cases?sort=" + sort), "surname");
  };
  using Names = std::vector<std::string>;
  // Ask once for each order first, so that any kept order must follow the changes below.
  CHECK(surnames("surname") == Names{"Alpha", "Bravo", "Charlie", "Delta"});
  CHECK(surnames("status,-surname") == Names{"Bravo", "Delta", "Charlie", "Alpha"});
  CHECK(surnames("-team_id,surname") == Names{"Alpha", "Bravo", "Delta", "Charlie"});

  // When surnames, statuses and teams change, clients are registered, soft-deleted, restored and
  // erased Then each order follows the changes
  Done(s.officer.Patch("/clients/" + w.alpha, {{"surname", "Zulu"}}));
  CHECK(surnames("surname") == Names{"Bravo", "Charlie", "Delta", "Zulu"});
  Done(s.officer.Post("/cases/" + w.a1 + "/close", {{"reason", "done"}}));
  CHECK(surnames("status,-surname") == Names{"Zulu", "Bravo", "Delta", "Charlie"});
  Done(s.officer.Post("/cases/" + w.d1 + "/team", {{"team_id", "allocations"}}));
  CHECK(surnames("-team_id,surname") == Names{"Bravo", "Zulu", "Charlie", "Delta"});
  Register(s.officer, "Aaron");
  CHECK(surnames("surname") == Names{"Aaron", "Bravo", "Charlie", "Delta", "Zulu"});
  Done(s.supervisor.Delete("/clients/" + w.charlie));
  CHECK(surnames("surname") == Names{"Aaron", "Bravo", "Delta", "Zulu"});
  CHECK(surnames("status,-surname") == Names{"Zulu", "Bravo", "Delta", "Aaron"});
  Done(s.admin.Post("/clients/" + w.charlie + "/restore"));
  CHECK(surnames("surname") == Names{"Aaron", "Bravo", "Charlie", "Delta", "Zulu"});
  Done(s.admin.Delete("/clients/" + w.bravo + "?mode=erase"));
  CHECK(surnames("surname") == Names{"Aaron", "Charlie", "Delta", "Zulu"});
  CHECK(surnames("-team_id,surname") == Names{"Aaron", "Zulu", "Charlie", "Delta"});
}

TEST_CASE("http: a write between two pages of GET /cases neither repeats nor skips a row",
          "[http]") {
  // Given six cases and the first page of three by surname
  Served s;
  std::set<std::string> before;
  for (const std::string name : {"Bea", "Dee", "Fay", "Hal", "Jo", "Lu"}) {
    before.insert(Register(s.officer, name)["case_id"].get<std::string>());
  }
  const json first = Read(s, s.officer, "/cases?sort=surname&limit=3");
  CHECK(Column(first, "surname") == std::vector<std::string>{"Bea", "Dee", "Fay"});
  const std::string cursor = first["next_cursor"];
  // When new rows come on both sides of the cursor, and a row already given changes
  Register(s.officer, "Abe");
  const std::string ivy = Register(s.officer, "Ivy")["case_id"];
  Done(s.officer.Post("/cases/" + first["rows"][0]["case_id"].get<std::string>() + "/close",
                      {{"reason", "x"}}));
  // Then the next pages neither repeat nor skip a row
  const json second = Read(s, s.officer, "/cases?sort=surname&limit=3&cursor=" + cursor);
  CHECK(Column(second, "surname") == std::vector<std::string>{"Hal", "Ivy", "Jo"});
  CHECK(ColumnSet(second, "case_id").count(ivy) == 1);
  const json third =
      Read(s, s.officer,
           "/cases?sort=surname&limit=3&cursor=" + second["next_cursor"].get<std::string>());
  CHECK(Column(third, "surname") == std::vector<std::string>{"Lu"});
  CHECK(third["next_cursor"].is_null());
}

TEST_CASE("http: GET /cases answers only the columns asked for", "[http]") {
  // Given a caseload
  Served s;
  MakeCaseload(s);
  // When the case list is read with three columns
  // Then every row has those three alone
  const json page = Read(s, s.officer, "/cases?columns=case_id,surname,status");
  CHECK(page["columns"] == json::array({"case_id", "surname", "status"}));
  REQUIRE(page["rows"].size() == 4);
  for (const auto& row : page["rows"]) {
    CHECK(row.size() == 3);
    CHECK(row.contains("case_id"));
    CHECK(row.contains("surname"));
    CHECK(row.contains("status"));
  }
  // And without columns it has more, and an unknown column is 422
  const json all = Read(s, s.officer, "/cases");
  CHECK(all["columns"].size() > 3);
  CheckProblem(s.officer.Get("/cases?columns=case_id,favourite_colour"), 422, kValidation);
}

TEST_CASE("http: GET /cases answers CSV with a header line and quoted cells", "[http]") {
  // Given cases of a plain name, a name with a comma and quotes, and a formula
  Served s;
  const std::string plain = Register(s.officer, "Plain")["case_id"];
  const std::string quoted = Register(s.officer, "Smith, \"Jr\"")["case_id"];
  // A name cannot hold a line break (422), so a formula stands in: it gets a leading quote.
  const std::string formula = Register(s.officer, "=Two+Lines")["case_id"];
  // When the case list is read as CSV
  HttpAnswer a = s.officer.Get(WithMin(s, "/cases?sort=surname&columns=case_id,surname,status"),
                               {{"Accept", "text/csv"}});
  // Then it has a header line and CRLF lines with quoted cells and a quoted formula
  REQUIRE(a.status == 200);
  CHECK(a.ContentType().rfind("text/csv", 0) == 0);
  std::vector<std::string> lines;
  size_t start = 0, end;
  while ((end = a.body.find("\r\n", start)) != std::string::npos) {
    lines.push_back(a.body.substr(start, end - start));
    start = end + 2;
  }
  CHECK(start == a.body.size());  // every line ends in CRLF
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "case_id,surname,status");
  CHECK(lines[1] == formula + ",'=Two+Lines,open");
  CHECK(lines[2] == plain + ",Plain,open");
  CHECK(lines[3] == quoted + ",\"Smith, \"\"Jr\"\"\",open");
  // And by default every column is there, the header naming them all
  HttpAnswer full = s.officer.Get(WithMin(s, "/cases"), {{"Accept", "text/csv"}});
  REQUIRE(full.status == 200);
  const json page = Read(s, s.officer, "/cases");
  std::string header;
  for (const auto& c : page["columns"])
    header += (header.empty() ? "" : ",") + c.get<std::string>();
  CHECK(full.body.substr(0, full.body.find("\r\n")) == header);
  // And without Accept it is JSON
  CHECK(s.officer.Get("/cases").ContentType().rfind("application/json", 0) == 0);
}
