// RocksBatch: see rocks_batch.h.
#include "storage/rocks_batch.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "base/coding.h"
#include "storage/rocks_status.h"

namespace caseengine {

RocksBatch& RocksBatch::ForThisThread() {
  thread_local RocksBatch batch;
  return batch;
}

Status RocksBatch::Sort(const WriteBatch& batch, size_t families) {
  ops_.clear();
  ops_.reserve(batch.Count());
  bool bad_family = false, delete_all = false;
  batch.ForEach([&](FamilyId f, WriteOp op, std::string_view key, std::string_view value) {
    bad_family = bad_family || f >= families;
    delete_all = delete_all || op == WriteOp::kDeleteAll;
    char head[8] = {};
    if (!key.empty()) std::memcpy(head, key.data(), std::min(key.size(), sizeof(head)));
    ops_.push_back({f, op, key, value, DecodeBigEndian64(head), ops_.size()});
  });
  if (bad_family || delete_all) {
    Status checked = batch.Check(families);
    if (!checked.ok()) return checked;
  }
  // Stable by the place in the batch. Heads that differ order keys as bytes do: where they
  // first differ, both bytes are the keys' own, or the shorter key's padding (0) faces a
  // byte of the longer that is not 0, and a key's prefix sorts first.
  std::sort(ops_.begin(), ops_.end(), [](const Op& a, const Op& b) {
    if (a.family != b.family) return a.family < b.family;
    if (a.head != b.head) return a.head < b.head;
    const int c = a.key.compare(b.key);
    return c != 0 ? c < 0 : a.seq < b.seq;
  });
  return Status::Ok();
}

Status RocksBatch::Add(const Op* begin, const Op* end, rocksdb::DB* db,
                       const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
                       const std::string& path) {
  std::string last;
  for (const Op* op = begin; op != end; ++op) {
    if (op->op == WriteOp::kPut) {
      wb_.Put(handles[op->family], ToSlice(op->key), ToSlice(op->value));
    } else if (op->op == WriteOp::kDelete) {
      wb_.Delete(handles[op->family], ToSlice(op->key));
    } else {
      // One range tombstone from the smallest key to just past the last one there.
      std::unique_ptr<rocksdb::Iterator> it(
          db->NewIterator(rocksdb::ReadOptions(), handles[op->family]));
      it->SeekToLast();
      if (!it->status().ok()) return FromRocks(it->status(), path);
      if (!it->Valid()) continue;
      last.assign(it->key().data(), it->key().size());
      last.push_back('\0');
      wb_.DeleteRange(handles[op->family], rocksdb::Slice(), last);
    }
  }
  return Status::Ok();
}

void RocksBatch::Release() {
  if (wb_.GetDataSize() > (8 << 20)) wb_ = rocksdb::WriteBatch();
  if (ops_.capacity() > (1 << 16)) std::vector<Op>().swap(ops_);
}

}  // namespace caseengine
