// PersonalPurge: see personal_purge.h.
#include "projections/personal_purge.h"

#include <functional>

namespace caseengine {

void PersonalPurge::BeginRebuild(bool all) {
  rebuilding_all_ = all;
  overflow_ = false;
}

void PersonalPurge::EndRebuild() {
  rebuilding_all_ = false;
  std::unordered_set<uint64_t>().swap(plaintext_subjects_);
}

void PersonalPurge::NotePlaintext(const DecodedEvent& d) {
  if (!rebuilding_all_ || overflow_ || !d.known) return;
  if (d.event.personal.erased || d.event.personal.Empty()) return;
  if (plaintext_subjects_.size() >= kMaxPlaintextSubjects) {
    overflow_ = true;
    plaintext_subjects_.clear();
    return;
  }
  plaintext_subjects_.insert(std::hash<std::string_view>()(d.event.subject));
}

bool PersonalPurge::MayHoldPlaintext(std::string_view subject) const {
  if (!rebuilding_all_ || overflow_) return true;
  return plaintext_subjects_.count(std::hash<std::string_view>()(subject)) > 0;
}

Status PersonalPurge::PurgeIfDue(const std::vector<FamilyId>& families, bool at_once) {
  if (!pending_) return Status::Ok();
  const auto now = std::chrono::steady_clock::now();
  if (!at_once && now - last_purge_ < kMinPurgeInterval) return Status::Ok();
  pending_ = false;
  last_purge_ = now;
  Status s = store_->Purge(families);
  if (!s.ok()) {
    pending_ = true;  // done again at the next pass that goes through
    return s;
  }
  purges_.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

}  // namespace caseengine
