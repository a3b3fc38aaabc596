// DecisionIndex: what the command service's rules across streams read beside the
// aggregates, and what an erasure cut short by a crash leaves to finish, kept beside the
// log so that a start reads neither the log nor more of this than it needs.
//
//   family "decision" (events/log_store.h: kDecisionFamily)
//     key := "p/" client-id "/" case-id   value := ""
//            the client is the case's primary applicant (soft-deleted cases stay; an
//            erased case, or every case of an erased client, goes)
//     key := "e/" stream                  value := ""
//            an erasure recorded whose subject's data key may not be destroyed yet
//     key := "format"                     value := "1"
//            the rows hold every event of the log; a folder from before the index has
//            no marker, and the first decision builds the rows from the log once; a
//            marker this build does not read (damaged, or another build's) has the
//            rows built again from the log the same way, and the engine says so
//
// Ids hold no '/' (the domain makes them of hex digits; see aggregates/validate.cc).
// The "p/" and "e/" rows of a decision are written in the same batch as its events
// (AppendRequest::rows), so they are durable exactly when the events are; an "e/" row is
// deleted once the subject's key is destroyed, in a write of its own.
//
// Threading: Rows, CasesOf, PendingErasures and Build on the log's writer thread (the
// decision cache's); ErasuresDone from any thread (one store write).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "aggregates/event_codec.h"
#include "events/event_log.h"
#include "storage/store.h"

namespace caseengine {

// A change to the primary-applicant index that a decision makes.
struct IndexChange {
  std::string client_id, case_id;
  bool linked = true;  // false: unlinked
};

class DecisionIndex {
 public:
  // The store must outlive the index. A store without the family answers every call with
  // the error of opening it (a data folder is opened with it: events/log_store.cc).
  explicit DecisionIndex(Store* store);

  // Whether the rows hold the log (the marker is there).
  Status Built(bool* built) const;
  // Empties the family, writes the rows of every event of the log, then the marker: for a
  // folder from before the index (once), or one whose marker is unreadable. Nothing may be
  // appended meanwhile (the writer thread builds it).
  Status Build(const EventLog& log, const EventCodec& codec);

  // The cases `client_id` is the primary applicant of, as durable.
  Status CasesOf(const std::string& client_id, std::set<std::string>* cases) const;
  // The subjects of erasures whose keys may still exist.
  Status PendingErasures(std::vector<std::string>* streams) const;

  // Adds the rows of a decision to `rows`: its index changes, and an "e/" row for each
  // subject whose key it destroys.
  void Rows(const std::vector<IndexChange>& changes, const std::vector<std::string>& erasures,
            WriteBatch* rows) const;
  // The keys of these subjects are destroyed: their "e/" rows go.
  Status ErasuresDone(const std::vector<std::string>& streams);

 private:
  Status Ready() const { return family_status_; }

  Store* store_;
  FamilyId family_ = 0;
  Status family_status_;
};

}  // namespace caseengine
