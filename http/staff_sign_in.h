// StaffSignIn: staff signed in through the council's identity provider. An OpenID Connect
// access token (auth/jwt_verifier.h) is verified against the provider's keys, and its
// claims are mapped to an engine user: the user's id from a configured claim, and
// permissions and team from the roles (or groups) a configured claim lists, each mapped in
// the config:
//
//   "oidc": { "issuer": "https://login.example.gov.uk/tenant", "audience": "caseengine",
//             "jwks_url": "https://login.example.gov.uk/tenant/discovery/keys",
//             "jwks_refresh_seconds": 3600, "skew_seconds": 60,
//             "user_claim": "preferred_username", "roles_claim": "roles",
//             "roles": [ { "claim": "housing-officer", "permissions": ["casework"],
//                          "team": "housing-options" } ] }
//
// The keys come from exactly one of: "jwks_file", a JSON Web Key Set read once at start;
// or "jwks_url", the provider's jwks_uri, fetched at Start and kept fresh by a JwksCache
// (auth/jwks_cache.h: refetched when older than jwks_refresh_seconds or a shorter max-age,
// and when a token names a kid the set lacks, at most once per 30 s; a key the provider
// drops stops verifying once the set is fetched again). A start whose first fetch fails
// still serves: staff tokens are 401 (each in the security log, with the reason), the
// fetch is retried with backoff, and Ready says why not (/readyz answers 503).
//
// A token whose roles map to nothing signs its user in with no permissions (every route
// that needs one answers 403, which the security log shows).
//
// Invariants: an Actor handed out stays at its address until a day after its token's
// expiry (requests and feeds hold a pointer to it); signed-in users are cached by the
// token's hash, so a token is verified once per key set, not at every request: when the
// set changes, a cached token is verified again against the new one before it is taken.
//
// Threading: Authenticate, Ready and Summary from any thread (a mutex around the cache of
// signed-in users; the key set is a JwksCache's, see there). Start and Stop from one
// thread (the one that serves), before and after requests are answered.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "aggregates/config.h"
#include "auth/jwks.h"
#include "auth/jwks_cache.h"
#include "auth/jwt_verifier.h"
#include "base/status.h"

namespace caseengine {

class StaffSignIn {
 public:
  // Reads the "oidc" object of a config file (and the key set it names); `teams` are the
  // configured teams a role may name. InvalidArgument naming the first fault.
  static Status FromJson(const nlohmann::json& oidc, const std::map<std::string, TeamConfig>& teams,
                         std::unique_ptr<StaffSignIn>* out);

  // The user a token signs in, at `now` (seconds since the epoch); `hash` is its
  // TokenHash, which the caller has taken already. Null when it does not verify (why: in
  // `why`, for the security log, never the token).
  const Actor* Authenticate(std::string_view token, const std::string& hash, int64_t now,
                            std::string* why) const;

  // With jwks_url: the first fetch (waited for a few seconds at most) and the thread that
  // keeps the set fresh, which tells `note` what happened (ServerLog's security lines).
  // The fetch's outcome; a failure is no reason not to serve (see above). Nothing to do
  // with jwks_file.
  Status Start(JwksCache::Note note);
  // Stops the fetching thread; before `note`'s target goes.
  void Stop();
  // Whether tokens can be verified (a key set is there); why not otherwise.
  bool Ready(std::string* why) const;

  // For the start-up log: issuer, audience, where the keys come from, how many roles.
  nlohmann::json Summary() const;

 private:
  struct Role {
    std::set<std::string> permissions;
    std::string team;
  };
  struct Signed {
    Actor actor;
    int64_t expires_at;
    uint64_t generation;  // of the key set it was verified against
    std::string refused;  // why it no longer verifies ("" while it does)
  };
  explicit StaffSignIn(JwtVerifierOptions options)
      : verifier_(options), options_(std::move(options)) {}
  Actor ActorOf(const JwtClaims& claims) const;
  // The key set to verify with (never null) and its generation.
  std::shared_ptr<const Jwks> Keys(uint64_t* generation) const;
  // Verifies against the current set; for a kid it lacks, once more after a fetch.
  Status Verify(std::string_view token, int64_t now, JwtClaims* claims, uint64_t* generation) const;

  JwtVerifier verifier_;
  JwtVerifierOptions options_;
  std::shared_ptr<const Jwks> file_keys_;  // jwks_file's; null with jwks_url
  std::string jwks_url_;
  std::unique_ptr<JwksCache> cache_;  // jwks_url's; null with jwks_file
  std::string user_claim_ = "preferred_username";
  std::string roles_claim_ = "roles";
  std::map<std::string, Role> roles_;  // by the claim's value

  mutable std::mutex mu_;
  mutable std::map<std::string, Signed> signed_in_;  // by the token's hash; guarded by mu_
  mutable uint64_t sign_ins_ = 0;                    // guarded by mu_
};

}  // namespace caseengine
