// DeferredWrites: see deferred_writes.h.
#include "projections/deferred_writes.h"

#include <algorithm>
#include <iterator>

namespace caseengine {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t MicrosSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

}  // namespace

void DeferredWrites::Reset(std::vector<FamilyId> families, std::vector<uint64_t> checkpoints) {
  const size_t n = checkpoints.size();
  families_ = std::move(families);
  written_ = checkpoints;
  applied_ = std::move(checkpoints);
  unwritten_.assign(n, 0);
  held_.assign(n, WriteBatch());
  staged_at_.assign(n, Clock::now());
}

void DeferredWrites::Restart(size_t i) {
  applied_[i] = 0;
  written_[i] = 0;
  unwritten_[i] = 0;
  held_[i].Clear();
}

uint64_t DeferredWrites::MinApplied(uint64_t none) const {
  return applied_.empty() ? none : *std::min_element(applied_.begin(), applied_.end());
}

uint64_t DeferredWrites::MinWritten(uint64_t none) const {
  return written_.empty() ? none : *std::min_element(written_.begin(), written_.end());
}

bool DeferredWrites::Holds(size_t i) const {
  return rebuilding_ && (*projections_)[i]->reads_rows_only_at() != nullptr;
}

bool DeferredWrites::WriteDue(size_t i, uint64_t more_events) const {
  // Held rows go before the rebuild's end only past kMaxHeldBytes.
  if (rebuilding_) return held_[i].ByteSize() >= kMaxHeldBytes;
  return unwritten_[i] + more_events >= kDeferredWriteEvents ||
         Clock::now() - staged_at_[i] >= write_interval_;
}

void DeferredWrites::Defer(size_t i, uint64_t last, uint64_t pending) {
  applied_[i] = last;
  unwritten_[i] += pending;
}

void DeferredWrites::Stage(size_t i, Staged* out, uint64_t position) {
  unwritten_[i] = 0;
  staged_at_[i] = Clock::now();
  if (!held_[i].Empty()) {
    if (out->batch.Empty()) {
      std::swap(out->batch, held_[i]);
    } else {
      out->batch.Append(held_[i]);
      held_[i].Clear();
    }
  }
  Projection* p = (*projections_)[i];
  RowWriter rows(&out->batch, families_[i], store_);
  p->Flush(&rows);
  checkpoints_->Put(&out->batch, *p, position);
  out->checkpoints.emplace_back(i, position);
}

Status DeferredWrites::Write(Staged* out, bool bulk) {
  if (out->checkpoints.empty()) return Status::Ok();
  const Clock::time_point start = Clock::now();
  Status s = bulk          ? store_->WriteBulk(out->batch)
             : rebuilding_ ? store_->WriteUnlogged(out->batch)
                           : store_->Write(out->batch, /*sync=*/false);
  const size_t count = out->batch.Count();
  if (!s.ok() && !rebuilding_ && !store_->Health().ok()) {
    // The store stopped (a full disk): the rows stay applied, kept with their checkpoints
    // to be written first once it takes writes again.
    std::lock_guard<std::mutex> lock(kept_mu_);
    for (const auto& [i, position] : out->checkpoints) applied_[i] = position;
    kept_.push_back(std::move(*out));
    *out = Staged();
    return s;
  }
  out->batch.Clear();
  if (!s.ok()) {
    // Nothing of it was written: a later write must not record these checkpoints.
    out->checkpoints.clear();
    return s;
  }
  for (const auto& [i, position] : out->checkpoints) {
    applied_[i] = position;
    written_[i] = position;
  }
  out->checkpoints.clear();
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.batches++;
  stats_.rows += count;
  stats_.write_micros += MicrosSince(start);
  return Status::Ok();
}

Status DeferredWrites::WriteKept(bool* any) {
  std::vector<Staged> kept;
  {
    std::lock_guard<std::mutex> lock(kept_mu_);
    kept.swap(kept_);
  }
  *any = !kept.empty();
  size_t done = 0;
  Status s;
  for (; done < kept.size(); ++done) {
    Staged& out = kept[done];
    s = store_->Write(out.batch, /*sync=*/false);
    if (!s.ok()) break;
    for (const auto& [i, position] : out.checkpoints) written_[i] = position;
  }
  if (done < kept.size()) {
    std::lock_guard<std::mutex> lock(kept_mu_);
    kept_.insert(kept_.begin(), std::make_move_iterator(kept.begin() + done),
                 std::make_move_iterator(kept.end()));
    return s;
  }
  return Status::Ok();
}

std::vector<size_t> DeferredWrites::Unwritten() const {
  std::vector<size_t> order;
  for (size_t i = 0; i < unwritten_.size(); ++i) {
    if (unwritten_[i] > 0) order.push_back(i);
  }
  return order;
}

size_t DeferredWrites::MostOverdue() const {
  const size_t none = unwritten_.size();
  size_t overdue = none;
  for (size_t i = 0; i < none; ++i) {
    if (unwritten_[i] > 0 && WriteDue(i, 0) &&
        (overdue == none || staged_at_[i] < staged_at_[overdue])) {
      overdue = i;
    }
  }
  return overdue;
}

void DeferredWrites::AddDeferredMicros(uint64_t micros) {
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.deferred_write_micros += micros;
}

WriteStats DeferredWrites::Stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

}  // namespace caseengine
