// DecodedEvent: one event of the log as the runner hands it to every projection, decoded
// once (personal fields opened for the projections that read them).
//
// Invariants: `view`, and `id` through it, point into `bytes` (an envelope, always longer
// than a short string's inline buffer, so moving the event keeps them valid); the fields
// below `event` are read off the envelope once, since each projection's pass over a chunk
// would otherwise go back to the envelope (cold by then) for them.
//
// Threading: none; a chunk's events are decoded on up to two threads, each event by one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aggregates/event_codec.h"
#include "events/event_view.h"
#include "projections/projection.h"

namespace caseengine {

struct DecodedEvent {
  std::string bytes;
  EventView view;  // over bytes
  Event event;
  uint64_t position = 0;
  bool deletes = false;  // DeletesRows
  bool known = false;    // decoded (a type this build knows)
  bool erases = false;   // IsErasure
  StreamKind kind = StreamKind::kOther;
  std::string_view id;
  ProjectedEvent Projected() const { return {view, known ? &event : nullptr, kind, id}; }
};

// Parses `d->bytes` and decodes the event, opening the personal fields of the types `open`
// names; an event of a type this build does not know is left unknown, not failed.
Status DecodeEvent(const EventCodec& codec, const EventCodec::OpenPersonal& open, DecodedEvent* d);

// Like DecodeEvent, for an event whose domain event is at hand in the clear (`event`, as
// its command decided it): nothing is decrypted, and the result is what DecodeEvent would
// give (EventCodec::AsDecoded), also for a subject whose key is gone by now. Decodes
// `d->bytes` instead when `event` is not of the envelope's type.
Status DecodeEvent(const EventCodec& codec, const EventCodec::OpenPersonal& open, Event event,
                   DecodedEvent* d);

}  // namespace caseengine
