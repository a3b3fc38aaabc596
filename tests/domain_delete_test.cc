// Deleting clients in tiers: soft delete (hidden, restorable by an administrator) and
// erasure (the subject's data key destroyed: crypto-shredding), Given/When/Then.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/domain_fixture.h"
#include "tests/test_support.h"

using namespace caseengine;
using namespace caseengine::testing;

TEST_CASE("deleting a client needs the delete_clients permission", "[domain][delete]") {
  DomainFixture d;
  auto [client, kase] = d.Register();
  const auto before = d.Head();
  CHECK(Kind(d.Run("officer", DeleteClient{client})) == "forbidden");
  CHECK(d.Head() == before);
}

TEST_CASE("deleting a client deletes all its cases with it", "[domain][delete]") {
  DomainFixture d;
  auto [client, first] = d.Register();
  std::string second = d.Run("officer", OpenCase{client}).response["case_id"];
  CommandResult r = d.Run("supervisor", DeleteClient{client});
  REQUIRE(Kind(r) == "ok");
  CHECK(r.response["mode"] == "soft");  // the demo deployment's meaning of delete
  CHECK(r.response["cases_deleted"] == 2);
  CHECK(r.versions.size() == 3);  // one atomic append over the client and both cases
  CHECK(d.EventTypes("case-" + first).back() == "CaseDeleted");
  CHECK(d.EventTypes("case-" + second).back() == "CaseDeleted");
}

TEST_CASE("a soft-deleted client and its cases are hidden until an administrator restores them",
          "[domain][delete]") {
  DomainFixture d;
  auto [client, kase] = d.Register();
  REQUIRE(Kind(d.Run("supervisor", DeleteClient{client, DeleteMode::kSoft})) == "ok");
  CHECK(Kind(d.Run("officer", ChangeClientStatus{client, "closed"})) == "not-found");
  CHECK(Kind(d.Run("officer", AddNote{kase, "hello", ""})) == "not-found");
  CHECK(Kind(d.Run("supervisor", DeleteClient{client, DeleteMode::kSoft})) == "not-found");
  CHECK(Kind(d.Run("supervisor", RestoreClient{client})) == "forbidden");
  CommandResult r = d.Run("admin", RestoreClient{client});
  REQUIRE(Kind(r) == "ok");
  CHECK(r.response["cases_restored"] == 1);
  CHECK(Kind(d.Run("officer", AddNote{kase, "hello again", ""})) == "ok");
  CHECK(d.Client(client).personal.surname == "Example");  // nothing was lost
  CHECK(Kind(d.Run("admin", RestoreClient{client})) == "rule-violated");
}

TEST_CASE("a case deleted before its client was deleted stays deleted on restore",
          "[domain][delete]") {
  DomainFixture d;
  auto [client, first] = d.Register();
  std::string second = d.Run("officer", OpenCase{client}).response["case_id"];
  REQUIRE(Kind(d.Run("supervisor", DeleteCase{second})) == "ok");
  REQUIRE(Kind(d.Run("supervisor", DeleteClient{client, DeleteMode::kSoft})) == "ok");
  CommandResult r = d.Run("admin", RestoreClient{client});
  REQUIRE(Kind(r) == "ok");
  CHECK(r.response["cases_restored"] == 1);
  CHECK(d.Case(second).deleted);
  CHECK_FALSE(d.Case(first).deleted);
}

TEST_CASE("erasing a client needs the administer permission as well", "[domain][delete]") {
  DomainFixture d;
  auto [client, kase] = d.Register();
  CHECK(Kind(d.Run("supervisor", DeleteClient{client, DeleteMode::kErase})) == "forbidden");
  CHECK(Kind(d.Run("admin", DeleteClient{client, DeleteMode::kErase})) == "ok");
}

TEST_CASE("erasure cannot be undone", "[domain][delete]") {
  DomainFixture d;
  auto [client, kase] = d.Register();
  REQUIRE(Kind(d.Run("admin", DeleteClient{client, DeleteMode::kErase})) == "ok");
  CommandResult r = d.Run("admin", RestoreClient{client});
  CHECK(Kind(r) == "rule-violated");
  CHECK(r.rejection.rule == "erasure-is-final");
  CHECK(Kind(d.Run("admin", DeleteClient{client, DeleteMode::kErase})) == "not-found");
}

TEST_CASE("after erasure replay shows the personal fields as erased and the chain verifies",
          "[domain][delete]") {
  DomainFixture d;
  PersonalFields extra;
  extra.email = "erase.me@example.org";
  auto [client, kase] = d.Register("Forgotten", "1960-06-06", extra);
  REQUIRE(Kind(d.Run("officer", AddNote{kase, "lives with her sister", ""})) == "ok");
  REQUIRE(Kind(d.Run("admin", DeleteClient{client, DeleteMode::kErase})) == "ok");
  std::vector<Event> events = d.Events("client-" + client);
  REQUIRE(events.size() == 2);
  CHECK(events[0].personal.erased);
  CHECK_FALSE(events[0].personal.surname.has_value());
  CHECK(events[1].type == EventType::kClientDeleted);
  std::vector<Event> case_events = d.Events("case-" + kase);
  CHECK(case_events[1].type == EventType::kNoteAdded);
  CHECK(case_events[1].personal.erased);  // sealed with the erased applicant's key
  CHECK(d.log->VerifyChain(1, 0).ok);
  std::string key;
  CHECK(d.keys->KeyFor("client-" + client, false, &key).code() == Status::Code::kNotFound);
}

TEST_CASE("a restart finishes an erasure whose key outlived a crash", "[domain][delete]") {
  DomainFixture d;
  auto [client, kase] = d.Register();
  std::string key;
  REQUIRE(d.keys->KeyFor("client-" + client, false, &key).ok());
  REQUIRE(Kind(d.Run("admin", DeleteClient{client, DeleteMode::kErase})) == "ok");
  // As if the process had died between recording the erasure and destroying the key:
  // the key is there, and so is the erasure's pending row, written with its events.
  FamilyId keys_family, decision_family;
  REQUIRE(d.store->Family(kKeysFamily, &keys_family).ok());
  REQUIRE(d.store->Family(kDecisionFamily, &decision_family).ok());
  d.store->RawPut(keys_family, "client-" + client, key);
  d.store->RawPut(decision_family, "e/client-" + client, "");
  std::unique_ptr<KeyStore> keys;
  REQUIRE(KeyStore::Open(d.store.get(), TestKek(), &keys).ok());
  CommandService restarted(d.log.get(), keys.get(), &d.config);
  d.Register();  // any command: the first decision finds the pending erasure
  restarted.Execute(d.config.users["officer"], ChangeClientStatus{"none", "active"});
  CHECK(keys->KeyFor("client-" + client, false, &key).code() == Status::Code::kNotFound);
}

TEST_CASE(
    "after erasure and a compaction no byte of the person's key or data is left in the "
    "data folder",
    "[domain][delete][erasure]") {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  std::unique_ptr<KeyStore> keys;
  REQUIRE(OpenLogFolder(dir, false, &store, &log).ok());
  const KeyEncryptionKey kek = KekFor(dir);
  REQUIRE(KeyStore::Open(store.get(), &kek, &keys).ok());
  const DomainConfig config = DomainConfig::Demo();
  std::string key;
  {
    CommandService handler(log.get(), keys.get(), &config);
    RegisterClient c;
    c.personal.surname = "Zanzibarova";
    c.personal.date_of_birth = "1977-03-14";
    c.personal.email = "zanzibarova@example.org";
    CommandResult r = handler.Execute(config.users.at("officer"), c);
    REQUIRE(r.ok());
    const std::string client = r.response["client_id"];
    REQUIRE(handler
                .Execute(config.users.at("officer"),
                         AddNote{r.response["case_id"], "Quixotic household", ""})
                .ok());
    REQUIRE(keys->KeyFor("client-" + client, false, &key).ok());
    REQUIRE(store->CompactAll().ok());  // the key is in table files now, not only the WAL
    REQUIRE(
        handler.Execute(config.users.at("admin"), DeleteClient{client, DeleteMode::kErase}).ok());
  }
  REQUIRE(keys->Purge().ok());  // what the handler schedules after an erasure
  CHECK(log->VerifyChain(1, 0).ok);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string content = bytes.str();
    INFO(entry.path().filename().string());
    CHECK(content.find(key) == std::string::npos);
    for (const char* plain :
         {"Zanzibarova", "zanzibarova@example.org", "1977-03-14", "Quixotic household"}) {
      CHECK(content.find(plain) == std::string::npos);
    }
  }
}
