// JwksFetcher: one GET of an identity provider's JSON Web Key Set (its jwks_uri) over
// libcurl, for JwksCache (auth/jwks_cache.h), which decides when to fetch.
//
// What it allows: an https URL (the server's certificate verified against the system's
// trust store), or plain http to a loopback host alone (127.0.0.0/8, ::1, localhost: a
// local proxy or a test's provider). No redirect is followed (a key set that moved is a
// config change, not something a server may decide), only HTTP 200 is a key set, and the
// body is at most kMaxBytes. Each fetch is bounded in time (connect and total), so a
// provider that hangs costs at most `timeout`. A loopback URL bypasses any proxy the
// environment names; others go through the environment's proxy settings, as curl does.
//
// The answer's Cache-Control max-age, when it has one, is handed back for the caller to
// bound (no-store and no-cache read as 0).
//
// Threading: Fetch may be called from any thread, at the same time from several (each
// call has its own curl handle); libcurl's global set-up is done once, thread-safely.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace caseengine {

class JwksFetcher {
 public:
  static constexpr size_t kMaxBytes = 1 << 20;

  // InvalidArgument (saying why) unless `url` is https, or http to a loopback host.
  static Status CheckUrl(const std::string& url);

  JwksFetcher(std::string url, std::chrono::milliseconds timeout)
      : url_(std::move(url)), timeout_(timeout) {}

  // The body of a 200 answer, and its Cache-Control max-age in seconds (-1 when it gives
  // none). Unavailable, naming the URL and why, for anything else (no connection, a
  // timeout, a TLS failure, another status, a body too large).
  Status Fetch(std::string* body, int64_t* max_age_seconds) const;

  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::chrono::milliseconds timeout_;
};

}  // namespace caseengine
