// End-to-end tests of GET /cases/{id}/journal (newest first, strand moves journaled on both
// cases) and GET /cases/{id}/history (filtered by month and type), against a real
// `caseengine serve`.
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

using caseengine::testing::http_queries::Invalid;
using caseengine::testing::http_queries::Read;
using caseengine::testing::http_queries::Today;

}  // namespace

TEST_CASE("http: GET /cases/{id}/journal lists entries newest first", "[http]") {
  // Given a case with a strand, a note, a completed action, closed
  Served s;
  const std::string k = Register(s.officer, "Journaled")["case_id"];
  Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "review"}}), 201);
  Done(s.officer.Post("/cases/" + k + "/notes", {{"text", "Rang the landlord"}}), 201);
  const std::string action = Done(
      s.officer.Post("/cases/" + k + "/actions", {{"title", "Send letter"}}), 201)["action_id"];
  Done(s.officer.Post("/cases/" + k + "/actions/" + action + "/complete"));
  Done(s.supervisor.Post("/cases/" + k + "/close", {{"reason", "resolved"}}));

  // When its journal is read
  // Then every entry is there, newest first, with who, when and the note's text
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

  // And paging with limit and cursor keeps newest first throughout, nothing twice; an unknown case
  // is 404
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
  // Given a client with two cases
  Served s;
  const json r = Register(s.officer, "Moved");
  const std::string c = r["client_id"], from = r["case_id"];
  const std::string to = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
  const std::string strand =
      Done(s.officer.Post("/cases/" + from + "/strands", {{"type", "homeless_referral"}}),
           201)["strand_id"];
  // When the supervisor moves a strand from one to the other
  const std::string moved =
      Done(s.supervisor.Post("/cases/" + from + "/strands/" + strand + "/move",
                             {{"target_case_id", to}}))["new_strand_id"];
  // Then both journals record it, each naming the other case and strand
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
  // Given a case with a strand, a note, closed
  Served s;
  const std::string k = Register(s.officer, "Historic")["case_id"];
  Done(s.officer.Post("/cases/" + k + "/strands", {{"type", "review"}}), 201);
  Done(s.officer.Post("/cases/" + k + "/notes", {{"text", "Very private words"}}), 201);
  const json closed = Done(s.officer.Post("/cases/" + k + "/close", {{"reason", "done"}}));
  const size_t version = closed["versions"]["case-" + k].get<size_t>();

  // When its history is read
  // Then every change is there by version in order, and the note's text is not: CaseOpened
  // with the new-case workflow's three TaskCreated, StrandAdded, NoteAdded, and the three
  // TaskClosed with CaseClosed
  const json all = Read(s, s.officer, "/cases/" + k + "/history");
  const json& entries = all.at("entries");
  REQUIRE(entries.size() == version);
  REQUIRE(entries.size() == 1 + 3 + 1 + 1 + 3 + 1);
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
  CHECK(entries[1]["type"] == "TaskCreated");
  // Closing the case closed its three open tasks in the same append, after it.
  REQUIRE(entries.size() > 4);
  CHECK(entries[entries.size() - 4]["type"] == "CaseClosed");
  CHECK(entries[entries.size() - 1]["type"] == "TaskClosed");
  CHECK(all.dump().find("Very private words") == std::string::npos);

  // And it filters by month and type; bad filters are 422 and an unknown case 404
  const std::string month = Today().substr(0, 7);
  CHECK(Read(s, s.officer, "/cases/" + k + "/history?month=" + month)["entries"].size() == version);
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
