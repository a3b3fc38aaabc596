// StaffSignIn: staff signed in through the council's identity provider. An OpenID Connect
// access token (auth/jwt_verifier.h) is verified against the provider's keys (a JSON Web
// Key Set in a file, read at start), and its claims are mapped to an engine user: the
// user's id from a configured claim, and permissions and team from the roles (or groups)
// a configured claim lists, each mapped in the config:
//
//   "oidc": { "issuer": "https://login.example.gov.uk/tenant", "audience": "caseengine",
//             "jwks_file": "/etc/caseengine/jwks.json", "skew_seconds": 60,
//             "user_claim": "preferred_username", "roles_claim": "roles",
//             "roles": [ { "claim": "housing-officer", "permissions": ["casework"],
//                          "team": "housing-options" } ] }
//
// A token whose roles map to nothing signs its user in with no permissions (every route
// that needs one answers 403, which the security log shows).
//
// Invariants: an Actor handed out stays at its address until a day after its token's
// expiry (requests and feeds hold a pointer to it); signed-in users are cached by the
// token's hash, so a token is verified once, not at every request.
//
// Threading: Authenticate from any thread (a mutex around the cache).
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

  // For the start-up log: issuer, audience, how many keys and roles.
  nlohmann::json Summary() const;

 private:
  struct Role {
    std::set<std::string> permissions;
    std::string team;
  };
  struct Signed {
    Actor actor;
    int64_t expires_at;
  };
  explicit StaffSignIn(JwtVerifierOptions options)
      : verifier_(options), options_(std::move(options)) {}
  Actor ActorOf(const JwtClaims& claims) const;

  JwtVerifier verifier_;
  JwtVerifierOptions options_;
  Jwks keys_;
  std::string user_claim_ = "preferred_username";
  std::string roles_claim_ = "roles";
  std::map<std::string, Role> roles_;  // by the claim's value

  mutable std::mutex mu_;
  mutable std::map<std::string, Signed> signed_in_;  // by the token's hash; guarded by mu_
  mutable uint64_t sign_ins_ = 0;                    // guarded by mu_
};

}  // namespace caseengine
