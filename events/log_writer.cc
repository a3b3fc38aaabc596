// LogWriter: see log_writer.h.
#include "events/log_writer.h"

#include <pthread.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <cstring>
#include <future>

#include "base/coding.h"
#include "envelope_generated.h"
#include "events/log_format.h"

namespace caseengine {
namespace {

// A sync that completes at most this many requests wakes their callers itself.
constexpr size_t kInlineCompletions = 8;
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

// The answer to an append written before the log stopped, and not synced.
Status UnknownStatus(const Status& stopped) {
  const std::string message = stopped.message() +
                              "; whether this append is stored is unknown: retry it with the "
                              "same command id once the log goes on";
  return stopped.code() == Status::Code::kNoSpace ? Status::NoSpace(message)
                                                  : Status::Unavailable(message);
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

LogWriter::LogWriter(EventLog* log, const LogTail& tail)
    : log_(log),
      store_(log->store_),
      families_(log->families_),
      next_position_(tail.position + 1),
      last_hash_(tail.hash),
      last_recorded_at_(tail.recorded_at),
      fbb_(1024),
      writer_work_(writer_io_.get_executor()),
      store_work_(store_io_.get_executor()),
      syncer_work_(syncer_io_.get_executor()),
      completer_work_(completer_io_.get_executor()) {}

Status LogWriter::Create(EventLog* log, const LogTail& tail, std::unique_ptr<LogWriter>* out) {
  std::unique_ptr<LogWriter> writer(new LogWriter(log, tail));
  Status s = writer->LoadHeads(tail.position);
  if (!s.ok()) return s;
  writer->StartThreads();
  *out = std::move(writer);
  return Status::Ok();
}

Status LogWriter::LoadHeads(uint64_t tail_position) {
  // Sized once for a large caseload: rehashing a table of a million streams stalls the
  // writer (8 MB of buckets).
  heads_.reserve(1 << 20);
  auto it = store_->NewIterator(families_.heads, ReadPattern::kScan);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    CachedHead head;
    if (!log_format::ParseHeadValue(it->value(), &head.version, &head.last_position)) {
      return Status::Corruption("the head of stream " + std::string(it->key()) + " is unreadable");
    }
    heads_.emplace(std::string(it->key()), head);
  }
  if (!it->status().ok()) return it->status();

  std::string value;
  Status s = store_->Get(families_.meta, log_format::kHeadsAtKey, &value);
  if (s.code() == Status::Code::kNotFound) {
    // A new log, or one written before the checkpoint (every head is in the family).
    // The first round records where the family ends, since it no longer writes heads
    // itself: without the record, the next open would take the family as complete.
    heads_at_ = tail_position;
    write_heads_at_ = true;
    return Status::Ok();
  }
  if (!s.ok()) return s;
  if (!log_format::ParseLogKey(value, &heads_at_) || heads_at_ > tail_position) {
    return Status::Corruption("the heads' checkpoint position is unreadable or past the log");
  }
  // The events after the checkpoint, from the log.
  if (heads_at_ == tail_position) return Status::Ok();
  return log_->Scan(heads_at_ + 1, tail_position, [&](const EventView& e) {
    auto [entry, created] = heads_.try_emplace(std::string(e.stream()));
    entry->second.version = e.version();
    entry->second.last_position = e.position();
    if (!entry->second.dirty) {
      entry->second.dirty = true;
      dirty_.push_back(&*entry);
    }
    return true;
  });
}

void LogWriter::StartThreads() {
  auto run = [](boost::asio::io_context* io, const char* name) {
    pthread_setname_np(pthread_self(), name);  // shows in top -H, perf and gdb
    io->run();
  };
  writer_thread_ = std::thread(run, &writer_io_, "log-writer");
  store_thread_ = std::thread(run, &store_io_, "log-store");
  syncer_thread_ = std::thread(run, &syncer_io_, "log-sync");
  completer_thread_ = std::thread(run, &completer_io_, "log-ack");
}

LogWriter::~LogWriter() {
  {
    std::lock_guard<std::mutex> lock(closing_mu_);
    closing_ = true;
  }
  writer_work_.reset();  // run() returns once the queued drains have run
  writer_thread_.join();
  store_work_.reset();
  store_thread_.join();
  syncer_work_.reset();
  syncer_thread_.join();
  completer_work_.reset();
  completer_thread_.join();
}

void LogWriter::Submit(AppendRequest request, Decision decision, EventLog::AppendCallback done) {
  auto p = std::make_unique<Pending>();
  p->request = std::move(request);
  p->decision = std::move(decision);
  p->done = std::move(done);
  std::unique_lock<std::mutex> lock(closing_mu_);
  if (closing_) {
    lock.unlock();
    p->outcome.status = Status::Unavailable("the event log is closing");
    return Complete(p.get());
  }
  if (appends_.Push(std::move(p))) {
    boost::asio::post(writer_io_, [this] { DrainAppends(); });
  }
}

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
    // From here on the round counts as written: the store thread writes it, in order, and
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
  if (writes_.Push(std::move(written))) {
    boost::asio::post(store_io_, [this] { DrainWrites(); });
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

Status LogWriter::Resume() {
  std::promise<Status> done;
  std::future<Status> resumed = done.get_future();
  boost::asio::post(writer_io_, [this, &done] { done.set_value(ResumeOnWriter()); });
  return resumed.get();
}

Status LogWriter::ResumeOnWriter() {
  if (!log_->failed()) return Status::Ok();
  // The rounds decided before the stop go through the store and sync threads (and fail
  // there: the log is stopped) before anything changes: a barrier through both, in order.
  std::promise<void> passed;
  boost::asio::post(store_io_, [this, &passed] {
    boost::asio::post(syncer_io_, [&passed] { passed.set_value(); });
  });
  passed.get_future().wait();
  Status s = store_->Health();
  if (!s.ok()) return s;
  // What the store holds now is durable (a recovered store made it so): the chain goes
  // on from there, including rounds written before the stop whose sync never came.
  LogTail tail;
  s = log_->Recover(&tail);
  if (!s.ok()) return s;
  next_position_ = tail.position + 1;
  last_hash_ = tail.hash;
  last_recorded_at_ = std::max(last_recorded_at_, tail.recorded_at);
  heads_.clear();
  dirty_.clear();
  flushing_.clear();
  flushed_ = 0;
  pass_at_ = 0;
  write_heads_at_ = false;
  in_flight_.clear();
  in_flight_order_.clear();
  s = LoadHeads(tail.position);
  if (!s.ok()) return s;
  // Deciders drop state that rounds accepted before the stop changed (see FailedRounds).
  counters_.failed_rounds++;
  log_->Publish(tail.position);
  log_->ClearFailed();
  return Status::Ok();
}

std::unique_ptr<WriteBatch> LogWriter::TakeSpareBatch() {
  std::lock_guard<std::mutex> lock(spare_mu_);
  if (spare_batches_.empty()) return std::make_unique<WriteBatch>();
  auto batch = std::move(spare_batches_.back());
  spare_batches_.pop_back();
  return batch;
}

void LogWriter::ReturnSpareBatch(std::unique_ptr<WriteBatch> batch) {
  batch->Clear();
  std::lock_guard<std::mutex> lock(spare_mu_);
  if (spare_batches_.size() < 4) spare_batches_.push_back(std::move(batch));
}

void LogWriter::WriteHandoffs(std::vector<Handoff>* handoffs) {
  // The rounds queued meanwhile go to the store in one write, in order: each write costs
  // a WAL record and a pass through RocksDB's write queue, and a writer that keeps up
  // hands on rounds of a few appends. Once a write fails, neither its rounds nor any after
  // them (they chain onto them) may be stored: the log stops, and they fail.
  std::vector<Handoff*> rounds;
  for (Handoff& h : *handoffs) {
    if (h.batch != nullptr) rounds.push_back(&h);
  }
  Status s = log_->failed() ? StoppedStatus() : Status::Ok();
  if (s.ok() && !rounds.empty()) {
    const WriteBatch* batch = rounds[0]->batch.get();
    if (rounds.size() > 1) {
      // A combined batch of a burst is not kept at its largest.
      if (combined_.ByteSize() > (8 << 20)) combined_ = WriteBatch();
      combined_.Clear();
      for (Handoff* h : rounds) combined_.Append(*h->batch);
      batch = &combined_;
    }
    const auto write_start = std::chrono::steady_clock::now();
    s = store_->Write(*batch, /*sync=*/false);
    counters_.write_micros += MicrosSince(write_start);
    if (!s.ok()) {
      log_->MarkFailed(s);
    }
  }
  // Every round accepted but not stored voids what its decision changed (FailedRounds).
  if (!s.ok()) counters_.failed_rounds += rounds.size();
  for (Handoff& h : *handoffs) {
    // Answers without a round of their own rest on earlier rounds: they fail with them.
    h.status = s;
    if (h.batch != nullptr) ReturnSpareBatch(std::move(h.batch));
  }
}

void LogWriter::DrainWrites() {
  for (auto handoffs = writes_.TakeAll(); !handoffs.empty(); handoffs = writes_.TakeAll()) {
    WriteHandoffs(&handoffs);
    for (Handoff& h : handoffs) {
      // True when the queue was empty: the syncer is not about to drain it.
      if (syncs_.Push(std::move(h))) boost::asio::post(syncer_io_, [this] { DrainSyncs(); });
    }
  }
}

void LogWriter::DrainSyncs() {
  for (auto handoffs = syncs_.TakeAll(); !handoffs.empty(); handoffs = syncs_.TakeAll()) {
    uint64_t target = 0;
    for (const auto& h : handoffs) {
      if (h.status.ok()) target = std::max(target, h.wait_position);
    }
    Status synced;
    if (log_->failed() && target > log_->HeadPosition()) {
      // Written, but a later round's write or sync failed first: never synced here.
      synced = UnknownStatus(log_->StoppedStatus());
    } else if (target > log_->HeadPosition()) {
      const auto sync_start = std::chrono::steady_clock::now();
      synced = store_->SyncWal();
      counters_.syncs++;
      counters_.sync_micros += MicrosSince(sync_start);
      if (!synced.ok()) {
        log_->MarkFailed(synced);
        synced = UnknownStatus(log_->StoppedStatus());
      }
    }
    // A log that stopped after these rounds were written and synced still publishes them:
    // they are durable.
    if (synced.ok() || target <= log_->HeadPosition()) {
      synced = Status::Ok();
      log_->Publish(target);
    }
    auto complete = [this, synced](std::vector<Handoff>& done) {
      for (auto& h : done) {
        const Status& s = h.status.ok() ? synced : h.status;
        if (!s.ok()) {
          Fail(&h.pending, s);
          continue;
        }
        for (auto& p : h.pending) Complete(p.get());
      }
    };
    size_t waiting = 0;
    for (const auto& h : handoffs) waiting += h.pending.size();
    if (waiting <= kInlineCompletions) {
      // Few callers: waking them here costs less than a hand-off, and little can have
      // been written for the next sync meanwhile.
      complete(handoffs);
    } else {
      boost::asio::post(completer_io_, [complete, handoffs = std::move(handoffs)]() mutable {
        complete(handoffs);
      });
    }
  }
}

LogStats LogWriter::Stats() const {
  LogStats st;
  st.appends = counters_.appends;
  st.events = counters_.events;
  st.rounds = counters_.rounds;
  st.syncs = counters_.syncs;
  st.sync_micros = counters_.sync_micros;
  st.write_micros = counters_.write_micros;
  st.encode_micros = counters_.encode_micros;
  st.failed_rounds = counters_.failed_rounds;
  return st;
}

void LogWriter::Fail(std::vector<PendingPtr>* pending, const Status& status) {
  for (auto& p : *pending) {
    p->outcome.status = status;
    p->outcome.result = AppendResult();
    p->outcome.conflict.reset();
    Complete(p.get());
  }
}

}  // namespace caseengine
