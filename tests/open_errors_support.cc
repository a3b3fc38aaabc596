// Helpers of the data folder open tests (see open_errors_support.h).
#include "tests/open_errors_support.h"

#include "events/event_log.h"
#include "tests/raw_folder.h"
#include "tests/test_support.h"

namespace caseengine::testing::open_errors {

std::map<std::string, std::string> Snapshot(const std::string& dir, InfoLogs info_logs) {
  return testing::FolderSnapshot(dir, info_logs == InfoLogs::kInclude);
}

std::string Diff(const std::map<std::string, std::string>& before,
                 const std::map<std::string, std::string>& after) {
  std::string d;
  for (const auto& [path, hash] : before) {
    auto it = after.find(path);
    if (it == after.end()) {
      d += "removed " + path + "; ";
    } else if (it->second != hash) {
      d += "changed " + path + "; ";
    }
  }
  for (const auto& [path, hash] : after) {
    if (!before.count(path)) d += "added " + path + "; ";
  }
  return d;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

void MakeLog(const std::string& dir, int n) {
  testing::OpenLog open;
  REQUIRE(testing::OpenRocksLog(dir, &open).ok());
  for (int i = 0; i < n; ++i) {
    AppendOutcome o = open.log->Append(
        testing::OneEvent("stream-" + std::to_string(i % 3), ExpectedVersion::Any()));
    REQUIRE(o.status.ok());
  }
  REQUIRE(open.log->HeadPosition() == static_cast<uint64_t>(n));
}

}  // namespace caseengine::testing::open_errors
