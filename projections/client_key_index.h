// ClientKeyIndex: one of the client search's exact-key indexes (client_search.h): the rows
// that have each value of one identifying field (date of birth, NI number, email, phone,
// postcode), in the normal forms of validate.h, as events carry them.
//
// Invariants: no key is empty and no key maps to no rows; the order of a key's rows does
// not matter (results are sorted).
//
// Threading: none of its own; the ClientSearch that holds it guards it.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "projections/client_search_row.h"

namespace caseengine {

class ClientKeyIndex {
 public:
  using RowList = std::vector<const ClientSearchRow*>;

  // Both do nothing for an empty key.
  void Add(const std::string& key, const ClientSearchRow* row);
  void Remove(const std::string& key, const ClientSearchRow* row);
  // The rows with `key`; none for an empty key.
  const RowList& Rows(const std::string& key) const;
  void Clear() { rows_.clear(); }

 private:
  std::unordered_map<std::string, RowList> rows_;
};

}  // namespace caseengine
