// CheckpointStore: each projection's checkpoint, rebuild marker and row layout, kept in
// the checkpoints family of the store the read models live in:
//
//   checkpoints  key   := projection-name
//                value := position:u64            (the last event it applied)
//                key   := "rebuilding/" projection-name
//                value := ""                      (a rebuild of it is under way)
//                key   := "layout/" projection-name
//                value := layout:u64              (Projection::layout of its rows;
//                                                  absent: 1)
//   rm.<name>    the projection's own rows (see each projection's file)
//
// Invariants: a checkpoint is only ever put in the batch that holds the projection's rows
// up to it (ProjectionRunner stages both together), so rows and checkpoint are lost or kept
// together. A marker is set, synced, before a rebuild empties the rows, and removed,
// synced, only after the rebuilt rows are flushed: a read model found marked holds rows
// that cannot be trusted, whatever they are. A layout is recorded before the first row of
// that layout is written (with the first checkpoint, or in the rebuild's first batch).
//
// Threading: none of its own. Open, Read, MarkRebuilding and ClearMarkers run on the
// runner's calling thread while it is not started; Put only adds to a batch, on whichever
// thread stages it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "projections/projection.h"
#include "storage/store.h"

namespace caseengine {

inline constexpr const char* kCheckpointsFamily = "checkpoints";

// The family of a projection's rows.
std::string ReadModelFamily(const Projection& projection);
// The key in the checkpoints family that says a rebuild of the projection is under way.
std::string RebuildMarker(const Projection& projection);
// The key in the checkpoints family that holds the layout of the projection's rows.
std::string LayoutKey(const Projection& projection);

class CheckpointStore {
 public:
  // Not owned; must outlive this.
  explicit CheckpointStore(Store* store) : store_(store) {}

  // Finds the checkpoints family.
  Status Open();
  FamilyId family() const { return family_; }

  // What the store holds of one projection's rows.
  enum class RowsState {
    kAt,           // rows up to `checkpoint`, of the projection's layout
    kNew,          // nothing applied yet and no layout recorded: stamp it (PutLayout)
    kInterrupted,  // marked: a rebuild of it was cut short
    kOtherLayout,  // rows of another layout than the projection's
  };
  Status Read(const Projection& projection, RowsState* state, uint64_t* checkpoint) const;

  // Puts the projection's checkpoint at `position` into `batch`.
  void Put(WriteBatch* batch, const Projection& projection, uint64_t position) const;
  // Puts the projection's layout into `batch`.
  void PutLayout(WriteBatch* batch, const Projection& projection) const;

  // Marks the projections as rebuilding, their checkpoints set back to 0 and their
  // layouts recorded, in one synced batch.
  Status MarkRebuilding(const std::vector<const Projection*>& projections);
  // Removes their markers, synced: their rows are whole again.
  Status ClearMarkers(const std::vector<const Projection*>& projections);

 private:
  // Reads an 8-byte value; `found` false when the key is absent. `what` names the value in
  // the error when it is malformed.
  Status ReadU64(const std::string& key, const char* what, uint64_t* value, bool* found) const;

  Store* store_;
  FamilyId family_ = 0;
};

}  // namespace caseengine
