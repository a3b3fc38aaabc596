// Helpers of the seeder's tests: see seeded_domain.h.
#include "tests/seeded_domain.h"

#include <algorithm>
#include <catch2/catch.hpp>

namespace caseengine::testing {

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

std::vector<std::string> SortedSurnames(const CommandService& handler, const Census& census) {
  std::vector<std::string> surnames;
  for (const std::string& id : census.clients) {
    ClientState client;
    REQUIRE(handler.ReadClient(id, &client).ok());
    surnames.push_back(client.personal.surname.value_or(""));
  }
  std::sort(surnames.begin(), surnames.end());
  return surnames;
}

}  // namespace caseengine::testing
