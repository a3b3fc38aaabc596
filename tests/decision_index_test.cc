// Tests of the decision index (app/decision_index.h): the cases each client is the
// primary applicant of, kept beside the log in the batches of its events, so that a
// restart decides the rules over several streams without reading the log; built from
// the log once for a folder from before it; equal after random casework (switches,
// deletions, erasures) to the index built from the log; built again from the log when
// its marker is unreadable; and a restored case that counts against its applicant again.
#include "app/decision_index.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>
#include <tuple>

#include "events/log_store.h"
#include "storage/memory_store.h"
#include "tests/domain_fixture.h"

namespace caseengine::testing {
namespace {

// Every row of the decision family, key to value.
std::map<std::string, std::string> Rows(const Store& store) {
  FamilyId family;
  REQUIRE(store.Family(kDecisionFamily, &family).ok());
  std::map<std::string, std::string> rows;
  auto it = store.NewIterator(family, ReadPattern::kScan);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rows.emplace(std::string(it->key()), std::string(it->value()));
  }
  return rows;
}

// The rows the index has when built from `d`'s log alone.
std::map<std::string, std::string> BuiltFromLog(DomainFixture& d) {
  MemoryStore fresh({kDecisionFamily});
  DecisionIndex index(&fresh);
  REQUIRE(index.Build(*d.log, d.handler->codec()).ok());
  return Rows(fresh);
}

CommandService Restarted(DomainFixture& d) {
  CommandServiceOptions options;
  options.today = [] { return std::string(DomainFixture::kToday); };
  return CommandService(d.log.get(), d.keys.get(), &d.config, options);
}

// Given a client with two cases (its first and another), with a Housing Register
// application on the first when `apply`.
struct TwoCases {
  explicit TwoCases(bool apply) {
    std::tie(client, first) = d.Register();
    CommandResult r = d.Run("officer", OpenCase{client});
    REQUIRE(r.ok());
    second = r.response["case_id"];
    if (apply) REQUIRE(d.Run("officer", AddStrand{first, "housing_register"}).ok());
  }
  DomainFixture d;
  std::string client, first, second;
};

}  // namespace

TEST_CASE("the decision index is written with the events that change it", "[decision-index]") {
  // Given a client with two cases
  TwoCases g(/*apply=*/false);
  auto& [d, client, first, second] = g;

  // When nothing else happens
  // Then the index holds both cases under their applicant, and its marker
  const auto rows = Rows(*d.store);
  CHECK(rows.count("p/" + client + "/" + first) == 1);
  CHECK(rows.count("p/" + client + "/" + second) == 1);
  CHECK(rows.at("format") == "1");
  CHECK(rows == BuiltFromLog(d));
}

TEST_CASE("one current application per applicant holds after a restart from the index alone",
          "[decision-index][domain][strand]") {
  // Given a Housing Register application on a client's first case
  TwoCases g(/*apply=*/true);
  auto& [d, client, first, second] = g;

  // When a new command service over the same folder is asked for one on the second case
  CommandService fresh = Restarted(d);
  CommandResult again =
      fresh.Execute(d.config.users["officer"], AddStrand{second, "housing_register"});

  // Then it is refused by the rule, as before the restart
  CHECK(Kind(again) == "rule-violated");
  CHECK(again.rejection.rule == "one-current-per-applicant");
}

TEST_CASE("a folder from before the decision index has it built from the log once",
          "[decision-index]") {
  // Given casework, then the index's rows gone, as in a folder written before it
  TwoCases g(/*apply=*/true);
  auto& [d, client, first, second] = g;
  const auto before = Rows(*d.store);
  FamilyId family;
  REQUIRE(d.store->Family(kDecisionFamily, &family).ok());
  for (const auto& [key, value] : before) d.store->RawDelete(family, key);
  REQUIRE(Rows(*d.store).empty());

  // When a new command service decides its first command
  CommandService fresh = Restarted(d);
  CommandResult again =
      fresh.Execute(d.config.users["officer"], AddStrand{second, "housing_register"});

  // Then the rows are built again, the same, and the rule holds
  CHECK(Kind(again) == "rule-violated");
  CHECK(Rows(*d.store) == before);
}

TEST_CASE("an unreadable decision index is built again from the log, and the engine says so",
          "[decision-index]") {
  // Given casework, then the index's marker damaged and a row that no event wrote
  TwoCases g(/*apply=*/true);
  auto& [d, client, first, second] = g;
  const auto before = Rows(*d.store);
  FamilyId family;
  REQUIRE(d.store->Family(kDecisionFamily, &family).ok());
  WriteBatch damage;
  damage.Put(family, "format", "\x01garbage");
  damage.Put(family, "p/" + client + "/ffffffffffffffffffffffffffffffff", "");
  REQUIRE(d.store->Write(damage, /*sync=*/true).ok());

  // When a new command service decides its first command
  CommandService fresh = Restarted(d);
  CHECK(fresh.DecisionIndexNote().empty());
  CommandResult again =
      fresh.Execute(d.config.users["officer"], AddStrand{second, "housing_register"});

  // Then the rows are those of the log again, the rule holds, and the service says why
  CHECK(Kind(again) == "rule-violated");
  CHECK(Rows(*d.store) == before);
  CHECK(fresh.DecisionIndexNote().find("built again from the log") != std::string::npos);
}

TEST_CASE("a restored case counts against its applicant again",
          "[decision-index][domain][strand]") {
  // Given a client whose first case holds a Housing Register application, deleted with
  // the client and restored with it
  TwoCases g(/*apply=*/true);
  auto& [d, client, first, second] = g;
  REQUIRE(Kind(d.Run("admin", DeleteClient{client, DeleteMode::kSoft})) == "ok");
  REQUIRE(Kind(d.Run("admin", RestoreClient{client})) == "ok");

  // When a second one is asked for on the other case, before and after a restart
  CommandResult now = d.Run("officer", AddStrand{second, "housing_register"});
  CommandService fresh = Restarted(d);
  CommandResult after =
      fresh.Execute(d.config.users["officer"], AddStrand{second, "housing_register"});

  // Then both are refused: the restored case's application is current again
  CHECK(now.rejection.rule == "one-current-per-applicant");
  CHECK(after.rejection.rule == "one-current-per-applicant");
}

TEST_CASE("the decision index after random casework is the index built from the log",
          "[decision-index]") {
  // Given random casework with primary applicant switches, deletions and erasures
  DomainFixture d;
  KnownIds known;
  std::mt19937 rng(21);
  RandomCasework(d, known, rng, 600, 53);

  // When the rows are read, and built from the log alone
  // Then they are the same, and no erasure is left pending (its keys are destroyed)
  // (built from the log, every erasure in it is pending: its keys may have outlived a
  // crash, and destroying them again is harmless)
  const auto rows = Rows(*d.store);
  std::map<std::string, std::string> links, built_links;
  for (const auto& [k, v] : rows) {
    if (k.starts_with("p/")) links.emplace(k, v);
    CHECK_FALSE(k.starts_with("e/"));
  }
  for (const auto& [k, v] : BuiltFromLog(d)) {
    if (k.starts_with("p/")) built_links.emplace(k, v);
  }
  CHECK(links == built_links);
  CHECK(links.size() > 50);
}

}  // namespace caseengine::testing
