// Helpers of the tests of opening a data folder that cannot be opened as asked
// (open_errors_test.cc, open_busy_test.cc, open_foreign_db_test.cc): a closed log of `n`
// events, snapshots of every file under a folder and what changed between two, and status
// codes printed by name.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "base/status.h"

namespace Catch {
template <>
struct StringMaker<caseengine::Status::Code> {
  static std::string convert(caseengine::Status::Code c) { return caseengine::Status::CodeName(c); }
};
}  // namespace Catch

namespace caseengine::testing::open_errors {

// "As it was" is checked by hashing every file under the folder before and after. A
// writable RocksDB open writes RocksDB's own info log even when it then fails (it renames
// LOG to LOG.old.<time> and starts a new LOG), so after a writable open the comparison
// leaves out files named LOG and LOG.old.*: they are diagnostics, not data. After a
// read-only open, and where the folder is refused before RocksDB runs, nothing at all
// may change.
enum class InfoLogs { kInclude, kExclude };

std::map<std::string, std::string> Snapshot(const std::string& dir, InfoLogs info_logs);

// What changed between two snapshots, or "" when nothing did.
std::string Diff(const std::map<std::string, std::string>& before,
                 const std::map<std::string, std::string>& after);

bool Contains(const std::string& haystack, const std::string& needle);

// A caseengine data folder holding `n` events on stream-0, stream-1, ..., closed.
void MakeLog(const std::string& dir, int n);

}  // namespace caseengine::testing::open_errors
