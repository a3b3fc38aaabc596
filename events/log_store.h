// The RocksDB store options for a data folder that holds an event log: the log's
// families, required to exist in any database found there (so another program's database
// is never taken over). Later subsystems add their own families to these options.
#pragma once

#include <string>

#include "storage/rocks_store.h"

namespace caseengine {

// Writable opens create the folder when missing; read-only opens never write.
RocksStoreOptions LogStoreOptions(const std::string& dir, bool read_only = false);

}  // namespace caseengine
