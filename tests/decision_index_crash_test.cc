// End-to-end test of the decision index under SIGKILL: a real `caseengine serve` is killed
// three times while writers register clients, open second cases, add applications,
// switch primary applicants and erase clients; after each kill the index's rows in the
// data folder are those built from the log alone (the rows are written in the batches of
// their events, so no kill falls between them), and the restarted engine still refuses a
// second current application and finishes every erasure a kill cut short.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "aggregates/event_codec.h"
#include "aggregates/key_store.h"
#include "app/decision_index.h"
#include "events/log_store.h"
#include "storage/memory_store.h"
#include "tests/domain_fixture.h"
#include "tests/http_test_support.h"
#include "tests/test_support.h"

namespace caseengine::testing {
namespace {

using Rows = std::map<std::string, std::string>;

Rows ReadRows(const Store& store, const std::string& prefix) {
  FamilyId family;
  REQUIRE(store.Family(kDecisionFamily, &family).ok());
  Rows rows;
  auto it = store.NewIterator(family, ReadPattern::kScan);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    rows.emplace(std::string(it->key()), std::string(it->value()));
  }
  return rows;
}

// The folder's "p/" rows, and those built from its log alone (the server is down).
std::pair<Rows, Rows> StoredAndBuilt(const std::string& data) {
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  const Status opened = OpenLogFolder(data, /*read_only=*/false, &store, &log);
  INFO(opened.ToString());
  REQUIRE(opened.ok());
  const KeyEncryptionKey kek = KekFor(data);
  std::unique_ptr<KeyStore> keys;
  REQUIRE(KeyStore::Open(store.get(), &kek, &keys).ok());
  EventCodec codec(keys.get());
  MemoryStore fresh({kDecisionFamily});
  DecisionIndex built(&fresh);
  REQUIRE(built.Build(*log, codec).ok());
  std::pair<Rows, Rows> out{ReadRows(*store, "p/"), ReadRows(fresh, "p/")};
  log.reset();
  return out;
}

// One writer's casework until the server is gone: a client with two cases and a Housing
// Register application on the first; every third, a partner made primary applicant of the
// second case; every fifth, the client erased.
void Casework(int port, int writer, const std::atomic<bool>& stop) {
  HttpClient officer(port), admin(port, "demo-admin");
  for (int i = 0; !stop.load(); ++i) {
    const std::string name =
        "Crash" + std::string(1, char('a' + writer)) + std::string(1, char('a' + i % 26));
    HttpAnswer r = officer.Post("/clients", {{"surname", name}, {"date_of_birth", "1980-01-01"}});
    if (r.status != 201) return;  // the server is gone
    const std::string client = r.json["client_id"], first = r.json["case_id"];
    r = officer.Post("/clients/" + client + "/cases");
    if (r.status != 201) return;
    const std::string second = r.json["case_id"];
    if (officer.Post("/cases/" + first + "/strands", {{"type", "housing_register"}}).status == 0) {
      return;
    }
    if (i % 3 == 0) {
      r = officer.Post("/clients", {{"surname", name + "p"}, {"date_of_birth", "1981-01-01"}});
      if (r.status != 201) return;
      const std::string partner = r.json["client_id"];
      officer.Post("/cases/" + second + "/people",
                   {{"client_id", partner}, {"relationship", "partner"}});
      officer.Post("/cases/" + second + "/primary-applicant", {{"client_id", partner}});
    }
    if (i % 5 == 4 && admin.Delete("/clients/" + client + "?mode=erase").status == 0) return;
  }
}

}  // namespace

TEST_CASE("the decision index killed with SIGKILL under load equals the index built from the log",
          "[decision-index][crash]") {
  TempDir dir;
  const std::string data = dir.Sub("data");
  for (int round = 0; round < 3; ++round) {
    // Given a server with writers doing casework that changes the index
    auto server = std::make_unique<ServerProcess>(data);
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] { Casework(server->port(), w + 4 * round, stop); });
    }

    // When it is killed in the middle of their commands
    std::this_thread::sleep_for(std::chrono::milliseconds(500 + 200 * round));
    server->Kill();
    stop = true;
    for (auto& t : writers) t.join();

    // Then the index's rows are those the log gives
    auto [stored, built] = StoredAndBuilt(data);
    INFO("round " << round);
    CHECK(stored.size() > 10);
    CHECK(stored == built);
  }

  // And a restarted engine finishes the erasures the kills cut short at its first
  // command, and after another restart still refuses a second current application on a
  // client's other case
  std::string client, first, second;
  {
    ServerProcess server(data);
    HttpClient officer = server.Client();
    HttpAnswer r =
        officer.Post("/clients", {{"surname", "After"}, {"date_of_birth", "1980-01-01"}});
    REQUIRE(r.status == 201);
    client = r.json["client_id"];
    first = r.json["case_id"];
    r = officer.Post("/clients/" + client + "/cases");
    REQUIRE(r.status == 201);
    second = r.json["case_id"];
    REQUIRE(officer.Post("/cases/" + first + "/strands", {{"type", "housing_register"}}).status ==
            201);
    REQUIRE(server.StopWithin(60) == 0);
  }
  {
    ServerProcess server(data);
    HttpClient officer = server.Client();
    const HttpAnswer r =
        officer.Post("/cases/" + second + "/strands", {{"type", "housing_register"}});
    CHECK(r.status == 409);
    CHECK(r.json.value("type", "") == kRuleViolated);
    REQUIRE(server.StopWithin(60) == 0);
  }
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  REQUIRE(OpenLogFolder(data, false, &store, &log).ok());
  CHECK(ReadRows(*store, "e/").empty());
}

}  // namespace caseengine::testing
