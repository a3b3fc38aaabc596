// PersonalPurge: makes a person's plaintext leave the store's files after an erasure, by a
// purge (Store::Purge) of the families of projections that hold personal data.
//
// A pass that applied an erasure (IsErasure) leaves a purge pending; the runner runs it
// at the end of a catch-up or rebuild, and when tailing the log at most once every
// kMinPurgeInterval (a run of erasures shares one purge: each flushes every family, and
// back-to-back purges would rewrite the files, and replace the log files under read-only
// readers, over and over) and before it stops. A purge that fails stays pending.
//
// A rebuild of every read model starts from empty families, so an erasure needs a purge
// only if the pass wrote some of the person's plaintext, i.e. decoded it because the key
// still existed (an erasure cut short by a crash); otherwise every event of theirs was
// opened as erased and no byte of theirs reached the files. The subjects whose plaintext
// was decoded are kept as 64-bit hashes (a collision only costs a purge), up to
// kMaxPlaintextSubjects, past which every erasure purges as usual.
//
// Invariants: outside a rebuild of every read model, every erasure counts
// (MayHoldPlaintext is true); a pending purge is dropped only by a purge that went through.
//
// Threading: the runner's thread only (NotePlaintext over a decoded chunk, between the
// two threads' work); purges() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "projections/decoded_event.h"
#include "storage/store.h"

namespace caseengine {

class PersonalPurge {
 public:
  // Not owned; must outlive this.
  explicit PersonalPurge(Store* store) : store_(store) {}

  // A rebuild starts (of every read model when `all`), and ends.
  void BeginRebuild(bool all);
  void EndRebuild();

  // Notes a decoded event of a rebuild whose personal fields were opened.
  void NotePlaintext(const DecodedEvent& d);
  // The files may hold plaintext sealed with the subject's key.
  bool MayHoldPlaintext(std::string_view subject) const;

  // An erasure was applied: a purge is due.
  void Pend() { pending_ = true; }
  bool pending() const { return pending_; }
  // Purges `families` if a purge is pending and, unless `at_once`, none ran within
  // kMinPurgeInterval.
  Status PurgeIfDue(const std::vector<FamilyId>& families, bool at_once);

  uint64_t purges() const { return purges_.load(std::memory_order_relaxed); }

  static constexpr size_t kMaxPlaintextSubjects = 1 << 20;

 private:
  Store* store_;
  bool pending_ = false;  // an erasure was applied and its purge has not run
  std::chrono::steady_clock::time_point last_purge_;
  bool rebuilding_all_ = false;
  bool overflow_ = false;
  std::unordered_set<uint64_t> plaintext_subjects_;
  std::atomic<uint64_t> purges_{0};
};

}  // namespace caseengine
