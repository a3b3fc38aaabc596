// EventView: see event_view.h.
#include "events/event_view.h"

#include <cstring>

#include "envelope_generated.h"

namespace caseengine {
namespace {

std::string_view View(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : std::string_view(s->data(), s->size());
}

Hash256 ToHash(const fb::Digest* d) {
  Hash256 h{};
  if (d != nullptr) std::memcpy(h.data(), d->bytes()->data(), 32);
  return h;
}

}  // namespace

Status EventView::Parse(std::string_view bytes, EventView* view) {
  auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  flatbuffers::Verifier verifier(data, bytes.size());
  if (!fb::VerifyEnvelopeBuffer(verifier)) {
    return Status::Corruption("stored bytes are not a well-formed event envelope");
  }
  const fb::Envelope* env = fb::GetEnvelope(data);
  if (env->hash() == nullptr || env->prev_hash() == nullptr) {
    return Status::Corruption("event envelope has no hash or previous hash");
  }
  view->bytes_ = bytes;
  view->env_ = env;
  view->hash_offset_ = reinterpret_cast<const uint8_t*>(env->hash()) - data;
  return Status::Ok();
}

uint64_t EventView::position() const { return env_->position(); }
std::string_view EventView::stream() const { return View(env_->stream()); }
uint64_t EventView::version() const { return env_->version(); }
std::string_view EventView::type() const { return View(env_->type()); }
int64_t EventView::recorded_at() const { return env_->recorded_at(); }
std::string_view EventView::actor() const { return View(env_->actor()); }
std::string_view EventView::tenant() const { return View(env_->tenant()); }
std::string_view EventView::command_id() const { return View(env_->command_id()); }
std::string_view EventView::correlation_id() const { return View(env_->correlation_id()); }
std::string_view EventView::causation_id() const { return View(env_->causation_id()); }
std::string_view EventView::payload() const {
  auto* p = env_->payload();
  return p == nullptr ? std::string_view()
                      : std::string_view(reinterpret_cast<const char*>(p->data()), p->size());
}
Hash256 EventView::prev_hash() const { return ToHash(env_->prev_hash()); }
Hash256 EventView::hash() const { return ToHash(env_->hash()); }

RecordedEvent EventView::ToRecorded() const {
  RecordedEvent e;
  e.position = position();
  e.stream = stream();
  e.version = version();
  e.type = type();
  e.recorded_at = recorded_at();
  e.actor = actor();
  e.tenant = tenant();
  e.command_id = command_id();
  e.correlation_id = correlation_id();
  e.causation_id = causation_id();
  e.payload = payload();
  e.prev_hash = prev_hash();
  e.hash = hash();
  return e;
}

}  // namespace caseengine
