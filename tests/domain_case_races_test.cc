// Given/When/Then tests of rules decided on the log's single writer thread: racing
// deletions of a client's cases, additions of the same person and assignments of the same
// officer role.
#include <catch2/catch.hpp>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "tests/domain_case_support.h"
#include "tests/domain_fixture.h"

using namespace caseengine;
using namespace caseengine::testing;

namespace {

using caseengine::testing::domain_case::CaseOf;
using caseengine::testing::domain_case::Ok;
using caseengine::testing::domain_case::Strings;

}  // namespace

TEST_CASE(
    "racing deletions of a client's two cases: exactly one wins and the client keeps one case",
    "[domain][case][concurrency]") {
  for (int round = 0; round < 10; ++round) {
    DomainFixture d;
    // Given a client with exactly two cases
    auto [client, first] = d.Register();
    const std::string second = Ok(d, "officer", OpenCase{client}).response["case_id"];
    const auto before = d.Head();
    // When 16 threads delete them both as the supervisor
    const Actor supervisor = d.config.users.at("supervisor");
    const int kThreads = 16;
    std::vector<CommandResult> results(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        results[t] = d.handler->Execute(supervisor, DeleteCase{t % 2 == 0 ? first : second});
      });
    }
    for (auto& t : threads) t.join();
    // Then exactly one deletion won; the others were refused by the rule or found nothing
    INFO("round " << round);
    int won = 0, last_case = 0, not_found = 0, other = 0;
    std::string deleted;
    for (int t = 0; t < kThreads; ++t) {
      const std::string kind = Kind(results[t]);
      if (kind == "ok") {
        won++;
        deleted = t % 2 == 0 ? first : second;
      } else if (kind == "rule-violated" && results[t].rejection.rule == "last-case-stays") {
        last_case++;
      } else if (kind == "not-found") {
        not_found++;
      } else {
        other++;
      }
    }
    CHECK(won == 1);
    CHECK(other == 0);
    CHECK(won + last_case + not_found == kThreads);
    // And the client has exactly one case, the one not deleted
    ClientState c = d.Client(client);
    REQUIRE(c.cases.size() == 1);
    CHECK(c.cases[0] != deleted);
    CHECK(d.Case(c.cases[0]).deleted == false);
    CHECK(d.Case(deleted).deleted);
    // And one deletion's two events were appended, nothing else
    CHECK(d.Head() == before + 2);
  }
}

TEST_CASE("racing additions of the same person to a case: exactly one wins",
          "[domain][case][concurrency]") {
  // Given a case and a registered partner (ten times over)
  for (int round = 0; round < 10; ++round) {
    DomainFixture d;
    auto [primary, kase] = d.Register("Primary", "1980-01-01");
    const std::string partner = d.Register("Partner", "1982-02-02").first;
    const auto before = d.Head();
    // When sixteen threads add the partner at once
    const Actor officer = d.config.users.at("officer");
    const int kThreads = 16;
    std::vector<CommandResult> results(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        results[t] =
            d.handler->Execute(officer, AddPerson{kase, partner, "partner", t % 2 == 0, ""});
      });
    }
    for (auto& t : threads) t.join();
    // Then exactly one wins, the rest are refused by person-already-on-case, and one event is
    // appended
    INFO("round " << round);
    int won = 0, refused = 0;
    for (const auto& r : results) {
      if (Kind(r) == "ok") won++;
      if (Kind(r) == "rule-violated" && r.rejection.rule == "person-already-on-case") refused++;
    }
    CHECK(won == 1);
    CHECK(refused == kThreads - 1);
    CaseState k = d.Case(kase);
    CHECK(k.people.size() == 2);
    CHECK(d.EventTypes(CaseOf(kase)) == Strings{"CaseOpened", "PersonAdded"});
    CHECK(d.Head() == before + 1);
  }
}

TEST_CASE("racing assignments of the same officer role: one is appended, the rest change nothing",
          "[domain][case][concurrency]") {
  // Given a case
  DomainFixture d;
  const std::string kase = d.Register().second;
  // When sixteen threads assign the supervisor the same role at once
  const Actor officer = d.config.users.at("officer");
  const int kThreads = 16;
  std::vector<CommandResult> results(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      results[t] = d.handler->Execute(officer, AssignOfficer{kase, "supervisor", "supervisor"});
    });
  }
  for (auto& t : threads) t.join();
  // Then one is appended, the rest change nothing
  int ok = 0, unchanged = 0;
  for (const auto& r : results) {
    if (Kind(r) == "ok") ok++;
    if (Kind(r) == "unchanged") unchanged++;
  }
  CHECK(ok == 1);
  CHECK(unchanged == kThreads - 1);
  CHECK(d.Case(kase).officers ==
        std::vector<CaseOfficer>{{"officer", "primary"}, {"supervisor", "supervisor"}});
}
