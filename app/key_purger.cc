// KeyPurger: see key_purger.h.
#include "app/key_purger.h"

#include <chrono>

#include "storage/store.h"

namespace caseengine {

KeyPurger::KeyPurger(KeyStore* keys) : keys_(keys) {
  thread_ = std::thread([this] { Loop(); });
}

KeyPurger::~KeyPurger() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void KeyPurger::Schedule() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wanted_ = true;
  }
  cv_.notify_one();
}

void KeyPurger::Loop() {
  std::chrono::steady_clock::time_point last;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return wanted_ || stopping_; });
    if (!wanted_) return;
    cv_.wait_until(lock, last + kMinPurgeInterval, [&] { return stopping_; });
    wanted_ = false;
    lock.unlock();
    last = std::chrono::steady_clock::now();
    const bool purged = keys_->Purge().ok();
    lock.lock();
    if (!purged && !stopping_) wanted_ = true;
  }
}

}  // namespace caseengine
