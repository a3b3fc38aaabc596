// EventLog: checking the hash chain (VerifyChain), over slices of the log on up to eight
// threads. Opening and reading live in event_log.cc, appending in log_writer.cc.
//
// Invariants: each event is checked against its own bytes and linked to the stored hash
// of the one before, so slices verify independently and together prove what one pass over
// the whole would; the report names the first position where the chain breaks.
//
// Threading: VerifyChain may run beside appends and readers; it reads only what is
// durable (up to the head when it starts) and joins its threads before it returns.
#include <algorithm>
#include <thread>

#include "events/event_log.h"
#include "events/log_format.h"

namespace caseengine {
namespace {

// Verifies [from, to] given the stored hash of the event before `from` (zeros before 1).
// Each event is checked against its own bytes and linked to the one before, so slices of
// the log verify independently and together prove what one pass over the whole would.
VerifyReport VerifySlice(const Store& store, FamilyId family, uint64_t from, uint64_t to,
                         const Hash256& anchor) {
  using namespace log_format;
  VerifyReport report;
  report.last_position = from - 1;
  report.last_hash = anchor;
  auto fail = [&](uint64_t position, std::string reason) {
    report.ok = false;
    report.first_bad = position;
    report.reason = std::move(reason);
    return report;
  };
  Hash256 prev = anchor;
  auto it = store.NewIterator(family, ReadPattern::kScan);
  it->Seek(LogKey(from));
  for (uint64_t expected = from; expected <= to; ++expected, it->Next()) {
    if (!it->Valid()) {
      if (!it->status().ok()) return fail(expected, "cannot be read: " + it->status().message());
      return fail(expected, "event is missing: the log ends at " + std::to_string(expected - 1) +
                                " but its head is " + std::to_string(to));
    }
    uint64_t position = 0;
    if (!ParseLogKey(it->key(), &position)) return fail(expected, "a malformed key follows");
    if (position != expected) {
      return fail(expected,
                  "event is missing: the next stored event is " + std::to_string(position));
    }
    EventView view;
    if (!EventView::Parse(it->value(), &view).ok()) {
      return fail(position, "event is unreadable: its bytes are not a well-formed envelope");
    }
    if (view.position() != position) {
      return fail(position, "event says it is position " + std::to_string(view.position()) +
                                ": events were moved or reordered");
    }
    if (view.prev_hash() != prev) {
      return fail(position, "previous hash does not match event " + std::to_string(position - 1) +
                                ": an event before it was changed, removed or reordered");
    }
    if (ChainHash(prev, view.bytes(), view.hash_offset()) != view.hash()) {
      return fail(position, "contents do not match its hash: the event was changed");
    }
    prev = view.hash();
    report.checked++;
    report.last_position = position;
    report.last_hash = prev;
  }
  return report;
}

// Below this many events a second thread costs more than it saves.
constexpr uint64_t kMinParallelSlice = 50000;

}  // namespace

VerifyReport EventLog::VerifyChain(uint64_t from, uint64_t to) const {
  using namespace log_format;
  const uint64_t head = HeadPosition();
  if (from == 0) from = 1;
  if (to == 0 || to > head) to = head;

  // The stored hash of the event before `position` anchors a slice starting there; an
  // anchor that cannot be read is reported at its own position.
  auto anchor_of = [&](uint64_t position, Hash256* hash, VerifyReport* failed) {
    if (position <= 1) {
      *hash = Hash256{};
      return true;
    }
    std::string bytes;
    EventView view;
    if (!store_->Get(families_.log, LogKey(position - 1), &bytes).ok() ||
        !EventView::Parse(bytes, &view).ok()) {
      failed->ok = false;
      failed->first_bad = position - 1;
      failed->reason = "event is missing or unreadable";
      return false;
    }
    *hash = view.hash();
    return true;
  };

  VerifyReport report;
  Hash256 anchor{};
  if (!anchor_of(from, &anchor, &report)) return report;
  const uint64_t events = to >= from ? to - from + 1 : 0;
  const uint64_t threads = std::clamp<uint64_t>(
      std::min<uint64_t>(std::thread::hardware_concurrency(), events / kMinParallelSlice), 1, 8);
  if (threads == 1) return VerifySlice(*store_, families_.log, from, to, anchor);

  // Slices in parallel; each one's anchor is the stored hash that the slice before it
  // checks as its last event, so a break at a boundary is caught by one side or the other.
  std::vector<VerifyReport> slices(threads);
  std::vector<std::thread> workers;
  const uint64_t per = events / threads;
  for (uint64_t i = 0; i < threads; ++i) {
    const uint64_t start = from + i * per;
    const uint64_t end = i + 1 == threads ? to : start + per - 1;
    workers.emplace_back([&, i, start, end] {
      Hash256 a = anchor;
      if (i > 0 && !anchor_of(start, &a, &slices[i])) return;
      slices[i] = VerifySlice(*store_, families_.log, start, end, a);
    });
  }
  for (auto& w : workers) w.join();
  // The first slice that failed says where the chain breaks; everything before it held.
  report = VerifyReport();
  for (const VerifyReport& slice : slices) {
    report.checked += slice.checked;
    if (!slice.ok) {
      report.ok = false;
      report.first_bad = slice.first_bad;
      report.reason = slice.reason;
      report.last_position = slice.last_position;
      report.last_hash = slice.last_hash;
      return report;
    }
    report.last_position = slice.last_position;
    report.last_hash = slice.last_hash;
  }
  return report;
}

}  // namespace caseengine
