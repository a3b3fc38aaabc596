// caseengine: the engine's command line.
//
//   caseengine serve   (--config FILE | --demo) [--data DIR] [--listen HOST:PORT]
//                      [--threads N] [--io-threads N] [--max-feeds-per-user N]
//                      [--log-level L] [--log-file F]
//       runs the HTTP API on a data folder (created when missing), on the config file's
//       users, teams and settings; with --demo instead, on the demo configuration of
//       docs/http_api.md (published tokens: loopback addresses only), and prints how to
//       call it. Without either it refuses to start. SIGTERM or SIGINT: stop accepting,
//       answer what is in flight, flush, exit 0. SIGHUP: open the log file again, and
//       with "tls" read the certificate and key again (new connections use them; a
//       failure keeps the old ones, with a warning). It logs JSON lines
//       (http/server_log.h).
//   caseengine seed    --data DIR [--clients N] [--seed S]
//       writes a realistic, deterministic demo caseload through the command path into a
//       new folder (one that holds a log is refused): made-up history of the last two
//       years, on a clock that walks through them for the seeding alone
//       (demo/seed_clock.h).
//   caseengine rebuild --data DIR [--projection NAME]...
//       rebuilds read models from position 0 (all of them unless named). Not beside a
//       running server: the folder is locked.
//   caseengine rotate-kek --data DIR --old-key-file F --new-key-file G
//       rewraps every data key of the folder from the key-encryption key in F to the one
//       in G, in one batch (offline: the folder is locked).
//   caseengine new-kek --out FILE
//       writes a new random key-encryption key to FILE (mode 0600).
//   caseengine backup --data DIR --to DEST, caseengine restore --from DEST --data NEWDIR
//       online backups and verified restores (cli/backup_command.h).
//   caseengine new-api-key --name NAME [--user USER] [--expires DATE]
//       prints a new service account's key once, and its config entry (cli/api_key_command.h).
//
// The key-encryption key (KEK, docs/event_log.md) of serve, seed and rebuild: --key-file,
// then CASEENGINE_KEK (64 hex digits), then the file CASEENGINE_KEK_FILE names, then the
// config's key_encryption_key_file; without any, and without a config file, the demo's
// DATA.kek beside the data folder (made by serve and seed when missing, and said so).
//
// The environment gives defaults for serve: CASEENGINE_DATA, CASEENGINE_LISTEN,
// CASEENGINE_CONFIG (docs/configuration.md lists every flag, key and variable).
// `caseengine --version` prints the version. Exit status (base/exit_codes.h, the same as
// casereplay's): 0 ok, 1 failed midway, 2 could not run (usage, config, folder, address).
//
// Everything it writes is for its own user alone (umask 077: folders 0700, files 0600).
#include <caseengine_version.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <thread>

#include "aggregates/key_store.h"
#include "app/control_socket.h"
#include "app/engine.h"
#include "base/business_date.h"
#include "base/exit_codes.h"
#include "cli/api_key_command.h"
#include "cli/backup_command.h"
#include "cli/kek_source.h"
#include "cli/serve_config.h"
#include "demo/caseload_seeder.h"
#include "events/log_store.h"
#include "http/api.h"
#include "http/http_server.h"
#include "http/server_log.h"

namespace caseengine {
namespace {

using Clock = std::chrono::steady_clock;

// Prints `text` on standard output in one write and flushes it. The JSON log may share
// standard output, written by its own thread a line at a time: a message written in
// pieces could have a log line land in its middle (a test reads the port from the
// banner's first line).
void Say(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

int Fail(const Status& s, int code = kExitCannotRun) {
  std::cerr << "caseengine: " << s.ToString() << "\n";
  return code;
}

// FindKek (cli/kek_source.h), saying so when it made the demo's key.
Status FindKek(const std::string& flag_file, const std::string& config_file,
               const std::string& data_dir, bool demo, bool create, KeyEncryptionKey* kek) {
  std::string made;
  Status s = FindKeyEncryptionKey(flag_file, config_file, data_dir, demo, create, kek, &made);
  if (s.ok() && !made.empty()) {
    Say("made a key-encryption key for the demo in " + made +
        " (mode 0600): the data folder's keys are wrapped with it, and nothing in "
        "the folder opens without it; keep a copy apart from the folder's backups\n");
  }
  return s;
}

int Serve(const ServeFlags& flags) {
  // The signals are taken by one thread with sigwait; every thread started from here on
  // inherits the mask, so no other thread is interrupted by them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ServerConfig config;
  std::string config_file;
  if (Status s = ResolveServeConfig(flags, &config, &config_file); !s.ok()) return Fail(s);
  // A certificate that does not load stops the start before the data folder is opened.
  if (Status s = HttpServer::CheckTls(config); !s.ok()) return Fail(s);
  std::unique_ptr<ServerLog> log;
  {
    Status s = ServerLog::Open(config.log, &log);
    if (!s.ok()) return Fail(s);
  }
  log->Startup("starting", {{"version", kVersion},
                            {"data", config.data_dir},
                            {"config", config_file.empty() ? "demo" : config_file},
                            {"settings", config.Summary()}});

  // The identity provider's key set (oidc.jwks_url) fetched, and kept fresh: a provider
  // out of reach is no reason not to start (configured tokens and API keys go on).
  StaffSignInRunner sign_in(config.oidc.get(), log.get());

  EngineOptions options;
  options.dir = config.data_dir;
  options.config = &config.domain;
  options.memory = config.memory;
  // Today is the business date in the deployment's time zone.
  options.commands.today = [zone = config.domain.time_zone] { return TodayIn(zone); };
  // Commands are answered at once; the lists as soon as their rows are loaded.
  options.load_in_background = true;
  options.on_loaded = [&log](const LoadReport& r) {
    for (const std::string& why : r.rebuilt) {
      log->Error("a read model's rows did not read; rebuilt from the log", {{"read_model", why}});
      std::cerr << "caseengine: rebuilt from the log, its rows unreadable: " << why << "\n";
    }
    if (r.status.ok()) {
      Say("read models loaded and caught up in " + std::to_string(r.took.count()) + " ms\n");
      log->Startup("read models loaded", {{"ms", r.took.count()}});
    } else {
      log->Error("the read models could not be loaded", {{"error", r.status.ToString()}});
      std::cerr << "caseengine: the read models could not be loaded: " << r.status.ToString()
                << "; lists answer 503 until `caseengine rebuild` is run\n";
    }
  };
  Status s = FindKek(flags.key_file, config.key_encryption_key_file, config.data_dir,
                     /*demo=*/config.demo, /*create=*/true, &options.kek);
  if (!s.ok()) return Fail(s);
  std::unique_ptr<Engine> engine;
  s = Engine::Open(options, &engine);
  if (!s.ok()) return Fail(s);
  // The config's task types and workflows, the first time (afterwards the settings stream
  // is the truth and changes through /settings).
  s = ImportSettingsFromConfig(&engine->commands(), config.domain);
  if (!s.ok()) return Fail(s);

  Api api(engine.get(), &config);
  Metrics metrics(api.RouteLabels());
  api.set_metrics(&metrics);
  HttpServer server(config, api.routes(), &metrics, log.get());
  s = server.Bind();
  if (!s.ok()) return Fail(s);

  // `caseengine backup` reaches the engine here (app/control_socket.h); before the banner,
  // which tells that the engine is up.
  ControlServer control(engine.get());
  s = control.Start();
  if (!s.ok()) std::cerr << "caseengine: warning: no online backups: " << s.ToString() << "\n";

  const std::string url = std::string(config.tls.enabled() ? "https" : "http") + "://" +
                          config.host + ":" + std::to_string(server.port());
  log->Startup("listening", {{"address", config.host + ":" + std::to_string(server.port())},
                             {"url", url},
                             {"tls", server.TlsSummary()},
                             {"head_position", engine->log().HeadPosition()}});
  std::ostringstream banner;
  banner << "caseengine listening on " << url << " (port " << server.port() << ")"
         << (config.tls.enabled() ? ", TLS" : "") << "\n"
         << "data folder " << config.data_dir << ": " << engine->log().HeadPosition()
         << " events\n";
  if (config.demo) {
    banner << "demo configuration (--demo): tokens demo-admin, demo-officer, "
              "demo-supervisor, demo-auditor. Try:\n"
           << "  curl -H 'Authorization: Bearer demo-officer' '" << url
           << "/cases?limit=5&sort=-last_activity'\n"
           << "  curl -H 'Authorization: Bearer demo-officer' -H 'Content-Type: "
              "application/json' -d '{\"surname\":\"Example\",\"date_of_birth\":"
              "\"1990-01-31\"}' "
           << url << "/clients\n"
           << "  " << url << "/openapi.json lists every route.\n";
  }
  Say(banner.str());

  std::thread waiter([&] {
    int signal = 0;
    // SIGHUP: the log file opened again by its name (logrotate moved it), and the TLS
    // certificate and key read again (renewed); then wait on.
    while (sigwait(&signals, &signal) == 0 && signal == SIGHUP) {
      const Status reopened = log->Reopen();
      if (reopened.ok()) {
        log->Startup("log reopened", {{"signal", signal}});
      } else {
        log->Error("the log file could not be opened again", {{"why", reopened.ToString()}});
      }
      if (!config.tls.enabled()) continue;
      const Status reloaded = server.ReloadTls();
      if (reloaded.ok()) {
        log->Startup("certificate reloaded", {{"tls", server.TlsSummary()}});
      } else {
        log->Warning("the certificate could not be reloaded; the one in use stays",
                     {{"why", reloaded.ToString()}, {"tls", server.TlsSummary()}});
        std::cerr << "caseengine: warning: the certificate could not be reloaded, the one in "
                     "use stays: "
                  << reloaded.ToString() << "\n";
      }
    }
    Say("caseengine: stopping (signal " + std::to_string(signal) + ")\n");
    log->Startup("stopping", {{"signal", signal}});
    api.BeginShutdown();
    server.Stop();
  });
  server.Serve();
  // Serve returned: Stop was called (by the waiter), or the listener failed.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  control.Stop();
  if (!engine->ReadModelsLoaded() && engine->runner().error().ok()) {
    // Stopped while the read models load: every answer is sent and every acknowledged
    // command synced, and the load writes nothing, so the process ends here rather than
    // wait for the load. The read models resume from their checkpoints at the next start.
    Say("caseengine: stopped while loading the read models\n");
    std::_Exit(0);
  }
  engine.reset();  // finishes queued appends, flushes read models, closes the store
  log->Startup("stopped");
  Say("caseengine: stopped\n");
  return kExitOk;
}

int Seed(const std::string& dir, const std::string& key_file, int clients, uint64_t seed) {
  // Refused before anything is opened or made: a folder with a log (RocksDB's CURRENT)
  // is somebody's data, and a demo caseload is made-up history.
  struct stat st;
  if (stat((dir + "/CURRENT").c_str(), &st) == 0) {
    return Fail(Status::FailedPrecondition(
        dir +
        " already holds a log: a demo caseload is made-up history of the last two years "
        "and goes into a new folder only"));
  }
  const DomainConfig domain = DomainConfig::Demo();
  // The log and the handler read the seeding's clock: real time, except while the seeding
  // walks it through the caseload's two years.
  SeedClock clock;
  EngineOptions options;
  options.dir = dir;
  options.config = &domain;
  options.clock = [&clock] { return clock.Micros(); };
  options.commands.today = [&clock] { return clock.Today(); };
  Status s = FindKek(key_file, "", dir, /*demo=*/true, /*create=*/true, &options.kek);
  if (!s.ok()) return Fail(s);
  std::unique_ptr<Engine> engine;
  s = Engine::Open(options, &engine);
  if (!s.ok()) return Fail(s);
  if (engine->log().HeadPosition() != 0) {
    // Made-up history of the last two years after events of today would put the log's
    // recorded times out of step with the dates of its decisions.
    return Fail(Status::FailedPrecondition(
        "the log of " + dir + " already has " + std::to_string(engine->log().HeadPosition()) +
        " events: a demo caseload is made-up history of the last two years and goes into an "
        "empty folder"));
  }
  SeedOptions seed_options;
  seed_options.clients = clients;
  seed_options.seed = seed;
  seed_options.clock = &clock;
  seed_options.progress = [clients](int done) {
    std::cout << "\r  " << done << " / " << clients << " clients" << std::flush;
  };
  SeedReport report;
  const Clock::time_point start = Clock::now();
  s = SeedCaseload(&engine->commands(), domain, seed_options, &report);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << "\n";
  if (!s.ok()) return Fail(s, kExitFailed);
  engine->runner().WaitForApplied(engine->log().HeadPosition(), std::chrono::seconds(60));
  std::cout << "seeded " << report.clients << " clients, " << report.cases << " cases, "
            << report.strands << " strands, " << report.moves << " moves, " << report.notes
            << " notes, " << report.actions << " actions, " << report.lobby
            << " lobby referrals, from " << report.first_day << " to " << report.last_day << ": "
            << report.commands << " commands (" << report.refused << " refused) in " << seconds
            << " s; log head " << engine->log().HeadPosition() << "\n";
  return 0;
}

int Rebuild(const std::string& dir, const std::string& key_file,
            const std::vector<std::string>& names) {
  const DomainConfig domain = DomainConfig::Demo();
  EngineOptions options;
  options.dir = dir;
  options.config = &domain;
  options.start_runner = false;
  options.load_read_models = !names.empty();  // all of them are emptied: nothing to load
  options.write_only_lists = false;
  Status s = FindKek(key_file, "", dir, /*demo=*/true, /*create=*/false, &options.kek);
  if (!s.ok()) return Fail(s);
  std::unique_ptr<Engine> engine;
  s = Engine::Open(options, &engine);
  if (!s.ok()) return Fail(s);
  const Clock::time_point start = Clock::now();
  s = engine->runner().Rebuild(names);
  if (!s.ok()) return Fail(s, kExitFailed);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const uint64_t events = engine->log().HeadPosition();
  const ProjectionStats stats = engine->runner().Stats();
  std::cout << "rebuilt " << (names.empty() ? "every read model" : "the named read models")
            << " from " << events << " events in " << seconds << " s ("
            << static_cast<uint64_t>(events / std::max(seconds, 1e-9)) << " events/s; "
            << stats.rows << " rows in " << stats.batches << " batches, written in "
            << stats.write_micros / 1e6
            << " s of the threads' time)\n"
            // Where the time went, for bench/RESULTS.md: the rest is emptying the old rows
            // at the start and flushing at the end.
            << "  reading, decoding and applying the log " << stats.apply_micros / 1e6
            << " s (of which decoding " << stats.decode_micros / 1e6
            << " s), writing the rows held to the end " << stats.deferred_write_micros / 1e6
            << " s, the rest "
            << std::max(0.0, seconds - (stats.apply_micros + stats.deferred_write_micros) / 1e6)
            << " s\n";
  return 0;
}

int RotateKek(const std::string& dir, const std::string& old_file, const std::string& new_file) {
  KeyEncryptionKey old_kek, new_kek;
  Status s = ReadKeyEncryptionKey(old_file, &old_kek);
  if (s.ok()) s = ReadKeyEncryptionKey(new_file, &new_kek);
  if (!s.ok()) return Fail(s);
  if (old_kek.bytes == new_kek.bytes) {
    return Fail(Status::InvalidArgument("the old and the new key-encryption key are the same"));
  }
  // A writable open takes the folder's lock: no engine runs on it meanwhile. The log's
  // families and the keys; the others present are opened as they are, none is created.
  RocksStoreOptions store_options = LogStoreOptions(dir, /*read_only=*/false);
  store_options.create_if_missing = false;
  std::unique_ptr<Store> store;
  s = OpenRocksStore(store_options, &store);
  if (!s.ok()) return Fail(s);
  uint64_t count = 0;
  s = KeyStore::Rotate(store.get(), old_kek, new_kek, &count);
  if (!s.ok()) return Fail(s, kExitFailed);
  std::cout << "rewrapped " << count << " data keys of " << dir << " from key " << old_kek.Id()
            << " to key " << new_kek.Id() << "; from now on the folder opens with " << new_file
            << " only\n";
  return 0;
}

int NewKek(const std::string& path) {
  KeyEncryptionKey kek;
  Status s = CreateKeyEncryptionKeyFile(path, &kek);
  if (!s.ok()) return Fail(s);
  std::cout << "wrote key-encryption key " << kek.Id() << " to " << path << " (mode 0600)\n";
  return 0;
}

}  // namespace
}  // namespace caseengine

int main(int argc, char** argv) {
  // Data folders, their files and key files are for the engine's user alone.
  umask(077);
  CLI::App app{"caseengine: an event-sourced case engine for housing casework"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("caseengine ") + caseengine::kVersion);

  caseengine::ServeFlags serve_flags;
  auto* serve = app.add_subcommand("serve", "run the HTTP API");
  serve->add_option("--data", serve_flags.data, "data folder (default: data)");
  serve->add_option("--listen", serve_flags.listen, "host:port (default 127.0.0.1:8080)");
  serve->add_option("--config", serve_flags.config,
                    "config file (docs/configuration.md; default: $CASEENGINE_CONFIG)");
  serve->add_flag("--demo", serve_flags.demo,
                  "run the demo configuration (published tokens; loopback addresses only)");
  serve->add_option("--log-level", serve_flags.log_level,
                    "debug, info, warn, error or off (default: the config's log.level, info)");
  serve->add_option("--log-file", serve_flags.log_file,
                    "append the log's JSON lines to this file (default: standard output)");
  serve->add_option("--key-file", serve_flags.key_file,
                    "key-encryption key file (default: see the config; the demo's DATA.kek)");
  serve
      ->add_option("--threads", serve_flags.threads,
                   "worker threads for queries (default: twice the cores, at least 4)")
      ->check(CLI::Range(1, 4096));
  serve
      ->add_option("--io-threads", serve_flags.io_threads,
                   "threads for connections and commands (default 1)")
      ->check(CLI::Range(1, 64));
  serve
      ->add_option("--max-feeds-per-user", serve_flags.max_feeds_per_user,
                   "event feeds (GET /events/stream) one user may hold open (default 4)")
      ->check(CLI::Range(1, 4096));
  serve->add_option("--memory-budget", serve_flags.memory_budget,
                    "memory the caches and RocksDB may hold, e.g. 2G (default: a quarter of "
                    "the machine's memory, at least 1G; docs/operations.md)");

  std::string dir = "data";
  int clients = 1000;
  uint64_t seed = 1;
  auto* seed_cmd = app.add_subcommand("seed", "write a realistic demo caseload");
  seed_cmd->add_option("--data", dir, "a new data folder (one that holds a log is refused)")
      ->required();
  seed_cmd->add_option("--clients", clients, "clients to register")->check(CLI::Range(1, 10000000));
  seed_cmd->add_option("--seed", seed, "random seed (same seed, same caseload)");
  std::string key_file;
  seed_cmd->add_option("--key-file", key_file, "key-encryption key file (default: DATA.kek)");

  std::vector<std::string> projections;
  auto* rebuild = app.add_subcommand("rebuild", "rebuild read models from the log");
  rebuild->add_option("--data", dir, "data folder")->required();
  rebuild->add_option("--projection", projections, "a read model to rebuild (default: all)");
  rebuild->add_option("--key-file", key_file, "key-encryption key file (default: DATA.kek)");

  std::string old_key_file, new_key_file;
  auto* rotate = app.add_subcommand("rotate-kek", "rewrap the data keys with a new KEK");
  rotate->add_option("--data", dir, "data folder")->required();
  rotate->add_option("--old-key-file", old_key_file, "the KEK the keys are wrapped with")
      ->required();
  rotate->add_option("--new-key-file", new_key_file, "the KEK to wrap them with")->required();

  std::string out;
  auto* new_kek = app.add_subcommand("new-kek", "write a new random KEK to a file");
  new_kek->add_option("--out", out, "the file (must not exist)")->required();

  caseengine::BackupCommands backup_commands;
  caseengine::AddBackupCommands(&app, &backup_commands);
  caseengine::ApiKeyCommand api_key_command;
  caseengine::AddApiKeyCommand(&app, &api_key_command);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A usage error is "could not run", as in casereplay (CLI11's own codes vary);
    // --help and --version are not errors.
    const int code = app.exit(e);
    return code == 0 ? caseengine::kExitOk : caseengine::kExitCannotRun;
  }
  if (backup_commands.parsed()) return caseengine::RunBackupCommands(backup_commands);
  if (api_key_command.parsed()) return caseengine::RunApiKeyCommand(api_key_command);
  if (serve->parsed()) return caseengine::Serve(serve_flags);
  if (seed_cmd->parsed()) return caseengine::Seed(dir, key_file, clients, seed);
  if (rotate->parsed()) return caseengine::RotateKek(dir, old_key_file, new_key_file);
  if (new_kek->parsed()) return caseengine::NewKek(out);
  return caseengine::Rebuild(dir, key_file, projections);
}
