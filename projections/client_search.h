// ClientSearch: finding clients by name and identifying details (the duplicate check
// before registering, GET /clients?q=...) and the candidates a Lobby referral is matched
// against; ClientSearchProjection keeps it.
//
// Rows live in memory and are written back to the family:
//
//   rm.client_search  key   := "c/" client-id
//                     value := ClientSearchRow as JSON   (personal)
//                              {client_id, status, cases: [case-id...], surname?,
//                               forenames?, date_of_birth?, nino?, email?, phone?,
//                               postcode?, client_type?, case_number?, deleted? (true)}
//                              (a field left out is empty, or false)
//
// In memory only (rebuilt on Load): exact indexes by date of birth, NI number, email,
// phone and postcode (in the normal forms of validate.h, as events carry them), and a
// name-token index: every distinct word of the folded surnames and forenames (FoldName;
// a hyphenated word also by its parts), each with the rows that have it. A fuzzy name
// query compares its words with the distinct words only (a few tens of thousands for a
// large caseload), pruned by letter counts before Jaro-Winkler, so it never walks the
// clients.
//
// Invariants: a soft-deleted client keeps its row (deleted: true), is never found and
// comes back on restore; an erased client's row and index entries go. Every live row is
// in every index its fields call for, and nowhere else.
//
// Threading: the projection's thread applies; Search and Candidates from any thread (a
// shared lock).
//
// Files: the row (client_search_row.h), the exact-key indexes (client_key_index.h), the
// name-token index (name_token_index.h), the searches (client_search.cc) and the
// projection that keeps them (client_search_projection.cc).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aggregates/event.h"
#include "projections/client_key_index.h"
#include "projections/client_search_row.h"
#include "projections/name_token_index.h"
#include "projections/projection.h"
#include "projections/row_table.h"

namespace caseengine {

// Every field is optional; at least one of q, date_of_birth, nino, postcode, email and
// phone must be given. A client is found when it matches any of them (q: one of its words
// is within Jaro-Winkler 0.85 of, or a prefix of, one of the client's names, and the
// names as a whole score at least 0.85 for one word, 0.8 for more); status only filters.
// The score weighs every criterion given, so the client that matches most comes first.
struct ClientSearchQuery {
  std::string q;  // "forenames surname", "surname forenames", or one name (or its start)
  std::string date_of_birth, nino, postcode, email, phone;  // any formatting
  std::string status;                                       // active | inactive | closed
  size_t limit = 20;                                        // 1..1000
};

class ClientSearch {
 public:
  // Results: a JSON array, best first, of {client_id, surname, forenames, date_of_birth,
  // postcode, status, client_type, case_number, cases, score (0..1), matched: [field]}.
  // InvalidArgument when no criterion is given, a field is malformed or the limit is out
  // of range.
  Status Search(const ClientSearchQuery& query, nlohmann::json* results) const;

  // Clients (not deleted) sharing a blocking key with a referral: date of birth (also
  // with day and month swapped), NI number, email, phone, postcode, or a surname word
  // within Jaro-Winkler 0.85. The `max` sharing the most keys, with their details, for
  // RankMatches (lobby_matcher.h).
  std::vector<std::pair<std::string, PersonalFields>> Candidates(const PersonalFields& referral,
                                                                 size_t max = 200) const;

  size_t size() const;  // rows, soft-deleted ones included

 private:
  friend class ClientSearchProjection;
  void Index(const ClientSearchRow& row);
  void Unindex(const ClientSearchRow& row);
  // Calls fn(index, key) for each exact-key index and the row's key in it (maybe empty).
  template <class Fn>
  void ForKeyIndexes(const ClientSearchRow& row, Fn&& fn);
  void ClearIndexes();  // the exact-key indexes and the name tokens

  mutable std::shared_mutex mu_;
  RowTable<ClientSearchRow> rows_{"c/"};
  ClientKeyIndex by_dob_, by_nino_, by_email_, by_phone_, by_postcode_;
  NameTokenIndex names_;
};

class ClientSearchProjection : public Projection {
 public:
  const char* name() const override { return "client_search"; }
  Status Load(const Store& store, FamilyId family) override;
  void Apply(const ProjectedEvent& e, RowWriter* rows) override;
  void Flush(RowWriter* rows) override;
  bool keeps_rows_in_memory() const override { return true; }
  // All but a note's text.
  bool reads_personal(EventType type) const override { return type != EventType::kNoteAdded; }
  void Reset() override;

  const ClientSearch& search() const { return search_; }

 private:
  ClientSearch search_;
};

}  // namespace caseengine
