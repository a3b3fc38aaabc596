// Engine: the application's wiring. A data folder opened for work: the store, the event
// log, the data keys, the command service (the one write path), the read models with the
// runner that keeps them up to date, and the query service (the one read path). What
// `caseengine serve`, `seed` and `rebuild`, the benches and the end-to-end tests run on;
// the HTTP API translates requests into calls of its two services.
//
// A full (or failing) disk stops the store and the log at the first failed write (see
// Store::Health, EventLog::Resume): commands are refused, reads go on. A thread of the
// engine ("recovery") then tries every recovery_interval to recover the store and
// resume the log, so writing goes on by itself once space is freed; the runner goes on
// once the store takes writes again.
//
// Teardown order matters and is kept here: the recovery thread stops first, then the
// runner, then the handler, then the log (which finishes queued appends), then the store.
//
// Threading: the parts are thread-safe as documented in their own headers.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "aggregates/config.h"
#include "aggregates/key_store.h"
#include "app/command_service.h"
#include "app/query_service.h"
#include "base/memory_budget.h"
#include "events/event_log.h"
#include "projections/projection_runner.h"
#include "projections/read_models.h"
#include "storage/rocks_store.h"
#include "storage/store.h"

namespace caseengine {

struct EngineOptions {
  std::string dir;
  const DomainConfig* config = nullptr;  // not owned; must outlive the engine
  bool start_runner = true;              // tail the log in the background
  // Load the read models' rows and catch them up. Off only for a rebuild of every read
  // model, which empties them anyway.
  bool load_read_models = true;
  // The lists' families get vector memtables (RocksStoreOptions::write_only_families), for
  // a runner that writes them as it goes. Off for `caseengine rebuild`, which writes each
  // once, sorted, at its end, and gains more from memtable inserts that run side by side.
  bool write_only_lists = true;
  // Wraps the folder's data keys (see key_store.h); required. Comes from outside the
  // folder: the config, the environment, or the demo's file beside it.
  KeyEncryptionKey kek;
  // The log's clock (EventLogOptions::clock); the system clock when empty. A demo seeding
  // gives its SeedClock here and to `commands.today` (demo/seed_clock.h).
  std::function<int64_t()> clock;
  // Bounds the caches and RocksDB's memory (base/memory_budget.h); the decision cache's and
  // the kept answers' bounds in `commands` are taken from it.
  MemoryBudget memory = MemoryBudget::Default();
  CommandServiceOptions commands;
  ProjectionRunnerOptions runner;
  // How often a stopped store and log are tried again (see Engine).
  std::chrono::milliseconds recovery_interval{500};
  // Tests only: makes the folder's disk full on demand (RocksStoreOptions::disk_full).
  std::shared_ptr<DiskFullSwitch> disk_full;
};

class Engine {
 public:
  // Opens (creating when missing) the folder for writing, loads the read models and
  // catches them up with the log before it returns.
  static Status Open(const EngineOptions& options, std::unique_ptr<Engine>* engine);
  ~Engine();

  // The RocksDB options of a data folder with the log and every read model.
  static RocksStoreOptions StoreOptions(const std::string& dir, bool read_only,
                                        bool write_only_lists = true);

  Store& store() { return *store_; }
  EventLog& log() { return *log_; }
  KeyStore& keys() { return *keys_; }
  CommandService& commands() { return *commands_; }
  // Every cache's size, bound, share of the budget, hits and misses (for /metrics).
  std::vector<CacheStats> CacheStatistics() const;
  const MemoryBudget& memory_budget() const { return options_.memory; }
  const QueryService& queries() const { return *queries_; }
  ProjectionRunner& runner() { return *runner_; }
  ReadModels& read_models() { return *read_models_; }
  const DomainConfig& config() const { return *options_.config; }

  // Ok while commands can be written; otherwise why not (the store's refusal, or why the
  // log stopped), until the recovery thread has brought both back.
  Status WriteHealth() const;
  // Stopped stores and logs recovered so far (for /metrics and tests).
  uint64_t Recoveries() const { return recoveries_.load(); }
  // Why the last try to recover did not go through (ok when it did, or none was needed):
  // what an operator needs to know, such as how much space it waits for.
  Status LastRecovery() const;

 private:
  explicit Engine(EngineOptions options) : options_(std::move(options)) {}
  void RecoveryLoop();
  void StopRecovery();

  EngineOptions options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<KeyStore> keys_;
  std::unique_ptr<CommandService> commands_;
  std::unique_ptr<ReadModels> read_models_;
  std::unique_ptr<ProjectionRunner> runner_;
  std::unique_ptr<QueryService> queries_;

  mutable std::mutex recovery_mu_;
  std::condition_variable recovery_cv_;
  bool stopping_ = false;  // guarded by recovery_mu_
  Status last_recovery_;   // guarded by recovery_mu_
  std::atomic<uint64_t> recoveries_{0};
  std::thread recovery_;
};

}  // namespace caseengine
