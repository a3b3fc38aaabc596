// Tests of CaseloadSeeder: a seeded caseload has the size asked for, went through the
// command path with nothing refused, keeps the domain's invariants when read back, is the
// same for the same seed, and leaves a log whose hash chain verifies; in memory
// (DomainFixture) and in a RocksDB folder. Each test seeds on its own fixture; the seeder's
// threads are joined before anything is asserted.
#include "aggregates/caseload_seeder.h"

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
#include "tests/test_support.h"

namespace caseengine::testing {
namespace {

SeedOptions Options(int clients, uint64_t seed) {
  SeedOptions options;
  options.clients = clients;
  options.seed = seed;
  options.as_of = DomainFixture::kToday;
  return options;
}

// What a seeded log holds: event counts by type, and the ids of its streams.
struct Census {
  std::map<std::string, int> types;
  std::vector<std::string> clients, cases, lobby;

  int Count(const std::string& type) const {
    auto it = types.find(type);
    return it == types.end() ? 0 : it->second;
  }
};

Census TakeCensus(const EventLog& log) {
  Census census;
  const Status s = log.Scan(1, 0, [&](const EventView& v) {
    census.types[std::string(v.type())]++;
    if (v.version() != 1) return true;
    const std::string stream(v.stream());
    const size_t dash = stream.find('-');
    const std::string kind = stream.substr(0, dash), id = stream.substr(dash + 1);
    if (kind == "client") census.clients.push_back(id);
    if (kind == "case") census.cases.push_back(id);
    if (kind == "lobby") census.lobby.push_back(id);
    return true;
  });
  REQUIRE(s.ok());
  return census;
}

std::vector<std::string> SortedSurnames(const CommandHandler& handler, const Census& census) {
  std::vector<std::string> surnames;
  for (const std::string& id : census.clients) {
    ClientState client;
    REQUIRE(handler.ReadClient(id, &client).ok());
    surnames.push_back(client.personal.surname.value_or(""));
  }
  std::sort(surnames.begin(), surnames.end());
  return surnames;
}

// Seeds `options` into a fresh in-memory domain; fails the test on an error.
SeedReport Seed(DomainFixture* d, const SeedOptions& options) {
  SeedReport report;
  const Status s = SeedCaseload(d->handler.get(), d->config, options, &report);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return report;
}

std::string Refusals(const SeedReport& report) {
  std::string all;
  for (const std::string& r : report.refusals) all += r + "\n";
  return all;
}

}  // namespace

TEST_CASE("seeding writes the clients asked for with nothing refused", "[seeder]") {
  DomainFixture d;
  const SeedReport report = Seed(&d, Options(200, 7));
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
  DomainFixture first, second, other;
  const SeedReport a = Seed(&first, Options(200, 42));
  const SeedReport b = Seed(&second, Options(200, 42));
  const SeedReport c = Seed(&other, Options(200, 43));
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
  DomainFixture d;
  const SeedReport report = Seed(&d, Options(300, 3));
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
  REQUIRE(OpenLogFolder(tmp.Sub("data"), false, &store, &log).ok());
  REQUIRE(KeyStore::Open(store.get(), TestKek(), &keys).ok());
  const DomainConfig config = DomainConfig::Demo();
  SeedReport report;
  std::vector<int> progress;  // called on this thread
  {
    CommandHandler handler(log.get(), keys.get(), &config);
    SeedOptions options;
    options.clients = 300;
    options.seed = 11;
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

TEST_CASE("seeding needs the demo users and writes nothing without them", "[seeder]") {
  DomainFixture d;
  DomainConfig config = DomainConfig::Demo();
  config.users.erase("supervisor");
  SeedReport report;
  const Status s = SeedCaseload(d.handler.get(), config, Options(10, 1), &report);
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(d.Head() == 0);

  SeedOptions bad_date = Options(10, 1);
  bad_date.as_of = "2026-02-30";
  CHECK(SeedCaseload(d.handler.get(), d.config, bad_date, &report).code() ==
        Status::Code::kInvalidArgument);
  CHECK(Seed(&d, Options(0, 1)).commands == 0);
  CHECK(d.Head() == 0);
}

}  // namespace caseengine::testing
