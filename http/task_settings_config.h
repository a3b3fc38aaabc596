// The config file's part for workflows and tasks: `time_zone` (the business dates'), and
// the first `task_types` and `workflows`, which `serve` imports onto the settings stream
// while it is empty (docs/tasks.md). Their rules (known strand types, task types a
// workflow names) are checked by the import, which refuses a start whose settings break
// them.
//
// Pure functions: any thread.
#pragma once

#include <nlohmann/json.hpp>

#include "aggregates/config.h"
#include "base/status.h"

namespace caseengine {

// Reads those keys of the config object `j` into `domain` (absent keys leave it as it
// is); InvalidArgument naming what is wrong.
Status LoadTaskSettings(const nlohmann::json& j, DomainConfig* domain);

}  // namespace caseengine
