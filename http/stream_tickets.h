// StreamTickets: short-lived, single-use tickets with which a browser's EventSource opens
// an event feed (GET /events/stream?ticket=...). EventSource cannot send an Authorization
// header, and a bearer token in a URL would stay in browser histories and proxy logs for
// as long as the token lives; a ticket is obtained with the token (POST
// /events/stream/tickets), opens one feed within kTicketLifetime, and is then spent.
//
// Tickets are random (256 bits, OpenSSL) and kept only as their SHA-256, like tokens.
// Spent and expired tickets are forgotten; a user holds at most kMaxTicketsPerUser unspent
// ones (the oldest is dropped for a new one).
//
// Threading: thread-safe (one mutex; every call is short).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace caseengine {

inline constexpr std::chrono::seconds kTicketLifetime(60);
inline constexpr size_t kMaxTicketsPerUser = 16;

class StreamTickets {
 public:
  struct Issued {
    std::string ticket;         // 64 hex digits, for the query string
    int64_t expires_at_micros;  // since the epoch (UTC)
  };
  // A new ticket for `user_id`.
  Issued Issue(const std::string& user_id);
  // The user the ticket was issued to, spending it; "" when it is unknown, spent or
  // expired.
  std::string Redeem(std::string_view ticket);

 private:
  struct Entry {
    std::string user_id;
    std::chrono::steady_clock::time_point expires;
  };
  void DropExpired(std::chrono::steady_clock::time_point now);  // under mu_

  std::mutex mu_;
  std::map<std::string, Entry> live_;  // hex SHA-256 of a ticket -> its user and expiry
};

}  // namespace caseengine
