// Helpers of the seeder's tests: a domain on a demo seeding's clock (SeededDomain), and
// what a seeded log holds (Census).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "demo/caseload_seeder.h"
#include "demo/seed_clock.h"
#include "tests/domain_fixture.h"

namespace caseengine::testing {

// The seeding's clock; its real time is the fixture's (2026-11-22T09:00:00Z, a
// microsecond more at each reading).
struct FixtureSeedClock {
  std::atomic<int64_t> ticks{0};
  SeedClock clock{[this] { return DomainFixture::kTodayMicros + ticks++; }};
};

// An in-memory domain whose log and handler read a SeedClock, as `caseengine seed`'s do.
class SeededDomain : public FixtureSeedClock, public DomainFixture {
 public:
  SeededDomain()
      : DomainFixture([this] { return clock.Micros(); }, [this] { return clock.Today(); }) {}

  // Options for `clients` clients from `seed`, on this domain's clock, as of its today.
  SeedOptions Options(int clients, uint64_t seed) {
    SeedOptions options;
    options.clients = clients;
    options.seed = seed;
    options.clock = &clock;
    options.as_of = kToday;
    return options;
  }
};

// Seeds `options` into the domain; fails the test on an error.
SeedReport Seed(DomainFixture* d, const SeedOptions& options);
std::string Refusals(const SeedReport& report);

// What a seeded log holds: event counts by type, and the ids of its streams.
struct Census {
  std::map<std::string, int> types;
  std::vector<std::string> clients, cases, lobby;

  int Count(const std::string& type) const {
    auto it = types.find(type);
    return it == types.end() ? 0 : it->second;
  }
};
Census TakeCensus(const EventLog& log);

std::vector<std::string> SortedSurnames(const CommandService& handler, const Census& census);

}  // namespace caseengine::testing
