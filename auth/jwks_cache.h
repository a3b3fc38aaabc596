// JwksCache: an identity provider's key set fetched from its URL (oidc.jwks_url), kept,
// and fetched again: when its age passes the refresh interval (a shorter Cache-Control
// max-age from the provider is honoured, down to min_refresh), and when a token names a
// kid the set lacks (at most one such fetch per unknown_kid_gap, so tokens with made-up
// kids cannot hammer the provider). A set fetched again replaces the old one whole: a key
// the provider dropped stops verifying. A fetch that fails keeps the set there is (a
// provider that is briefly down signs nobody out) and is tried again after 1, 2, 4, ...
// seconds, at most max_retry apart.
//
// Fetches happen on a thread of the cache's own, one at a time, never under the lock
// readers take. A request never waits for a scheduled refresh: it verifies with the set
// there is. Only a token whose kid the set lacks waits, and at most `wait` (a bit more
// than the fetch's own timeout), for the fetch an unknown kid asked for (its own, or
// another request's still pending or in flight); a request refused a fetch by the gap, with
// no such fetch under way, does not wait at all, nor for a scheduled fetch or a retry (a
// provider that does not answer holds no request for longer than one fetch per gap). Until the
// first fetch succeeds there is no set: every token is refused (401), and Ready says why.
//
// Invariants: the set handed out is immutable and lives as long as its holder's
// shared_ptr; generation() changes exactly when a fetch brings a set whose text differs,
// so callers may keep what they verified against a generation.
//
// Threading: Current, generation, RefreshForUnknownKid, Ready and Summary from any
// thread (a mutex guards the set and the schedule; generation is an atomic). Start once;
// Stop (or the destructor) joins the fetching thread, which calls `note` (from that thread)
// with what happened: the caller's note must outlive Stop.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "auth/jwks.h"
#include "base/status.h"

namespace caseengine {

struct JwksCacheOptions {
  std::chrono::seconds refresh{3600};        // the longest a set is used without a fetch
  std::chrono::seconds min_refresh{60};      // the floor under a provider's max-age
  std::chrono::seconds unknown_kid_gap{30};  // at most one fetch for unknown kids per this
  std::chrono::milliseconds wait{5000};      // the longest a request waits for a fetch
  std::chrono::seconds max_retry{300};       // the longest pause between failed fetches
};

class JwksCache {
 public:
  using Clock = std::chrono::steady_clock;
  // One fetch: the set's text and its max-age in seconds (-1: none), or why not.
  using Fetch = std::function<Status(std::string* body, int64_t* max_age_seconds)>;
  // What happened, for the security log: "key_set_changed" (fields: keys, kids) or
  // "key_set_fetch_failed" (fields: error, retry_in_seconds).
  using Note = std::function<void(std::string_view event, const nlohmann::json& fields)>;

  JwksCache(JwksCacheOptions options, Fetch fetch) : options_(options), fetch_(std::move(fetch)) {}
  ~JwksCache() { Stop(); }
  JwksCache(const JwksCache&) = delete;
  JwksCache& operator=(const JwksCache&) = delete;

  // Starts the fetching thread and waits at most options.wait for the first fetch: its
  // outcome (the thread goes on trying after a failure).
  Status Start(Note note);
  // Stops the fetching thread (a fetch in flight finishes first, within its timeout).
  void Stop();

  // The set there is (null before the first successful fetch), and its generation.
  std::shared_ptr<const Jwks> Current(uint64_t* generation) const;
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // A token named a kid the current set lacks: asks for a fetch (unless one for an unknown
  // kid was asked for within the gap) and waits, at most options.wait, for the fetch in
  // flight or the one asked for. True when the set changed meanwhile.
  bool RefreshForUnknownKid();

  // Whether there is a set; why not otherwise.
  bool Ready(std::string* why) const;
  // Fetches finished, successful or not (tests count them).
  uint64_t fetches() const;

 private:
  void Run();
  // When the next fetch is due after a success whose answer gave `max_age` (-1: none).
  Clock::duration NextAfterSuccess(int64_t max_age) const;

  const JwksCacheOptions options_;
  const Fetch fetch_;
  Note note_;  // set by Start, before the thread

  mutable std::mutex mu_;
  std::condition_variable wake_;                        // the thread: a fetch asked for, or stop
  mutable std::condition_variable done_;                // waiters: a fetch finished
  std::shared_ptr<const Jwks> keys_;                    // guarded by mu_
  std::string text_;                                    // the set's text, to tell a change; guarded
  std::atomic<uint64_t> generation_{0};                 // written under mu_
  Clock::time_point next_fetch_{};                      // guarded by mu_
  std::optional<Clock::time_point> unknown_kid_asked_;  // the last unknown kid's; guarded
  bool asked_ = false;                                  // a fetch asked for; guarded by mu_
  bool fetching_ = false;                               // guarded by mu_
  bool asked_for_kid_ = false;     // the fetch asked for is an unknown kid's; guarded by mu_
  bool fetching_for_kid_ = false;  // the fetch in flight is; guarded by mu_
  bool stop_ = false;              // guarded by mu_
  bool started_ = false;           // guarded by mu_
  uint64_t completed_ = 0;         // fetches finished; guarded by mu_
  int failures_ = 0;               // in a row; guarded by mu_
  Status last_error_;              // guarded by mu_
  std::thread thread_;
};

}  // namespace caseengine
