// CheckpointStore: see checkpoint_store.h.
#include "projections/checkpoint_store.h"

#include "base/coding.h"

namespace caseengine {

std::string RebuildMarker(const Projection& projection) {
  return std::string("rebuilding/") + projection.name();
}

std::string LayoutKey(const Projection& projection) {
  return std::string("layout/") + projection.name();
}

std::string ReadModelFamily(const Projection& projection) {
  return std::string("rm.") + projection.name();
}

Status CheckpointStore::Open() { return store_->Family(kCheckpointsFamily, &family_); }

Status CheckpointStore::Read(const Projection& p, RowsState* state, uint64_t* checkpoint) const {
  *checkpoint = 0;
  std::string value;
  Status s = store_->Get(family_, RebuildMarker(p), &value);
  if (s.ok()) {
    // A rebuild a crash cut short: its rows and checkpoint are whatever was flushed.
    *state = RowsState::kInterrupted;
    return Status::Ok();
  }
  if (s.code() != Status::Code::kNotFound) return s;
  uint64_t layout = 1;
  bool has_checkpoint = false, has_layout = false;
  s = ReadU64(p.name(), "checkpoint", checkpoint, &has_checkpoint);
  if (s.ok()) s = ReadU64(LayoutKey(p), "layout", &layout, &has_layout);
  if (!s.ok()) return s;
  if (!has_checkpoint && !has_layout) {
    // Nothing applied yet, so no rows of any layout: they start in the projection's.
    *state = RowsState::kNew;
  } else if (layout != p.layout()) {
    // Rows this build's projection would not write.
    *checkpoint = 0;
    *state = RowsState::kOtherLayout;
  } else {
    *state = RowsState::kAt;
  }
  return Status::Ok();
}

void CheckpointStore::Put(WriteBatch* batch, const Projection& p, uint64_t position) const {
  batch->Put(family_, p.name(), BigEndian64(position));
}

void CheckpointStore::PutLayout(WriteBatch* batch, const Projection& p) const {
  batch->Put(family_, LayoutKey(p), BigEndian64(p.layout()));
}

Status CheckpointStore::MarkRebuilding(const std::vector<const Projection*>& projections) {
  WriteBatch batch;
  for (const Projection* p : projections) {
    Put(&batch, *p, 0);
    batch.Put(family_, RebuildMarker(*p), "");
    PutLayout(&batch, *p);
  }
  return store_->Write(batch, /*sync=*/true);
}

Status CheckpointStore::ClearMarkers(const std::vector<const Projection*>& projections) {
  WriteBatch batch;
  for (const Projection* p : projections) batch.Delete(family_, RebuildMarker(*p));
  return store_->Write(batch, /*sync=*/true);
}

Status CheckpointStore::ReadU64(const std::string& key, const char* what, uint64_t* value,
                                bool* found) const {
  std::string bytes;
  Status s = store_->Get(family_, key, &bytes);
  *found = s.ok();
  if (s.code() == Status::Code::kNotFound) return Status::Ok();
  if (!s.ok()) return s;
  if (bytes.size() != 8) {
    return Status::Corruption(std::string(what) + " " + key +
                              " is not 8 bytes; rebuild the read model");
  }
  *value = DecodeBigEndian64(bytes.data());
  return Status::Ok();
}

}  // namespace caseengine
