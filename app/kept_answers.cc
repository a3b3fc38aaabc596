// KeptAnswers: see kept_answers.h.
#include "app/kept_answers.h"

namespace caseengine {

std::string IdempotencyKey(const std::string& user_id, const std::string& key) {
  return user_id + "/" + key;
}

std::optional<KeptAnswers::Kept> KeptAnswers::Find(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = kept_.find(key);
  if (it == kept_.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return it->second;
}

void KeptAnswers::Keep(const std::string& key, Kept kept) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!kept_.emplace(key, std::move(kept)).second) return;
  order_.push_back(key);
  if (order_.size() > max_entries_) {
    kept_.erase(order_.front());
    order_.pop_front();
  }
}

CacheStats KeptAnswers::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  CacheStats stats;
  stats.name = "kept_answers";
  stats.entries = kept_.size();
  stats.capacity = max_entries_;
  stats.hits = hits_;
  stats.misses = misses_;
  return stats;
}

}  // namespace caseengine
