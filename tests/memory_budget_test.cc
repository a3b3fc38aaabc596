// Tests of the memory budget (base/memory_budget.h): sizes as an operator writes them, its
// division into shares; caches held to their bounds while far more is decided and sealed
// than they hold, deciding and opening exactly as unbounded ones; and a served engine
// that takes its bounds from --memory-budget and shows each cache in /metrics.
#include "base/memory_budget.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "app/kept_answers.h"
#include "tests/domain_fixture.h"
#include "tests/http_test_support.h"
#include "tests/test_support.h"

namespace caseengine::testing {

TEST_CASE("a memory budget is read as an operator writes it", "[memory]") {
  MemoryBudget b;
  REQUIRE(MemoryBudget::Parse("512M", &b).ok());
  CHECK(b.total == 512ull << 20);
  REQUIRE(MemoryBudget::Parse("2G", &b).ok());
  CHECK(b.total == 2ull << 30);
  REQUIRE(MemoryBudget::Parse("1.5g", &b).ok());
  CHECK(b.total == 3ull << 29);
  REQUIRE(MemoryBudget::Parse("1073741824", &b).ok());
  CHECK(b.total == 1ull << 30);
  for (const char* bad : {"", "G", "2X", "2GB", "-1G", "1e9", "abc", "10M", "9999999T"}) {
    INFO(bad);
    CHECK(MemoryBudget::Parse(bad, &b).code() == Status::Code::kInvalidArgument);
  }
  // Without one: a quarter of the machine, at least 1 GiB.
  CHECK(MemoryBudget::Default().total >= 1ull << 30);
}

TEST_CASE("a memory budget's shares add up to it", "[memory]") {
  MemoryBudget b;
  REQUIRE(MemoryBudget::Parse("1G", &b).ok());
  const uint64_t sum = b.block_cache_bytes() + b.memtable_bytes() + b.decision_cache_bytes() +
                       b.key_cache_bytes() + b.kept_answers_bytes() + b.read_model_bytes();
  CHECK(sum <= b.total);
  CHECK(sum >= b.total - 8);
  CHECK(b.decision_cache_entries() ==
        b.decision_cache_bytes() / MemoryBudget::kDecisionEntryBytes + 16);
}

TEST_CASE("the key cache stays within its bound and every sealed field still opens", "[memory]") {
  // Given a key cache bounded to 40 keys
  DomainFixture d;
  d.keys->SetCacheLimit(40);
  std::vector<std::string> clients;

  // When 300 clients are registered, each with a key of its own and of its case
  for (int i = 0; i < 300; ++i) {
    clients.push_back(d.Register().first);
    REQUIRE(d.keys->Stats().entries <= 40);
  }

  // Then the cache never held more than its bound, and every client's name still opens,
  // the first one's key read from the store again
  const CacheStats stats = d.keys->Stats();
  CHECK(stats.capacity == 40);
  CHECK(stats.entries <= 40);
  for (const std::string& id : {clients.front(), clients[150], clients.back()}) {
    ClientState s;
    REQUIRE(d.handler->ReadClient(id, &s).ok());
    REQUIRE(s.personal.surname.has_value());
    CHECK_FALSE(s.personal.surname->empty());
  }
  CHECK(d.keys->Stats().misses > stats.misses);
}

TEST_CASE("kept answers stay within their bound, the oldest going first", "[memory]") {
  KeptAnswers kept(3);
  for (int i = 0; i < 10; ++i) kept.Keep("user/key-" + std::to_string(i), {{}, "digest"});
  CHECK(kept.Stats().entries == 3);
  CHECK_FALSE(kept.Find("user/key-0").has_value());
  CHECK(kept.Find("user/key-9").has_value());
  CHECK(kept.Stats().hits == 1);
  CHECK(kept.Stats().misses == 1);
}

TEST_CASE("http: a served engine takes its bounds from --memory-budget and shows them in /metrics",
          "[memory][http]") {
  // Given a server with a budget of 128M
  TempDir dir;
  ServerProcess server(dir.Sub("data"), {"--memory-budget", "128M"});
  HttpClient officer = server.Client();
  REQUIRE(
      officer.Post("/clients", {{"surname", "Budget"}, {"date_of_birth", "1980-02-02"}}).status ==
      201);

  // When the metrics are read
  const std::string text = officer.Get("/metrics").body;

  // Then each cache is there with the bound its share gives
  MemoryBudget b;
  REQUIRE(MemoryBudget::Parse("128M", &b).ok());
  CHECK_THAT(text, Catch::Contains("caseengine_memory_budget_bytes " + std::to_string(b.total)));
  CHECK_THAT(text, Catch::Contains("caseengine_cache_capacity{cache=\"decision\"} " +
                                   std::to_string(b.decision_cache_entries())));
  CHECK_THAT(text, Catch::Contains("caseengine_cache_capacity{cache=\"keys\"} " +
                                   std::to_string(b.key_cache_entries())));
  CHECK_THAT(text, Catch::Contains("caseengine_cache_capacity{cache=\"kept_answers\"} " +
                                   std::to_string(b.kept_answers_entries())));
  CHECK_THAT(text, Catch::Contains("caseengine_cache_capacity{cache=\"block_cache\"} " +
                                   std::to_string(b.block_cache_bytes())));
  CHECK_THAT(text, Catch::Contains("caseengine_cache_misses_total{cache=\"decision\"}"));
  CHECK_THAT(text, Catch::Contains("caseengine_resident_bytes "));
  // and each family's files on disk
  CHECK_THAT(text, Catch::Contains("caseengine_store_family_bytes{family=\"log\"} "));
  CHECK_THAT(text, Catch::Contains("caseengine_store_family_bytes{family=\"decision\"} "));
}

TEST_CASE("caseengine serve refuses a memory budget that is not a size", "[memory][http]") {
  TempDir dir;
  const std::string out = dir.Sub("out");
  const std::string command = std::string(CASEENGINE_PATH) + " serve --demo --data " +
                              dir.Sub("data") + " --listen 127.0.0.1:0 --memory-budget lots > " +
                              out + " 2>&1";
  CHECK(std::system(command.c_str()) != 0);
  std::ifstream in(out);
  const std::string printed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_THAT(printed, Catch::Contains("memory budget 'lots' is not a size"));
}

}  // namespace caseengine::testing
