// RowTable<Row>: the rows of a read model that lives in memory, keyed by id, and written
// back to the projection's family (key := prefix id, value := the row as JSON) when they
// change. A row type has a WriteJson(JsonWriter*, const Row&) to write it (rows are
// written on every change, so straight to text) and a from_json to load it. Rows have
// stable addresses (a deque), so indexes may point at them; a removed row stays allocated
// but is marked gone and never comes back under its key.
//
// Threading: none of its own; the owning read model guards it.
#pragma once

#include <deque>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "base/json_text.h"
#include "projections/projection.h"
#include "storage/store.h"

namespace caseengine {

template <class Row>
class RowTable {
 public:
  explicit RowTable(std::string prefix) : prefix_(std::move(prefix)) {}

  Row* Find(const std::string& id) {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : it->second;
  }
  const Row* Find(const std::string& id) const {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : it->second;
  }
  // The row for `id`, created empty when missing; marked changed.
  Row* Upsert(const std::string& id) {
    dirty_.insert(id);
    auto it = index_.find(id);
    if (it != index_.end()) return it->second;
    Row* row = &rows_.emplace_back();
    row->gone = false;
    index_.emplace(id, row);
    return row;
  }
  // Marks an existing row changed; null when missing.
  Row* Change(const std::string& id) {
    Row* row = Find(id);
    if (row != nullptr) dirty_.insert(id);
    return row;
  }
  void Remove(const std::string& id) {
    auto it = index_.find(id);
    if (it == index_.end()) return;
    *it->second = Row();  // personal data leaves memory as well
    it->second->gone = true;
    index_.erase(it);
    dirty_.insert(id);
  }
  // Every live row, in no particular order.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (const Row& row : rows_) {
      if (!row.gone) fn(row);
    }
  }
  size_t size() const { return index_.size(); }

  Status Load(const Store& store, FamilyId family) {
    Clear();
    auto it = store.NewIterator(family, ReadPattern::kScan);
    for (it->Seek(prefix_); it->Valid() && it->key().substr(0, prefix_.size()) == prefix_;
         it->Next()) {
      const std::string_view value = it->value();
      auto j = nlohmann::json::parse(value.begin(), value.end(), nullptr, false);
      if (j.is_discarded()) {
        return Status::Corruption("read model row " + std::string(it->key()) +
                                  " is not JSON; rebuild the read model");
      }
      Row* row = &rows_.emplace_back(j.template get<Row>());
      row->gone = false;
      index_.emplace(std::string(it->key().substr(prefix_.size())), row);
    }
    dirty_.clear();
    return it->status();
  }
  void Flush(RowWriter* rows) {
    std::string key, value;
    for (const std::string& id : dirty_) {
      key = prefix_ + id;
      const Row* row = Find(id);
      if (row == nullptr) {
        rows->Delete(key);
      } else {
        value.clear();
        JsonWriter writer(&value);
        WriteJson(&writer, *row);
        rows->Put(key, value);
      }
    }
    dirty_.clear();
  }
  void Clear() {
    rows_.clear();
    index_.clear();
    dirty_.clear();
  }

 private:
  std::string prefix_;
  std::deque<Row> rows_;
  std::unordered_map<std::string, Row*> index_;
  std::unordered_set<std::string> dirty_;
};

}  // namespace caseengine
