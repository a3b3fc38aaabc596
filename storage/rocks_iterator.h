// RocksIterator: a StoreIterator over a RocksDB iterator of one family (internal to
// storage/).
//
// Invariants: owns the RocksDB iterator; the store, whose path it names in errors,
// outlives it.
//
// Threading: one thread at a time, as every StoreIterator.
#pragma once

#include <rocksdb/iterator.h>

#include <memory>
#include <string>
#include <string_view>

#include "storage/rocks_status.h"
#include "storage/store.h"

namespace caseengine {

class RocksIterator : public StoreIterator {
 public:
  RocksIterator(rocksdb::Iterator* it, const std::string* path) : it_(it), path_(path) {}
  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view key) override { it_->Seek(ToSlice(key)); }
  void SeekForPrev(std::string_view key) override { it_->SeekForPrev(ToSlice(key)); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return ToView(it_->key()); }
  std::string_view value() const override { return ToView(it_->value()); }
  Status status() const override { return FromRocks(it_->status(), *path_); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
  const std::string* path_;  // the store's, which outlives its iterators
};

}  // namespace caseengine
