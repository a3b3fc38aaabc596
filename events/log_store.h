// The RocksDB store options for a data folder that holds an event log: the log's
// families, required to exist in any database found there (so another program's database
// is never taken over). Later subsystems add their own families to these options.
#pragma once

#include <memory>
#include <string>

#include "events/event_log.h"
#include "storage/rocks_store.h"

namespace caseengine {

// The family of per-subject data keys (aggregates/key_store.h), kept in the same folder
// so that a key and the first event sealed with it share one WAL.
inline constexpr const char* kKeysFamily = "keys";
// The family of the command service's decision index (app/decision_index.h), in the
// same folder so that its rows are written in the same batches as the events.
inline constexpr const char* kDecisionFamily = "decision";

// Writable opens create the folder when missing; read-only opens never write.
RocksStoreOptions LogStoreOptions(const std::string& dir, bool read_only = false);

// Opens the store of a data folder and the log in it (the log before the store is closed:
// destroy `log` first).
Status OpenLogFolder(const std::string& dir, bool read_only, std::unique_ptr<Store>* store,
                     std::unique_ptr<EventLog>* log,
                     const EventLogOptions& log_options = EventLogOptions());

}  // namespace caseengine
