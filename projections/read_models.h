// ReadModels: every read model the engine keeps, with its projection, in one place: the
// HTTP queries read them, the runner keeps them, `caseengine rebuild` and `casereplay
// rebuild` rebuild them.
//
// Threading: see each read model.
#pragma once

#include <string>
#include <vector>

#include "projections/audit_trail.h"
#include "projections/case_history.h"
#include "projections/case_list.h"
#include "projections/case_officers.h"
#include "projections/case_people.h"
#include "projections/client_search.h"
#include "projections/journal.h"
#include "projections/lobby_queue.h"
#include "projections/task_list.h"

namespace caseengine {

struct ReadModels {
  CaseListProjection case_list;
  CaseOfficersProjection case_officers;
  CasePeopleProjection case_people;
  ClientSearchProjection client_search;
  LobbyQueueProjection lobby_queue;
  JournalProjection journal;
  CaseHistoryProjection case_history;
  AuditTrailProjection audit_trail;
  TaskListProjection task_list;

  std::vector<Projection*> All() {
    return {&case_list, &case_officers, &case_people,  &client_search, &lobby_queue,
            &journal,   &case_history,  &audit_trail, &task_list};
  }
  // The store families they need (with the checkpoints family).
  static std::vector<std::string> FamilyNames();
  // The families of those kept in memory (Projection::keeps_rows_in_memory): written as
  // the runner goes, read only when they are loaded.
  static std::vector<std::string> WriteOnlyFamilyNames();
  // The log that the audit trail, the case history and the journal read from (the one
  // they project), and its codec. Before the first query.
  void SetLog(const EventLog* log, const EventCodec* codec) {
    audit_trail.SetLog(log);
    case_history.SetLog(log, codec);
    journal.SetLog(log, codec);
  }
};

}  // namespace caseengine
