// End-to-end tests of what a soft delete, an erasure and a Lobby removal hide, against a
// real `caseengine serve`: history read as of an earlier position obeys the record's state
// now; the people list leaves out a soft-deleted person on anyone's case; a case deleted a
// moment ago is not read from read models that have not caught up yet; and free text a
// caseworker typed (an action's title, close and reopen reasons, a referrer) goes with an
// erasure from every answer and every file of the data folder.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "app/engine.h"
#include "storage/rocks_store.h"
#include "tests/http_test_support.h"
#include "tests/test_support.h"

using namespace caseengine::testing;
using nlohmann::json;

namespace {

std::set<std::string> ClientsListed(const json& page) {
  std::set<std::string> out;
  for (const auto& row : page.at("rows")) out.insert(row.value("client_id", ""));
  return out;
}

}  // namespace

TEST_CASE(
    "http: at= and as_of= on a soft-deleted client or case are 404 to all but an "
    "administrator",
    "[http][privacy]") {
  Served s;
  const json made = Register(s.officer, "Hiddenhistory",
                             {{"email", "hidden@example.org"}, {"nino", "AB123456C"}});
  const std::string client = made["client_id"], kase = made["case_id"];
  const uint64_t before = s.Head();
  Done(s.supervisor.Delete("/clients/" + client + "?mode=soft"));
  for (const std::string& path :
       {"/clients/" + client + "?at=" + std::to_string(before),
        "/cases/" + kase + "?at=" + std::to_string(before),
        "/clients/" + client + "?as_of=2999-01-01", "/cases/" + kase + "?as_of=2999-01-01"}) {
    INFO(path);
    for (HttpClient* who : {&s.officer, &s.supervisor, &s.auditor}) {
      const HttpAnswer a = who->Get(path);
      CheckProblem(a, 404, kNotFound);
      CHECK(a.body.find("Hiddenhistory") == std::string::npos);
      CHECK(a.body.find("AB123456C") == std::string::npos);
    }
    // An administrator, who may restore it, still reads it as it was.
    CHECK(s.admin.Get(path).status == 200);
  }
  // Restored, it is history like any other again.
  Done(s.admin.Post("/clients/" + client + "/restore"));
  const HttpAnswer back = s.officer.Get("/clients/" + client + "?at=" + std::to_string(before));
  CHECK(back.status == 200);
  CHECK(back.json.value("surname", "") == "Hiddenhistory");
}

TEST_CASE("http: a removed lobby record answers at= as if it never was, to everyone",
          "[http][privacy]") {
  Served s;
  const std::string lobby = Done(s.officer.Post("/lobby", {{"source", "third_party"},
                                                           {"surname", "Referredaway"},
                                                           {"referrer", "Northgate Refuge"}}),
                                 201)["lobby_id"];
  Done(s.officer.Post("/lobby/" + lobby + "/claim"));
  Done(s.officer.Delete("/lobby/" + lobby));
  for (HttpClient* who : {&s.officer, &s.admin, &s.auditor}) {
    for (const std::string& path :
         {"/lobby/" + lobby + "?at=1", "/lobby/" + lobby + "?as_of=2999-01-01"}) {
      INFO(path);
      const HttpAnswer a = who->Get(path);
      CheckProblem(a, 404, kNotFound);
      CHECK(a.body.find("Northgate") == std::string::npos);
    }
  }
}

TEST_CASE(
    "http: the people list leaves out a soft-deleted person on other clients' live "
    "cases, and shows them again on restore",
    "[http][privacy]") {
  Served s;
  const json host = Register(s.officer, "Hostfamily");
  const json guest = Register(s.officer, "Guestperson");
  const std::string host_case = host["case_id"], guest_id = guest["client_id"];
  Done(s.officer.Post(
      "/cases/" + host_case + "/people",
      {{"client_id", guest_id}, {"relationship", "partner"}, {"joint_applicant", false}}));
  auto people = [&](const std::string& query) {
    return GetOk(s.officer, WithMin(s, "/case-people?" + query));
  };
  REQUIRE(ClientsListed(people("case_id=" + host_case)).count(guest_id) == 1);
  Done(s.supervisor.Delete("/clients/" + guest_id + "?mode=soft"));
  CHECK(ClientsListed(people("case_id=" + host_case)) ==
        std::set<std::string>{host["client_id"].get<std::string>()});
  CHECK(people("client_id=" + guest_id)["rows"].empty());
  CHECK(people("limit=500").dump().find("Guestperson") == std::string::npos);
  const HttpAnswer csv =
      s.officer.Get(WithMin(s, "/case-people?case_id=" + host_case), {{"Accept", "text/csv"}});
  CHECK(csv.body.find("Guestperson") == std::string::npos);
  CHECK(GetOk(s.officer, WithMin(s, "/clients?q=Guestperson"))["rows"].empty());
  Done(s.admin.Post("/clients/" + guest_id + "/restore"));
  CHECK(ClientsListed(people("case_id=" + host_case)).count(guest_id) == 1);
  CHECK(people("client_id=" + guest_id)["rows"].size() == 2);  // its own case and the host's
}

TEST_CASE(
    "http: a case's journal and history are 404 as soon as its delete is in the log, "
    "before the read models apply it",
    "[http][privacy]") {
  Served s;
  // Several rounds: each read comes right after the delete's answer, without waiting for
  // the read models, so some of them are read before the projections have applied it.
  for (int i = 0; i < 10; ++i) {
    const json made = Register(s.officer, "Gonesoon" + std::to_string(i));
    const std::string kase = made["case_id"];
    Done(s.officer.Post("/cases/" + kase + "/notes", {{"text", "Sofa at a cousin's flat"}}), 201);
    GetOk(s.officer, WithMin(s, "/cases/" + kase + "/journal"));
    Done(s.supervisor.Delete("/clients/" + made["client_id"].get<std::string>() + "?mode=soft"));
    for (const std::string& path : {"/cases/" + kase + "/journal", "/cases/" + kase + "/history"}) {
      INFO(path);
      const HttpAnswer a = s.officer.Get(path);
      CheckProblem(a, 404, kNotFound);
      CHECK(a.body.find("cousin") == std::string::npos);
    }
  }
}

TEST_CASE(
    "http: an erasure takes the free text typed about a case and its referral out of "
    "every answer and every file of the data folder",
    "[http][privacy][erasure]") {
  TempDir dir;
  const std::string data = dir.Sub("data");
  const std::string title = "Phone Zephyrquill about the flat",
                    closing = "Moved in with Jorvikstone relatives",
                    reopening = "Returned from Kettlewhistle", referrer = "Brambleworth Womens Aid";
  std::string kase, lobby;
  {
    ServerProcess server(data);
    HttpClient officer = server.Client("demo-officer");
    HttpClient admin = server.Client("demo-admin");
    HttpClient auditor = server.Client("demo-auditor");
    Register(officer, "Keptwitness");  // a control: someone not erased is still there
    const json made = Register(officer, "Erasedfreetext");
    const std::string client = made["client_id"];
    kase = made["case_id"];
    // A second case of the same client, soft-deleted before the erasure, goes too.
    const std::string second = Done(officer.Post("/clients/" + client + "/cases"), 201)["case_id"];
    Done(officer.Post("/cases/" + second + "/actions", {{"title", title + " (2)"}}), 201);
    Done(server.Client("demo-supervisor").Delete("/cases/" + second));
    Done(officer.Post("/cases/" + kase + "/actions", {{"title", title}}), 201);
    Done(officer.Post("/cases/" + kase + "/close", {{"reason", closing}}));
    Done(officer.Post("/cases/" + kase + "/reopen", {{"reason", reopening}}));
    lobby = Done(officer.Post("/lobby", {{"source", "third_party"},
                                         {"surname", "Erasedfreetext"},
                                         {"referrer", referrer}}),
                 201)["lobby_id"];
    Done(officer.Post("/lobby/" + lobby + "/claim"));
    Done(officer.Post("/lobby/" + lobby + "/assign", {{"client_id", client}}));
    // Everything shows before.
    const uint64_t head = LogHead(server.port());
    const std::string journal = GetOk(officer, WithMin(head, "/cases/" + kase + "/journal")).dump();
    CHECK(journal.find(title) != std::string::npos);
    CHECK(journal.find(closing) != std::string::npos);
    CHECK(journal.find(reopening) != std::string::npos);
    CHECK(GetOk(auditor, "/streams/lobby-" + lobby + "/events").dump().find(referrer) !=
          std::string::npos);

    Done(admin.Delete("/clients/" + client + "?mode=erase"));
    const uint64_t after = LogHead(server.port());
    GetOk(officer, WithMin(after, "/cases?total=true"));
    for (const std::string& path : std::vector<std::string>{
             "/cases/" + kase, "/cases/" + kase + "?at=" + std::to_string(head),
             "/streams/case-" + kase + "/events", "/streams/case-" + second + "/events",
             "/streams/lobby-" + lobby + "/events", "/events?limit=1000", "/audit?limit=1000",
             "/lobby?status=all"}) {
      INFO(path);
      const HttpAnswer a = admin.Get(WithMin(after, path));
      for (const std::string& text : {title, closing, reopening, referrer}) {
        INFO(text);
        CHECK(a.body.find(text) == std::string::npos);
      }
    }
    std::string out;
    REQUIRE(RunCommand({CASEREPLAY_PATH, "export", "--data", data, "--from", "2000-01-01", "--to",
                        "2999-12-31", "--format", "jsonl"},
                       &out) == 0);
    for (const std::string& text : {title, closing, reopening, referrer}) {
      CHECK(out.find(text) == std::string::npos);
    }
    CHECK(server.Stop() == 0);
  }
  // Compact what is left (as any later compaction would), uncompressed so that any
  // plaintext would show, then look at every file.
  {
    std::unique_ptr<caseengine::Store> store;
    caseengine::RocksStoreOptions options = caseengine::Engine::StoreOptions(data, false);
    options.compress = false;
    REQUIRE(caseengine::OpenRocksStore(options, &store).ok());
    REQUIRE(store->CompactAll().ok());
  }
  CHECK(FolderHolds(data, "Keptwitness"));
  for (const std::string& text : {title, closing, reopening, referrer}) {
    INFO(text);
    CHECK_FALSE(FolderHolds(data, text));
  }
  std::string out;
  CHECK(RunCommand({CASEREPLAY_PATH, "verify", "--data", data}, &out) == 0);
}
