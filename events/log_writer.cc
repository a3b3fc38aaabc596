// LogWriter, the writer thread's job (see log_writer.h): draining the append queue into
// rounds, admitting each request (idempotency, the decision, validation, expected
// versions), encoding and hash-chaining the envelopes into the round's batch, the heads'
// checkpoint, and handing each round to the committer (log_committer.cc). Everything
// here runs on the writer thread.
#include "events/log_writer.h"

#include <boost/asio/post.hpp>
#include <chrono>
#include <cstring>

#include "base/coding.h"
#include "envelope_generated.h"
#include "events/log_format.h"

namespace caseengine {
namespace {

// Stream heads written per round during a checkpoint pass (see CheckpointHeads).
constexpr size_t kHeadsPerRound = 1024;

fb::Digest ToDigest(const Hash256& h) {
  return fb::Digest(flatbuffers::span<const uint8_t, 32>(h.data(), 32));
}

Status ValidateRequest(const AppendRequest& r) {
  if (r.writes.empty()) return Status::InvalidArgument("an append needs at least one stream");
  if (r.actor.size() > 256 || r.tenant.size() > 256 || r.correlation_id.size() > 256 ||
      r.causation_id.size() > 256) {
    return Status::InvalidArgument(
        "actor, tenant, correlation and causation ids are at most "
        "256 bytes");
  }
  size_t events = 0;
  for (size_t i = 0; i < r.writes.size(); ++i) {
    const StreamWrite& w = r.writes[i];
    if (!log_format::ValidStreamId(w.stream)) {
      return Status::InvalidArgument("stream id '" + w.stream.substr(0, 64) +
                                     "' is not 1-256 printable ASCII characters");
    }
    for (size_t j = 0; j < i; ++j) {
      if (r.writes[j].stream == w.stream) {
        return Status::InvalidArgument("stream " + w.stream + " is written twice in one append");
      }
    }
    for (const NewEvent& e : w.events) {
      if (!log_format::ValidEventType(e.type)) {
        return Status::InvalidArgument("event type '" + e.type.substr(0, 64) +
                                       "' is not 1-128 characters of [A-Za-z0-9_.-]");
      }
      if (e.payload.size() > kMaxPayloadBytes) {
        return Status::InvalidArgument("an event payload is larger than 1 MiB");
      }
    }
    events += w.events.size();
  }
  // A stream without events only asserts its version; at least one event must be written.
  if (events == 0) return Status::InvalidArgument("an append needs at least one event");
  if (events > kMaxEventsPerRequest) {
    return Status::InvalidArgument("an append holds at most 10000 events");
  }
  return Status::Ok();
}

std::string EncodeAppendRecord(const AppendResult& r) {
  flatbuffers::FlatBufferBuilder fbb(256);
  std::vector<flatbuffers::Offset<fb::StreamVersion>> versions;
  for (const auto& v : r.versions) {
    versions.push_back(fb::CreateStreamVersion(fbb, fbb.CreateString(v.stream), v.version));
  }
  auto response = r.response.empty()
                      ? flatbuffers::Offset<flatbuffers::Vector<uint8_t>>()
                      : fbb.CreateVector(reinterpret_cast<const uint8_t*>(r.response.data()),
                                         r.response.size());
  auto digest = r.request_digest.empty()
                    ? flatbuffers::Offset<flatbuffers::Vector<uint8_t>>()
                    : fbb.CreateVector(reinterpret_cast<const uint8_t*>(r.request_digest.data()),
                                       r.request_digest.size());
  fbb.Finish(fb::CreateAppendRecord(fbb, r.first_position, r.last_position, r.recorded_at,
                                    fbb.CreateVector(versions), response, digest));
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

Status DecodeAppendRecord(std::string_view bytes, AppendResult* r) {
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!verifier.VerifyBuffer<fb::AppendRecord>(nullptr)) {
    return Status::Corruption("stored idempotency record is unreadable");
  }
  auto* rec = flatbuffers::GetRoot<fb::AppendRecord>(bytes.data());
  r->first_position = rec->first_position();
  r->last_position = rec->last_position();
  r->recorded_at = rec->recorded_at();
  r->versions.clear();
  if (rec->versions() != nullptr) {
    for (const auto* v : *rec->versions()) {
      r->versions.push_back({v->stream() ? v->stream()->str() : "", v->version()});
    }
  }
  r->response.clear();
  if (rec->response() != nullptr) {
    r->response.assign(reinterpret_cast<const char*>(rec->response()->data()),
                       rec->response()->size());
  }
  r->request_digest.clear();
  if (rec->request_digest() != nullptr) {
    r->request_digest.assign(reinterpret_cast<const char*>(rec->request_digest()->data()),
                             rec->request_digest()->size());
  }
  return Status::Ok();
}

uint64_t MicrosSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t)
      .count();
}

int64_t SystemMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void LogWriter::DrainAppends() {
  const size_t max_events = log_->options_.max_batch_events;
  const size_t max_bytes = log_->options_.max_batch_bytes;
  for (auto items = appends_.TakeAll(); !items.empty(); items = appends_.TakeAll()) {
    // Cut the drained requests into rounds that respect the batch limits.
    std::vector<PendingPtr> round;
    size_t events = 0, bytes = 0;
    for (auto& p : items) {
      size_t e = 0, b = 0;
      for (const auto& w : p->request.writes) {
        e += w.events.size();
        for (const auto& ev : w.events) b += ev.payload.size() + 200;
      }
      if (!round.empty() && (events + e > max_events || bytes + b > max_bytes)) {
        WriteRound(&round);
        round.clear();
        events = bytes = 0;
      }
      events += e;
      bytes += b;
      round.push_back(std::move(p));
    }
    if (!round.empty()) WriteRound(&round);
  }
}

LogWriter::Admission LogWriter::Admit(Pending* p, std::vector<HeadRef>* heads,
                                      uint64_t* follow_position) {
  AppendRequest& r = p->request;
  Status s;
  if (r.command_id.size() > kMaxCommandIdBytes) {
    p->outcome.status = Status::InvalidArgument("command id is longer than 256 bytes");
    return Admission::kDone;
  }
  if (!r.command_id.empty() && !r.fresh_command_id) {
    auto it = in_flight_.find(r.command_id);
    if (it != in_flight_.end()) {
      // The original is written but maybe not yet synced: answer once it is.
      p->outcome.result = it->second.result;
      p->outcome.result.duplicate = true;
      *follow_position = std::max(*follow_position, it->second.result.last_position);
      return Admission::kFollow;
    }
    std::string value;
    s = store_->Get(families_.idempotency, r.command_id, &value);
    if (s.ok()) s = DecodeAppendRecord(value, &p->outcome.result);
    if (s.ok()) {
      p->outcome.result.duplicate = true;
      return Admission::kDone;
    }
    if (s.code() != Status::Code::kNotFound) {
      p->outcome.status = s;
      return Admission::kDone;
    }
  }
  if (p->decision.decide) {
    s = p->decision.decide(&r);
    if (!s.ok()) {
      p->outcome.status = s;
      return Admission::kDone;
    }
    // Decided, with nothing to append (a refusal, nothing to change): answered in turn.
    if (r.writes.empty()) return Admission::kDone;
  }
  s = ValidateRequest(r);
  if (!s.ok()) {
    p->outcome.status = s;
    return Admission::kDone;
  }
  heads->resize(r.writes.size());
  for (size_t i = 0; i < r.writes.size(); ++i) {
    auto it = heads_.find(r.writes[i].stream);
    HeadRef& head = (*heads)[i];
    head = it == heads_.end() ? nullptr : &*it;
    const uint64_t actual = head ? head->second.version : 0;
    if (!r.writes[i].expected.Matches(actual)) {
      p->outcome.conflict = VersionConflict{r.writes[i].stream, r.writes[i].expected, actual};
      p->outcome.status = Status::Conflict("stream " + r.writes[i].stream + " is at version " +
                                           std::to_string(actual) + ", expected " +
                                           r.writes[i].expected.ToString());
      return Admission::kDone;
    }
  }
  return Admission::kWrite;
}

void LogWriter::AppendEvents(Pending* p, HeadRef* heads, int64_t now) {
  const AppendRequest& r = p->request;
  AppendResult& result = p->outcome.result;
  result.first_position = next_position_;
  result.recorded_at = now;
  batch_->Append(r.rows);
  std::vector<std::string> envelopes;  // given back, not kept for repeats (see below)
  for (size_t i = 0; i < r.writes.size(); ++i) {
    const StreamWrite& w = r.writes[i];
    if (w.events.empty()) {  // only asserts its version
      result.versions.push_back({w.stream, heads[i] ? heads[i]->second.version : 0});
      continue;
    }
    if (heads[i] == nullptr) heads[i] = &*heads_.emplace(w.stream, CachedHead()).first;
    CachedHead& head = heads[i]->second;
    if (!head.dirty) {
      head.dirty = true;
      dirty_.push_back(heads[i]);
    }
    for (const NewEvent& ev : w.events) {
      const uint64_t position = next_position_++;
      const uint64_t version = ++head.version;
      head.last_position = position;

      fbb_.Clear();
      auto opt_string = [&](const std::string& s) {
        return s.empty() ? flatbuffers::Offset<flatbuffers::String>() : fbb_.CreateString(s);
      };
      auto stream = fbb_.CreateString(w.stream);
      auto type = fbb_.CreateString(ev.type);
      auto actor = opt_string(r.actor);
      auto tenant = opt_string(r.tenant);
      auto command_id = opt_string(r.command_id);
      auto correlation_id = opt_string(r.correlation_id);
      auto causation_id = opt_string(r.causation_id);
      auto payload =
          fbb_.CreateVector(reinterpret_cast<const uint8_t*>(ev.payload.data()), ev.payload.size());
      const fb::Digest prev = ToDigest(last_hash_);
      const fb::Digest zero;
      fb::EnvelopeBuilder b(fbb_);
      b.add_position(position);
      b.add_stream(stream);
      b.add_version(version);
      b.add_type(type);
      b.add_recorded_at(now);
      b.add_actor(actor);
      b.add_tenant(tenant);
      b.add_command_id(command_id);
      b.add_correlation_id(correlation_id);
      b.add_causation_id(causation_id);
      b.add_payload(payload);
      b.add_prev_hash(&prev);
      b.add_hash(&zero);
      fb::FinishEnvelopeBuffer(fbb_, b.Finish());

      uint8_t* data = fbb_.GetBufferPointer();
      const std::string_view bytes(reinterpret_cast<const char*>(data), fbb_.GetSize());
      const size_t hash_offset =
          reinterpret_cast<const uint8_t*>(fb::GetEnvelope(data)->hash()) - data;
      last_hash_ = log_format::ChainHash(last_hash_, bytes, hash_offset);
      std::memcpy(data + hash_offset, last_hash_.data(), 32);

      batch_->Put(families_.log, log_format::LogKey(position), bytes);
      if (r.keep_envelopes) envelopes.emplace_back(bytes);
      scratch_ = log_format::StreamKey(w.stream, version);
      batch_->Put(families_.streams, scratch_, log_format::LogKey(position));
    }
    result.versions.push_back({w.stream, head.version});
  }
  result.last_position = next_position_ - 1;
  result.response = r.response;
  result.request_digest = r.request_digest;
  if (!r.command_id.empty() && !r.fresh_command_id) {
    batch_->Put(families_.idempotency, r.command_id, EncodeAppendRecord(result));
    in_flight_[r.command_id] = InFlight{result};
    in_flight_order_.emplace_back(result.last_position, r.command_id);
  }
  result.envelopes = std::move(envelopes);
}

void LogWriter::PruneInFlight() {
  const uint64_t durable = log_->HeadPosition();
  while (!in_flight_order_.empty() && in_flight_order_.front().first <= durable) {
    in_flight_.erase(in_flight_order_.front().second);
    in_flight_order_.pop_front();
  }
}

void LogWriter::WriteRound(std::vector<PendingPtr>* round) {
  if (log_->failed()) return Fail(round, StoppedStatus());
  const auto round_start = std::chrono::steady_clock::now();
  PruneInFlight();

  const uint64_t first_position = next_position_;
  const int64_t now =
      std::max(log_->options_.clock ? log_->options_.clock() : SystemMicros(), last_recorded_at_);

  batch_ = TakeSpareBatch();
  Handoff written;
  std::vector<PendingPtr> followers, answered;
  uint64_t follow_position = 0;
  std::vector<HeadRef> heads;
  for (auto& p : *round) {
    switch (Admit(p.get(), &heads, &follow_position)) {
      case Admission::kDone:
        answered.push_back(std::move(p));
        break;
      case Admission::kFollow:
        followers.push_back(std::move(p));
        break;
      case Admission::kWrite:
        AppendEvents(p.get(), heads.data(), now);
        if (p->decision.accepted) p->decision.accepted(p->outcome.result);
        // Encoded on this thread, and freed here: freed where the answer is sent, the
        // payloads made glibc lock this thread's arena against that one.
        if (p->decision.decide) std::vector<StreamWrite>().swap(p->request.writes);
        written.pending.push_back(std::move(p));
        break;
    }
  }

  if (!batch_->Empty()) {
    batch_->Put(families_.meta, log_format::kHeadKey,
                log_format::CommittedHeadValue(next_position_ - 1, last_hash_));
    CheckpointHeads();
    // From here on the round counts as written: the committer writes it, in order, and
    // a write that fails stops the log (see the header), so nothing decided after this
    // round can be stored without it.
    write_heads_at_ = false;
    last_recorded_at_ = now;
    counters_.encode_micros += MicrosSince(round_start);
    counters_.rounds++;
    counters_.appends += written.pending.size();
    counters_.events += next_position_ - first_position;
    written.batch = std::move(batch_);
    written.wait_position = next_position_ - 1;
  } else {
    ReturnSpareBatch(std::move(batch_));
  }
  for (auto& p : followers) written.pending.push_back(std::move(p));
  written.wait_position = std::max(written.wait_position, follow_position);
  if (!answered.empty()) {
    // Answered without writing (refused, a durable duplicate): the answer may rest on
    // appends decided before it, so it waits for them to be durable like any other.
    for (auto& p : answered) written.pending.push_back(std::move(p));
    written.wait_position = std::max(written.wait_position, next_position_ - 1);
  }
  if (written.pending.empty() && written.batch == nullptr) return;
  // True when the queue was idle: the committer is not about to drain it.
  if (commits_.Push(std::move(written))) {
    boost::asio::post(committer_io_, [this] { DrainCommits(); });
  }
}

void LogWriter::CheckpointHeads() {
  // A pass starts once enough events were appended since the last one: the heads changed
  // since then are written, at most kHeadsPerRound a round so that no round's write
  // stalls, with their values when written. Those may be newer than the pass's position;
  // an open replays the log from that position anyway, which ends every head at its
  // newest value. Heads changed during the pass wait for the next one.
  if (flushing_.empty() && !dirty_.empty() &&
      next_position_ - 1 - heads_at_ >= log_->options_.heads_checkpoint_events) {
    flushing_.swap(dirty_);
    for (HeadRef h : flushing_) h->second.dirty = false;
    flushed_ = 0;
    pass_at_ = next_position_ - 1;
  }
  bool completed = false;
  if (!flushing_.empty()) {
    const size_t end = std::min(flushing_.size(), flushed_ + kHeadsPerRound);
    for (; flushed_ < end; ++flushed_) {
      const HeadRef h = flushing_[flushed_];
      batch_->Put(families_.heads, h->first,
                  log_format::HeadValue(h->second.version, h->second.last_position));
    }
    completed = flushed_ == flushing_.size();
    if (completed) {
      flushing_.clear();
      heads_at_ = pass_at_;
    }
  }
  if (completed || write_heads_at_) {
    batch_->Put(families_.meta, log_format::kHeadsAtKey, log_format::LogKey(heads_at_));
  }
}

}  // namespace caseengine
