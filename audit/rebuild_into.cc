// RebuildInto: see rebuild_into.h.
#include "audit/rebuild_into.h"

#include <chrono>
#include <filesystem>

#include "projections/read_models.h"
#include "storage/rocks_store.h"

namespace caseengine {

Status RebuildInto(const ReplayFolder& folder, const std::string& into, uint64_t to,
                   RebuildIntoReport* report) {
  *report = RebuildIntoReport();
  std::error_code ec;
  if (std::filesystem::exists(into, ec) && !std::filesystem::is_empty(into, ec)) {
    return Status::InvalidArgument(into + " is not empty; rebuild into a new folder");
  }
  const uint64_t head = folder.log().HeadPosition();
  if (to > head) {
    return Status::InvalidArgument("--to " + std::to_string(to) + " is past the head position " +
                                   std::to_string(head));
  }
  report->to = to == 0 ? head : to;

  RocksStoreOptions options;
  options.path = into;
  options.families = ReadModels::FamilyNames();
  options.required_families = {kCheckpointsFamily};
  std::unique_ptr<Store> store;
  Status s = OpenRocksStore(options, &store);
  if (!s.ok()) return s;
  ReadModels read_models;
  ProjectionRunner runner(&folder.log(), &folder.codec(), store.get(), read_models.All());
  const auto start = std::chrono::steady_clock::now();
  s = runner.Open(/*load_rows=*/false);
  if (s.ok()) s = runner.CatchUp(report->to);
  if (s.ok()) s = store->SyncWal();
  report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report->stats = runner.Stats();
  return s;
}

}  // namespace caseengine
