// End-to-end tests of what soft deletion, erasure and Lobby removal take out of the query
// routes, against a real `caseengine serve`: lists, searches, histories, other cases, the
// Lobby and its matches, and every file of the data folder.
#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "app/engine.h"
#include "storage/rocks_store.h"
#include "tests/http_queries_support.h"
#include "tests/http_test_support.h"
#include "tests/test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

using caseengine::testing::http_queries::Caseload;
using caseengine::testing::http_queries::ColumnSet;
using caseengine::testing::http_queries::MakeCaseload;
using caseengine::testing::http_queries::Read;
using caseengine::testing::http_queries::RowWhere;
using caseengine::testing::http_queries::UrlEncode;

}  // namespace

TEST_CASE("http: a soft-deleted client and its cases leave every list until restored", "[http]") {
  // Given a caseload and a client with two cases, one with two officers
  Served s;
  const Caseload w = MakeCaseload(s);
  const json r = Register(s.officer, "Vanishing", {{"postcode", "M1 1AE"}});
  const std::string c = r["client_id"], first = r["case_id"];
  const std::string second = Done(s.officer.Post("/clients/" + c + "/cases"), 201)["case_id"];
  Done(s.officer.Post("/cases/" + first + "/officers",
                      {{"user_id", "supervisor"}, {"role", "other"}}));

  // Then the client shows everywhere it should, before the deletion and after the restore, and
  // nowhere between
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
  // When the supervisor deletes it
  Done(s.supervisor.Delete("/clients/" + c));
  check_visible(false);
  // And the administrator still sees it
  CHECK(GetOk(s.admin, "/clients/" + c)["deleted"] == true);
  // When the administrator restores it
  Done(s.admin.Post("/clients/" + c + "/restore"));
  check_visible(true);
}

TEST_CASE("http: an erased client leaves lists and searches and its history shows erased fields",
          "[http]") {
  // Given a caseload and a client with personal details and a note, found by name
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

  // When the administrator erases the client
  // Then no search, list or CSV finds it, and its case and journal are 404
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

  // And the administrator sees the record, its personal fields erased
  const json record = GetOk(s.admin, "/clients/" + c);
  CHECK(record["erased"] == true);
  for (const char* field : {"surname", "forenames", "nino", "postcode", "email"}) {
    CHECK(!record.contains(field));
  }
  // And the raw history keeps every event, its personal fields shown as erased
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
  // And the audit trail keeps who did what (ids only)
  CHECK(!Read(s, s.auditor, "/audit?stream=client-" + c)["entries"].empty());
  const json log = GetOk(s.auditor, "/events?from=1&limit=1000");
  CHECK(log.dump().find("Forgotten") == std::string::npos);
}

TEST_CASE("http: an erased client's names leave the other cases and the Lobby record it came from",
          "[http]") {
  // Given a client made from a Lobby record and added to another client's case
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

  // When the administrator erases it
  Done(s.admin.Delete("/clients/" + c + "?mode=erase"));
  const std::vector<std::string> reads = {"/case-people?case_id=" + w.a1, "/case-people",
                                          "/lobby?status=all", "/cases", "/case-officers"};
  // Then its names are in no list or CSV
  for (const auto& path : reads) {
    INFO(path);
    const json page = Read(s, s.officer, path);
    CHECK(page.dump().find("Lobbyborn") == std::string::npos);
    CHECK(page.dump().find("Lena") == std::string::npos);
    const HttpAnswer csv = s.officer.Get(WithMin(s, path), {{"Accept", "text/csv"}});
    CHECK(csv.body.find("Lobbyborn") == std::string::npos);
  }
  // And the Lobby record itself, as read from the log, keeps no trace of the person either
  const HttpAnswer record = s.officer.Get("/lobby/" + l);
  INFO(record.body);
  CHECK(record.body.find("Lobbyborn") == std::string::npos);
  CHECK(record.body.find("Lena") == std::string::npos);
  const HttpAnswer raw = s.auditor.Get("/streams/lobby-" + l + "/events");
  CHECK(raw.body.find("Lobbyborn") == std::string::npos);
}

TEST_CASE("http: a removed lobby record leaves the Lobby and its matches are 404", "[http]") {
  // Given two Lobby records, one resembling a client
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
  // When one is claimed and removed
  Done(s.officer.Post("/lobby/" + gone + "/claim"));
  Done(s.officer.Delete("/lobby/" + gone));
  // Then it leaves the Lobby and its CSV, and it and its matches are 404
  CHECK(ColumnSet(Read(s, s.officer, "/lobby"), "lobby_id") == std::set<std::string>{kept});
  CHECK(ColumnSet(Read(s, s.officer, "/lobby?status=all"), "lobby_id") ==
        std::set<std::string>{kept});
  const HttpAnswer csv = s.officer.Get(WithMin(s, "/lobby?status=all"), {{"Accept", "text/csv"}});
  REQUIRE(csv.status == 200);
  CHECK(csv.body.find(gone) == std::string::npos);
  CHECK(csv.body.find("Lookalike") == std::string::npos);
  CheckProblem(s.officer.Get(WithMin(s, "/lobby/" + gone + "/matches")), 404, kNotFound);
  CheckProblem(s.officer.Get("/lobby/" + gone), 404, kNotFound);
  // And its details are gone from the raw log too (its key is destroyed)
  const json events = GetOk(s.auditor, "/streams/lobby-" + gone + "/events");
  CHECK(events["events"][0]["data"]["personal"] == json{{"erased", true}});
}

namespace caseengine::testing {

TEST_CASE(
    "http: an erased person's plaintext is in no file of the data folder after a "
    "compaction",
    "[http]") {
  // Given a data folder where a client with a note and an assigned referral was erased, and a
  // control client was not
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
  // When what is left is compacted (as any later compaction would), uncompressed so that any
  // plaintext would show plaintext would show, then look at every file.
  {
    std::unique_ptr<Store> store;
    RocksStoreOptions options = Engine::StoreOptions(data, false);
    options.compress = false;
    REQUIRE(OpenRocksStore(options, &store).ok());
    REQUIRE(store->CompactAll().ok());
  }
  // Then no file holds the erased person's plaintext, and the control's is there
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
