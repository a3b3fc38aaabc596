// The exit status of both executables, caseengine and casereplay (docs/operations.md),
// so that a script treats them alike:
//   0 done;
//   1 it ran and found or met a failure: a broken chain, a digest that differs, read
//     models that differ (casereplay), a seeding or a rebuild that failed midway
//     (caseengine);
//   2 it could not run: a usage error (an unknown flag, a missing one), a config file or
//     a data folder that cannot be used, a key that does not open the folder, an address
//     it may not or cannot listen on. Nothing was changed.
// Header only; constants.
#pragma once

namespace caseengine {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitCannotRun = 2;

}  // namespace caseengine
