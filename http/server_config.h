// ServerConfig: how `caseengine serve` runs: where the data is, where it listens, who
// may call it (bearer tokens, kept only as SHA-256 hashes), the teams and settings of the
// domain. Without a file it is the demo configuration of docs/http_api.md,
// exactly.
//
// The file is JSON:
//
//   { "data": "data", "listen": "127.0.0.1:8080", "threads": 4, "io_threads": 1,
//     "max_body_bytes": 1048576, "max_feeds_per_user": 4, "memory_budget": "2G",
//     "users": [ { "id": "officer", "team": "housing-options",
//                  "permissions": ["casework"], "token_sha256": "<64 hex digits>" } ],
//     "teams": [ { "id": "housing-options", "name": "Housing Options",
//                  "allows_cases": true } ],
//     "client_types": ["potential_client"],
//     "settings": { "delete_mode": "soft", "lobby_assign_closes_open_case": true },
//     "key_encryption_key_file": "/etc/caseengine/kek",
//     "log": { "level": "info", "file": "", "requests": true },
//     "sign_in": { "max_failures_per_source": 50, "max_failures_per_user": 5,
//                  "lockout_seconds": 60 },
//     "ready_max_lag": 1000, "metrics_need_token": true, "openapi_need_token": false,
//     "cors_origins": ["https://cases.council.gov.uk"],
//     "tls": { "certificate_file": "/etc/caseengine/tls/fullchain.pem",
//              "key_file": "/etc/caseengine/tls/privkey.pem", "min_version": "1.2" },
//     "allow_plain_http": false,
//     "api_keys": [ { "name": "referrals-portal", "user": "referrals-bot",
//                     "key_sha256": "<64 hex digits>", "expires": "2027-06-30" } ] }
//
// tls: HTTPS served by the engine itself (http/tls_context.h), the certificate and key
// read again on SIGHUP. Without it the engine speaks plain HTTP, which it does on a
// loopback address only unless allow_plain_http says otherwise (a proxy in front that
// terminates TLS): tokens must not cross a network in clear (cli/serve_config.h).
//
// Every key, flag and environment variable, with its default: docs/configuration.md. A
// key the engine does not know (at the top or in an object) is an error at start: a
// misspelt setting never silently keeps its default.
//
// key_encryption_key_file: the key-encryption key (KEK) that wraps the data folder's
// per-person data keys (docs/event_log.md): a file holding 64 hex digits, kept outside the
// data folder and readable by the engine's user alone (`caseengine new-kek --out FILE`
// makes one). Required with a config file, unless CASEENGINE_KEK_FILE (a file) or
// CASEENGINE_KEK (the 64 hex digits) gives it, or `serve --key-file`. Without a config
// file, the demo uses (and at first makes) DATA.kek beside the data folder.
//
// Without a file there is no configuration: `serve` refuses to start unless given
// `--demo`, which runs the demo configuration (ServerConfig::Demo), on a loopback
// address only (its tokens are published).
//
// api_keys: named, expiring keys of service accounts, each acting as a configured user
// (http/api_keys.h); a user's token_sha256 is optional, so a service account may sign in
// with its keys alone.
//
// Flags override the environment (CASEENGINE_DATA, CASEENGINE_LISTEN, CASEENGINE_CONFIG,
// CASEENGINE_KEK_FILE, CASEENGINE_KEK), which overrides the file. Immutable once loaded; shared
// freely across threads.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "aggregates/config.h"
#include "base/memory_budget.h"
#include "base/status.h"
#include "http/api_keys.h"
#include "http/staff_sign_in.h"

namespace caseengine {

// How much the engine logs, as JSON lines (http/server_log.h).
enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };
// "debug", "info", "warn", "error", "off"; false for anything else.
bool ParseLogLevel(const std::string& text, LogLevel* out);
const char* LogLevelName(LogLevel level);

struct LogConfig {
  LogLevel level = LogLevel::kInfo;
  std::string file;      // "" : standard output
  bool requests = true;  // a line per request (the security and start-up lines always)
};

// Failed sign-ins (401), counted per source address and per user named by the failed
// credential (http/sign_in_throttle.h).
struct SignInConfig {
  int max_failures_per_source = 50;
  int max_failures_per_user = 5;
  int lockout_seconds = 60;  // the first lockout; each next one twice as long, at most 15 min
};

// HTTPS ("tls"): the certificate chain (PEM, leaf first) and its private key (PEM); the
// oldest version accepted, "1.2" or "1.3". Without a certificate_file, plain HTTP.
struct TlsConfig {
  std::string certificate_file;
  std::string key_file;
  std::string min_version = "1.2";
  bool enabled() const { return !certificate_file.empty(); }
};

struct ServerConfig {
  std::string data_dir = "data";
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 0;     // worker threads for queries; 0: QueryThreads's default
  int io_threads = 1;  // threads that read requests, run commands and write answers
  // Event feeds (GET /events/stream) one user may hold open at once; one more is 429.
  int max_feeds_per_user = 4;
  size_t max_body_bytes = 1 << 20;
  MemoryBudget memory = MemoryBudget::Default();  // "memory_budget": "2G"
  std::string key_encryption_key_file;            // see above; "" in the demo
  DomainConfig domain;
  std::map<std::string, std::string> token_users;  // hex SHA-256 of a token -> user id
  // Origins ("https://cases.council.gov.uk": scheme, host and port, as a browser sends
  // Origin) whose pages may call the API from a browser (CORS); none by default.
  std::vector<std::string> cors_origins;
  bool demo = false;  // the demo configuration of docs/http_api.md
  TlsConfig tls;
  // Plain HTTP on an address that is not loopback (behind a proxy that terminates TLS).
  bool allow_plain_http = false;
  LogConfig log;
  SignInConfig sign_in;
  // /readyz answers 503 while the read models are more than this many positions behind
  // the log's head.
  uint64_t ready_max_lag = 1000;
  // Whether /metrics and /openapi.json ask for a bearer token (any known user's).
  bool metrics_need_token = true;
  bool openapi_need_token = false;
  // Staff sign-in through the council's identity provider ("oidc"; http/staff_sign_in.h);
  // null without it. Started (its key set fetched, with jwks_url) by whoever serves.
  std::shared_ptr<StaffSignIn> oidc;
  // Service accounts' keys, by hash ("api_keys"; http/api_keys.h).
  ApiKeys api_keys;

  static ServerConfig Demo();
  // The query workers: `threads`, or without it twice the cores and at least 4. Queries
  // never wait on a worker (see HttpServer), so more workers than cores only share the
  // cores: measured, 64 workers on 2 cores answered a third fewer list pages than 4
  // (bench/RESULTS.md, 2026-12-07).
  static int QueryThreads(const ServerConfig& config);
  // Reads a config file; InvalidArgument names what is wrong in it.
  static Status Load(const std::string& path, ServerConfig* out);
  // "host:port"; InvalidArgument when malformed.
  Status SetListen(const std::string& listen);

  // Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost): the only place the
  // demo may listen.
  static bool IsLoopback(const std::string& host);
  // What the engine runs with, for the start-up log: no token, no key, no user's name.
  nlohmann::json Summary() const;

  // The user a bearer token belongs to: a configured token's, a service account's API key's
  // (unless it expired), or a signed-in staff member's (oidc); null for a token that is
  // none of them (why, for the log, in `why`). `credential` says which kind it was, for the
  // request log and never a secret: "token", "api_key:<the key's name>" (an expired key's
  // too), "oidc", or "" when the token is unknown.
  const Actor* Authenticate(std::string_view token, std::string* why = nullptr,
                            std::string* credential = nullptr) const;
};

// Hex SHA-256 of a token, as config files keep it.
std::string TokenHash(std::string_view token);

}  // namespace caseengine
