// ResolveServeConfig: see serve_config.h.
#include "cli/serve_config.h"

#include <cstdlib>
#include <iostream>

#include "http/server_log.h"

namespace caseengine {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

}  // namespace

Status ResolveServeConfig(const ServeFlags& flags, ServerConfig* out,
                          std::string* config_file_out) {
  // A configuration, or the demo's when asked for by name: never the demo by default,
  // since its tokens are published.
  std::string& config_file = *config_file_out;
  config_file = !flags.config.empty() ? flags.config : Env("CASEENGINE_CONFIG");
  if (flags.demo && !config_file.empty()) {
    return Status::InvalidArgument(
        "--demo runs the demo configuration, and a config file was given too (" + config_file +
        ", by " + (flags.config.empty() ? "CASEENGINE_CONFIG" : "--config") +
        "): give one or the other");
  }
  if (!flags.demo && config_file.empty()) {
    return Status::InvalidArgument(
        "no configuration: give --config FILE (or set CASEENGINE_CONFIG) with the users, "
        "teams and settings to run with (docs/configuration.md), or --demo to run the demo "
        "configuration, whose tokens are published, on a loopback address");
  }
  ServerConfig& config = *out;
  config = flags.demo ? ServerConfig::Demo() : ServerConfig();
  if (!config_file.empty()) {
    Status s = ServerConfig::Load(config_file, &config);
    if (!s.ok()) return s;
  }
  if (!Env("CASEENGINE_DATA").empty()) config.data_dir = Env("CASEENGINE_DATA");
  if (!flags.data.empty()) config.data_dir = flags.data;
  for (const std::string& listen : {Env("CASEENGINE_LISTEN"), flags.listen}) {
    if (listen.empty()) continue;
    Status s = config.SetListen(listen);
    if (!s.ok()) return s;
  }
  if (config.demo && !ServerConfig::IsLoopback(config.host)) {
    return Status::InvalidArgument(
        "the demo configuration's tokens are published: it listens on a loopback address "
        "only (127.0.0.1, ::1 or localhost), not on " +
        config.host + "; give a config file (--config) to listen there");
  }
  // A bearer token in clear on a network is anybody's on the way: plain HTTP stays on this
  // machine unless the file says a proxy in front encrypts (allow_plain_http).
  if (!config.tls.enabled() && !config.allow_plain_http && !ServerConfig::IsLoopback(config.host)) {
    return Status::InvalidArgument(
        "plain HTTP on " + config.host +
        ", which is not a loopback address: bearer tokens would cross the network in clear. "
        "Give the config file a \"tls\" object (certificate_file, key_file) to serve HTTPS, "
        "or set \"allow_plain_http\": true when a proxy in front terminates TLS "
        "(docs/configuration.md)");
  }
  if (flags.threads > 0) config.threads = flags.threads;
  if (flags.io_threads > 0) config.io_threads = flags.io_threads;
  if (flags.max_feeds_per_user > 0) config.max_feeds_per_user = flags.max_feeds_per_user;
  if (!flags.memory_budget.empty()) {
    Status s = MemoryBudget::Parse(flags.memory_budget, &config.memory);
    if (!s.ok()) return s;
  }
  if (!flags.log_level.empty() && !ParseLogLevel(flags.log_level, &config.log.level)) {
    return Status::InvalidArgument("--log-level must be debug, info, warn, error or off");
  }
  if (!flags.log_file.empty()) config.log.file = flags.log_file;
  return Status::Ok();
}

StaffSignInRunner::StaffSignInRunner(StaffSignIn* oidc, ServerLog* log) : oidc_(oidc) {
  if (oidc_ == nullptr) return;
  const Status fetched = oidc_->Start([log](std::string_view event, const nlohmann::json& fields) {
    log->Security(event, fields);
  });
  if (!fetched.ok()) {
    std::cerr << "caseengine: warning: the identity provider's key set could not be fetched ("
              << fetched.message()
              << "): staff tokens are refused until it is; trying again meanwhile\n";
  }
}

StaffSignInRunner::~StaffSignInRunner() {
  if (oidc_ != nullptr) oidc_->Stop();
}

}  // namespace caseengine
