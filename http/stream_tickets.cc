// StreamTickets: see stream_tickets.h.
#include "http/stream_tickets.h"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

#include "base/coding.h"
#include "base/sha256.h"

namespace caseengine {
namespace {

std::string Hash(std::string_view ticket) { return HexEncode(AsBytes(Sha256({ticket}))); }

}  // namespace

void StreamTickets::DropExpired(std::chrono::steady_clock::time_point now) {
  for (auto it = live_.begin(); it != live_.end();) {
    it = it->second.expires <= now ? live_.erase(it) : std::next(it);
  }
}

StreamTickets::Issued StreamTickets::Issue(const std::string& user_id) {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) throw std::runtime_error("no random bytes");
  const std::string ticket =
      HexEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  DropExpired(now);
  // The user's oldest unspent ticket makes room for the new one.
  std::vector<std::map<std::string, Entry>::iterator> mine;
  for (auto it = live_.begin(); it != live_.end(); ++it) {
    if (it->second.user_id == user_id) mine.push_back(it);
  }
  if (mine.size() >= kMaxTicketsPerUser) {
    auto oldest = mine.front();
    for (auto it : mine) {
      if (it->second.expires < oldest->second.expires) oldest = it;
    }
    live_.erase(oldest);
  }
  live_[Hash(ticket)] = {user_id, now + kTicketLifetime};
  const int64_t wall = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  return {ticket,
          wall + std::chrono::duration_cast<std::chrono::microseconds>(kTicketLifetime).count()};
}

std::string StreamTickets::Redeem(std::string_view ticket) {
  if (ticket.size() != 64) return "";
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = live_.find(Hash(ticket));
  if (it == live_.end()) return "";
  std::string user = it->second.expires > now ? it->second.user_id : "";
  live_.erase(it);  // spent, or expired
  return user;
}

}  // namespace caseengine
