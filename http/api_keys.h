// ApiKeys: named, expiring keys of service accounts (another council system that files
// referrals, a nightly export), kept in the config as hashes:
//
//   "api_keys": [ { "name": "referrals-portal", "user": "referrals-bot",
//                   "key_sha256": "<64 hex digits>", "expires": "2027-06-30" } ]
//
// A key is sent as a bearer token (Authorization: Bearer ce_...). It acts as `user`, a
// user of the config's `users` (its permissions and team; a user may have no token of
// its own and sign in with its keys alone, and may have several keys, which is how a key
// is rotated: add the new one, move the service over, remove the old one). `expires`,
// optional, is a date (the key works through that day, UTC) or an RFC 3339 instant; an
// expired key is refused (401) with its name in the security log, never the key.
//
// Keys are made by `caseengine new-api-key` (NewApiKey: "ce_" and 32 random bytes from
// OpenSSL's RAND_bytes in base64url) and only their SHA-256 is configured: a key is found
// by its hash in a map, so no comparison of secrets happens byte by byte, and a config
// file that leaks gives nobody a key. Names are short and plain (letters, digits, . _ -)
// because they go into logs as the credential used.
//
// Invariants: names and hashes are unique, and unique among the users' token hashes; every
// key's user is configured. Threading: immutable once read; shared freely between threads.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aggregates/config.h"
#include "base/status.h"

namespace caseengine {

struct ApiKey {
  std::string name;
  std::string user;  // a configured user's id
  // Microseconds since the epoch from which the key is refused; never by default.
  int64_t expires_at = std::numeric_limits<int64_t>::max();
};

class ApiKeys {
 public:
  // The prefix of every key NewApiKey makes, which tells a key from other tokens at a glance.
  static constexpr std::string_view kPrefix = "ce_";

  // Reads the config's "api_keys" (a list); `users` are the configured users a key may act
  // as, `token_users` their tokens' hashes (which no key may share). InvalidArgument naming
  // the entry and the fault, an unknown key of an entry included.
  static Status FromJson(const nlohmann::json& list, const std::map<std::string, Actor>& users,
                         const std::map<std::string, std::string>& token_users, ApiKeys* out);

  // The key whose SHA-256 (hex, TokenHash) is `hash`; null when none is.
  const ApiKey* Find(const std::string& hash) const;
  size_t size() const { return by_hash_.size(); }

  // Whether `name` may name a key: 1 to 64 letters, digits, '.', '_' or '-'.
  static bool ValidName(std::string_view name);
  // A time `expires` may give: a date (the key works through it) or an RFC 3339 instant;
  // false when it is neither.
  static bool ParseExpiry(std::string_view text, int64_t* expires_at);

 private:
  std::map<std::string, ApiKey> by_hash_;
};

// A new random key: "ce_" and 32 bytes of RAND_bytes in base64url (46 characters).
// Unavailable when OpenSSL's generator fails.
Status NewApiKey(std::string* key);

}  // namespace caseengine
