// EventFeed: see event_feed.h.
#include "http/event_feed.h"

#include "audit/event_json.h"

namespace caseengine {

std::shared_ptr<void> FeedSlots::Take(const std::string& user) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    int& open = open_[user];
    if (open >= max_per_user_) return nullptr;
    ++open;
  }
  // Points at this (never used through it): the deleter gives the slot back.
  return std::shared_ptr<void>(static_cast<void*>(this), [this, user](void*) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = open_.find(user);
    if (it != open_.end() && --it->second <= 0) open_.erase(it);
  });
}

int FeedSlots::open(const std::string& user) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_.find(user);
  return it == open_.end() ? 0 : it->second;
}

std::function<bool(std::string* out)> EventFeed(const EventLog* log, const EventCodec* codec,
                                                uint64_t from, std::shared_ptr<void> slot,
                                                const std::atomic<bool>* stopping) {
  struct State {
    uint64_t next;
    std::chrono::steady_clock::time_point last_sent;
    std::shared_ptr<void> slot;
    bool started = false;
  };
  auto state = std::make_shared<State>(State{from, std::chrono::steady_clock::now(), slot});
  return [log, codec, stopping, state](std::string* out) {
    if (stopping->load()) return false;
    if (!state->started) {
      // How long a client waits before it reconnects after the connection drops (it then
      // sends Last-Event-ID, and the feed goes on after that event).
      *out += "retry: " + std::to_string(kFeedRetry.count()) + "\n\n";
      state->started = true;
    }
    Status s;
    if (log->HeadPosition() >= state->next) {
      s = log->Scan(state->next, 0, [&](const EventView& v) {
        *out += "id: " + std::to_string(v.position()) + "\nevent: " + std::string(v.type()) +
                "\ndata: " + ToJsonLine(EventJson(v, *codec)) + "\n\n";
        state->next = v.position() + 1;
        return out->size() < kMaxFeedPart;
      });
    }
    if (!s.ok()) return false;
    const auto now = std::chrono::steady_clock::now();
    if (out->empty() && now - state->last_sent >= kFeedHeartbeat) {
      *out = ": waiting at " + std::to_string(state->next) + "\n\n";
    }
    if (!out->empty()) state->last_sent = now;
    return true;
  };
}

}  // namespace caseengine
