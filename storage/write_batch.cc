// WriteBatch: see store.h.
#include "storage/store.h"

namespace caseengine {

void WriteBatch::Put(FamilyId family, std::string_view key, std::string_view value) {
  Op op{family, true, data_.size(), key.size(), 0, value.size()};
  data_.append(key);
  op.value_off = data_.size();
  data_.append(value);
  ops_.push_back(op);
}

void WriteBatch::Delete(FamilyId family, std::string_view key) {
  Op op{family, false, data_.size(), key.size(), 0, 0};
  data_.append(key);
  op.value_off = data_.size();
  ops_.push_back(op);
}

void WriteBatch::Append(const WriteBatch& other) {
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
