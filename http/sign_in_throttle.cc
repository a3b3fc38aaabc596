// SignInThrottle: see sign_in_throttle.h.
#include "http/sign_in_throttle.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace caseengine {
namespace {

// Base64url (RFC 4648, section 5) without padding; false on anything else.
bool DecodeBase64Url(std::string_view in, std::string* out) {
  uint32_t bits = 0;
  int count = 0;
  for (const char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '-') {
      v = 62;
    } else if (c == '_') {
      v = 63;
    } else {
      return false;
    }
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out->push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return true;
}

}  // namespace

std::string SignInThrottle::ClaimedUser(std::string_view token) {
  const size_t first = token.find('.');
  if (first == std::string_view::npos) return "";
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return "";
  }
  const std::string_view payload = token.substr(first + 1, second - first - 1);
  if (payload.size() > 8192) return "";
  std::string json;
  if (!DecodeBase64Url(payload, &json)) return "";
  const auto claims = nlohmann::json::parse(json, nullptr, false);
  if (!claims.is_object() || !claims.contains("sub") || !claims["sub"].is_string()) return "";
  return claims["sub"].get<std::string>().substr(0, 256);
}

int SignInThrottle::Remaining(const Map& map, std::string_view key, Clock::time_point now) const {
  if (key.empty()) return 0;
  auto it = map.find(std::string(key));
  if (it == map.end() || it->second.locked_until <= now) return 0;
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(it->second.locked_until - now);
  return static_cast<int>((left.count() + 999) / 1000);
}

int SignInThrottle::RetryAfter(std::string_view source, std::string_view user,
                               Clock::time_point now) {
  if (entries_.load(std::memory_order_relaxed) == 0) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  return std::max(Remaining(sources_, source, now), Remaining(users_, user, now));
}

void SignInThrottle::Count(Map* map, std::string_view key, int limit, Clock::time_point now) {
  if (key.empty()) return;
  if (map->size() >= kMaxEntries) Prune(map, now);
  Entry& e = (*map)[std::string(key)];
  // A quiet spell of kForget starts the count afresh.
  if (e.last != Clock::time_point{} && now - e.last > kForget && e.locked_until <= now) e = Entry();
  e.last = now;
  if (++e.failures < limit) return;
  e.failures = 0;
  const auto lockout = std::min<std::chrono::seconds>(
      std::chrono::seconds(static_cast<int64_t>(config_.lockout_seconds)
                           << std::min(e.lockouts, 20)),
      kMaxLockout);
  ++e.lockouts;
  e.locked_until = now + lockout;
}

void SignInThrottle::Failed(std::string_view source, std::string_view user, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  Count(&sources_, source, config_.max_failures_per_source, now);
  Count(&users_, user, config_.max_failures_per_user, now);
  entries_.store(sources_.size() + users_.size(), std::memory_order_relaxed);
}

void SignInThrottle::Succeeded(std::string_view user) {
  if (user.empty() || entries_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = users_.find(std::string(user));
  // A locked user stays locked: the success came through (it was not refused) only if
  // it was checked before the lockout began.
  if (it != users_.end() && it->second.locked_until <= Clock::now()) users_.erase(it);
  entries_.store(sources_.size() + users_.size(), std::memory_order_relaxed);
}

void SignInThrottle::Prune(Map* map, Clock::time_point now) {
  for (auto it = map->begin(); it != map->end();) {
    const bool locked = it->second.locked_until > now;
    if (!locked && (now - it->second.last > kForget || map->size() >= kMaxEntries)) {
      it = map->erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace caseengine
