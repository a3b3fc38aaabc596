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
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/json_text.h"
#include "projections/projection.h"
#include "storage/store.h"

namespace caseengine {

template <class Row>
class RowTable {
 public:
  explicit RowTable(std::string prefix) : prefix_(std::move(prefix)) {}

  Row* Find(std::string_view id) {
    Slot* slot = FindSlot(id);
    return slot == nullptr ? nullptr : &slot->row;
  }
  const Row* Find(std::string_view id) const {
    const Slot* slot = FindSlot(id);
    return slot == nullptr ? nullptr : &slot->row;
  }
  // The row for `id`, created empty when missing; marked changed.
  Row* Upsert(std::string_view id) {
    Slot* slot = FindSlot(id);
    if (slot == nullptr) {
      slot = &slots_.emplace_back();
      slot->id = id;
      slot->row.gone = false;
      index_.emplace(slot->id, slot);
    }
    MarkDirty(slot);
    return &slot->row;
  }
  // Marks an existing row changed; null when missing.
  Row* Change(std::string_view id) {
    Slot* slot = FindSlot(id);
    if (slot == nullptr) return nullptr;
    MarkDirty(slot);
    return &slot->row;
  }
  void Remove(std::string_view id) {
    auto it = index_.find(id);
    if (it == index_.end()) return;
    Slot* slot = it->second;
    index_.erase(it);
    slot->row = Row();  // personal data leaves memory as well
    slot->row.gone = true;
    MarkDirty(slot);
  }
  // Every live row, in no particular order.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (const Slot& slot : slots_) {
      if (!slot.row.gone) fn(slot.row);
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
      Slot* slot = &slots_.emplace_back();
      slot->row = j.template get<Row>();
      slot->row.gone = false;
      slot->id = it->key().substr(prefix_.size());
      index_.emplace(slot->id, slot);
    }
    return it->status();
  }
  // Writes the rows changed since the last Flush, in the order they first changed (a
  // removed row's delete before the put of a row that took its id since).
  void Flush(RowWriter* rows) {
    // A generous guess: a rebuild writes a whole table at once, and a batch that grows by
    // doubling copies itself and touches twice the memory.
    rows->Reserve(dirty_.size(), prefix_.size() + kRowBytes);
    std::string key, value;
    for (Slot* slot : dirty_) {
      slot->dirty = false;
      key.assign(prefix_).append(slot->id);
      if (slot->row.gone) {
        rows->Delete(key);
      } else {
        value.clear();
        JsonWriter writer(&value);
        WriteJson(&writer, slot->row);
        rows->Put(key, value);
      }
    }
    dirty_.clear();
  }
  void Clear() {
    index_.clear();
    dirty_.clear();
    slots_.clear();
  }

 private:
  // A row with its id (which the index's key views) and whether it is to be written.
  struct Slot {
    Row row;
    std::string id;
    bool dirty = false;
  };
  Slot* FindSlot(std::string_view id) const {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : it->second;
  }
  // Changed rows are listed once each, by address: no copy of the id, no second lookup.
  void MarkDirty(Slot* slot) {
    if (slot->dirty) return;
    slot->dirty = true;
    dirty_.push_back(slot);
  }

  static constexpr size_t kRowBytes = 512;  // id and JSON: most rows are smaller

  std::string prefix_;
  std::deque<Slot> slots_;  // stable addresses; a removed row's slot stays, marked gone
  std::unordered_map<std::string_view, Slot*> index_;
  std::vector<Slot*> dirty_;
};

}  // namespace caseengine
