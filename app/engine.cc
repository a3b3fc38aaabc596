// Engine: see engine.h.
#include "app/engine.h"

#include <pthread.h>

#include <algorithm>

#include "events/log_store.h"

namespace caseengine {

RocksStoreOptions Engine::StoreOptions(const std::string& dir, bool read_only,
                                       bool write_only_lists) {
  RocksStoreOptions options = LogStoreOptions(dir, read_only);
  for (const std::string& f : ReadModels::FamilyNames()) options.families.push_back(f);
  if (write_only_lists) options.write_only_families = ReadModels::WriteOnlyFamilyNames();
  return options;
}

Status Engine::Open(const EngineOptions& options, std::unique_ptr<Engine>* out) {
  std::unique_ptr<Engine> e(new Engine(options));
  if (e->options_.config == nullptr) return Status::InvalidArgument("no domain configuration");
  if (e->options_.kek.empty()) {
    return Status::InvalidArgument(
        "no key-encryption key for " + options.dir +
        ": configure key_encryption_key_file, or set CASEENGINE_KEK_FILE or CASEENGINE_KEK");
  }
  RocksStoreOptions store_options =
      StoreOptions(options.dir, /*read_only=*/false, options.write_only_lists);
  store_options.disk_full = options.disk_full;
  store_options.block_cache_bytes = options.memory.block_cache_bytes();
  store_options.memtable_bytes = options.memory.memtable_bytes();
  e->options_.commands.max_cached_aggregates = options.memory.decision_cache_entries();
  e->options_.commands.max_kept_answers = options.memory.kept_answers_entries();
  Status s = OpenRocksStore(store_options, &e->store_);
  EventLogOptions log_options;
  log_options.clock = options.clock;
  if (s.ok()) s = EventLog::Open(e->store_.get(), log_options, &e->log_);
  if (s.ok()) s = KeyStore::Open(e->store_.get(), &e->options_.kek, &e->keys_);
  if (!s.ok()) return s;
  e->keys_->SetCacheLimit(options.memory.key_cache_entries());
  e->commands_ = std::make_unique<CommandService>(e->log_.get(), e->keys_.get(), e->options_.config,
                                                  e->options_.commands);
  const EventCodec* codec = &e->commands_->codec();
  e->read_models_ = std::make_unique<ReadModels>();
  e->read_models_->SetLog(e->log_.get(), codec);
  e->runner_ = std::make_unique<ProjectionRunner>(e->log_.get(), codec, e->store_.get(),
                                                  e->read_models_->All(), options.runner);
  CommandService* commands = e->commands_.get();
  // A runner that tails the log is handed each command's events as they commit.
  if (options.start_runner) commands->FeedProjections(e->runner_.get());
  e->queries_ =
      std::make_unique<QueryService>(e->log_.get(), codec, e->runner_.get(), e->read_models_.get(),
                                     [commands] { return commands->Today(); });
  const bool later = options.load_read_models && options.load_in_background;
  s = e->runner_->Open(options.load_read_models && !later);
  if (s.ok() && options.load_read_models && !later) s = e->runner_->CatchUp();
  if (!s.ok()) return s;
  Engine* engine = e.get();
  if (later) {
    e->queries_->SetLoaded(false);
    e->load_ = std::thread([engine] {
      pthread_setname_np(pthread_self(), "load");
      engine->LoadInBackground();
    });
  } else if (options.start_runner) {
    e->runner_->Start();
  }
  e->recovery_ = std::thread([engine] {
    pthread_setname_np(pthread_self(), "recovery");  // shows in top -H, perf and gdb
    engine->RecoveryLoop();
  });
  *out = std::move(e);
  return Status::Ok();
}

std::vector<CacheStats> Engine::CacheStatistics() const {
  const MemoryBudget& m = options_.memory;
  auto with_budget = [](CacheStats c, uint64_t budget_bytes) {
    c.budget_bytes = budget_bytes;
    return c;
  };
  CacheStats blocks;
  blocks.name = "block_cache";  // in bytes
  store_->BlockCacheUsage(&blocks.entries, &blocks.capacity);
  return {with_budget(commands_->DecisionCacheStats(), m.decision_cache_bytes()),
          with_budget(commands_->KeptAnswersStats(), m.kept_answers_bytes()),
          with_budget(keys_->Stats(), m.key_cache_bytes()),
          with_budget(blocks, m.block_cache_bytes())};
}

void Engine::LoadInBackground() {
  if (options_.before_load) options_.before_load();
  const auto start = std::chrono::steady_clock::now();
  Status s = runner_->LoadRows();
  if (s.ok()) s = runner_->CatchUp();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  // On failure the runner keeps the error: /healthz and the queries say it.
  if (s.ok()) {
    queries_->SetLoaded(true);
    load_millis_.store(std::max<int64_t>(1, took.count()));
    if (options_.start_runner) runner_->Start();
  }
  if (options_.on_loaded) options_.on_loaded({s, took, runner_->Rebuilt()});
}

Status Engine::WriteHealth() const {
  Status s = store_->Health();
  if (!s.ok()) return s;
  if (log_->failed()) return log_->StoppedStatus();
  return Status::Ok();
}

void Engine::RecoveryLoop() {
  std::unique_lock<std::mutex> lock(recovery_mu_);
  while (!stopping_) {
    recovery_cv_.wait_for(lock, options_.recovery_interval);
    if (stopping_) break;
    if (store_->Health().ok() && !log_->failed()) continue;
    lock.unlock();
    // The store first (RocksDB's resume: its memtables flushed, a new WAL), then the log,
    // which reloads its heads from what the store holds. On a disk still full the first
    // step fails and nothing else is touched.
    Status s = store_->Recover();
    if (s.ok()) s = log_->Resume();
    if (s.ok()) recoveries_++;
    lock.lock();
    last_recovery_ = s;
  }
}

Status Engine::LastRecovery() const {
  std::lock_guard<std::mutex> lock(recovery_mu_);
  return last_recovery_;
}

void Engine::StopRecovery() {
  {
    std::lock_guard<std::mutex> lock(recovery_mu_);
    stopping_ = true;
  }
  recovery_cv_.notify_all();
  if (recovery_.joinable()) recovery_.join();
}

Engine::~Engine() {
  if (load_.joinable()) load_.join();
  StopRecovery();
  if (runner_) runner_->Stop();
  queries_.reset();
  runner_.reset();
  commands_.reset();
  log_.reset();
  read_models_.reset();
  keys_.reset();
  store_.reset();
}

}  // namespace caseengine
