// KeptAnswers: the answers of commands that wrote nothing (refused, or nothing to
// change), kept for repeats of their idempotency key.
//
// An accepted command's answer is kept by the log, with its idempotency record (durable,
// forever). One that wrote nothing left nothing in the log, so its answer is kept here,
// in memory, bounded (the oldest go first past max_entries), while the engine runs. With
// it, the digest of the request that first used the key: the same request repeated gets
// the same answer; another request with the key is refused (idempotency-key-reused).
//
// Keys are IdempotencyKey(user, key): a sender's own, as in the log.
//
// Threading: thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "app/command_result.h"
#include "base/memory_budget.h"

namespace caseengine {

// The key a command's idempotency key is recorded under, here and in the log: the
// sender's, so that another user repeating it gets a decision of its own (and its own
// permission checks), not someone else's answer.
std::string IdempotencyKey(const std::string& user_id, const std::string& key);

class KeptAnswers {
 public:
  explicit KeptAnswers(size_t max_entries = 100000) : max_entries_(max_entries) {}

  struct Kept {
    CommandResult result;
    std::string request_digest;  // of the request that first used the key
  };
  std::optional<Kept> Find(const std::string& key) const;
  // Keeps the first answer under a key; later ones do not replace it.
  void Keep(const std::string& key, Kept kept);
  // Its size, bound, hits and misses (name "kept_answers").
  CacheStats Stats() const;

 private:
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Kept> kept_;  // guarded by mu_
  std::deque<std::string> order_;               // guarded by mu_; oldest first
  mutable uint64_t hits_ = 0, misses_ = 0;      // guarded by mu_
};

}  // namespace caseengine
