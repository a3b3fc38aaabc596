// Folding an aggregate's stream from the log into its state, now or as it was at a
// position or a time: what live reads, `as_of=`/`at=` and `casereplay state` share. Uses
// the stream index, so it reads only that stream's events, whatever the log's size.
//
// Threading: thread-safe (the log and codec are).
#pragma once

#include <cstdint>
#include <string>

#include "aggregates/event_codec.h"
#include "aggregates/state.h"
#include "events/event_log.h"

namespace caseengine {

// Up to where to fold; 0 means no limit.
struct AsOf {
  uint64_t position = 0;  // events at or below this position
  int64_t micros = 0;     // events recorded at or before this instant
};

// Folds the stream's events (up to `as_of`) into `state`.
template <class State>
Status FoldStream(const EventLog& log, const EventCodec& codec, const std::string& stream,
                  const AsOf& as_of, State* state) {
  Status decode_status;
  Status s = log.ScanStream(stream, 1, [&](const EventView& v) {
    if ((as_of.position != 0 && v.position() > as_of.position) ||
        (as_of.micros != 0 && v.recorded_at() > as_of.micros)) {
      return false;
    }
    Event e;
    decode_status = codec.Decode(v.type(), v.payload(), &e);
    if (!decode_status.ok()) return false;
    Evolve(state, e);
    return true;
  });
  return s.ok() ? decode_status : s;
}

// A fresh fold; NotFound (naming `what`) when the stream had no events by then.
template <class State>
Status ReadState(const EventLog& log, const EventCodec& codec, const std::string& stream,
                 const std::string& what, const AsOf& as_of, State* state) {
  *state = State();
  Status s = FoldStream(log, codec, stream, as_of, state);
  if (s.ok() && !state->exists) return Status::NotFound("no " + what);
  return s;
}

}  // namespace caseengine
