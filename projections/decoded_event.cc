// DecodedEvent: see decoded_event.h.
#include "projections/decoded_event.h"

#include <utility>

namespace caseengine {
namespace {

// The fields every projection reads, once.
void Derive(DecodedEvent* d) {
  d->kind = ParseStream(d->view.stream(), &d->id);
  d->position = d->view.position();
  d->deletes = DeletesRows(d->view.type());
  d->erases = IsErasure(d->Projected());
}

}  // namespace

Status DecodeEvent(const EventCodec& codec, const EventCodec::OpenPersonal& open, DecodedEvent* d) {
  // Parsed over the event's own copy: a scan's bytes do not outlive its callback.
  Status s = EventView::Parse(d->bytes, &d->view);
  if (!s.ok()) return s;
  d->known = codec.Decode(d->view.type(), d->view.payload(), &d->event, open).ok();
  Derive(d);
  return Status::Ok();
}

Status DecodeEvent(const EventCodec& codec, const EventCodec::OpenPersonal& open, Event event,
                   DecodedEvent* d) {
  Status s = EventView::Parse(d->bytes, &d->view);
  if (!s.ok()) return s;
  // The envelope is what the log holds: an event that is not its own must not reach the
  // read models.
  if (d->view.type() != EventTypeName(event.type)) return DecodeEvent(codec, open, d);
  d->event = std::move(event);
  d->known = codec.AsDecoded(&d->event, open).ok();
  if (!d->known) return DecodeEvent(codec, open, d);
  Derive(d);
  return Status::Ok();
}

}  // namespace caseengine
