// EventFeed: the log as server-sent events (GET /events/stream), produced a part at a
// time without blocking (HttpResponse::stream), and FeedSlots, the cap on the feeds one
// user may hold open at once.
//
// A feed holds no thread: each call reads what the log has past the feed's position (at
// most kMaxPart bytes of events), or, after kHeartbeat with nothing new, a comment that
// shows whether the client is still there. Its first part tells the client how long to
// wait before reconnecting (`retry:`).
//
// Threading: FeedSlots is thread-safe. A feed's function is called by one thread at a
// time (the server's feed pool).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "aggregates/event_codec.h"
#include "events/event_log.h"

namespace caseengine {

class FeedSlots {
 public:
  explicit FeedSlots(int max_per_user) : max_per_user_(max_per_user) {}
  // A slot of `user`'s, held while its feed is open (given back when the last copy is
  // destroyed); null when the user already holds max_per_user. Must not outlive this.
  std::shared_ptr<void> Take(const std::string& user);
  int open(const std::string& user) const;
  int max_per_user() const { return max_per_user_; }

 private:
  const int max_per_user_;
  mutable std::mutex mu_;
  std::map<std::string, int> open_;
};

// Bytes of events a call adds at most; a comment after this long with nothing new.
inline constexpr size_t kMaxFeedPart = 256 << 10;
inline constexpr std::chrono::seconds kFeedHeartbeat(1);
// The reconnection time a feed tells its client first (the `retry:` field).
inline constexpr std::chrono::milliseconds kFeedRetry(2000);

// The stream function (HttpResponse::stream) of a feed from position `from`. It ends
// when *stopping is set, or when the log cannot be read. `slot` is held until then.
std::function<bool(std::string* out)> EventFeed(const EventLog* log, const EventCodec* codec,
                                                uint64_t from, std::shared_ptr<void> slot,
                                                const std::atomic<bool>* stopping);

}  // namespace caseengine
