// EventCodec: Event <-> stored payload (a Body, domain.fbs). Personal fields are sealed
// with the subject's data key on the way in and opened on the way out; when the key has
// been destroyed they come back marked erased.
//
// Threading: thread-safe (the KeyStore is).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "aggregates/event.h"
#include "aggregates/key_store.h"

namespace caseengine {

class EventCodec {
 public:
  explicit EventCodec(KeyStore* keys) : keys_(keys) {}

  // Creates the subject's key when it has none yet: written at once, or put in `new_keys`
  // when given (see KeyStore::KeyFor).
  Status Encode(const Event& event, std::string* payload, WriteBatch* new_keys = nullptr) const;
  // Which events' sealed fields Decode opens, by type; empty: every event's. The others
  // are left shut (empty, not marked erased), and need no key and no decryption.
  using OpenPersonal = std::function<bool(EventType)>;
  static bool Shut(EventType) { return false; }  // for readers that show none of them

  // Reads every subject's key ahead (KeyStore::Warm), for a pass that opens most events.
  Status WarmKeys() const { return keys_->Warm(); }

  // Corruption when the payload is not a Body or a sealed field fails to open.
  Status Decode(std::string_view type, std::string_view payload, Event* event,
                const OpenPersonal& open_personal = nullptr) const;

 private:
  KeyStore* keys_;
};

}  // namespace caseengine
