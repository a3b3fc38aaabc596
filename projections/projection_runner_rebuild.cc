// ProjectionRunner's rebuilds: a read model emptied and the whole log applied to it again
// (see projection_runner.h for the markers that make one cut short by a crash start over).
#include <algorithm>

#include "projections/projection_runner.h"

namespace caseengine {

Status ProjectionRunner::FinishInterrupted() {
  if (interrupted_.empty()) return Status::Ok();
  const std::vector<std::string> names = interrupted_;
  return Rebuild(names);
}

Status ProjectionRunner::Rebuild(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (Find(name) == nullptr) return Status::NotFound("no read model named " + name);
  }
  auto named = [](const std::vector<std::string>& list, const char* name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  std::vector<size_t> chosen;
  std::vector<const Projection*> marked;
  for (size_t i = 0; i < projections_.size(); ++i) {
    const char* name = projections_[i]->name();
    if (names.empty() || named(names, name) || named(interrupted_, name)) {
      chosen.push_back(i);
      marked.push_back(projections_[i]);
    }
  }
  // Marked as rebuilding, their checkpoints set back, in one synced batch: a crash from
  // here on leaves marked read models, which are rebuilt again whatever rows they hold.
  Status s = checkpoints_.MarkRebuilding(marked);
  if (!s.ok()) return s;
  // Marked from here on: should anything below fail, a later CatchUp starts it again.
  interrupted_.clear();
  std::vector<FamilyId> emptied;
  for (size_t i : chosen) {
    interrupted_.push_back(projections_[i]->name());
    emptied.push_back(writes_.family(i));
    writes_.Restart(i);
    projections_[i]->Reset();
  }
  // The whole log is opened again: every key read in one pass, meanwhile.
  auto warm = scheduler_.OnSecondThread([this] { return codec_->WarmKeys(); });
  // The old rows' files go without being read, then a DeleteAll removes the rows that
  // were in no file, and the purge flushes it and compacts what is left (little: a file
  // that a compaction held when the files were dropped). Done in this order because a
  // DeleteAll written first could reach a file, and that file be dropped, before an older
  // file the compaction held: its rows would come back.
  s = store_->DropFiles(emptied);
  if (s.ok()) {
    WriteBatch empty;
    for (FamilyId family : emptied) empty.DeleteAll(family);
    s = store_->Write(empty, /*sync=*/false);
  }
  if (s.ok()) s = store_->Purge(emptied);
  const Status warmed = warm.get();
  if (s.ok()) s = warmed;
  // Loaded from their empty families: a read model that Open left unloaded (its rebuild
  // was cut short, or its layout is not this build's) learns where its rows are.
  for (size_t i : chosen) {
    if (!s.ok()) break;
    s = projections_[i]->Load(*store_, writes_.family(i));
  }
  // Emptied or not, the read models are not whole until a later pass goes through.
  if (!s.ok()) {
    Fail(s);
    return s;
  }
  PublishApplied();
  purge_.BeginRebuild(/*all=*/chosen.size() == projections_.size());
  writes_.set_rebuilding(true);
  s = CatchUpTo(0, /*purge_at_once=*/true);
  writes_.set_rebuilding(false);
  purge_.EndRebuild();
  if (!s.ok()) return s;
  // Rows and checkpoints on disk, then the markers gone.
  std::vector<FamilyId> written = {checkpoints_.family()};
  written.insert(written.end(), emptied.begin(), emptied.end());
  s = store_->FlushFamilies(written);
  if (s.ok()) s = checkpoints_.ClearMarkers(marked);
  if (s.ok()) interrupted_.clear();
  return s;
}

}  // namespace caseengine
