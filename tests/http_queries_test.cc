// End-to-end tests of every query route of docs/http_api.md against a real
// `caseengine serve`: the client search, the case list (filters, sorting, paging, columns, CSV),
// the officer and people lists, journals, histories, the audit trail, the Lobby and its matches,
// raw streams and the log (also as server-sent events), OpenAPI, metrics and health; and what soft
// deletion, erasure and Lobby removal take out of them. Reads of read models pass min_position (the
// log head after the writes) so that they never race the projections.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/engine.h"
#include "storage/rocks_store.h"
#include "tests/http_test_support.h"
#include "tests/test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

// GET `path` once the read models have applied everything written so far.
json Read(const Served& s, HttpClient& c, const std::string& path) {
  return GetOk(c, WithMin(s, path));
}

// Each GET of `paths` answers a 422 validation problem.
void Invalid(HttpClient& c, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    INFO("GET " << path);
    CheckProblem(c.Get(path), 422, kValidation);
  }
}

std::string Day(int offset) {
  std::time_t t = std::time(nullptr) + offset * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}
std::string Today() { return Day(0); }

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// The values of one column over the rows of a page, in order.
std::vector<std::string> Column(const json& page, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& row : page.at("rows")) out.push_back(row.value(name, ""));
  return out;
}
std::set<std::string> ColumnSet(const json& page, const std::string& name) {
  auto v = Column(page, name);
  return {v.begin(), v.end()};
}
std::set<std::string> Ids(const std::vector<std::string>& ids) { return {ids.begin(), ids.end()}; }

// Four clients and their cases, set up to differ in every filter of the case list.
//   Alpha  (officer)    A1: a Housing Register (and its Bedroom assessment); Bravo joins
//   Bravo  (officer)    B1: closed
//   Charlie (officer)   C1: team allocations, supervisor as secondary; Charlie inactive
//   Delta  (supervisor) D1: client type case_management
struct Caseload {
  std::string alpha, bravo, charlie, delta;
  std::string a1, b1, c1, d1;
};

Caseload MakeCaseload(Served& s) {
  Caseload w;
  json r = Register(s.officer, "Alpha", {{"forenames", "Ann"}});
  w.alpha = r["client_id"];
  w.a1 = r["case_id"];
  r = Register(s.officer, "Bravo", {{"forenames", "Bob"}});
  w.bravo = r["client_id"];
  w.b1 = r["case_id"];
  r = Register(s.officer, "Charlie", {{"forenames", "Cat"}});
  w.charlie = r["client_id"];
  w.c1 = r["case_id"];
  r = Register(s.supervisor, "Delta", {{"forenames", "Dan"}, {"client_type", "case_management"}});
  w.delta = r["client_id"];
  w.d1 = r["case_id"];
  Done(s.officer.Post("/cases/" + w.a1 + "/strands", {{"type", "housing_register"}}), 201);
  Done(s.officer.Post(
      "/cases/" + w.a1 + "/people",
      {{"client_id", w.bravo}, {"relationship", "partner"}, {"joint_applicant", true}}));
  Done(s.officer.Post("/cases/" + w.b1 + "/close", {{"reason", "housed"}}));
  Done(s.officer.Post("/cases/" + w.c1 + "/team", {{"team_id", "allocations"}}));
  Done(s.officer.Post("/cases/" + w.c1 + "/officers",
                      {{"user_id", "supervisor"}, {"role", "secondary"}}));
  Done(s.officer.Post("/clients/" + w.charlie + "/status", {{"status", "inactive"}}));
  return w;
}

const json* RowWhere(const json& page, const std::string& key, const std::string& value) {
  for (const auto& row : page.at("rows")) {
    if (row.value(key, "") == value) return &row;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("http: GET /clients/{id} answers the client record with its ETag", "[http]") {
  Served s;
  const json r = Register(s.officer, "Record", {{"email", "record@example.org"}});
  const std::string c = r["client_id"], k = r["case_id"];
  Done(s.officer.Post("/clients/" + c + "/groups", {{"group", "families"}}));
  Done(s.officer.Post("/clients/" + c + "/navigators", {{"user_id", "supervisor"}}));
  Done(s.officer.Post("/clients/" + c + "/portal/status", {{"status", "active"}}));
  HttpAnswer a = s.officer.Get("/clients/" + c);
  REQUIRE(a.status == 200);
  CHECK(a.ContentType().rfind("application/json", 0) == 0);
  CHECK(a.Header("ETag") == "\"4\"");
  CHECK(a.json["client_id"] == c);
  CHECK(a.json["surname"] == "Record");
  CHECK(a.json["status"] == "active");
  CHECK(a.json["cases"] == json::array({k}));
  CHECK(a.json["groups"] == json::array({"families"}));
  CHECK(a.json["navigators"] == json::array({"supervisor"}));
  CHECK(a.json["portal_status"] == "active");
  CHECK(a.json["version"] == 4);
  CheckProblem(s.officer.Get("/clients/" + kUnknown), 404, kNotFound);
}

TEST_CASE("http: GET /cases/{id} answers the case with people officers team strands and actions",
          "[http]") {
  Served s;
  const Caseload w = MakeCaseload(s);
  Done(s.officer.Post("/cases/" + w.a1 + "/actions", {{"title", "Visit"}}), 201);
  HttpAnswer a = s.officer.Get("/cases/" + w.a1);
  REQUIRE(a.status == 200);
  CHECK(a.Header("ETag") == "\"" + std::to_string(a.json["version"].get<uint64_t>()) + "\"");
  CHECK(a.json["status"] == "open");
  CHECK(a.json["team_id"] == "housing-options");
  REQUIRE(a.json["people"].size() == 2);
  CHECK(a.json["people"][1]["client_id"] == w.bravo);
  CHECK(a.json["people"][1].contains("date_joined"));
  CHECK(a.json["people"][1].contains("date_left"));
  REQUIRE(a.json["strands"].size() == 2);
  for (const auto& st : a.json["strands"]) CHECK(st["status"] == "open");
  REQUIRE(a.json["actions"].size() == 1);
  CHECK(a.json["actions"][0]["status"] == "open");
  CHECK(a.json["officers"] == json::array({{{"user_id", "officer"}, {"role", "primary"}}}));
  CheckProblem(s.officer.Get("/cases/" + kUnknown), 404, kNotFound);
}

TEST_CASE("http: GET /clients finds a client by name whatever the case and accents", "[http]") {
  Served s;
  const std::string jose = Register(
      s.officer, "Müller", {{"forenames", "José"}, {"date_of_birth", "1970-04-05"}})["client_id"];
  Register(s.officer, "Okonkwo", {{"forenames", "Chidi"}});
  for (const std::string q :
       {"Müller", "muller", "MULLER", "José Müller", "jose muller", "MÜLLER JOSÉ", "Mull"}) {
    INFO("q=" << q);
    const json page = Read(s, s.officer, "/clients?q=" + UrlEncode(q));
    REQUIRE(page["rows"].is_array());
    REQUIRE(!page["rows"].empty());
    CHECK(page["rows"][0]["client_id"] == jose);
    CHECK(page["rows"][0]["surname"] == "Müller");
  }
  const json none = Read(s, s.officer, "/clients?q=Zbigniew");
  CHECK(none["rows"].empty());
}

TEST_CASE(
    "http: GET /clients finds a client by NI number postcode and date of birth in any formatting",
    "[http]") {
  Served s;
  const std::string c = Register(s.officer, "Identified",
                                 {{"nino", "AB123456C"},
                                  {"postcode", "SW1A 1AA"},
                                  {"date_of_birth", "1966-06-16"}})["client_id"];
  const std::string other =
      Register(s.officer, "Other", {{"nino", "CE654321A"}, {"postcode", "LS1 4AP"}})["client_id"];
  for (const std::string& query :
       std::vector<std::string>{"nino=" + UrlEncode("ab 12 34 56 c"), "nino=AB123456C",
                                "nino=" + UrlEncode(" AB 123456 C"), "postcode=sw1a1aa",
                                "postcode=" + UrlEncode("Sw1A 1aA"), "date_of_birth=1966-06-16"}) {
    INFO(query);
    const json page = Read(s, s.officer, "/clients?" + query);
    REQUIRE(page["rows"].size() >= 1);
    CHECK(page["rows"][0]["client_id"] == c);
    CHECK(ColumnSet(page, "client_id").count(other) == 0);
    CHECK(page["rows"][0].contains("score"));
  }
  // Criteria together rank the client matching most first.
  const json both = Read(s, s.officer, "/clients?q=Identified&postcode=LS14AP");
  REQUIRE(both["rows"].size() == 2);
  Invalid(s.officer, {"/clients", "/clients?nino=12345", "/clients?q=x&limit=0"});
}

TEST_CASE("http: GET /cases filters by each filter", "[http]") {
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
  for (const auto& [query, ids] : expected) {
    INFO("GET /cases?" << query);
    const json page = Read(s, s.officer, "/cases?total=true&" + query);
    CHECK(ColumnSet(page, "case_id") == ids);
    CHECK(page["total"] == ids.size());
    CHECK(page["next_cursor"].is_null());
    CHECK(page["columns"].is_array());
  }
  // Without total=true the case list does not count (the field is there, null).
  const json uncounted = Read(s, s.officer, "/cases");
  CHECK(uncounted.contains("rows"));
  CHECK(uncounted.contains("columns"));
  CHECK(uncounted.contains("total"));
  CHECK(uncounted.contains("next_cursor"));
  CheckProblem(s.officer.Get("/cases?total=perhaps"), 422, kValidation);
  const json one = Read(s, s.officer, "/cases?client_id=" + w.delta);
  REQUIRE(one["rows"].size() == 1);
  CHECK(one["rows"][0]["surname"] == "Delta");
  CHECK(one["rows"][0]["client_type"] == "case_management");
  CHECK(one["rows"][0]["primary_officer"] == "supervisor");
}

TEST_CASE("http: GET /cases sorts on several fields", "[http]") {
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
  Served s;
  std::set<std::string> all;
  for (int i = 0; i < 7; ++i) {
    all.insert(Register(s.officer, "Pager" + std::string(1, static_cast<char>('G' - i)))["case_id"]
                   .get<std::string>());
  }
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
  // A cursor belongs to its sort; garbage is no cursor; limits are 1..1000.
  const json first = Read(s, s.officer, "/cases?limit=3&sort=surname");
  const std::string cursor = first["next_cursor"];
  Invalid(s.officer, {"/cases?limit=3&sort=-surname&cursor=" + cursor, "/cases?cursor=not-a-cursor",
                      "/cases?limit=0", "/cases?limit=1001", "/cases?limit=ten"});
}

TEST_CASE("http: GET /cases keeps its sort orders up to date as rows change", "[http]") {
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
  Served s;
  std::set<std::string> before;
  for (const std::string name : {"Bea", "Dee", "Fay", "Hal", "Jo", "Lu"}) {
    before.insert(Register(s.officer, name)["case_id"].get<std::string>());
  }
  const json first = Read(s, s.officer, "/cases?sort=surname&limit=3");
  CHECK(Column(first, "surname") == std::vector<std::string>{"Bea", "Dee", "Fay"});
  const std::string cursor = first["next_cursor"];
  // New rows on both sides of the cursor, and a change to a row already given.
  Register(s.officer, "Abe");
  const std::string ivy = Register(s.officer, "Ivy")["case_id"];
  Done(s.officer.Post("/cases/" + first["rows"][0]["case_id"].get<std::string>() + "/close",
                      {{"reason", "x"}}));
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
  Served s;
  MakeCaseload(s);
  const json page = Read(s, s.officer, "/cases?columns=case_id,surname,status");
  CHECK(page["columns"] == json::array({"case_id", "surname", "status"}));
  REQUIRE(page["rows"].size() == 4);
  for (const auto& row : page["rows"]) {
    CHECK(row.size() == 3);
    CHECK(row.contains("case_id"));
    CHECK(row.contains("surname"));
    CHECK(row.contains("status"));
  }
  const json all = Read(s, s.officer, "/cases");
  CHECK(all["columns"].size() > 3);
  CheckProblem(s.officer.Get("/cases?columns=case_id,favourite_colour"), 422, kValidation);
}

TEST_CASE("http: GET /cases answers CSV with a header line and quoted cells", "[http]") {
  Served s;
  const std::string plain = Register(s.officer, "Plain")["case_id"];
  const std::string quoted = Register(s.officer, "Smith, \"Jr\"")["case_id"];
  // A name cannot hold a line break (422), so a formula stands in: it gets a leading quote.
  const std::string formula = Register(s.officer, "=Two+Lines")["case_id"];
  HttpAnswer a = s.officer.Get(WithMin(s, "/cases?sort=surname&columns=case_id,surname,status"),
                               {{"Accept", "text/csv"}});
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
  // Every column by default: the header names them all.
  HttpAnswer full = s.officer.Get(WithMin(s, "/cases"), {{"Accept", "text/csv"}});
  REQUIRE(full.status == 200);
  const json page = Read(s, s.officer, "/cases");
  std::string header;
  for (const auto& c : page["columns"])
    header += (header.empty() ? "" : ",") + c.get<std::string>();
  CHECK(full.body.substr(0, full.body.find("\r\n")) == header);
  // Without Accept it is JSON.
  CHECK(s.officer.Get("/cases").ContentType().rfind("application/json", 0) == 0);
}

TEST_CASE("http: GET /case-officers lists assignments with filters", "[http]") {
  Served s;
  const Caseload w = MakeCaseload(s);
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
  // Paging: every assignment once.
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
  Served s;
  MakeCaseload(s);
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
  const json primary = Read(s, s.officer, "/case-officers?group_by=officer&role=primary");
  CHECK((*RowWhere(primary, "officer", "supervisor"))["cases"] == 1);
  CheckProblem(s.officer.Get("/case-officers?group_by=team_size"), 422, kValidation);
}

TEST_CASE("http: GET /case-people lists each person on a case with filters", "[http]") {
  Served s;
  const Caseload w = MakeCaseload(s);
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

  Done(
      s.officer.Post("/cases/" + w.a1 + "/people/" + w.bravo + "/leave", {{"date_left", Today()}}));
  const json current = Read(s, s.officer, "/case-people?case_id=" + w.a1 + "&current=true");
  CHECK(Column(current, "client_id") == std::vector<std::string>{w.alpha});
  const json left = Read(s, s.officer, "/case-people?case_id=" + w.a1 + "&current=false");
  REQUIRE(left["rows"].size() == 1);
  CHECK(left["rows"][0]["client_id"] == w.bravo);
  CHECK(left["rows"][0]["date_left"] == Today());
  CHECK(Read(s, s.officer, "/case-people")["total"] == 5);
  // CSV, as every list: a header line of the columns, then a line per row.
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

TEST_CASE("http: GET /cases/{id}/journal lists entries newest first", "[http]") {
  Served s;
  const std::string k = Register(s.officer, "Journaled")["case_id"];
  Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "review"}}), 201);
  Done(s.officer.Post("/cases/" + k + "/notes", {{"text", "Rang the landlord"}}), 201);
  const std::string action = Done(
      s.officer.Post("/cases/" + k + "/actions", {{"title", "Send letter"}}), 201)["action_id"];
  Done(s.officer.Post("/cases/" + k + "/actions/" + action + "/complete"));
  Done(s.supervisor.Post("/cases/" + k + "/close", {{"reason", "resolved"}}));

  const json page = Read(s, s.officer, "/cases/" + k + "/journal");
  const json& entries = page.at("entries");
  REQUIRE(entries.size() >= 6);
  for (size_t i = 1; i < entries.size(); ++i) {
    CHECK(entries[i - 1]["position"].get<uint64_t>() > entries[i]["position"].get<uint64_t>());
  }
  CHECK(entries.front()["type"] == "CaseClosed");
  CHECK(entries.front()["actor"] == "supervisor");
  CHECK(entries.front()["text"].get<std::string>().find("resolved") != std::string::npos);
  CHECK(entries.back()["type"] == "CaseOpened");
  bool note = false;
  for (const auto& e : entries) {
    CHECK(e.contains("at"));
    if (e["type"] == "NoteAdded") {
      note = e["text"].get<std::string>().find("Rang the landlord") != std::string::npos;
    }
  }
  CHECK(note);

  // Paging: limit and cursor, newest first throughout, nothing twice.
  std::vector<uint64_t> positions;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    const json p =
        Read(s, s.officer,
             "/cases/" + k + "/journal?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    CHECK(p["entries"].size() <= 2);
    for (const auto& e : p["entries"]) positions.push_back(e["position"].get<uint64_t>());
    cursor = p["next_cursor"].is_string() ? p["next_cursor"].get<std::string>() : "";
    if (cursor.empty()) break;
  }
  CHECK(positions.size() == entries.size());
  CHECK(std::is_sorted(positions.rbegin(), positions.rend()));
  CHECK(std::set<uint64_t>(positions.begin(), positions.end()).size() == positions.size());
  CheckProblem(s.officer.Get("/cases/" + kUnknown + "/journal"), 404, kNotFound);
}

TEST_CASE("http: a strand move is journaled on both cases each naming the other", "[http]") {
  Served s;
  const json r = Register(s.officer, "Moved");
  const std::string c = r["client_id"], from = r["case_id"];
  const std::string to = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
  const std::string strand =
      Done(s.officer.Post("/cases/" + from + "/strands", {{"type", "homeless_referral"}}),
           201)["strand_id"];
  const std::string moved =
      Done(s.supervisor.Post("/cases/" + from + "/strands/" + strand + "/move",
                             {{"target_case_id", to}}))["new_strand_id"];
  const json out = Read(s, s.officer, "/cases/" + from + "/journal");
  const json in = Read(s, s.officer, "/cases/" + to + "/journal");
  REQUIRE(!out["entries"].empty());
  REQUIRE(!in["entries"].empty());
  const json& o = out["entries"][0];
  const json& i = in["entries"][0];
  INFO(o.dump() << "\n" << i.dump());
  CHECK(o["other_case_id"] == to);
  CHECK(o["text"].get<std::string>().find(to) != std::string::npos);
  CHECK(o["text"].get<std::string>().find(strand) != std::string::npos);
  CHECK(i["other_case_id"] == from);
  CHECK(i["text"].get<std::string>().find(from) != std::string::npos);
  CHECK(i["text"].get<std::string>().find(moved) != std::string::npos);
  CHECK(o["position"] != i["position"]);
}

TEST_CASE("http: GET /cases/{id}/history lists every change filtered by month and type", "[http]") {
  Served s;
  const std::string k = Register(s.officer, "Historic")["case_id"];
  Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "review"}}), 201);
  Done(s.officer.Post("/cases/" + k + "/notes", {{"text", "Very private words"}}), 201);
  Done(s.officer.Post("/cases/" + k + "/close", {{"reason", "done"}}));

  const json all = Read(s, s.officer, "/cases/" + k + "/history");
  const json& entries = all.at("entries");
  REQUIRE(entries.size() == 4);
  for (size_t i = 0; i < entries.size(); ++i) {
    CHECK(entries[i]["version"] == i + 1);
    CHECK(entries[i].contains("at"));
    CHECK(entries[i].contains("actor"));
    CHECK(entries[i].contains("details"));
    if (i > 0) {
      CHECK(entries[i - 1]["position"].get<uint64_t>() < entries[i]["position"].get<uint64_t>());
    }
  }
  CHECK(entries[0]["type"] == "CaseOpened");
  CHECK(all.dump().find("Very private words") == std::string::npos);

  const std::string month = Today().substr(0, 7);
  CHECK(Read(s, s.officer, "/cases/" + k + "/history?month=" + month)["entries"].size() == 4);
  CHECK(Read(s, s.officer, "/cases/" + k + "/history?month=2001-01")["entries"].empty());
  const json notes = Read(s, s.officer, "/cases/" + k + "/history?type=NoteAdded");
  REQUIRE(notes["entries"].size() == 1);
  CHECK(notes["entries"][0]["type"] == "NoteAdded");
  CHECK(Read(s, s.officer, "/cases/" + k + "/history?type=CaseClosed&month=" + month)["entries"]
            .size() == 1);
  Invalid(s.officer,
          {"/cases/" + k + "/history?month=2024-13", "/cases/" + k + "/history?month=March",
           "/cases/" + k + "/history?type=TeaBreak"});
  CheckProblem(s.officer.Get("/cases/" + kUnknown + "/history"), 404, kNotFound);
}

TEST_CASE("http: GET /audit filters by actor stream and time", "[http]") {
  Served s;
  const Caseload w = MakeCaseload(s);
  const uint64_t head = s.Head();
  const json all = Read(s, s.auditor, "/audit?limit=1000");
  REQUIRE(all["entries"].size() == head);
  for (const auto& e : all["entries"]) {
    CHECK(e.contains("position"));
    CHECK(e.contains("at"));
    CHECK(e.contains("actor"));
    CHECK(e.contains("stream"));
    CHECK(e.contains("type"));
  }
  // The supervisor registered Delta: the client and its case.
  const json sup = Read(s, s.auditor, "/audit?actor=supervisor");
  CHECK(sup["entries"].size() == 2);
  for (const auto& e : sup["entries"]) CHECK(e["actor"] == "supervisor");
  const json stream = Read(s, s.auditor, "/audit?stream=case-" + w.c1);
  const uint64_t c1_version = GetOk(s.officer, "/cases/" + w.c1)["version"];
  CHECK(stream["entries"].size() == c1_version);
  for (const auto& e : stream["entries"]) CHECK(e["stream"] == "case-" + w.c1);
  const json both = Read(s, s.auditor, "/audit?actor=officer&stream=client-" + w.charlie);
  CHECK(both["entries"].size() == 2);  // registered, status changed

  const std::string today = Today();
  CHECK(Read(s, s.auditor, "/audit?limit=1000&from=" + today)["entries"].size() == head);
  CHECK(Read(s, s.auditor, "/audit?limit=1000&from=" + today + "&to=" + today)["entries"].size() ==
        head);
  CHECK(Read(s, s.auditor, "/audit?from=2000-01-01&to=2000-01-02")["entries"].empty());
  CHECK(Read(s, s.auditor, "/audit?to=" + Day(-1))["entries"].empty());
  CHECK(Read(s, s.auditor, "/audit?from=" + Day(1) + "T00:00:00Z")["entries"].empty());
  CHECK(Read(s, s.auditor, "/audit?limit=1000&from=2000-01-01T00:00:00Z")["entries"].size() ==
        head);
  CheckProblem(s.auditor.Get("/audit?from=last-tuesday"), 422, kValidation);

  // Paging by cursor.
  const json first = Read(s, s.auditor, "/audit?limit=3");
  REQUIRE(first["entries"].size() == 3);
  const std::string cursor = first["next_cursor"];
  REQUIRE(!cursor.empty());
  const json second = Read(s, s.auditor, "/audit?limit=3&cursor=" + cursor);
  REQUIRE(!second["entries"].empty());
  CHECK(second["entries"][0]["position"].get<uint64_t>() >
        first["entries"][2]["position"].get<uint64_t>());
}

TEST_CASE("http: GET /lobby lists the waiting referrals and filters by status", "[http]") {
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

  const json page = Read(s, s.officer, "/lobby");
  CHECK(Column(page, "lobby_id") == std::vector<std::string>{waiting, claimed});  // oldest first
  CHECK(page["total"] == 2);
  const json* row = RowWhere(page, "lobby_id", claimed);
  REQUIRE(row != nullptr);
  CHECK((*row)["status"] == "claimed");
  CHECK((*row)["claimed_by"] == "officer");
  CHECK((*row)["surname"] == "Claimed");
  CHECK((*row)["source"] == "duty_to_refer");
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
  HttpAnswer a = s.officer.Get(WithMin(s, "/lobby/" + l + "/matches"));
  INFO(a.body);
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
  CheckProblem(s.officer.Get("/lobby/" + kUnknown + "/matches"), 404, kNotFound);
}

TEST_CASE("http: GET /streams/{stream}/events answers the raw events of one stream", "[http]") {
  Served s;
  const std::string c = Register(s.officer, "Raw")["client_id"];
  Done(s.officer.Post("/clients/" + c + "/status", {{"status", "closed"}}));
  Done(s.officer.Post("/clients/" + c + "/groups", {{"group", "g"}}));
  const json page = GetOk(s.auditor, "/streams/client-" + c + "/events");
  CHECK(page["stream"] == "client-" + c);
  const json& events = page.at("events");
  REQUIRE(events.size() == 3);
  for (size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i]["version"] == i + 1);
    CHECK(events[i]["stream"] == "client-" + c);
    CHECK(events[i]["actor"] == "officer");
    CHECK(events[i].contains("position"));
    CHECK(events[i].contains("recorded_at"));
  }
  CHECK(events[0]["type"] == "ClientRegistered");
  CHECK(events[1]["type"] == "ClientStatusChanged");
  CHECK(events[1]["data"]["status"] == "closed");
  const json later = GetOk(s.auditor, "/streams/client-" + c + "/events?from_version=2&limit=1");
  REQUIRE(later["events"].size() == 1);
  CHECK(later["events"][0]["version"] == 2);
  CheckProblem(s.auditor.Get("/streams/client-" + kUnknown + "/events"), 404, kNotFound);
  CHECK(GetOk(s.admin, "/streams/client-" + c + "/events")["events"].size() == 3);
}

TEST_CASE("http: GET /events answers the global log from a position", "[http]") {
  Served s;
  MakeCaseload(s);
  const uint64_t head = s.Head();
  const json all = GetOk(s.auditor, "/events?from=1&limit=1000");
  CHECK(all["head_position"] == head);
  REQUIRE(all["events"].size() == head);
  for (size_t i = 0; i < head; ++i) CHECK(all["events"][i]["position"] == i + 1);
  const json part = GetOk(s.auditor, "/events?from=3&limit=2");
  REQUIRE(part["events"].size() == 2);
  CHECK(part["events"][0]["position"] == 3);
  CHECK(part["events"][1]["position"] == 4);
  CHECK(part["next"] == 5);
  CHECK(GetOk(s.auditor, "/events?from=" + std::to_string(head + 1))["events"].empty());
  CheckProblem(s.auditor.Get("/events?from=minus-one"), 422, kValidation);
}

TEST_CASE("http: GET /events/stream sends the log as server-sent events and then live", "[http]") {
  Served s;
  MakeCaseload(s);
  const json log = GetOk(s.auditor, "/events?from=1&limit=3");
  const EventStreamAnswer a =
      ReadEventStream(s.server.port(), "/events/stream?from=1", "demo-auditor", 3);
  REQUIRE(a.status == 200);
  CHECK(a.content_type.rfind("text/event-stream", 0) == 0);
  REQUIRE(a.events.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(a.events[i].id == std::to_string(i + 1));
    CHECK(a.events[i].event == log["events"][i]["type"]);
    CHECK(a.events[i].json["position"] == i + 1);
    CHECK(a.events[i].json["stream"] == log["events"][i]["stream"]);
  }
  const EventStreamAnswer from5 =
      ReadEventStream(s.server.port(), "/events/stream?from=5", "demo-auditor", 1);
  REQUIRE(from5.events.size() == 1);
  CHECK(from5.events[0].id == "5");

  // Live: a reader waiting past the head gets the next command's events as they come.
  const uint64_t head = s.Head();
  EventStreamAnswer live;
  std::thread reader([&] {
    live = ReadEventStream(s.server.port(), "/events/stream?from=" + std::to_string(head + 1),
                           "demo-auditor", 2, 20);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  HttpClient writer = s.server.Client("demo-officer");
  const HttpAnswer registered =
      writer.Post("/clients", {{"surname", "Live"}, {"date_of_birth", "1999-09-09"}});
  reader.join();
  REQUIRE(registered.status == 201);
  REQUIRE(live.events.size() == 2);
  CHECK(live.events[0].id == std::to_string(head + 1));
  CHECK(live.events[0].event == "ClientRegistered");
  CHECK(live.events[1].event == "CaseOpened");
}

TEST_CASE(
    "http: GET /openapi.json is OpenAPI 3 and lists every route of the HTTP contract "
    "(docs/http_api.md)",
    "[http]") {
  Served s;
  const json doc = GetOk(s.officer, "/openapi.json");
  REQUIRE(doc.contains("openapi"));
  CHECK(doc["openapi"].get<std::string>().rfind("3.", 0) == 0);
  REQUIRE(doc["paths"].is_object());
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"post", "/clients"},
      {"patch", "/clients/{id}"},
      {"post", "/clients/{id}/status"},
      {"post", "/clients/{id}/client-type"},
      {"post", "/clients/{id}/case-number"},
      {"post", "/clients/{id}/groups"},
      {"delete", "/clients/{id}/groups/{group}"},
      {"post", "/clients/{id}/navigators"},
      {"delete", "/clients/{id}/navigators/{user_id}"},
      {"post", "/clients/{id}/portal/status"},
      {"post", "/clients/{id}/portal/invitations"},
      {"delete", "/clients/{id}"},
      {"post", "/clients/{id}/restore"},
      {"post", "/clients/{id}/cases"},
      {"post", "/cases/{id}/officers"},
      {"delete", "/cases/{id}/officers/{user_id}"},
      {"post", "/cases/{id}/team"},
      {"post", "/cases/{id}/people"},
      {"post", "/cases/{id}/people/{client_id}/leave"},
      {"post", "/cases/{id}/primary-applicant"},
      {"post", "/cases/{id}/close"},
      {"post", "/cases/{id}/reopen"},
      {"delete", "/cases/{id}"},
      {"post", "/cases/{id}/strands"},
      {"post", "/cases/{id}/strands/{strand_id}/status"},
      {"post", "/cases/{id}/strands/{strand_id}/move"},
      {"post", "/cases/{id}/notes"},
      {"post", "/cases/{id}/actions"},
      {"post", "/cases/{id}/actions/{action_id}/complete"},
      {"post", "/lobby"},
      {"post", "/lobby/{id}/claim"},
      {"post", "/lobby/{id}/assign"},
      {"post", "/lobby/{id}/create-client"},
      {"delete", "/lobby/{id}"},
      {"get", "/clients/{id}"},
      {"get", "/clients"},
      {"get", "/cases/{id}"},
      {"get", "/cases"},
      {"get", "/case-officers"},
      {"get", "/case-people"},
      {"get", "/cases/{id}/journal"},
      {"get", "/cases/{id}/history"},
      {"get", "/audit"},
      {"get", "/lobby"},
      {"get", "/lobby/{id}/matches"},
      {"get", "/streams/{stream}/events"},
      {"get", "/events"},
      {"get", "/events/stream"},
      {"get", "/openapi.json"},
      {"get", "/metrics"},
      {"get", "/healthz"},
  };
  for (const auto& [method, path] : routes) {
    INFO(method << " " << path);
    REQUIRE(doc["paths"].contains(path));
    REQUIRE(doc["paths"][path].contains(method));
    const json& op = doc["paths"][path][method];
    CHECK(op.contains("responses"));
    CHECK(op.contains("operationId"));
  }
  // A command documents its body with the required fields.
  const json& reg = doc["paths"]["/clients"]["post"];
  REQUIRE(reg.contains("requestBody"));
  const json schema = reg["requestBody"]["content"]["application/json"]["schema"];
  CHECK(schema["properties"].contains("surname"));
  CHECK(std::find(schema["required"].begin(), schema["required"].end(), "surname") !=
        schema["required"].end());
  CHECK(doc["paths"]["/clients/{id}"]["get"]["responses"].contains("200"));
}

TEST_CASE("http: GET /metrics is Prometheus text with request counts and the projection lag",
          "[http]") {
  Served s;
  Register(s.officer, "Metered");
  s.officer.Get("/cases");
  HttpAnswer a = s.officer.Get("/metrics");
  REQUIRE(a.status == 200);
  CHECK(a.ContentType().rfind("text/plain", 0) == 0);
  CHECK(a.body.find("# TYPE caseengine_http_requests_total counter") != std::string::npos);
  CHECK(a.body.find("caseengine_http_requests_total{route=\"POST /clients\",status=\"201\"} 1") !=
        std::string::npos);
  CHECK(a.body.find("caseengine_projection_lag_events") != std::string::npos);
  CHECK(a.body.find("caseengine_log_head_position") != std::string::npos);
  for (const char* name :
       {"caseengine_projection_seconds_total", "caseengine_projection_decode_seconds_total",
        "caseengine_projection_deferred_write_seconds_total"}) {
    CHECK(a.body.find(std::string("# TYPE ") + name + " counter") != std::string::npos);
  }
}

TEST_CASE("http: GET /healthz answers without a token", "[http]") {
  Served s;
  HttpClient anonymous = s.server.Client("");
  HttpAnswer a = anonymous.Get("/healthz");
  REQUIRE(a.status == 200);
  CHECK(a.json["status"] == "ok");
  CHECK(a.json.contains("head_position"));
  CHECK(a.json.contains("projection_lag"));
  CHECK(s.officer.Get("/healthz").status == 200);
}

TEST_CASE("http: a soft-deleted client and its cases leave every list until restored", "[http]") {
  Served s;
  const Caseload w = MakeCaseload(s);
  const json r = Register(s.officer, "Vanishing", {{"postcode", "M1 1AE"}});
  const std::string c = r["client_id"], first = r["case_id"];
  const std::string second = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
  Done(s.officer.Post("/cases/" + first + "/officers",
                      {{"user_id", "supervisor"}, {"role", "other"}}));

  // Everywhere the client shows, before, after the deletion and after the restore.
  auto check_visible = [&](bool visible) {
    INFO("visible " << visible);
    const json found = Read(s, s.officer, "/clients?q=Vanishing");
    CHECK(ColumnSet(found, "client_id").count(c) == (visible ? 1u : 0u));
    const json by_postcode = Read(s, s.officer, "/clients?postcode=M11AE");
    CHECK(ColumnSet(by_postcode, "client_id").count(c) == (visible ? 1u : 0u));
    CHECK(ColumnSet(Read(s, s.officer, "/cases?limit=1000"), "case_id") ==
          (visible ? std::set<std::string>{w.a1, w.b1, w.c1, w.d1, first, second}
                   : std::set<std::string>{w.a1, w.b1, w.c1, w.d1}));
    CHECK(Read(s, s.officer, "/cases?total=true&client_id=" + c)["total"] == (visible ? 2 : 0));
    CHECK(Read(s, s.officer, "/case-officers?case_id=" + first)["total"] == (visible ? 2 : 0));
    CHECK(Read(s, s.officer, "/case-officers")["total"] == (visible ? 8 : 5));
    CHECK(Read(s, s.officer, "/case-people?client_id=" + c)["total"] == (visible ? 2 : 0));
    const json workload = Read(s, s.officer, "/case-officers?group_by=officer");
    CHECK((*RowWhere(workload, "officer", "officer"))["cases"] == (visible ? 5 : 3));
    CHECK(s.officer.Get("/clients/" + c).status == (visible ? 200 : 404));
    CHECK(s.officer.Get("/cases/" + first).status == (visible ? 200 : 404));
    CHECK(s.officer.Get(WithMin(s, "/cases/" + first + "/journal")).status ==
          (visible ? 200 : 404));
    CHECK(s.officer.Get(WithMin(s, "/cases/" + first + "/history")).status ==
          (visible ? 200 : 404));
  };
  check_visible(true);
  Done(s.supervisor.Delete("/clients/" + c));
  check_visible(false);
  // The administrator still sees it.
  CHECK(GetOk(s.admin, "/clients/" + c)["deleted"] == true);
  Done(s.admin.Post("/clients/" + c + "/restore"));
  check_visible(true);
}

TEST_CASE("http: an erased client leaves lists and searches and its history shows erased fields",
          "[http]") {
  Served s;
  const Caseload w = MakeCaseload(s);
  const json r = Register(s.officer, "Forgotten",
                          {{"forenames", "Fay"},
                           {"nino", "AB123456C"},
                           {"postcode", "M1 1AE"},
                           {"email", "fay@example.org"}});
  const std::string c = r["client_id"], k = r["case_id"];
  Done(s.officer.Post("/cases/" + k + "/notes", {{"text", "Fay told us her address"}}), 201);
  CHECK(Read(s, s.officer, "/clients?q=Forgotten")["rows"].size() == 1);

  Done(s.admin.Delete("/clients/" + c + "?mode=erase"));
  CHECK(Read(s, s.officer, "/clients?q=Forgotten")["rows"].empty());
  CHECK(Read(s, s.officer, "/clients?nino=AB123456C")["rows"].empty());
  CHECK(Read(s, s.officer, "/clients?email=" + UrlEncode("fay@example.org"))["rows"].empty());
  CHECK(Read(s, s.officer, "/cases?total=true&client_id=" + c)["total"] == 0);
  CHECK(ColumnSet(Read(s, s.officer, "/cases"), "case_id") ==
        std::set<std::string>{w.a1, w.b1, w.c1, w.d1});
  CHECK(Read(s, s.officer, "/case-officers?case_id=" + k)["total"] == 0);
  CHECK(Read(s, s.officer, "/case-people?client_id=" + c)["total"] == 0);
  CHECK(s.officer.Get(WithMin(s, "/cases/" + k + "/journal")).status == 404);
  CHECK(s.officer.Get("/clients/" + c).status == 404);
  for (const std::string list : {"/cases?limit=1000", "/case-people?limit=1000"}) {
    const HttpAnswer csv = s.admin.Get(WithMin(s, list), {{"Accept", "text/csv"}});
    REQUIRE(csv.status == 200);
    CHECK(csv.body.find("Forgotten") == std::string::npos);
    CHECK(csv.body.find(c) == std::string::npos);
  }

  // The administrator sees the record, its personal fields erased.
  const json record = GetOk(s.admin, "/clients/" + c);
  CHECK(record["erased"] == true);
  for (const char* field : {"surname", "forenames", "nino", "postcode", "email"}) {
    CHECK(!record.contains(field));
  }
  // The raw history keeps every event, its personal fields shown as erased.
  const json events = GetOk(s.auditor, "/streams/client-" + c + "/events");
  REQUIRE(!events["events"].empty());
  CHECK(events["events"][0]["type"] == "ClientRegistered");
  CHECK(events["events"][0]["data"]["personal"] == json{{"erased", true}});
  CHECK(events.dump().find("Forgotten") == std::string::npos);
  const json case_events = GetOk(s.auditor, "/streams/case-" + k + "/events");
  bool note_erased = false;
  for (const auto& e : case_events["events"]) {
    if (e["type"] == "NoteAdded") note_erased = e["data"]["personal"] == json{{"erased", true}};
  }
  CHECK(note_erased);
  CHECK(case_events.dump().find("her address") == std::string::npos);
  // The audit trail keeps who did what (ids only).
  CHECK(!Read(s, s.auditor, "/audit?stream=client-" + c)["entries"].empty());
  const json log = GetOk(s.auditor, "/events?from=1&limit=1000");
  CHECK(log.dump().find("Forgotten") == std::string::npos);
}

TEST_CASE("http: an erased client's names leave the other cases and the Lobby record it came from",
          "[http]") {
  Served s;
  const Caseload w = MakeCaseload(s);
  const std::string l = Done(s.officer.Post("/lobby", {{"source", "self"},
                                                       {"surname", "Lobbyborn"},
                                                       {"forenames", "Lena"},
                                                       {"date_of_birth", "1999-01-01"}}),
                             201)["lobby_id"];
  Done(s.officer.Post("/lobby/" + l + "/claim"));
  const std::string c = Done(s.officer.Post("/lobby/" + l + "/create-client"), 201)["client_id"];
  Done(s.officer.Post("/cases/" + w.a1 + "/people", {{"client_id", c}, {"relationship", "other"}}));
  CHECK(Read(s, s.officer, "/case-people?case_id=" + w.a1).dump().find("Lobbyborn") !=
        std::string::npos);
  CHECK(Read(s, s.officer, "/lobby?status=all").dump().find("Lobbyborn") != std::string::npos);

  Done(s.admin.Delete("/clients/" + c + "?mode=erase"));
  const std::vector<std::string> reads = {"/case-people?case_id=" + w.a1, "/case-people",
                                          "/lobby?status=all", "/cases", "/case-officers"};
  for (const auto& path : reads) {
    INFO(path);
    const json page = Read(s, s.officer, path);
    CHECK(page.dump().find("Lobbyborn") == std::string::npos);
    CHECK(page.dump().find("Lena") == std::string::npos);
    const HttpAnswer csv = s.officer.Get(WithMin(s, path), {{"Accept", "text/csv"}});
    CHECK(csv.body.find("Lobbyborn") == std::string::npos);
  }
  // The Lobby record itself, as read from the log, keeps no trace of the person either.
  const HttpAnswer record = s.officer.Get("/lobby/" + l);
  INFO(record.body);
  CHECK(record.body.find("Lobbyborn") == std::string::npos);
  CHECK(record.body.find("Lena") == std::string::npos);
  const HttpAnswer raw = s.auditor.Get("/streams/lobby-" + l + "/events");
  CHECK(raw.body.find("Lobbyborn") == std::string::npos);
}

TEST_CASE("http: a removed lobby record leaves the Lobby and its matches are 404", "[http]") {
  Served s;
  Register(s.officer, "Lookalike", {{"date_of_birth", "1988-08-08"}});
  const std::string kept =
      Done(s.officer.Post("/lobby", {{"source", "self"}, {"surname", "Kept"}}), 201)["lobby_id"];
  const std::string gone = Done(s.officer.Post("/lobby", {{"source", "self"},
                                                          {"surname", "Lookalike"},
                                                          {"date_of_birth", "1988-08-08"}}),
                                201)["lobby_id"];
  CHECK(ColumnSet(Read(s, s.officer, "/lobby"), "lobby_id") == std::set<std::string>{kept, gone});
  CHECK(s.officer.Get(WithMin(s, "/lobby/" + gone + "/matches")).status == 200);
  Done(s.officer.Post("/lobby/" + gone + "/claim"));
  Done(s.officer.Delete("/lobby/" + gone));
  CHECK(ColumnSet(Read(s, s.officer, "/lobby"), "lobby_id") == std::set<std::string>{kept});
  CHECK(ColumnSet(Read(s, s.officer, "/lobby?status=all"), "lobby_id") ==
        std::set<std::string>{kept});
  const HttpAnswer csv = s.officer.Get(WithMin(s, "/lobby?status=all"), {{"Accept", "text/csv"}});
  REQUIRE(csv.status == 200);
  CHECK(csv.body.find(gone) == std::string::npos);
  CHECK(csv.body.find("Lookalike") == std::string::npos);
  CheckProblem(s.officer.Get(WithMin(s, "/lobby/" + gone + "/matches")), 404, kNotFound);
  CheckProblem(s.officer.Get("/lobby/" + gone), 404, kNotFound);
  // Its details are gone from the raw log too (its key is destroyed).
  const json events = GetOk(s.auditor, "/streams/lobby-" + gone + "/events");
  CHECK(events["events"][0]["data"]["personal"] == json{{"erased", true}});
}

namespace caseengine::testing {

TEST_CASE(
    "http: an erased person's plaintext is in no file of the data folder after a "
    "compaction",
    "[http]") {
  TempDir dir;
  const std::string data = dir.Sub("data");
  const std::string surname = "Quixotrembling", note = "Sleeps at the Vantablackery shelter";
  const std::string referral = "Zanzibarnacle";
  {
    ServerProcess server(data);
    HttpClient officer = server.Client("demo-officer");
    HttpClient admin = server.Client("demo-admin");
    Register(officer, "Keptinfolder");  // a control: someone not erased is still there
    nlohmann::json made = Register(officer, surname, {{"email", "quixo@example.org"}});
    const std::string client = made["client_id"], kase = made["case_id"];
    Done(officer.Post("/cases/" + kase + "/notes", {{"text", note}}), 201);
    // A referral assigned to the client holds the same person's details under its own key.
    const std::string lobby = Done(
        officer.Post("/lobby",
                     {{"source", "self"}, {"surname", referral}, {"date_of_birth", "1980-01-01"}}),
        201)["lobby_id"];
    Done(officer.Post("/lobby/" + lobby + "/claim"));
    Done(officer.Post("/lobby/" + lobby + "/assign", {{"client_id", client}}));
    // The read models have seen all of it before it goes.
    const uint64_t head = LogHead(server.port());
    REQUIRE(GetOk(officer, WithMin(head, "/clients?q=" + surname))["rows"].size() == 1);
    REQUIRE(GetOk(officer, WithMin(head, "/cases/" + kase + "/journal"))["entries"].size() > 0);
    nlohmann::json erased = Done(admin.Delete("/clients/" + client + "?mode=erase"));
    CHECK(erased["lobby_records_erased"] == 1);
    GetOk(officer, WithMin(LogHead(server.port()), "/cases?total=true"));
    CHECK(server.Stop() == 0);
  }
  // Compact what is left (as any later compaction would), uncompressed so that any
  // plaintext would show, then look at every file.
  {
    std::unique_ptr<Store> store;
    RocksStoreOptions options = Engine::StoreOptions(data, false);
    options.compress = false;
    REQUIRE(OpenRocksStore(options, &store).ok());
    REQUIRE(store->CompactAll().ok());
  }
  CHECK(FolderHolds(data, "Keptinfolder"));
  for (const std::string& text : {surname, note, referral, std::string("quixo@example.org")}) {
    INFO(text);
    CHECK_FALSE(FolderHolds(data, text));
  }
  // And the engine still works on it: the chain verifies.
  std::string out;
  CHECK(RunCommand({CASEREPLAY_PATH, "verify", "--data", data}, &out) == 0);
}

}  // namespace caseengine::testing
