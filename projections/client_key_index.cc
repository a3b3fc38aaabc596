// ClientKeyIndex: see client_key_index.h.
#include "projections/client_key_index.h"

#include <algorithm>

namespace caseengine {

void ClientKeyIndex::Add(const std::string& key, const ClientSearchRow* row) {
  if (!key.empty()) rows_[key].push_back(row);
}

void ClientKeyIndex::Remove(const std::string& key, const ClientSearchRow* row) {
  if (key.empty()) return;
  auto it = rows_.find(key);
  if (it == rows_.end()) return;
  RowList& rows = it->second;
  auto at = std::find(rows.begin(), rows.end(), row);
  if (at != rows.end()) {
    *at = rows.back();  // order within a list does not matter: results are sorted
    rows.pop_back();
  }
  if (rows.empty()) rows_.erase(it);
}

const ClientKeyIndex::RowList& ClientKeyIndex::Rows(const std::string& key) const {
  static const RowList kNone;
  if (key.empty()) return kNone;
  auto it = rows_.find(key);
  return it == rows_.end() ? kNone : it->second;
}

}  // namespace caseengine
