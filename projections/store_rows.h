// What read models kept in the store (not in memory) share: keys of the form
// tag id 0x00 ..., deleting every committed row under a prefix, and the position cursors
// their pages hand out. Pure functions over the store; thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "projections/projection.h"

namespace caseengine {

// tag id 0x00: ids hold no 0x00 (stream ids are printable ASCII), so one id's rows never
// run into another's.
inline std::string RowPrefix(char tag, std::string_view id) {
  std::string key;
  key.reserve(id.size() + 2 + 8);
  key += tag;
  key += id;
  key += '\0';
  return key;
}

// tag id: a mark on one id (a deleted or erased case), nothing after the id.
inline std::string MarkKey(char tag, std::string_view id) {
  std::string key(1, tag);
  key += id;
  return key;
}

// Deletes every committed row under `prefix`. Only deleting events call this, and the
// runner has committed everything before them (see RowWriter::store).
inline void DeleteRowsWithPrefix(const std::string& prefix, RowWriter* rows) {
  auto it = rows->store().NewIterator(rows->family(), ReadPattern::kShort);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    rows->Delete(it->key());
  }
}

// cursor := the decimal position of the last entry given (1 or more).
inline bool ParsePositionCursor(const std::string& cursor, uint64_t* position) {
  if (cursor.empty() || cursor.size() > 20) return false;
  uint64_t v = 0;
  for (char c : cursor) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    v = v * 10 + digit;
  }
  if (v == 0) return false;
  *position = v;
  return true;
}

}  // namespace caseengine
