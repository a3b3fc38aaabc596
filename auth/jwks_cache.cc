// JwksCache: see jwks_cache.h.
#include "auth/jwks_cache.h"

#include <pthread.h>

#include <algorithm>

namespace caseengine {

Status JwksCache::Start(Note note) {
  note_ = std::move(note);
  {
    std::lock_guard<std::mutex> lock(mu_);
    asked_ = true;  // the first fetch at once
    started_ = true;
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "jwks-fetch");
    Run();
  });
  std::unique_lock<std::mutex> lock(mu_);
  done_.wait_for(lock, options_.wait, [&] { return completed_ >= 1 || stop_; });
  if (keys_ != nullptr) return Status::Ok();
  if (completed_ == 0) {
    return Status::Unavailable("the first fetch of the key set did not finish within " +
                               std::to_string(options_.wait.count()) + " ms");
  }
  return last_error_;
}

void JwksCache::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  done_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const Jwks> JwksCache::Current(uint64_t* generation) const {
  std::lock_guard<std::mutex> lock(mu_);
  *generation = generation_.load(std::memory_order_relaxed);
  return keys_;
}

bool JwksCache::RefreshForUnknownKid() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!started_ || stop_) return false;  // not started: no fetch to wait for
  const uint64_t generation = generation_.load(std::memory_order_relaxed);
  const Clock::time_point now = Clock::now();
  uint64_t target = 0;
  if (!unknown_kid_asked_ || now - *unknown_kid_asked_ >= options_.unknown_kid_gap) {
    unknown_kid_asked_ = now;
    asked_ = true;
    asked_for_kid_ = true;
    wake_.notify_one();
    // A fetch in flight may have started before the provider published the key: wait
    // for the one asked for, after it (unless the one in flight brings a new set).
    target = completed_ + (fetching_ ? 2 : 1);
  } else if (asked_for_kid_) {
    target = completed_ + (fetching_ ? 2 : 1);  // another kid's, not started yet
  } else if (fetching_ && fetching_for_kid_) {
    target = completed_ + 1;  // another kid's, in flight
  } else {
    return false;  // within the gap, and no kid's fetch under way: the set stands
  }
  done_.wait_until(lock, now + options_.wait, [&] {
    return completed_ >= target || stop_ ||
           generation_.load(std::memory_order_relaxed) != generation;
  });
  return generation_.load(std::memory_order_relaxed) != generation;
}

bool JwksCache::Ready(std::string* why) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (keys_ != nullptr) return true;
  *why = "the identity provider's key set is not fetched yet" +
         (last_error_.ok() ? std::string() : " (" + last_error_.message() + ")") +
         ": staff tokens are refused until it is";
  return false;
}

uint64_t JwksCache::fetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return completed_;
}

JwksCache::Clock::duration JwksCache::NextAfterSuccess(int64_t max_age) const {
  if (max_age < 0) return options_.refresh;
  const auto floor = std::min(options_.min_refresh, options_.refresh);
  return std::clamp(std::chrono::seconds(max_age), floor, options_.refresh);
}

void JwksCache::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (!asked_ && Clock::now() < next_fetch_) {
      wake_.wait_until(lock, next_fetch_);
      continue;
    }
    asked_ = false;
    fetching_ = true;
    fetching_for_kid_ = asked_for_kid_;
    asked_for_kid_ = false;
    lock.unlock();
    // Off the lock: readers go on with the set there is.
    std::string text;
    int64_t max_age = -1;
    Status s = fetch_(&text, &max_age);
    auto parsed = std::make_shared<Jwks>();
    if (s.ok()) {
      s = Jwks::Parse(text, parsed.get());
      if (!s.ok()) s = Status::Unavailable("the key set fetched does not read: " + s.message());
    }
    lock.lock();
    const Clock::time_point now = Clock::now();
    std::string event;
    nlohmann::json fields;
    if (s.ok()) {
      failures_ = 0;
      last_error_ = Status::Ok();
      next_fetch_ = now + NextAfterSuccess(max_age);
      if (keys_ == nullptr || text != text_) {
        keys_ = std::move(parsed);
        text_ = std::move(text);
        generation_.fetch_add(1, std::memory_order_release);
        event = "key_set_changed";
        fields = {{"keys", keys_->size()}, {"kids", keys_->kids()}};
      }
    } else {
      ++failures_;
      last_error_ = s;
      const auto pause = std::min<std::chrono::seconds>(
          options_.max_retry, std::chrono::seconds(int64_t{1} << std::min(failures_ - 1, 20)));
      next_fetch_ = now + pause;
      event = "key_set_fetch_failed";
      fields = {{"error", s.message()},
                {"retry_in_seconds", pause.count()},
                {"keys_kept", keys_ == nullptr ? 0 : keys_->size()}};
    }
    fetching_ = false;
    fetching_for_kid_ = false;
    ++completed_;
    done_.notify_all();
    if (!event.empty() && note_) {
      lock.unlock();
      note_(event, fields);
      lock.lock();
    }
  }
}

}  // namespace caseengine
