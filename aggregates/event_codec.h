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
  // Turns an event as a command decided it (every field in the clear) into what Decode
  // gives back from its encoded payload, without sealing or opening anything: the
  // subject kept only when there are sealed fields, sealed fields shut for the types
  // `open_personal` leaves shut, and marked erased when the subject's key is gone (looked
  // up now, as Decode would). For readers handed events from memory (projections fed as
  // commands commit), so they see exactly what reading the log would show them.
  Status AsDecoded(Event* event, const OpenPersonal& open_personal = nullptr) const;

 private:
  KeyStore* keys_;
};

}  // namespace caseengine
