// ClientSearchRow: one client as the client search keeps it (client_search.h), and its
// JSON in the rm.client_search family.
//
// Invariants: the folded names are never stored; whoever loads or changes a row's names
// folds them again (FoldName) before it is indexed.
//
// Threading: plain data; guarded by the ClientSearch that holds it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/json_text.h"

namespace caseengine {

struct ClientSearchRow {
  bool gone = false;
  std::string client_id, surname, forenames, date_of_birth, nino, email, phone, postcode;
  std::string status = "active";
  std::string client_type, case_number;
  bool deleted = false;
  std::vector<std::string> cases;  // live cases, in the order they were opened
  // Not stored: the names folded (FoldName), as matching compares them.
  std::string folded_surname, folded_forenames;
};

// Empty fields and deleted: false are left out.
void WriteJson(JsonWriter* w, const ClientSearchRow& r);
void from_json(const nlohmann::json& j, ClientSearchRow& r);

}  // namespace caseengine
