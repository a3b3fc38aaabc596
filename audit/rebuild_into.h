// RebuildInto: every read model built from position 1 of a data folder's log into a
// separate, new folder (`casereplay rebuild --into`), leaving the data folder untouched.
// With `casereplay diff` against the live read models it shows that they are what the
// log says, nothing more or less.
//
// The new folder holds the read models' families and their checkpoints alone; its rows
// are written unsynced and synced once at the end.
//
// Threading: one call at a time per target folder.
#pragma once

#include <cstdint>
#include <string>

#include "audit/replay_folder.h"
#include "projections/projection_runner.h"

namespace caseengine {

struct RebuildIntoReport {
  uint64_t to = 0;  // the last position applied
  double seconds = 0;
  ProjectionStats stats;
};

// `into` must not exist or be an empty folder. `to` = 0: the head when it starts.
Status RebuildInto(const ReplayFolder& folder, const std::string& into, uint64_t to,
                   RebuildIntoReport* report);

}  // namespace caseengine
