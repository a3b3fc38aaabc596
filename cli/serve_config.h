// How `caseengine serve` settles its configuration from its flags, the environment and
// the config file (docs/configuration.md): a config file, or the demo when asked for by
// --demo (never by default, since its tokens are published, and on a loopback address
// only), then the environment over the file and the flags over both. Plain HTTP (no
// "tls" in the file) listens on a loopback address only, unless the file sets
// allow_plain_http. And, once the log is open, staff sign-in's key set fetched and kept
// fresh (StaffSignInRunner).
//
// Threading: called once, at start, on the main thread.
#pragma once

#include <string>

#include "base/status.h"
#include "http/server_config.h"

namespace caseengine {

// serve's flags ("" or 0: not given).
struct ServeFlags {
  std::string key_file;
  std::string data, listen, config;
  int threads = 0;
  int io_threads = 0;
  int max_feeds_per_user = 0;
  std::string memory_budget;
  bool demo = false;
  std::string log_level, log_file;
};

// The configuration to serve with, and the config file it came from ("" for the demo);
// InvalidArgument (or the config file's error) when serve must not start: no config and
// no --demo, both, the demo off loopback, plain HTTP off loopback without
// allow_plain_http, a malformed flag.
Status ResolveServeConfig(const ServeFlags& flags, ServerConfig* out, std::string* config_file);

class ServerLog;

// While it lives, the identity provider's key set (oidc.jwks_url) is kept fresh by a thread
// of its own, whose news are `log`'s security lines (http/staff_sign_in.h). The first
// fetch happens in the constructor; when it fails, standard error says so and serving
// goes on (staff tokens are 401 until the set comes; /readyz says why). Nothing to do
// without oidc or with jwks_file. Destroy it before `log`.
class StaffSignInRunner {
 public:
  StaffSignInRunner(StaffSignIn* oidc, ServerLog* log);
  ~StaffSignInRunner();
  StaffSignInRunner(const StaffSignInRunner&) = delete;
  StaffSignInRunner& operator=(const StaffSignInRunner&) = delete;

 private:
  StaffSignIn* oidc_;
};

}  // namespace caseengine
