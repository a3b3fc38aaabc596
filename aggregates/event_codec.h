// EventCodec: Event <-> stored payload (a Body, domain.fbs). Personal fields are sealed
// with the subject's data key on the way in and opened on the way out; when the key has
// been destroyed they come back marked erased.
//
// Threading: thread-safe (the KeyStore is).
#pragma once

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
  // Corruption when the payload is not a Body or a sealed field fails to open. Without
  // `open_personal` the sealed fields are left shut (and empty, not marked erased): for
  // readers that show none of them, which then need no key and no decryption.
  Status Decode(std::string_view type, std::string_view payload, Event* event,
                bool open_personal = true) const;

 private:
  KeyStore* keys_;
};

}  // namespace caseengine
