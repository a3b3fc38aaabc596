// WriteBatch: see store.h.
#include <algorithm>

#include "storage/store.h"

namespace caseengine {

void WriteBatch::Put(FamilyId family, std::string_view key, std::string_view value) {
  Op op{family, WriteOp::kPut, data_.size(), key.size(), 0, value.size()};
  data_.append(key);
  op.value_off = data_.size();
  data_.append(value);
  ops_.push_back(op);
}

void WriteBatch::Delete(FamilyId family, std::string_view key) {
  Op op{family, WriteOp::kDelete, data_.size(), key.size(), 0, 0};
  data_.append(key);
  op.value_off = data_.size();
  ops_.push_back(op);
}

void WriteBatch::DeleteAll(FamilyId family) {
  ops_.push_back({family, WriteOp::kDeleteAll, data_.size(), 0, data_.size(), 0});
}

Status WriteBatch::Check(size_t families) const {
  std::vector<FamilyId> cleared;
  for (const Op& op : ops_) {
    if (op.family >= families) return Status::InvalidArgument("write to an unknown family");
    if (op.op == WriteOp::kDeleteAll) cleared.push_back(op.family);
  }
  if (cleared.empty()) return Status::Ok();
  std::sort(cleared.begin(), cleared.end());
  for (const Op& op : ops_) {
    if (op.op != WriteOp::kDeleteAll &&
        std::binary_search(cleared.begin(), cleared.end(), op.family)) {
      return Status::InvalidArgument("a batch that empties a family writes nothing else to it");
    }
  }
  return Status::Ok();
}

void WriteBatch::Reserve(size_t ops, size_t bytes) {
  ops_.reserve(ops_.size() + ops);
  data_.reserve(data_.size() + bytes);
}

void WriteBatch::Append(const WriteBatch& other) {
  Reserve(other.ops_.size(), other.data_.size());
  const size_t base = data_.size();
  data_.append(other.data_);
  for (Op op : other.ops_) {
    op.key_off += base;
    op.value_off += base;
    ops_.push_back(op);
  }
}

void WriteBatch::Clear() {
  data_.clear();
  ops_.clear();
}

}  // namespace caseengine
