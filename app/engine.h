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
// A start does not read the log: the decision state is read from the decision index as
// commands need it (app/decision_index.h), and each read model resumes from its checkpoint
// with its rows loaded from the store, in the background when asked (load_in_background).
//
// Teardown order matters and is kept here: a load in the background is waited for, the
// recovery thread stops, then the runner, then the handler, then the log (which finishes queued
// appends), then the store.
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
#include <vector>

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

// How a load of the read models in the background ended (EngineOptions::on_loaded).
struct LoadReport {
  Status status;  // ok, or why the lists stay unavailable
  std::chrono::milliseconds took{0};
  // Read models whose rows did not read, rebuilt from the log: "name: why".
  std::vector<std::string> rebuilt;
};

struct EngineOptions {
  std::string dir;
  const DomainConfig* config = nullptr;  // not owned; must outlive the engine
  bool start_runner = true;              // tail the log in the background
  // Load the read models' rows and catch them up. Off only for a rebuild of every read
  // model, which empties them anyway.
  bool load_read_models = true;
  // ...after Open returns, on a thread of the engine ("load"), rather than before: a server
  // answers commands and reads of the log at once, and the queries of read models kept in
  // memory once they are loaded and caught up (QueryService::loaded).
  bool load_in_background = false;
  // Told how the load in the background ended; on the engine's "load" thread.
  std::function<void(const LoadReport&)> on_loaded;
  // Tests only: runs on the "load" thread before anything is loaded (to hold the load).
  std::function<void()> before_load;
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
  // catches them up with the log before it returns (or after, load_in_background).
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
  // Whether the read models are loaded and caught up (always, unless load_in_background).
  bool ReadModelsLoaded() const { return queries_->loaded(); }
  // How long the load in the background took (0 while it runs, or without one).
  std::chrono::milliseconds LoadTime() const {
    return std::chrono::milliseconds(load_millis_.load());
  }

 private:
  explicit Engine(EngineOptions options) : options_(std::move(options)) {}
  // Loads the read models' rows, catches them up and starts the runner (see
  // load_in_background); a failure stays in the runner's error().
  void LoadInBackground();
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
  std::thread load_;  // see load_in_background
  std::atomic<int64_t> load_millis_{0};
};

}  // namespace caseengine
