// LogWriter's life (see log_writer.h): creation and the loading of the stream heads,
// its two threads, the queue that any thread submits to, a resume after a stop (on the
// writer thread, with a barrier through the committer), the close, the spare batches
// the two threads pass round, and the counters.
#include <pthread.h>

#include <boost/asio/post.hpp>
#include <future>

#include "events/log_format.h"
#include "events/log_writer.h"

namespace caseengine {

LogWriter::LogWriter(EventLog* log, const LogTail& tail)
    : log_(log),
      store_(log->store_),
      families_(log->families_),
      next_position_(tail.position + 1),
      last_hash_(tail.hash),
      last_recorded_at_(tail.recorded_at),
      fbb_(1024),
      writer_work_(writer_io_.get_executor()),
      committer_work_(committer_io_.get_executor()) {}

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
  committer_thread_ = std::thread(run, &committer_io_, "log-commit");
}

LogWriter::~LogWriter() {
  {
    std::lock_guard<std::mutex> lock(closing_mu_);
    closing_ = true;
  }
  writer_work_.reset();  // run() returns once the queued drains have run
  writer_thread_.join();
  // The writer hands on no more rounds: the committer completes the last ones and ends.
  committer_work_.reset();
  committer_thread_.join();
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

Status LogWriter::Resume() {
  std::promise<Status> done;
  std::future<Status> resumed = done.get_future();
  boost::asio::post(writer_io_, [this, &done] { done.set_value(ResumeOnWriter()); });
  return resumed.get();
}

Status LogWriter::ResumeOnWriter() {
  if (!log_->failed()) return Status::Ok();
  // The rounds decided before the stop go through the committer (and fail there: the log
  // is stopped) before anything changes. This thread hands on no round meanwhile, so a
  // barrier posted now runs after the committer has drained every round queued.
  std::promise<void> passed;
  boost::asio::post(committer_io_, [&passed] { passed.set_value(); });
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

LogStats LogWriter::Stats() const {
  LogStats st;
  st.appends = counters_.appends;
  st.events = counters_.events;
  st.rounds = counters_.rounds;
  st.syncs = counters_.syncs;
  st.sync_micros = counters_.sync_micros;
  st.write_micros = counters_.write_micros;
  st.encode_micros = counters_.encode_micros;
  st.answer_micros = counters_.answer_micros;
  st.failed_rounds = counters_.failed_rounds;
  return st;
}

}  // namespace caseengine
