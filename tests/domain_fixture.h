// A domain under test: an in-memory store, the log, the key store and a CommandService
// with the demo configuration, a fixed date and predictable ids ("id1", "id2", ...).
// Given/When/Then tests drive it through Execute and look at state and events.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "aggregates/decide.h"
#include "aggregates/key_store.h"
#include "app/command_service.h"
#include "events/log_store.h"
#include "storage/memory_store.h"

namespace caseengine::testing {

// The key-encryption key of stores that live in memory (random, one per test process).
const KeyEncryptionKey* TestKek();
// The key-encryption key of a data folder on disk: DIR.kek beside it, made at the first
// call as the demo makes it, so that caseengine and casereplay find it there too.
KeyEncryptionKey KekFor(const std::string& dir);

class DomainFixture {
 public:
  static constexpr const char* kToday = "2026-11-22";
  // 2026-11-22T09:00:00Z: where the log's clock starts (it moves a microsecond a reading).
  static constexpr int64_t kTodayMicros = 1795338000000000;

  // `max_cached_aggregates`: the handler's decision cache bound (CommandServiceOptions).
  explicit DomainFixture(
      size_t max_cached_aggregates = CommandServiceOptions().max_cached_aggregates);
  // A domain whose log reads `clock` and whose handler reads `today` instead (a demo
  // seeding's SeedClock, which must outlive the fixture).
  DomainFixture(std::function<int64_t()> clock, std::function<std::string()> today);
  ~DomainFixture();

  // Runs a command as a user of the demo configuration (admin, officer, supervisor,
  // auditor).
  CommandResult Run(const std::string& user, Command command,
                    const CommandOptions& options = CommandOptions());
  // Registers a client as `officer` (surname, date of birth, and the given extras);
  // returns {client_id, case_id}. Fails the test when refused.
  std::pair<std::string, std::string> Register(const std::string& surname = "Example",
                                               const std::string& date_of_birth = "1985-04-12",
                                               PersonalFields extra = PersonalFields());

  ClientState Client(const std::string& client_id);  // durable state; fails when missing
  CaseState Case(const std::string& case_id);
  // The decoded events of a stream, oldest first.
  std::vector<Event> Events(const std::string& stream);
  std::vector<std::string> EventTypes(const std::string& stream);
  uint64_t Head() const { return log->HeadPosition(); }

  DomainConfig config = DomainConfig::Demo();
  std::unique_ptr<MemoryStore> store;
  std::unique_ptr<EventLog> log;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<CommandService> handler;

 private:
  void Open(size_t max_cached_aggregates, std::function<int64_t()> clock,
            std::function<std::string()> today);

  std::atomic<int> next_id_{0};
  std::atomic<int64_t> clock_ticks_{0};
};

// Ids seen created, for random commands to aim at (some will be stale: fine). Thread-safe.
struct KnownIds {
  std::mutex mu;
  std::vector<std::string> clients, cases;
  std::string Pick(std::vector<std::string>& v, std::mt19937& rng);
  void Add(std::vector<std::string>& v, const std::string& id);
};

// A random command over the casework of clients and cases (registrations, cases, people,
// officers, notes, actions, closures, deletions of cases, client status), aimed at ids of
// `known`; many are refused by a rule, as a busy office's would be.
Command RandomCommand(KnownIds& known, std::mt19937& rng);
// `commands` random commands sent by the administrator to `d`, every `delete_every`-th
// (when a client is known) a deletion of a client, by erasure every other time and softly
// otherwise; the ids the accepted ones made are added to `known`.
void RandomCasework(DomainFixture& d, KnownIds& known, std::mt19937& rng, int commands,
                    int delete_every);

// The stable problem kind of a result, for CHECKs: "ok", "unchanged", "validation",
// "not-found", "forbidden", "rule-violated", "version-mismatch" or "error".
std::string Kind(const CommandResult& result);
// True when the result's validation errors name `field`.
bool NamesField(const CommandResult& result, const std::string& field);

}  // namespace caseengine::testing
