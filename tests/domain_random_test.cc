// Thousands of random commands from several threads, then a fold of the whole log from
// scratch that checks the invariants no sequence of commands may break: every client
// keeps a case, a deleted case is gone from its client, nobody is ever removed from a
// case, the primary applicant is always a current member, no officer holds a role twice.
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

TEST_CASE("random commands from several threads never break an invariant of the casework",
          "[domain][random]") {
  DomainFixture d;
  KnownIds known;
  std::atomic<int> ok{0}, refused{0}, errors{0};
  std::vector<std::thread> threads;
  const int kThreads = 4, kCommands = 750;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(1000 + t);
      for (int i = 0; i < kCommands; ++i) {
        CommandResult r = d.Run("supervisor", RandomCommand(known, rng));
        if (!r.status.ok()) {
          errors++;
          continue;
        }
        if (r.rejected) {
          refused++;
          continue;
        }
        ok++;
        if (r.response.contains("client_id")) known.Add(known.clients, r.response["client_id"]);
        if (r.response.contains("case_id")) known.Add(known.cases, r.response["case_id"]);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(errors.load() == 0);
  CHECK(ok.load() > 500);
  CHECK(refused.load() > 100);  // the rules were exercised, not just the happy paths

  // Fold the whole log from scratch.
  std::map<std::string, ClientState> clients;
  std::map<std::string, CaseState> cases;
  std::map<std::string, std::set<std::string>> ever_added;  // case stream -> client ids
  std::vector<RecordedEvent> all;
  REQUIRE(d.log->ReadAll(1, 10000000, &all).ok());
  REQUIRE(all.size() == d.Head());
  for (const RecordedEvent& r : all) {
    Event e;
    REQUIRE(d.handler->codec().Decode(r.type, r.payload, &e).ok());
    if (r.stream.rfind("client-", 0) == 0) {
      Evolve(&clients[r.stream], e);
    } else {
      Evolve(&cases[r.stream], e);
      if (e.type == EventType::kPersonAdded || e.type == EventType::kCaseOpened) {
        ever_added[r.stream].insert(e.client_id);
      }
    }
  }
  REQUIRE(!clients.empty());
  for (const auto& [stream, c] : clients) {
    INFO(stream);
    CHECK(c.exists);
    CHECK(!c.cases.empty());  // a client keeps at least one case
    for (const auto& case_id : c.cases) {
      auto k = cases.find("case-" + case_id);
      REQUIRE(k != cases.end());
      CHECK_FALSE(k->second.deleted);
      CHECK(k->second.client_id == c.id);
    }
  }
  for (const auto& [stream, k] : cases) {
    INFO(stream);
    CHECK(k.exists);
    const ClientState& owner = clients["client-" + k.client_id];
    const bool listed =
        std::find(owner.cases.begin(), owner.cases.end(), k.id) != owner.cases.end();
    CHECK(listed == !k.deleted);  // a deleted case is gone from its client, a live one is not
    for (const auto& added : ever_added[stream])
      CHECK(k.Person(added) != nullptr);  // never removed
    const CasePerson* primary = k.Person(k.primary_applicant);
    REQUIRE(primary != nullptr);
    CHECK(primary->date_left.empty());
    std::set<std::pair<std::string, std::string>> roles;
    for (const auto& o : k.officers) CHECK(roles.insert({o.user_id, o.role}).second);
    // The handler's own read agrees with the fold.
    if (!k.deleted) {
      CaseState read = d.Case(k.id);
      CHECK(read.version == k.version);
      CHECK(read.people.size() == k.people.size());
    }
  }
  CHECK(d.log->VerifyChain(1, 0).ok);
}
