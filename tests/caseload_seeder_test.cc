// Tests of CaseloadSeeder: a seeded caseload has the size asked for, went through the
// command path with nothing refused, keeps the domain's invariants when read back, is the
// same for the same seed, and leaves a log whose hash chain verifies; in memory
// (DomainFixture) and in a RocksDB folder. Its history spreads over two years on a clock
// that walks (tests of that in caseload_history_test.cc). Each test seeds on its own
// fixture; the seeder's threads are joined before anything is asserted.
#include "demo/caseload_seeder.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "aggregates/key_store.h"
#include "aggregates/strand_rules.h"
#include "events/log_store.h"
#include "tests/domain_fixture.h"
#include "tests/seeded_domain.h"
#include "tests/test_support.h"

namespace caseengine::testing {

TEST_CASE("seeding writes the clients asked for with nothing refused", "[seeder]") {
  SeededDomain d;
  const SeedReport report = Seed(&d, d.Options(200, 7));
  INFO(Refusals(report));
  CHECK(report.refused == 0);
  CHECK(report.clients == 200);
  CHECK(report.lobby > 0);
  CHECK(report.moves > 0);
  CHECK(report.notes > 0);
  CHECK(report.actions > 0);
  CHECK(report.strands > 0);
  CHECK(report.commands > report.clients);
  CHECK(report.last_position == d.Head());

  const Census census = TakeCensus(*d.log);
  CHECK(static_cast<int>(census.clients.size()) == report.clients);
  CHECK(static_cast<int>(census.cases.size()) == report.cases);
  CHECK(static_cast<int>(census.lobby.size()) == report.lobby);
  CHECK(census.Count("StrandMovedOut") == report.moves);
  CHECK(census.Count("NoteAdded") == report.notes);
  CHECK(census.Count("ActionCreated") == report.actions);
  CHECK(census.Count("PersonAdded") > 0);
  CHECK(census.Count("LobbyClientCreated") > 0);
  CHECK(census.Count("LobbyRecordAssigned") > 0);
  CHECK(census.Count("CaseClosed") > 0);
  for (const std::string& id : census.clients) {
    CHECK_FALSE(d.Client(id).cases.empty());
  }
  const VerifyReport verified = d.log->VerifyChain(1, 0);
  INFO(verified.reason);
  CHECK(verified.ok);
  CHECK(verified.checked == d.Head());
}

TEST_CASE("seeding is deterministic for a seed", "[seeder]") {
  SeededDomain first, second, other;
  const SeedReport a = Seed(&first, first.Options(200, 42));
  const SeedReport b = Seed(&second, second.Options(200, 42));
  const SeedReport c = Seed(&other, other.Options(200, 43));
  const Census census_a = TakeCensus(*first.log), census_b = TakeCensus(*second.log),
               census_c = TakeCensus(*other.log);
  CHECK(census_a.types == census_b.types);
  CHECK(SortedSurnames(*first.handler, census_a) == SortedSurnames(*second.handler, census_b));
  CHECK(a.cases == b.cases);
  CHECK(a.commands == b.commands);
  // Another seed, another caseload.
  CHECK(census_a.types != census_c.types);
  CHECK(SortedSurnames(*first.handler, census_a) != SortedSurnames(*other.handler, census_c));
  CHECK(c.clients == 200);
}

TEST_CASE("the rules hold in a seeded caseload", "[seeder]") {
  SeededDomain d;
  const SeedReport report = Seed(&d, d.Options(300, 3));
  INFO(Refusals(report));
  REQUIRE(report.refused == 0);
  const Census census = TakeCensus(*d.log);

  // A client keeps at least one live case.
  for (const std::string& id : census.clients) {
    const ClientState client = d.Client(id);
    REQUIRE_FALSE(client.cases.empty());
    for (const std::string& case_id : client.cases) CHECK_FALSE(d.Case(case_id).deleted);
  }
  // Strand cardinality, over each case and over each applicant's active cases.
  std::map<std::pair<std::string, std::string>, int> per_applicant;  // applicant, type
  for (const std::string& id : census.cases) {
    const CaseState kase = d.Case(id);
    CHECK_FALSE(kase.people.empty());
    CHECK_FALSE(kase.officers.empty());
    std::map<std::string, int> per_case;
    for (const CaseStrand& strand : kase.strands) {
      if (!strand.Current()) continue;
      const StrandRules* rules = StrandRules::Find(strand.type);
      REQUIRE(rules != nullptr);
      if (rules->cardinality == StrandRules::Cardinality::kOnePerCase) {
        per_case[strand.type]++;
      }
      if (rules->cardinality == StrandRules::Cardinality::kOnePerApplicant && kase.Active()) {
        per_applicant[{kase.primary_applicant, strand.type}]++;
      }
    }
    for (const auto& [type, n] : per_case) {
      INFO("case " << id << " " << type);
      CHECK(n == 1);
    }
  }
  REQUIRE_FALSE(per_applicant.empty());
  for (const auto& [key, n] : per_applicant) {
    INFO("applicant " << key.first << " " << key.second);
    CHECK(n == 1);
  }
  // Every Lobby record is still waiting or was decided once.
  for (const std::string& id : census.lobby) {
    LobbyState lobby;
    const Status s = d.handler->ReadLobby(id, &lobby);
    REQUIRE(s.ok());
    CHECK(lobby.exists);
  }
}

TEST_CASE("seeding into a RocksDB folder reports what it wrote", "[seeder]") {
  TempDir tmp;
  std::unique_ptr<Store> store;
  std::unique_ptr<EventLog> log;
  std::unique_ptr<KeyStore> keys;
  FixtureSeedClock seeding;
  EventLogOptions log_options;
  log_options.clock = [&] { return seeding.clock.Micros(); };
  REQUIRE(OpenLogFolder(tmp.Sub("data"), false, &store, &log, log_options).ok());
  REQUIRE(KeyStore::Open(store.get(), TestKek(), &keys).ok());
  const DomainConfig config = DomainConfig::Demo();
  SeedReport report;
  std::vector<int> progress;  // called on this thread
  {
    CommandServiceOptions handler_options;
    handler_options.today = [&] { return seeding.clock.Today(); };
    CommandService handler(log.get(), keys.get(), &config, handler_options);
    SeedOptions options;
    options.clients = 300;
    options.seed = 11;
    options.clock = &seeding.clock;
    options.progress = [&](int clients) { progress.push_back(clients); };
    const Status s = SeedCaseload(&handler, config, options, &report);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  INFO(Refusals(report));
  CHECK(report.refused == 0);
  CHECK(report.clients == 300);
  CHECK(report.last_position == log->HeadPosition());
  REQUIRE_FALSE(progress.empty());
  CHECK(progress.back() == report.clients);
  CHECK(std::is_sorted(progress.begin(), progress.end()));
  const Census census = TakeCensus(*log);
  CHECK(static_cast<int>(census.clients.size()) == report.clients);
  CHECK(static_cast<int>(census.cases.size()) == report.cases);
  CHECK(log->VerifyChain(1, 0).ok);
}

TEST_CASE("seeding needs the demo users and a clock, and writes nothing without them", "[seeder]") {
  SeededDomain d;
  DomainConfig config = DomainConfig::Demo();
  config.users.erase("supervisor");
  SeedReport report;
  const Status s = SeedCaseload(d.handler.get(), config, d.Options(10, 1), &report);
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(d.Head() == 0);

  SeedOptions bad_date = d.Options(10, 1);
  bad_date.as_of = "2026-02-30";
  CHECK(SeedCaseload(d.handler.get(), d.config, bad_date, &report).code() ==
        Status::Code::kInvalidArgument);
  // A demo caseload is history: its today is not after the clock's.
  SeedOptions future = d.Options(10, 1);
  future.as_of = "2026-11-23";
  CHECK(SeedCaseload(d.handler.get(), d.config, future, &report).code() ==
        Status::Code::kInvalidArgument);
  SeedOptions no_clock = d.Options(10, 1);
  no_clock.clock = nullptr;
  CHECK(SeedCaseload(d.handler.get(), d.config, no_clock, &report).code() ==
        Status::Code::kInvalidArgument);
  CHECK(Seed(&d, d.Options(0, 1)).commands == 0);
  CHECK(d.Head() == 0);
  CHECK_FALSE(d.clock.walking());
}

}  // namespace caseengine::testing
