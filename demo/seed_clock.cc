// SeedClock: see seed_clock.h.
#include "demo/seed_clock.h"

#include <algorithm>
#include <chrono>

#include "base/time_format.h"

namespace caseengine {
namespace {

constexpr int64_t kMinute = int64_t{60} * 1000000;
constexpr int64_t kDay = 24 * 60 * kMinute;
constexpr int64_t kOfficeOpens = 8 * 60 * kMinute + 30 * kMinute;  // 08:30
constexpr int64_t kOfficeCloses = 18 * 60 * kMinute;               // 18:00
// Between two readings of a walked day (one reading a writer round): a day of a few
// dozen rounds spreads over the morning, and a busy one stops at closing time.
constexpr int64_t kStep = 3 * kMinute;

int64_t SystemMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t DayOf(int64_t micros) { return micros >= 0 ? micros / kDay : (micros - kDay + 1) / kDay; }

}  // namespace

SeedClock::SeedClock(std::function<int64_t()> real)
    : real_(real ? std::move(real) : std::function<int64_t()>(SystemMicros)) {}

int64_t SeedClock::RealMicros() const { return real_(); }

int64_t SeedClock::Micros() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!walking_) return real_();
  const int64_t now = next_;
  next_ = std::min(next_ + kStep, day_end_);
  return now;
}

std::string SeedClock::Today() {
  std::lock_guard<std::mutex> lock(mu_);
  return MicrosToDate(walking_ ? day_ * kDay : real_());
}

bool SeedClock::Walk(int64_t day) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!walking_) {
    limit_ = real_();
  } else if (day < day_) {
    return false;
  }
  if (day > DayOf(limit_)) return false;
  const bool same_day = walking_ && day == day_;
  walking_ = true;
  day_ = day;
  if (same_day) return true;
  day_end_ = std::min(day * kDay + kOfficeCloses, limit_);
  next_ = std::min(day * kDay + kOfficeOpens, day_end_);
  return true;
}

void SeedClock::EndWalk() {
  std::lock_guard<std::mutex> lock(mu_);
  walking_ = false;
}

bool SeedClock::walking() const {
  std::lock_guard<std::mutex> lock(mu_);
  return walking_;
}

}  // namespace caseengine
