// SignInThrottle: failed sign-ins counted per source address and per user, and a lockout
// once either reaches its limit (ServerConfig::sign_in): while locked, every sign-in from
// that source, or naming that user, is answered 429 with Retry-After before its
// credential is even looked at, so guessing goes no faster than the lockouts allow. Each
// next lockout of the same source or user is twice as long (at most 15 minutes); a
// source or user that fails nothing for 15 minutes is forgotten.
//
// The user of a failed sign-in is the one its credential names, when it names one: the
// `sub` claim of a bearer token shaped as a JWT (read, not trusted: it only chooses what
// is counted). A static token names nobody; its failures count for the source alone.
// A success clears the user's count, never the source's: one good token must not reset
// the guessing of others from the same address.
//
// Threading: every method from any thread. A server with nothing counted answers
// Check with one atomic load (the common case: no failures lately); otherwise a mutex.
// At most kMaxEntries sources and users are held; past it the unlocked ones are dropped.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/server_config.h"

namespace caseengine {

class SignInThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMaxEntries = 100000;
  static constexpr std::chrono::seconds kForget{15 * 60};
  static constexpr std::chrono::seconds kMaxLockout{15 * 60};

  explicit SignInThrottle(const SignInConfig& config) : config_(config) {}

  // Seconds until a sign-in from `source` naming `user` ("" : none) may be tried; 0 now.
  int RetryAfter(std::string_view source, std::string_view user, Clock::time_point now);
  void Failed(std::string_view source, std::string_view user, Clock::time_point now);
  void Succeeded(std::string_view user);

  // The user a bearer token names without being verified: a JWT's "sub"; "" otherwise.
  static std::string ClaimedUser(std::string_view token);

 private:
  struct Entry {
    int failures = 0;
    int lockouts = 0;
    Clock::time_point locked_until{};
    Clock::time_point last{};
  };
  using Map = std::unordered_map<std::string, Entry>;
  int Remaining(const Map& map, std::string_view key, Clock::time_point now) const;
  void Count(Map* map, std::string_view key, int limit, Clock::time_point now);
  void Prune(Map* map, Clock::time_point now);

  const SignInConfig config_;
  std::mutex mu_;
  Map sources_, users_;
  std::atomic<size_t> entries_{0};  // sources_ and users_, for the lock-free empty case
};

}  // namespace caseengine
